/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "deadline_policy_logic.h"

#include "estimates.h"

#include <migkit/checked.hpp>

#include <algorithm>
#include <cmath>

namespace migkit::policies {

namespace {

/* Part of the deadline kept in reserve for estimate errors and the switchover itself. */
constexpr double kMarginFraction = 0.1;
constexpr double kMinMarginMs = 2000.0;
/* Raise the limit a little beyond the need, for estimate errors. */
constexpr double kRaiseHeadroom = 1.1;
/* Sending the rest at the current bandwidth, with slack for the bandwidth dropping. */
constexpr double kEndgameSlack = 1.25;
constexpr uint32_t kThrottleIncrement = 10;
/* Passes in a row that shrink what is left by less than kPlateauGain: a plateau. */
constexpr uint64_t kPlateauPasses = 3;
constexpr double kPlateauGain = 0.02;

} // namespace

std::vector<Decision> DeadlinePolicyLogic::plan(const PlanInput &input, Plan &plan)
{
    std::vector<Decision> decisions;
    PatchedFeatures patched = detectPatchedFeatures(input);
    limitMs_ = std::min(config_.initialDowntimeMs, config_.maxDowntimeMs);
    plan.setDowntimeLimit(std::chrono::milliseconds(limitMs_));
    if (config_.allowPostcopy && postcopyPossible(input))
        plan.setPostcopyAllowed(true);
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
    decisions.push_back(
        Decision::log(MIGKIT_LOG_INFO,
                      "plan: finish within " + std::to_string(config_.deadlineSeconds) +
                          " s; downtime " + std::to_string(limitMs_) +
                          " ms, raised as needed up to " + std::to_string(config_.maxDowntimeMs) +
                          " ms; then " + (autoConvergeArmed_ ? "throttle, then " : "") +
                          (postcopyAllowed_     ? "post-copy"
                           : config_.allowPause ? "pause"
                                                : "cancel")));
    return decisions;
}

std::vector<Decision> DeadlinePolicyLogic::onIteration(const Progress &progress)
{
    std::vector<Decision> decisions;
    if (progress.phase() != Phase::Precopy && progress.phase() != Phase::Postcopy)
        return decisions;
    if (limitMs_ == 0)
        limitMs_ = std::min(config_.initialDowntimeMs, config_.maxDowntimeMs);

    const double deadlineMs = static_cast<double>(config_.deadlineSeconds) * 1000.0;
    const double elapsedMs = static_cast<double>(progress.elapsed().count());
    const double leftMs = deadlineMs - elapsedMs;

    if (endgameTaken_) {
        /* Post-copy and pausing take time too: say so if they run past the deadline. */
        if (leftMs < 0 && !missReported_) {
            missReported_ = true;
            decisions.push_back(Decision::log(
                MIGKIT_LOG_ERROR, "deadline missed: still migrating " + seconds(-leftMs) +
                                      " after the " + std::to_string(config_.deadlineSeconds) +
                                      " s deadline"));
        }
        return decisions;
    }
    if (progress.phase() != Phase::Precopy)
        return decisions;

    if (autoConvergeArmed_ && !throttleHeld_) {
        throttleHeld_ = true;
        /* QEMU wants max-cpu-throttle >= cpu-throttle-initial: lower the initial first. */
        decisions.push_back(Decision::throttle(1, 0, "auto-converge armed but held at 1 %"));
        decisions.push_back(Decision::parameter(
            "max-cpu-throttle", 1, "auto-converge held at 1 % until the deadline needs it"));
    }

    /* Remaining falls during a pass and jumps back at each dirty-bitmap sync: the first
     * sample of a pass (right after its sync) shows what is really left. */
    const uint64_t now = static_cast<uint64_t>(elapsedMs);
    const bool newPass = progress.iteration() > lastIteration_;
    if (newPass) {
        lastIteration_ = progress.iteration();
        passStartMs_ = now;
        if (progress.iteration() > 1) {
            const double left = static_cast<double>(progress.ramRemainingBytes());
            if (left < static_cast<double>(lowWaterBytes_) * (1.0 - kPlateauGain)) {
                lowWaterBytes_ = progress.ramRemainingBytes();
                passesSinceLow_ = 0;
            } else {
                passesSinceLow_++;
                lowWaterBytes_ = std::min(lowWaterBytes_, progress.ramRemainingBytes());
            }
        }
    }
    /* On a plateau pre-copy has reached the guest's hot set: passes no longer shrink. */
    const bool plateau = passesSinceLow_ >= kPlateauPasses;
    const double bandwidth = static_cast<double>(progress.bandwidthBytesPerSecond()) / 1000.0;
    const double dirty = static_cast<double>(progress.dirtyRateBytesPerSecond()) / 1000.0;
    /* What is outstanding: the bitmap's count plus what was dirtied since its sync. */
    const double remaining = std::min(
        static_cast<double>(progress.ramTotalBytes() ? progress.ramTotalBytes() : UINT64_MAX),
        static_cast<double>(progress.ramRemainingBytes()) +
            dirty * static_cast<double>(now - passStartMs_));
    if (bandwidth <= 0) {
        if (leftMs <= 0)
            endgame(static_cast<double>(progress.ramRemainingBytes()), leftMs, INFINITY, decisions);
        return decisions; /* no estimate before the stream has moved */
    }

    /* Bytes per millisecond from here on. */
    const double sendRestMs = remaining / bandwidth;
    const double marginMs = std::max(kMinMarginMs, deadlineMs * kMarginFraction);
    if (leftMs <= sendRestMs * kEndgameSlack + marginMs) {
        /* Pre-copy cannot be trusted to finish now unless QEMU is about to switch anyway. */
        std::optional<uint64_t> predicted =
            dirtyHeat_ ? predictedDowntimeMs(progress) : std::nullopt;
        double switchNowMs = predicted ? static_cast<double>(*predicted) : sendRestMs;
        if (switchNowMs > static_cast<double>(limitMs_) || leftMs <= marginMs)
            endgame(remaining, leftMs, sendRestMs, decisions);
        return decisions;
    }

    const double budgetMs = leftMs - marginMs;
    /* The downtime limit that makes pre-copy converge within the budget. */
    double neededMs;
    if (dirty >= bandwidth)
        neededMs = INFINITY; /* pre-copy never converges: only a stun of the rest would do */
    else if (dirty <= 0)
        neededMs = sendRestMs <= budgetMs ? 0 : INFINITY;
    else
        neededMs = std::max(0.0, (remaining - budgetMs * (bandwidth - dirty)) / dirty);
    /* On the plateau, switchover must also swallow the floor pre-copy cannot get below. */
    std::optional<uint64_t> predicted = dirtyHeat_ ? predictedDowntimeMs(progress) : std::nullopt;
    if (predicted && progress.iteration() > 1)
        neededMs = std::max(neededMs, static_cast<double>(*predicted));
    else if (plateau)
        neededMs = std::max(neededMs, static_cast<double>(lowWaterBytes_) / bandwidth);
    /* A limit that covers sending the rest now always finishes: QEMU switches at once. */
    neededMs = std::min(neededMs, sendRestMs);

    const double maxMs = static_cast<double>(config_.maxDowntimeMs);
    if (neededMs <= static_cast<double>(limitMs_))
        return decisions;
    if (neededMs <= maxMs) {
        /* The headroom keeps one raise from being followed by many tiny ones. */
        limitMs_ = std::min<uint64_t>(
            config_.maxDowntimeMs,
            saturatingFromDouble(std::ceil(neededMs * kRaiseHeadroom)).value_or(limitMs_));
        decisions.push_back(Decision::downtime(
            limitMs_, "to finish within the " + std::to_string(config_.deadlineSeconds) +
                          " s deadline (" + seconds(leftMs) + " left, " + mib(remaining) +
                          " to send at " + mib(bandwidth * 1000.0) + "/s, dirtied at " +
                          mib(dirty * 1000.0) + "/s" + (plateau ? ", on a plateau" : "") +
                          ") pre-copy needs a downtime of " + std::to_string(limitMs_) + " ms"));
        return decisions;
    }

    /* Even the maximum downtime is not enough: allow it, then slow the guest down. */
    if (limitMs_ < config_.maxDowntimeMs) {
        limitMs_ = config_.maxDowntimeMs;
        decisions.push_back(Decision::downtime(limitMs_, "deadline in " + seconds(leftMs) +
                                                             ": pre-copy needs more than the " +
                                                             std::to_string(limitMs_) +
                                                             " ms maximum downtime; allowing the "
                                                             "maximum"));
    }
    if (autoConvergeArmed_ && !throttleEngaged_ && dirty > 0) {
        /* With L = max, converging in time needs D' <= (T*B - R) / (T - L). */
        double allowedDirty = (budgetMs * bandwidth - remaining) / (budgetMs - maxMs);
        if (allowedDirty > 0 && allowedDirty < dirty) {
            double cut = 1.0 - allowedDirty / dirty;
            auto percent = static_cast<uint32_t>(std::clamp(std::ceil(cut * 100.0), 5.0, 99.0));
            throttleEngaged_ = true;
            decisions.push_back(Decision::parameter("max-cpu-throttle", 99,
                                                    "deadline in " + seconds(leftMs) +
                                                        ": releasing the auto-converge throttle"));
            decisions.push_back(Decision::throttle(
                percent, kThrottleIncrement,
                "the guest dirties " + mib(dirty * 1000.0) + "/s, the deadline allows " +
                    mib(allowedDirty * 1000.0) + "/s: throttling its CPUs from " +
                    std::to_string(percent) + " %"));
            return decisions;
        }
    }
    if (!hopelessReported_) {
        hopelessReported_ = true;
        decisions.push_back(Decision::log(
            MIGKIT_LOG_WARNING, "pre-copy cannot finish by the deadline (" + mib(remaining) +
                                    " to send at " + mib(bandwidth * 1000.0) + "/s, dirtied at " +
                                    mib(dirty * 1000.0) + "/s): will " +
                                    (postcopyAllowed_     ? "switch to post-copy"
                                     : config_.allowPause ? "pause the guest"
                                                          : "cancel") +
                                    " when the deadline nears"));
    }
    return decisions;
}

void DeadlinePolicyLogic::endgame(double remaining, double leftMs, double sendRestMs,
                                  std::vector<Decision> &decisions)
{
    endgameTaken_ = true;
    std::string when = leftMs > 0 ? "deadline in " + seconds(leftMs)
                                  : "deadline passed " + seconds(-leftMs) + " ago";
    std::string rest = "about " + mib(remaining) + " left" +
                       (std::isfinite(sendRestMs) ? " (" + seconds(sendRestMs) + " to send)" : "");
    if (postcopyAllowed_) {
        decisions.push_back(Decision::simple(Decision::Kind::StartPostcopy,
                                             when + ", " + rest + ": switching to post-copy"));
    } else if (config_.allowPause) {
        decisions.push_back(Decision::simple(
            Decision::Kind::PauseToComplete,
            when + ", " + rest + ": pausing the guest to finish (a stun of about " +
                (std::isfinite(sendRestMs) ? seconds(sendRestMs) : std::string("unknown")) + ")"));
    } else {
        decisions.push_back(Decision::simple(
            Decision::Kind::Cancel, when + ", " + rest +
                                        ", post-copy and pause not allowed: cancelling (the VM "
                                        "keeps running on the source)"));
    }
    if (leftMs < 0) {
        missReported_ = true;
        decisions.push_back(Decision::log(MIGKIT_LOG_ERROR, "deadline missed by " +
                                                                seconds(-leftMs) +
                                                                " before the policy could act"));
    }
}

} // namespace migkit::policies
