/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"
#include "report/migration_report.h"
#include "json/value.h"

#include <migkit/plugin.h>

#include <string>

namespace migkit {

/**
 * phaseForStatus: the plugin ABI's phase for a QEMU MigrationStatus string ("active" is
 * precopy, "pre-switchover" and "device" are switchover, "postcopy-*" post-copy, ...).
 */
migkit_phase phaseForStatus(const std::string &status);

/**
 * ProgressSample: one query-migrate reply turned into what plugins see.  The well-known
 * fields come from ram.* (dirty rate = dirty-pages-rate x page-size, bandwidth from mbps),
 * "expected-downtime" and "cpu-throttle-percentage"; every field of the reply is also an
 * extra under its flattened name ("ram.normal-bytes", "dirty-heat.hot-pages", ...).
 */
class ProgressSample {
public:
    /**
     * fromQueryMigrate: convert @queryMigrate, taken @elapsedMs after `migrate` started.
     * Throws json::TypeError naming the member (dotted, "ram.mbps") and the value it had when
     * a figure migkit reads has the wrong type or range (a fraction or a negative number for
     * a counter, a throttle above 100 %, a dirty rate whose bytes do not fit 64 bits), or when
     * the reply holds more than kMaxStatisticsValues values.
     */
    static ProgressSample fromQueryMigrate(const json::Value &queryMigrate, uint64_t elapsedMs);

    /** progress: the C view for plugins; valid until this sample changes or goes away. */
    migkit_progress progress() const;

    /** status: QEMU's status string ("active", "completed", ...). */
    const std::string &status() const { return status_; }

    /** extras: every statistic by flattened name. */
    const ValueList &extras() const { return extras_; }

    /** record: the figures the report keeps. */
    SampleRecord record() const;

private:
    migkit_progress progress_{};
    std::string status_;
    ValueList extras_;
};

/**
 * OutcomeData: a migkit_outcome with the strings and extras it points to, built from the final
 * query-migrate reply and what the engine knows (error, where the VM runs).
 */
class OutcomeData {
public:
    /** OutcomeData: the outcome for @report (its phase, error, figures and final statistics). */
    explicit OutcomeData(const MigrationReport &report);

    /** outcome: the C view; valid while this object lives unchanged. */
    const migkit_outcome &outcome();

private:
    migkit_outcome outcome_{};
    std::string error_, runningOn_;
    ValueList extras_;
};

} // namespace migkit
