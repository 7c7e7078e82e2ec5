/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "default_policy_logic.h"

#include "estimates.h"

#include <migkit/checked.hpp>

#include <algorithm>
#include <cmath>

namespace migkit::policies {

namespace {

/* QEMU's cpu-throttle-initial and -increment when the policy engages auto-converge. */
constexpr uint32_t kEngagedThrottleInitial = 20;
constexpr uint32_t kEngagedThrottleIncrement = 10;
/* Pass starts without a new low that, with progress-timeout, make a stall. */
constexpr uint64_t kStallPasses = 2;
/* Headroom over the predicted downtime, so that QEMU's own check passes. */
constexpr double kPredictionHeadroom = 1.1;

} // namespace

uint64_t DefaultPolicyLogic::rampLimit(uint64_t step) const
{
    const uint64_t steps = std::max<uint64_t>(config_.downtimeSteps, 1);
    /* max x step / steps with step <= steps fits 64 bits; the product may not. */
    __extension__ using Wide = unsigned __int128;
    const Wide limit = Wide{config_.maxDowntimeMs} * std::min(step, steps) / steps;
    return std::max<uint64_t>(1, static_cast<uint64_t>(limit));
}

uint64_t DefaultPolicyLogic::perGiBMs(uint64_t secondsPerGiB) const
{
    /* Too long to count in milliseconds means never. */
    return saturatingFromDouble(static_cast<double>(secondsPerGiB) * ramGiB_ * 1000.0)
        .value_or(UINT64_MAX);
}

std::vector<Decision> DefaultPolicyLogic::plan(const PlanInput &input, Plan &plan)
{
    std::vector<Decision> decisions;
    planned_ = true;
    /* Small VMs still pay fixed setup costs: count at least 1 GiB for the per-GiB knobs. */
    ramGiB_ = std::max(1.0, static_cast<double>(input.ramBytes()) / kGiB);
    PatchedFeatures patched = detectPatchedFeatures(input);

    step_ = 1;
    limitMs_ = rampLimit(step_);
    plan.setDowntimeLimit(std::chrono::milliseconds(limitMs_));
    if (config_.bandwidthBytesPerSecond)
        plan.setBandwidthBytesPerSecond(config_.bandwidthBytesPerSecond);

    if (config_.allowPostcopy) {
        if (postcopyPossible(input)) {
            plan.setPostcopyAllowed(true);
        } else {
            decisions.push_back(Decision::log(
                MIGKIT_LOG_WARNING, "allow-post-copy is set but QEMU on one side lacks the "
                                    "postcopy-ram capability: post-copy stays off"));
        }
    }
    postcopyAllowed_ = plan.postcopyAllowed();

    if (config_.allowAutoConverge) {
        plan.setAutoConverge(patched.predictiveAutoConverge ? AutoConverge::Predictive
                                                            : AutoConverge::Classic);
        autoConvergeArmed_ = true;
    }
    if (patched.dirtyHeat) {
        plan.setDirtyHeat(true);
        dirtyHeat_ = true;
    }
    decisions.push_back(Decision::log(
        MIGKIT_LOG_INFO,
        "plan: downtime ramp " + std::to_string(limitMs_) + " ms -> " +
            std::to_string(config_.maxDowntimeMs) + " ms in " +
            std::to_string(config_.downtimeSteps) + " steps; " +
            (patched.dirtyHeat ? "dirty-heat tracking on (migkit-patched QEMU)"
                               : "stock QEMU: no dirty-heat") +
            (autoConvergeArmed_ ? std::string("; auto-converge ") +
                                      (patched.predictiveAutoConverge ? "predictive" : "classic") +
                                      ", held until needed"
                                : "")));
    return decisions;
}

std::vector<Decision> DefaultPolicyLogic::onIteration(const Progress &progress)
{
    std::vector<Decision> decisions;
    if (finished_ || progress.phase() != Phase::Precopy)
        return decisions;
    const uint64_t now = static_cast<uint64_t>(progress.elapsed().count());
    if (!planned_)
        ramGiB_ = std::max(1.0, static_cast<double>(progress.ramTotalBytes()) / kGiB);
    if (limitMs_ == 0)
        limitMs_ = rampLimit(step_);

    /* Auto-converge must be enabled before the migration starts, but it should only bite when
     * the policy decides so: hold its ceiling at 1 % (QEMU's minimum) until then. */
    if (autoConvergeArmed_ && !throttleHeld_) {
        throttleHeld_ = true;
        /* QEMU wants max-cpu-throttle >= cpu-throttle-initial: lower the initial first. */
        decisions.push_back(Decision::throttle(1, 0, "auto-converge armed but held at 1 %"));
        decisions.push_back(Decision::parameter("max-cpu-throttle", 1,
                                                "auto-converge held at 1 % until progress stalls"));
    }

    const bool newPass = progress.iteration() > lastIteration_;
    lastIteration_ = std::max(lastIteration_, progress.iteration());

    /* Remaining falls during a pass and jumps back at each dirty-bitmap sync, so only the
     * first sample of a pass (taken right after its sync) says how much is really left.  The
     * first pass always progresses: it sends every page once. */
    if (progress.iteration() <= 1) {
        lowWaterAtMs_ = now;
    } else if (newPass) {
        passesSinceLow_++;
        if (progress.ramRemainingBytes() < lowWaterBytes_) {
            lowWaterBytes_ = progress.ramRemainingBytes();
            lowWaterAtMs_ = now;
            passesSinceLow_ = 0;
        }
    }
    const uint64_t steps = std::max<uint64_t>(config_.downtimeSteps, 1);
    const uint64_t stepDelayMs = perGiBMs(config_.downtimeDelaySecondsPerGiB);

    /* Patched QEMU knows which pages will still be dirty at switchover: if its prediction
     * fits under the maximum, allow it now instead of waiting for the ramp. */
    std::optional<uint64_t> predicted = dirtyHeat_ ? predictedDowntimeMs(progress) : std::nullopt;
    if (newPass && predicted && *predicted > limitMs_ && *predicted <= config_.maxDowntimeMs) {
        uint64_t target = std::min<uint64_t>(
            config_.maxDowntimeMs,
            saturatingFromDouble(std::ceil(static_cast<double>(*predicted) * kPredictionHeadroom))
                .value_or(config_.maxDowntimeMs));
        limitMs_ = target;
        while (step_ < steps && rampLimit(step_) < limitMs_)
            step_++;
        lastStepAtMs_ = now;
        decisions.push_back(Decision::downtime(
            limitMs_, "pass " + std::to_string(progress.iteration()) + ": dirty-heat predicts a " +
                          std::to_string(*predicted) + " ms stun, within the " +
                          std::to_string(config_.maxDowntimeMs) + " ms maximum: allowing " +
                          std::to_string(limitMs_) + " ms now"));
    } else if (newPass && progress.iteration() > 1 && step_ < steps &&
               now - lastStepAtMs_ >= stepDelayMs) {
        step_++;
        uint64_t next = rampLimit(step_);
        if (next > limitMs_) {
            limitMs_ = next;
            lastStepAtMs_ = now;
            decisions.push_back(Decision::downtime(
                limitMs_, "pass " + std::to_string(progress.iteration()) + ": downtime ramp step " +
                              std::to_string(step_) + "/" + std::to_string(steps) + " (" +
                              mib(static_cast<double>(progress.ramRemainingBytes())) +
                              " still to send)"));
        }
    }

    /* A rung needs time to show an effect before the next one. */
    const uint64_t graceMs = saturatingMultiply(config_.progressTimeoutSeconds, 1000);
    if (escalated_ && now - lastEscalationAtMs_ < graceMs)
        return decisions;

    const uint64_t completionMs = perGiBMs(config_.completionTimeoutPerGiBSeconds);
    /* A stall needs passes that keep restarting without a new low: one long pass is a slow
     * link, which the completion timeout covers. */
    if (now - lowWaterAtMs_ >= graceMs && passesSinceLow_ >= kStallPasses) {
        escalate(progress,
                 "no progress for " + seconds(static_cast<double>(now - lowWaterAtMs_)) +
                     " (remaining stuck above " + mib(static_cast<double>(lowWaterBytes_)) +
                     ", progress-timeout " + std::to_string(config_.progressTimeoutSeconds) + " s)",
                 decisions);
    } else if (now >= completionMs) {
        escalate(progress,
                 "running " + seconds(static_cast<double>(now)) + ", over the completion timeout " +
                     seconds(static_cast<double>(completionMs)) + " (" +
                     std::to_string(config_.completionTimeoutPerGiBSeconds) + " s per GiB)",
                 decisions);
    }
    return decisions;
}

void DefaultPolicyLogic::escalate(const Progress &progress, const std::string &trouble,
                                  std::vector<Decision> &decisions)
{
    const uint64_t now = static_cast<uint64_t>(progress.elapsed().count());
    escalated_ = true;
    lastEscalationAtMs_ = now;
    /* Each rung gets a fresh stall window. */
    lowWaterAtMs_ = now;
    passesSinceLow_ = 0;

    if (limitMs_ < config_.maxDowntimeMs) {
        limitMs_ = config_.maxDowntimeMs;
        step_ = std::max<uint64_t>(config_.downtimeSteps, 1);
        lastStepAtMs_ = now;
        decisions.push_back(
            Decision::downtime(limitMs_, trouble + ": raising the downtime limit to the maximum " +
                                             std::to_string(limitMs_) + " ms"));
    } else if (postcopyAllowed_) {
        finished_ = true;
        decisions.push_back(Decision::simple(
            Decision::Kind::StartPostcopy,
            trouble + " with the downtime limit at its maximum: switching to post-copy"));
    } else if (autoConvergeArmed_ && !throttleEngaged_) {
        throttleEngaged_ = true;
        decisions.push_back(Decision::parameter(
            "max-cpu-throttle", 99, trouble + ": releasing the auto-converge throttle"));
        decisions.push_back(Decision::throttle(
            kEngagedThrottleInitial, kEngagedThrottleIncrement,
            "auto-converge: start at " + std::to_string(kEngagedThrottleInitial) + " %, add " +
                std::to_string(kEngagedThrottleIncrement) + " % per pass"));
    } else {
        finished_ = true;
        std::string why = trouble + " with the downtime limit at its maximum, ";
        why += postcopyAllowed_ ? "" : "post-copy not allowed, ";
        why +=
            !autoConvergeArmed_ ? "auto-converge not allowed" : "auto-converge already throttling";
        decisions.push_back(Decision::simple(Decision::Kind::Cancel,
                                             why + ": cancelling (the VM keeps running on the "
                                                   "source)"));
    }
}

} // namespace migkit::policies
