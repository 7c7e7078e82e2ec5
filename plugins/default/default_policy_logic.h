/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "decision.h"

#include <migkit/policy.hpp>

#include <cstdint>
#include <vector>

namespace migkit::policies {

/** DefaultPolicyConfig: the operator knobs of the `default` policy (see docs/sdk.md). */
struct DefaultPolicyConfig {
    /** Give up (escalate) when the migration takes longer than this per GiB of RAM. */
    uint64_t completionTimeoutPerGiBSeconds = 150;
    /** Stall: no new low of remaining bytes for this long. */
    uint64_t progressTimeoutSeconds = 150;
    /** The downtime the ramp ends at: the longest stun the operator accepts. */
    uint64_t maxDowntimeMs = 500;
    /** Ramp steps from max/steps up to max. */
    uint64_t downtimeSteps = 10;
    /** Least time between two ramp steps, per GiB of RAM. */
    uint64_t downtimeDelaySecondsPerGiB = 5;
    /** May switch to post-copy when stuck. */
    bool allowPostcopy = false;
    /** May throttle the guest's CPUs when stuck. */
    bool allowAutoConverge = false;
    /** Stream cap in bytes/s; 0 = unlimited. */
    uint64_t bandwidthBytesPerSecond = 0;
};

/**
 * DefaultPolicyLogic: the decisions of the `default` policy, without a host, so they can be
 * tested on recorded progress traces.
 *
 * Like Nova's live-migration monitor, it starts with a short downtime limit and raises it step
 * by step as passes go by (at most one step per downtime-delay x GiB); like oVirt and KubeVirt
 * it watches for a stall (no new low of remaining bytes, measured right after each dirty-bitmap
 * sync, for progress-timeout) and for the
 * completion timeout.  When stuck it escalates one rung at a time, waiting progress-timeout
 * between rungs: downtime to the maximum, then post-copy if allowed, else the throttle of
 * auto-converge if allowed, else cancel.  Every decision carries its reason.  On migkit-patched
 * QEMU (dirty-heat facts) it tracks dirty heat, uses predictive auto-converge, and jumps the
 * downtime limit to the predicted downtime when that fits under the maximum.  Its arithmetic
 * saturates: a timeout too long to count in milliseconds never fires (the plugin refuses
 * settings outside their documented ranges before it gets here).
 */
class DefaultPolicyLogic {
public:
    /** DefaultPolicyLogic: with @config. */
    explicit DefaultPolicyLogic(const DefaultPolicyConfig &config) : config_(config) {}

    /** plan: set the first ramp step, the bandwidth, post-copy and auto-converge. */
    std::vector<Decision> plan(const PlanInput &input, Plan &plan);

    /** onIteration: the decisions for one progress sample. */
    std::vector<Decision> onIteration(const Progress &progress);

    /** downtimeLimitMs: the limit in force after the decisions so far. */
    uint64_t downtimeLimitMs() const { return limitMs_; }

private:
    uint64_t rampLimit(uint64_t step) const;
    uint64_t perGiBMs(uint64_t secondsPerGiB) const;
    void escalate(const Progress &progress, const std::string &trouble,
                  std::vector<Decision> &decisions);

    DefaultPolicyConfig config_;
    double ramGiB_ = 1.0;
    bool planned_ = false;
    bool dirtyHeat_ = false;
    bool postcopyAllowed_ = false;
    bool autoConvergeArmed_ = false;
    bool throttleHeld_ = false;
    bool throttleEngaged_ = false;
    bool finished_ = false; /* post-copy started or cancelled: nothing more to decide */

    uint64_t step_ = 1;
    uint64_t limitMs_ = 0;
    uint64_t lastIteration_ = 0;
    uint64_t lastStepAtMs_ = 0;
    uint64_t lowWaterBytes_ = UINT64_MAX;
    uint64_t lowWaterAtMs_ = 0;
    uint64_t passesSinceLow_ = 0;
    uint64_t lastEscalationAtMs_ = 0;
    bool escalated_ = false;
};

} // namespace migkit::policies
