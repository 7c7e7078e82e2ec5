/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "decision.h"

#include <migkit/policy.hpp>

#include <cstdint>
#include <vector>

namespace migkit::policies {

/** DeadlinePolicyConfig: the operator knobs of the `deadline` policy (see docs/sdk.md). */
struct DeadlinePolicyConfig {
    /** The migration must be over this many seconds after it started. */
    uint64_t deadlineSeconds = 300;
    /** The downtime limit to start with: the stun the guest gets if all goes well. */
    uint64_t initialDowntimeMs = 100;
    /** The most the policy raises the downtime limit to before throttling the guest. */
    uint64_t maxDowntimeMs = 1000;
    /** May throttle the guest's CPUs to finish in time. */
    bool allowAutoConverge = true;
    /** May switch to post-copy as the deadline nears. */
    bool allowPostcopy = true;
    /** May pause the guest to finish (a stun of remaining / bandwidth) as the deadline nears. */
    bool allowPause = true;
};

/**
 * DeadlinePolicyLogic: finish by a wall-clock deadline with the least guest disruption,
 * without a host so that it can be tested on recorded progress traces.
 *
 * Each sample it estimates, from the bandwidth B and dirty rate D, what pre-copy needs: with
 * R bytes remaining and a downtime limit L, QEMU switches over once R falls to B*L, which takes
 * (R - B*L) / (B - D).  Finishing within the time left T (less a safety margin) needs
 * L >= (R - T*(B - D)) / D.  Real guests have a hot set that pre-copy never gets below: once
 * remaining stops making new lows (a plateau), L must also cover that floor at B (or the
 * dirty-heat prediction of the stun, on migkit-patched QEMU).  So it raises the downtime limit only
 * as far as that, up to max-downtime-ms; when even that is not enough it throttles the guest (sized
 * to bring D down to what the deadline needs); when the time left only just covers sending the
 * rest, it switches to post-copy, else pauses the guest, else cancels.  A missed deadline is
 * logged.
 */
class DeadlinePolicyLogic {
public:
    /** DeadlinePolicyLogic: with @config. */
    explicit DeadlinePolicyLogic(const DeadlinePolicyConfig &config) : config_(config) {}

    /** plan: set the initial downtime limit, post-copy and auto-converge. */
    std::vector<Decision> plan(const PlanInput &input, Plan &plan);

    /** onIteration: the decisions for one progress sample. */
    std::vector<Decision> onIteration(const Progress &progress);

    /** downtimeLimitMs: the limit in force after the decisions so far. */
    uint64_t downtimeLimitMs() const { return limitMs_; }

private:
    void endgame(double remaining, double leftMs, double sendRestMs,
                 std::vector<Decision> &decisions);

    DeadlinePolicyConfig config_;
    bool postcopyAllowed_ = false;
    bool autoConvergeArmed_ = false;
    bool dirtyHeat_ = false;
    bool throttleHeld_ = false;
    bool throttleEngaged_ = false;
    bool endgameTaken_ = false;
    bool missReported_ = false;
    bool hopelessReported_ = false;
    uint64_t limitMs_ = 0;
    uint64_t lowWaterBytes_ = UINT64_MAX;
    uint64_t passesSinceLow_ = 0;
    uint64_t lastIteration_ = 0;
    uint64_t passStartMs_ = 0;
};

} // namespace migkit::policies
