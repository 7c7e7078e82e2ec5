/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "scenario.h"
#include "summary.h"
#include "targets.h"

#include <string>
#include <vector>

namespace migkit::bench {

/**
 * formatResultsTable: the readable report: per scenario one row per configuration with the
 * median [min-max] of each figure, then the patched/stock auto-converge ratios, then the
 * targets with PASS or MISS.
 */
std::string formatResultsTable(const std::vector<Scenario> &scenarios,
                               const std::vector<Configuration> &configurations,
                               const std::vector<CellSummary> &cells,
                               const std::vector<TargetCheck> &targets);

} // namespace migkit::bench
