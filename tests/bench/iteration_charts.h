/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "run_result.h"
#include "scenario.h"
#include "svg_chart.h"

#include <string>
#include <vector>

namespace migkit::bench {

/** IterationFigures: one pre-copy pass (dirty bitmap sync to sync) of one run. */
struct IterationFigures {
    uint64_t iteration = 0;
    /** remainingBytes: the most RAM left to send in the pass (right after its sync). */
    uint64_t remainingBytes = 0;
    /** dirtyRateBytesPerSecond: QEMU's dirty rate at the pass's last sample. */
    uint64_t dirtyRateBytesPerSecond = 0;
    /** throttlePercent: the vCPU throttle at the pass's last sample. */
    uint32_t throttlePercent = 0;
};

/** perIteration: the pre-copy (status "active") samples of @samples folded into one entry
 *  per iteration, in order. */
std::vector<IterationFigures> perIteration(const std::vector<SampleRecord> &samples);

/**
 * representativeRun: of the runs of @scenario under @configuration without a benchmark
 * error, the one with the median total time; nullptr when there is none.
 */
const RunResult *representativeRun(const std::vector<RunResult> &results,
                                   const std::string &scenario, const std::string &configuration);

/**
 * iterationCharts: for @scenario, one chart per metric (remaining bytes, dirty rate,
 * throttle) over the iterations, with the representative run of every configuration (stock
 * and patched binaries on one chart).  Returned as (file name, chart) pairs.
 */
std::vector<std::pair<std::string, LineChart>>
iterationCharts(const Scenario &scenario, const std::vector<Configuration> &configurations,
                const std::vector<RunResult> &results);

} // namespace migkit::bench
