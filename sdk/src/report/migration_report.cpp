/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report/migration_report.h"

namespace migkit {

const char *logLevelName(migkit_log_level level)
{
    switch (level) {
    case MIGKIT_LOG_DEBUG:
        return "debug";
    case MIGKIT_LOG_INFO:
        return "info";
    case MIGKIT_LOG_WARNING:
        return "warning";
    case MIGKIT_LOG_ERROR:
        return "error";
    }
    return "info";
}

const char *phaseName(migkit_phase phase)
{
    switch (phase) {
    case MIGKIT_PHASE_SETUP:
        return "setup";
    case MIGKIT_PHASE_PRECOPY:
        return "precopy";
    case MIGKIT_PHASE_SWITCHOVER:
        return "switchover";
    case MIGKIT_PHASE_POSTCOPY:
        return "postcopy";
    case MIGKIT_PHASE_COMPLETED:
        return "completed";
    case MIGKIT_PHASE_FAILED:
        return "failed";
    case MIGKIT_PHASE_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

void applyFinalStatistics(MigrationReport &report, const json::Value &queryMigrate)
{
    report.finalStatistics = queryMigrate;
    report.status = queryMigrate.stringAt("status").value_or(report.status);
    report.totalMs = queryMigrate.uint64At("total-time").value_or(0);
    report.downtimeMs = queryMigrate.uint64At("downtime").value_or(0);
    report.setupMs = queryMigrate.uint64At("setup-time").value_or(0);
    report.finalThrottlePercent =
        static_cast<uint32_t>(queryMigrate.uint64At("cpu-throttle-percentage").value_or(0));
    if (const json::Value *ram = queryMigrate.find("ram")) {
        report.transferredBytes = ram->uint64At("transferred").value_or(0);
        report.ramTotalBytes = ram->uint64At("total").value_or(0);
        report.iterations = ram->uint64At("dirty-sync-count").value_or(0);
        report.mbps = ram->doubleAt("mbps").value_or(0);
    }
}

SampleRecord sampleRecordOf(const migkit_progress &progress, const std::string &status)
{
    SampleRecord record;
    record.elapsedMs = progress.elapsed_ms;
    record.status = status;
    record.iteration = progress.iteration;
    record.ramTotalBytes = progress.ram_total_bytes;
    record.ramRemainingBytes = progress.ram_remaining_bytes;
    record.ramTransferredBytes = progress.ram_transferred_bytes;
    record.dirtyRateBytesPerSecond = progress.dirty_rate_bytes_per_second;
    record.bandwidthBytesPerSecond = progress.bandwidth_bytes_per_second;
    record.expectedDowntimeMs = progress.expected_downtime_ms;
    record.throttlePercent = progress.throttle_percent;
    return record;
}

} // namespace migkit
