/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine/migration_engine.h"

#include <cstdio>

namespace migkit::cli {

/**
 * ProgressDisplay: shows a running migration.  On a terminal one status line is redrawn in
 * place (a bar, bytes, pass, rates, throttle); otherwise a plain line is printed per pass, per
 * status change and every 5 seconds of a long pass, so logs stay readable.  Policy decisions and
 * plugin log lines are always printed on their own lines.
 */
class ProgressDisplay : public MigrationObserver {
public:
    /** ProgressDisplay: write to @out; @terminal selects the redrawn bar; @quiet shows nothing. */
    ProgressDisplay(FILE *out, bool terminal, bool quiet);
    ~ProgressDisplay() override;

    void started(const std::string &uri) override;
    void sample(const SampleRecord &sample) override;
    void decision(const DecisionRecord &decision) override;
    void log(const LogRecord &line) override;

    /** finish: end the redrawn line so that what follows starts on a fresh one. */
    void finish();

private:
    void clearBar();

    FILE *out_;
    bool terminal_, quiet_;
    bool barShown_ = false;
    uint64_t lastIteration_ = 0;
    uint64_t lastPrintedMs_ = 0;
    std::string lastStatus_;
};

} // namespace migkit::cli
