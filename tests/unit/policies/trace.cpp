/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trace.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace migkit::test {

std::vector<TraceSample> loadTrace(const std::string &name)
{
    std::string path = std::string(MIGKIT_TRACE_DIR) + "/" + name;
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open trace " + path);
    std::vector<TraceSample> samples;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        if (header) { /* column names */
            header = false;
            continue;
        }
        std::vector<uint64_t> fields;
        std::stringstream row(line);
        std::string field;
        while (std::getline(row, field, ','))
            fields.push_back(std::stoull(field));
        if (fields.size() < 8)
            throw std::runtime_error("short row in " + path + ": " + line);
        TraceSample s{fields[0], fields[1], fields[2], fields[3],   fields[4],
                      fields[5], fields[6], fields[7], std::nullopt};
        if (fields.size() > 8)
            s.predictedDowntimeMs = fields[8];
        samples.push_back(s);
    }
    return samples;
}

std::vector<TimedDecision>
replay(const std::vector<TraceSample> &trace, uint64_t ramBytes,
       const std::function<std::vector<policies::Decision>(const migkit_progress &)> &onIteration)
{
    std::vector<TimedDecision> result;
    for (const TraceSample &s : trace) {
        migkit_value predicted{};
        predicted.name = "dirty-heat.predicted-downtime-ms";
        predicted.type = MIGKIT_VALUE_UINT64;
        predicted.v.u64 = s.predictedDowntimeMs.value_or(0);
        migkit_progress progress{};
        progress.struct_size = sizeof(progress);
        progress.phase = MIGKIT_PHASE_PRECOPY;
        progress.iteration = s.iteration;
        progress.elapsed_ms = s.elapsedMs;
        progress.ram_total_bytes = ramBytes;
        progress.ram_remaining_bytes = s.remainingBytes;
        progress.ram_transferred_bytes = s.transferredBytes;
        progress.dirty_rate_bytes_per_second = s.dirtyRate;
        progress.bandwidth_bytes_per_second = s.bandwidth;
        progress.expected_downtime_ms = s.expectedDowntimeMs;
        progress.throttle_percent = static_cast<uint32_t>(s.throttlePercent);
        progress.extra = {&predicted, s.predictedDowntimeMs ? 1u : 0u};
        for (policies::Decision &d : onIteration(progress))
            result.push_back({s.elapsedMs, std::move(d)});
    }
    return result;
}

std::vector<TimedDecision> ofKind(const std::vector<TimedDecision> &decisions,
                                  policies::Decision::Kind kind)
{
    std::vector<TimedDecision> result;
    for (const TimedDecision &d : decisions)
        if (d.decision.kind == kind)
            result.push_back(d);
    return result;
}

std::string describe(const std::vector<TimedDecision> &decisions)
{
    std::string text;
    for (const TimedDecision &d : decisions)
        text += std::to_string(d.atMs / 1000) + " s: kind " +
                std::to_string(static_cast<int>(d.decision.kind)) + " " +
                std::to_string(d.decision.downtimeMs) + " ms: " + d.decision.reason + "\n";
    return text;
}

} // namespace migkit::test
