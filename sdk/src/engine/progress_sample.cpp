/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/progress_sample.h"

#include "engine/statistics.h"
#include "json/writer.h"

#include <migkit/checked.hpp>

#include <algorithm>
#include <cstdio>

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

namespace {

/* A member of a reply that migkit cannot use: named by its dotted @path, with its value. */
[[noreturn]] void badFigure(const std::string &path, const json::Value &value,
                            const std::string &expected)
{
    std::string text = json::serialize(value);
    if (text.size() > 64) {
        text = text.substr(0, 60) + " ...";
    }
    throw json::TypeError("member '" + path + "' is " + text + ": expected " + expected);
}

/* The whole number @name of @object (under @prefix), at most @max; nullopt when absent. */
std::optional<uint64_t> wholeNumber(const json::Value &object, const std::string &prefix,
                                    const char *name, uint64_t max = UINT64_MAX)
{
    const json::Value *v = object.find(name);
    if (!v) {
        return std::nullopt;
    }
    if (v->type() == json::Value::Type::Uint64 ||
        (v->type() == json::Value::Type::Int64 && v->asInt64() >= 0)) {
        if (const uint64_t u = v->asUint64(); u <= max) {
            return u;
        }
    }
    badFigure(prefix + name, *v, "a whole number from 0 to " + std::to_string(max));
}

/* The number @name of @object (under @prefix), finite and >= 0; nullopt when absent. */
std::optional<double> positiveNumber(const json::Value &object, const std::string &prefix,
                                     const char *name, double max)
{
    const json::Value *v = object.find(name);
    if (!v) {
        return std::nullopt;
    }
    if (v->isNumber() && v->asDouble() >= 0 && v->asDouble() <= max) {
        return v->asDouble();
    }
    char range[64];
    std::snprintf(range, sizeof(range), "a number from 0 to %g", max);
    badFigure(prefix + name, *v, range);
}

} // namespace

ProgressSample ProgressSample::fromQueryMigrate(const json::Value &queryMigrate, uint64_t elapsedMs)
{
    ProgressSample sample;
    sample.status_ = queryMigrate.stringAt("status").value_or("none");
    migkit_progress &p = sample.progress_;
    p.struct_size = sizeof(migkit_progress);
    p.phase = phaseForStatus(sample.status_);
    p.elapsed_ms = elapsedMs;
    p.expected_downtime_ms = wholeNumber(queryMigrate, "", "expected-downtime").value_or(0);
    p.throttle_percent = static_cast<uint32_t>(
        wholeNumber(queryMigrate, "", "cpu-throttle-percentage", 100).value_or(0));
    /* Not part of a sample, but what the report takes from the final one: checked here, while
     * a bad one can still cancel the migration. */
    for (const char *figure : {"total-time", "setup-time", "downtime"}) {
        (void)wholeNumber(queryMigrate, "", figure);
    }
    p.iteration = 1;
    if (const json::Value *ram = queryMigrate.find("ram")) {
        const std::string in = "ram.";
        p.iteration = std::max<uint64_t>(1, wholeNumber(*ram, in, "dirty-sync-count").value_or(1));
        p.ram_total_bytes = wholeNumber(*ram, in, "total").value_or(0);
        p.ram_remaining_bytes = wholeNumber(*ram, in, "remaining").value_or(0);
        p.ram_transferred_bytes = wholeNumber(*ram, in, "transferred").value_or(0);
        const uint64_t pageSize = wholeNumber(*ram, in, "page-size").value_or(4096);
        const uint64_t dirtyPages = wholeNumber(*ram, in, "dirty-pages-rate").value_or(0);
        const std::optional<uint64_t> dirtyBytes = checkedMultiply(dirtyPages, pageSize);
        if (!dirtyBytes) {
            badFigure(in + "dirty-pages-rate", *ram->find("dirty-pages-rate"),
                      "pages per second that, times the page size " + std::to_string(pageSize) +
                          ", fit in 64 bits");
        }
        p.dirty_rate_bytes_per_second = *dirtyBytes;
        /* mbps is megabits (10^6) per second; the bytes per second must fit 64 bits. */
        constexpr double maxMbps = 18446744073709551615.0 * 8 / 1e6;
        p.bandwidth_bytes_per_second =
            saturatingFromDouble(positiveNumber(*ram, in, "mbps", maxMbps).value_or(0) * 1e6 / 8)
                .value_or(0);
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
