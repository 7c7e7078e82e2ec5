/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "run_result.h"

#include <optional>
#include <string>
#include <vector>

namespace migkit::bench {

/** Spread: median, minimum and maximum of some runs' values. */
struct Spread {
    double median = 0;
    double min = 0;
    double max = 0;
    /** count: how many values; 0 means no value (the other fields are meaningless). */
    size_t count = 0;
};

/** spreadOf: the spread of @values (the median of an even count is the mean of the middle two). */
Spread spreadOf(std::vector<double> values);

/** CellSummary: the runs of one scenario under one configuration, summed up. */
struct CellSummary {
    std::string scenario, configuration;
    /** runs: runs without a benchmark error; converged: how many of them completed. */
    size_t runs = 0;
    size_t converged = 0;
    /** benchErrors: runs that failed as a benchmark. */
    size_t benchErrors = 0;
    /** Over all runs (a cancelled run counts until the cancel). */
    Spread totalSeconds, bytesSent, iterations, lostSeconds;
    /** Over converged runs only. */
    Spread downtimeMs, predictedDowntimeMs, expectedDowntimeMs, guestStopMs;
    /** allConverged: every run converged (and there was at least one). */
    bool allConverged() const { return runs > 0 && converged == runs; }
};

/** summarize: one summary per (scenario, configuration) that has runs, in first-run order. */
std::vector<CellSummary> summarize(const std::vector<RunResult> &results);

/** findCell: the summary of @scenario under @configuration, if there is one. */
const CellSummary *findCell(const std::vector<CellSummary> &cells, const std::string &scenario,
                            const std::string &configuration);

} // namespace migkit::bench
