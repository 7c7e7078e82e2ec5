/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "command_line.h"
#include "policy_options.h"

#include "engine/migration_engine.h"

#include <functional>
#include <string>
#include <vector>

namespace migkit::cli {

/** RunSettings: what `migrate` and `demo` share: engine options, policies, report output. */
struct RunSettings {
    /** The subcommand, for messages ("migrate", "demo"). */
    std::string command;
    MigrationOptions options;
    std::vector<PolicyRequest> policies;
    std::string reportPath;
    bool json = false;
};

/**
 * runMigration: load the policies, run the engine with a progress display and Ctrl-C
 * cancelling, fill @report.  Returns kExitOk when the migration ran (whatever its outcome),
 * or the exit code after printing why it was refused (policy or engine refusal).
 */
int runMigration(const RunSettings &settings, MigrationReport &report);

/**
 * printOutcome: write the report file, print the summary (or the JSON report), and return
 * kExitOk for a completed migration, kExitFailed with a message otherwise.
 */
int printOutcome(const RunSettings &settings, const MigrationReport &report);

} // namespace migkit::cli
