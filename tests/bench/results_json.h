/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bench_options.h"
#include "binary_stamp.h"
#include "calibration.h"
#include "run_result.h"
#include "scenario.h"
#include "summary.h"
#include "targets.h"

#include "json/value.h"

#include <string>
#include <vector>

namespace migkit::bench {

/** BenchRecord: everything one benchmark invocation produced, for the JSON file. */
struct BenchRecord {
    /** command: the command line as given. */
    std::string command;
    /** startedAt: UTC date and time, ISO 8601. */
    std::string startedAt;
    BenchOptions options;
    /** stockStamp, patchedStamp: the binaries as they were when the benchmark started. */
    BinaryStamp stockStamp, patchedStamp;
    Calibration calibration;
    std::vector<Scenario> scenarios;
    std::vector<Configuration> configurations;
    std::vector<RunResult> results;
    std::vector<CellSummary> cells;
    std::vector<TargetCheck> targets;
};

/**
 * benchRecordToJson: the whole record: options, calibration, scenarios, every run's raw
 * numbers with all its query-migrate samples and the engine's report, the summaries and
 * the targets.
 */
json::Value benchRecordToJson(const BenchRecord &record);

} // namespace migkit::bench
