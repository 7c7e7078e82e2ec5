/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "run_result.h"
#include "summary.h"

#include <string>
#include <vector>

namespace migkit::bench {

/** TargetCheck: one of the patched QEMU's targets, met (PASS) or not (MISS), and why. */
struct TargetCheck {
    std::string name;
    bool pass = false;
    /** detail: the numbers the verdict rests on. */
    std::string detail;
};

/**
 * checkTargets: the patched configuration (patched-heat) against stock: it converges in
 * every scenario where stock pre-copy does not; in (a) uniform its median total time and
 * guest work lost are at most half of stock auto-converge's; in (b) hotspot its median bytes
 * sent are at most 0.7x stock auto-converge's; its downtime stays within @downtimeLimitMs in
 * every run; its predicted downtime is within 20 % of the measured one in every run.
 * A target whose scenario did not run is left out.
 */
std::vector<TargetCheck> checkTargets(const std::vector<RunResult> &results,
                                      const std::vector<CellSummary> &cells,
                                      uint64_t downtimeLimitMs);

} // namespace migkit::bench
