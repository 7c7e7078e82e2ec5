/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "decision.h"

#include <migkit/plugin.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace migkit::test {

/** TraceSample: one row of a trace file (see traces/README.md). */
struct TraceSample {
    uint64_t elapsedMs, iteration, remainingBytes, transferredBytes, dirtyRate, bandwidth,
        expectedDowntimeMs, throttlePercent;
    std::optional<uint64_t> predictedDowntimeMs;
};

/** loadTrace: the samples of traces/@name. */
std::vector<TraceSample> loadTrace(const std::string &name);

/** TimedDecision: a decision and the sample time it was taken at. */
struct TimedDecision {
    uint64_t atMs;
    policies::Decision decision;
};

/**
 * replay: feed each sample of @trace (with @ramBytes of RAM) as a pre-copy progress struct to
 * @onIteration and collect the decisions with their times.  Predictions become the extra
 * "dirty-heat.predicted-downtime-ms", as the engine passes them.
 */
std::vector<TimedDecision>
replay(const std::vector<TraceSample> &trace, uint64_t ramBytes,
       const std::function<std::vector<policies::Decision>(const migkit_progress &)> &onIteration);

/** ofKind: the decisions of @kind, in order. */
std::vector<TimedDecision> ofKind(const std::vector<TimedDecision> &decisions,
                                  policies::Decision::Kind kind);

/** describe: every decision as text, for failure messages. */
std::string describe(const std::vector<TimedDecision> &decisions);

} // namespace migkit::test
