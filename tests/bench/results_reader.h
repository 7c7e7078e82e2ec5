/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "results_json.h"

#include "json/value.h"

namespace migkit::bench {

/**
 * benchRecordFromJson: read back what benchRecordToJson wrote, enough to summarize and chart
 * again (`migkit-bench --replot DIR`): the options that matter for the targets, the scenarios,
 * the configurations, and every run's figures and samples (not the engine's report).  The
 * summaries and targets are left empty for the caller to compute.  Throws
 * std::runtime_error naming the member that is missing or has the wrong type.
 */
BenchRecord benchRecordFromJson(const json::Value &root);

} // namespace migkit::bench
