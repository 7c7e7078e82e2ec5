/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `deadline` policy's decisions on recorded traces (traces/README.md). */
#include "deadline_policy_logic.h"
#include "facts.h"
#include "trace.h"

#include <CppUTest/TestHarness.h>

#include <algorithm>

using namespace migkit;
using namespace migkit::policies;
using namespace migkit::test;
using Kind = Decision::Kind;

TEST_GROUP(DeadlinePolicy)
{
    DeadlinePolicyConfig config;
    migkit_plan plan = defaultPlan();

    std::vector<TimedDecision> run(const std::string &traceName, const Facts &facts,
                                   uint64_t ramBytes = 2ULL << 30)
    {
        DeadlinePolicyLogic logic(config);
        migkit_plan_input input = facts.input(ramBytes);
        Plan view(plan);
        logic.plan(PlanInput(input), view);
        return replay(loadTrace(traceName), ramBytes,
                      [&](const migkit_progress &p) { return logic.onIteration(Progress(p)); });
    }

    /* Decisions other than log lines and the auto-converge hold (throttle 1 %, ceiling 1 %)
     * at the first sample. */
    static std::vector<TimedDecision> actionsOnly(const std::vector<TimedDecision> &decisions)
    {
        std::vector<TimedDecision> result;
        for (const auto &d : decisions) {
            bool hold = d.atMs == decisions.front().atMs &&
                        d.decision.reason.find("held at 1 %") != std::string::npos;
            if (d.decision.kind != Kind::Log && !hold)
                result.push_back(d);
        }
        return result;
    }
};

TEST(DeadlinePolicy, plansTheInitialDowntimeAndItsEscapes)
{
    DeadlinePolicyLogic logic(config);
    Facts facts(true);
    migkit_plan_input input = facts.input(2ULL << 30);
    Plan view(plan);
    logic.plan(PlanInput(input), view);
    UNSIGNED_LONGS_EQUAL(100, plan.downtime_limit_ms);
    CHECK_TRUE(plan.postcopy_allowed);
    LONGS_EQUAL(MIGKIT_AUTO_CONVERGE_PREDICTIVE, plan.auto_converge);
    CHECK_TRUE(plan.dirty_heat);
}

TEST(DeadlinePolicy, leavesAnEasyMigrationAlone)
{
    config.deadlineSeconds = 300;
    auto decisions = run("converging.csv", Facts(false));
    CHECK_TRUE_TEXT(actionsOnly(decisions).empty(), describe(decisions).c_str());
}

TEST(DeadlinePolicy, raisesDowntimeOnlyAsFarAsThePlateauNeeds)
{
    config.deadlineSeconds = 300;
    auto decisions = run("slow-converging.csv", Facts(false), 4ULL << 30);
    auto acted = actionsOnly(decisions);
    CHECK_TRUE_TEXT(acted.size() == 1, describe(decisions).c_str());
    const Decision &raise = acted[0].decision;
    CHECK(raise.kind == Kind::SetDowntimeLimit);
    /* QEMU switches over once what a sync leaves is <= bandwidth x limit: the limit must
     * cover the floor the passes settle at (44 MiB at 100 MiB/s), with no more than 10 %
     * headroom over the last pass start the policy had seen */
    uint64_t floor = UINT64_MAX, lastSeen = 0, iteration = 0;
    for (const TraceSample &s : loadTrace("slow-converging.csv")) {
        if (s.iteration != iteration) {
            floor = std::min(floor, s.remainingBytes);
            if (s.elapsedMs <= acted[0].atMs)
                lastSeen = s.remainingBytes;
        }
        iteration = s.iteration;
    }
    const uint64_t bytesPerMs = (100 << 20) / 1000;
    CHECK_TRUE_TEXT(raise.downtimeMs * bytesPerMs >= floor, describe(acted).c_str());
    CHECK_TRUE_TEXT(raise.downtimeMs * bytesPerMs <= lastSeen * 11 / 10 + bytesPerMs,
                    describe(acted).c_str());
    STRCMP_CONTAINS("on a plateau", raise.reason.c_str());
}

TEST(DeadlinePolicy, hopelessPrecopyThrottlesThenSwitchesToPostcopyInTime)
{
    config.deadlineSeconds = 120;
    auto decisions = run("dirty-exceeds-bandwidth.csv", Facts(false));
    auto acted = actionsOnly(decisions);
    CHECK_TRUE_TEXT(acted.size() == 4, describe(decisions).c_str());
    CHECK(acted[0].decision.kind == Kind::SetDowntimeLimit);
    UNSIGNED_LONGS_EQUAL(1000, acted[0].decision.downtimeMs);
    CHECK(acted[1].decision.kind == Kind::SetParameter);
    UNSIGNED_LONGS_EQUAL(99, acted[1].decision.parameterValue);
    CHECK(acted[2].decision.kind == Kind::SetThrottle);
    CHECK_TRUE(acted[2].decision.throttleInitialPercent >= 5);
    CHECK_TRUE(acted[2].decision.throttleInitialPercent < 50);
    CHECK(acted[3].decision.kind == Kind::StartPostcopy);
    /* early enough to send the rest (~20 s at 100 MiB/s) before the deadline */
    CHECK_TRUE_TEXT(acted[3].atMs <= 120000 - 20000, describe(acted).c_str());
    STRCMP_CONTAINS("deadline in", acted[3].decision.reason.c_str());
}

TEST(DeadlinePolicy, pausesWhenPostcopyIsNotAllowed)
{
    config.deadlineSeconds = 120;
    config.allowPostcopy = false;
    auto decisions = run("dirty-exceeds-bandwidth.csv", Facts(false));
    auto pauses = ofKind(decisions, Kind::PauseToComplete);
    CHECK_TRUE_TEXT(pauses.size() == 1, describe(decisions).c_str());
    STRCMP_CONTAINS("stun of about", pauses[0].decision.reason.c_str());
    CHECK_TRUE(pauses[0].atMs < 120000);
    CHECK_TRUE(ofKind(decisions, Kind::StartPostcopy).empty());
}

TEST(DeadlinePolicy, cancelsWhenNeitherPostcopyNorPauseIsAllowed)
{
    config.deadlineSeconds = 120;
    config.allowPostcopy = false;
    config.allowPause = false;
    config.allowAutoConverge = false;
    auto decisions = run("dirty-exceeds-bandwidth.csv", Facts(false));
    auto cancels = ofKind(decisions, Kind::Cancel);
    CHECK_TRUE_TEXT(cancels.size() == 1, describe(decisions).c_str());
    CHECK_TRUE(ofKind(decisions, Kind::SetThrottle).empty());
    bool warned = false;
    for (const auto &d : ofKind(decisions, Kind::Log))
        warned |= d.decision.reason.find("cannot finish by the deadline") != std::string::npos;
    CHECK_TRUE_TEXT(warned, describe(decisions).c_str());
}

TEST(DeadlinePolicy, neverMissesTheDeadlineSilently)
{
    config.deadlineSeconds = 10; /* 2 GiB at 100 MiB/s cannot make it */
    config.allowPostcopy = false;
    auto decisions = run("dirty-exceeds-bandwidth.csv", Facts(false));
    auto pauses = ofKind(decisions, Kind::PauseToComplete);
    CHECK_TRUE_TEXT(pauses.size() == 1 && pauses[0].atMs == 1000, describe(decisions).c_str());
    std::vector<TimedDecision> missed;
    for (const auto &d : ofKind(decisions, Kind::Log))
        if (d.decision.level == MIGKIT_LOG_ERROR)
            missed.push_back(d);
    CHECK_TRUE_TEXT(missed.size() == 1, describe(decisions).c_str());
    CHECK_TRUE(missed[0].atMs > 10000);
    STRCMP_CONTAINS("deadline missed", missed[0].decision.reason.c_str());
}

TEST(DeadlinePolicy, dirtyHeatPredictionSetsTheNeededDowntime)
{
    config.deadlineSeconds = 300;
    auto decisions = run("heat-stalling.csv", Facts(true));
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    CHECK_TRUE_TEXT(!limits.empty(), describe(decisions).c_str());
    /* pass 2 predicts 333 ms; 10 % headroom */
    UNSIGNED_LONGS_EQUAL(367, limits[0].decision.downtimeMs);
    uint64_t passTwo = 0;
    for (const TraceSample &s : loadTrace("heat-stalling.csv"))
        if (s.iteration == 2 && !passTwo)
            passTwo = s.elapsedMs;
    UNSIGNED_LONGS_EQUAL(passTwo, limits[0].atMs); /* as soon as the prediction exists */
}

/* Real migrations recorded with the csv-logger sample (traces/recorded-*.csv). */
TEST(DeadlinePolicy, recordedEasyMigrationIsLeftAlone)
{
    config.deadlineSeconds = 60;
    auto decisions = run("recorded-hotspot.csv", Facts(false), 537403392);
    CHECK_TRUE_TEXT(actionsOnly(decisions).empty(), describe(decisions).c_str());
}

TEST(DeadlinePolicy, recordedDirtyAsFastAsTheLinkRaisesOnlyDowntimeThenPostcopy)
{
    config.deadlineSeconds = 20;
    auto decisions = run("recorded-uniform.csv", Facts(false), 537403392);
    auto acted = actionsOnly(decisions);
    auto limits = ofKind(acted, Kind::SetDowntimeLimit);
    CHECK_TRUE_TEXT(!limits.empty() && limits[0].atMs <= 5000, describe(decisions).c_str());
    for (size_t i = 1; i < limits.size(); i++)
        CHECK_TRUE(limits[i].decision.downtimeMs > limits[i - 1].decision.downtimeMs);
    /* the rest (~90 MiB at ~128 MiB/s) fits in a stun under the maximum: no throttle */
    CHECK_TRUE(limits.back().decision.downtimeMs < config.maxDowntimeMs);
    CHECK_TRUE(ofKind(acted, Kind::SetThrottle).empty());
    auto postcopy = ofKind(acted, Kind::StartPostcopy);
    CHECK_TRUE_TEXT(postcopy.size() == 1 && postcopy[0].atMs < 20000, describe(acted).c_str());
}
