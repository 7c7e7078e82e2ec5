/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/progress_sample.h"

#include "engine/statistics.h"

#include <algorithm>

namespace migkit {

migkit_phase phaseForStatus(const std::string &status)
{
    if (status == "active") {
        return MIGKIT_PHASE_PRECOPY;
    }
    if (status == "pre-switchover" || status == "device") {
        return MIGKIT_PHASE_SWITCHOVER;
    }
    if (status.rfind("postcopy", 0) == 0) {
        return MIGKIT_PHASE_POSTCOPY;
    }
    if (status == "completed") {
        return MIGKIT_PHASE_COMPLETED;
    }
    if (status == "failed") {
        return MIGKIT_PHASE_FAILED;
    }
    if (status == "cancelled" || status == "cancelling") {
        return MIGKIT_PHASE_CANCELLED;
    }
    /* "none", "setup", "wait-unplug", and anything newer QEMUs add before the copy starts. */
    return MIGKIT_PHASE_SETUP;
}

ProgressSample ProgressSample::fromQueryMigrate(const json::Value &queryMigrate, uint64_t elapsedMs)
{
    ProgressSample sample;
    sample.status_ = queryMigrate.stringAt("status").value_or("none");
    migkit_progress &p = sample.progress_;
    p.struct_size = sizeof(migkit_progress);
    p.phase = phaseForStatus(sample.status_);
    p.elapsed_ms = elapsedMs;
    p.expected_downtime_ms = queryMigrate.uint64At("expected-downtime").value_or(0);
    p.throttle_percent =
        static_cast<uint32_t>(queryMigrate.uint64At("cpu-throttle-percentage").value_or(0));
    p.iteration = 1;
    if (const json::Value *ram = queryMigrate.find("ram")) {
        p.iteration = std::max<uint64_t>(1, ram->uint64At("dirty-sync-count").value_or(1));
        p.ram_total_bytes = ram->uint64At("total").value_or(0);
        p.ram_remaining_bytes = ram->uint64At("remaining").value_or(0);
        p.ram_transferred_bytes = ram->uint64At("transferred").value_or(0);
        const uint64_t pageSize = ram->uint64At("page-size").value_or(4096);
        p.dirty_rate_bytes_per_second = ram->uint64At("dirty-pages-rate").value_or(0) * pageSize;
        /* mbps is megabits (10^6) per second. */
        p.bandwidth_bytes_per_second =
            static_cast<uint64_t>(ram->doubleAt("mbps").value_or(0) * 1e6 / 8);
    }
    flattenStatistics(sample.extras_, queryMigrate, "");
    return sample;
}

migkit_progress ProgressSample::progress() const
{
    migkit_progress p = progress_;
    p.extra = extras_.values();
    return p;
}

SampleRecord ProgressSample::record() const
{
    return sampleRecordOf(progress_, status_);
}

OutcomeData::OutcomeData(const MigrationReport &report)
    : error_(report.error), runningOn_(report.vmRunningOn)
{
    outcome_.struct_size = sizeof(migkit_outcome);
    outcome_.phase = report.phase;
    outcome_.total_ms = report.totalMs;
    outcome_.downtime_ms = report.downtimeMs;
    outcome_.setup_ms = report.setupMs;
    outcome_.iterations = report.iterations;
    outcome_.transferred_bytes = report.transferredBytes;
    flattenStatistics(extras_, report.finalStatistics, "");
}

const migkit_outcome &OutcomeData::outcome()
{
    outcome_.error = error_.empty() ? nullptr : error_.c_str();
    outcome_.vm_running_on = runningOn_.c_str();
    outcome_.extra = extras_.values();
    return outcome_;
}

} // namespace migkit
