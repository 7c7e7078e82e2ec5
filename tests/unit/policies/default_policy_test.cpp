/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `default` policy's decisions on recorded traces (traces/README.md). */
#include "default_policy_logic.h"
#include "facts.h"
#include "trace.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;
using namespace migkit::policies;
using namespace migkit::test;
using Kind = Decision::Kind;

TEST_GROUP(DefaultPolicy)
{
    DefaultPolicyConfig config;
    migkit_plan plan = defaultPlan();

    void setup() override
    {
        config.progressTimeoutSeconds = 30;
        config.completionTimeoutPerGiBSeconds = 150;
        config.maxDowntimeMs = 500;
        config.downtimeSteps = 5;
        config.downtimeDelaySecondsPerGiB = 2;
    }

    /* Plan with @facts, then replay @traceName; the decisions taken on the trace. */
    std::vector<TimedDecision> run(const std::string &traceName, const Facts &facts,
                                   uint64_t ramBytes = 2ULL << 30)
    {
        DefaultPolicyLogic logic(config);
        migkit_plan_input input = facts.input(ramBytes);
        Plan view(plan);
        logic.plan(PlanInput(input), view);
        return replay(loadTrace(traceName), ramBytes,
                      [&](const migkit_progress &p) { return logic.onIteration(Progress(p)); });
    }
};

TEST(DefaultPolicy, plansTheFirstRampStepOnStockQemu)
{
    config.allowPostcopy = true;
    config.allowAutoConverge = true;
    config.bandwidthBytesPerSecond = 50 << 20;
    DefaultPolicyLogic logic(config);
    Facts facts(false);
    migkit_plan_input input = facts.input(2ULL << 30);
    Plan view(plan);
    auto decisions = logic.plan(PlanInput(input), view);
    UNSIGNED_LONGS_EQUAL(100, plan.downtime_limit_ms); /* 500 ms / 5 steps */
    UNSIGNED_LONGS_EQUAL(50 << 20, plan.bandwidth_bytes_per_second);
    CHECK_TRUE(plan.postcopy_allowed);
    LONGS_EQUAL(MIGKIT_AUTO_CONVERGE_CLASSIC, plan.auto_converge);
    CHECK_FALSE(plan.dirty_heat);
    STRCMP_CONTAINS("stock QEMU", decisions.back().reason.c_str());
}

TEST(DefaultPolicy, usesPatchedFeaturesWhenOffered)
{
    config.allowAutoConverge = true;
    DefaultPolicyLogic logic(config);
    Facts facts(true);
    migkit_plan_input input = facts.input(2ULL << 30);
    Plan view(plan);
    logic.plan(PlanInput(input), view);
    LONGS_EQUAL(MIGKIT_AUTO_CONVERGE_PREDICTIVE, plan.auto_converge);
    CHECK_TRUE(plan.dirty_heat);
}

TEST(DefaultPolicy, keepsPostcopyOffWhenTheDestinationLacksIt)
{
    config.allowPostcopy = true;
    DefaultPolicyLogic logic(config);
    Facts facts(false, false);
    migkit_plan_input input = facts.input(2ULL << 30);
    Plan view(plan);
    auto decisions = logic.plan(PlanInput(input), view);
    CHECK_FALSE(plan.postcopy_allowed);
    CHECK(decisions.front().level == MIGKIT_LOG_WARNING);
    STRCMP_CONTAINS("postcopy-ram", decisions.front().reason.c_str());
}

TEST(DefaultPolicy, convergingMigrationOnlyRampsTheDowntime)
{
    config.allowPostcopy = true;
    auto decisions = run("converging.csv", Facts(false));
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    CHECK_TRUE_TEXT(!limits.empty(), describe(decisions).c_str());
    uint64_t previous = plan.downtime_limit_ms;
    for (const auto &d : limits) {
        CHECK_TRUE(d.decision.downtimeMs > previous);
        CHECK_TRUE(d.decision.downtimeMs <= config.maxDowntimeMs);
        STRCMP_CONTAINS("downtime ramp step", d.decision.reason.c_str());
        previous = d.decision.downtimeMs;
    }
    CHECK_TRUE(ofKind(decisions, Kind::StartPostcopy).empty());
    CHECK_TRUE(ofKind(decisions, Kind::Cancel).empty());
}

TEST(DefaultPolicy, rampsOneStepPerDelayAndReachesTheMaximum)
{
    auto decisions = run("slow-converging.csv", Facts(false), 4ULL << 30);
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    CHECK_TRUE_TEXT(limits.size() >= 4, describe(decisions).c_str());
    for (size_t i = 1; i < limits.size(); i++) {
        /* downtime-delay 2 s per GiB x 4 GiB between steps */
        CHECK_TRUE_TEXT(limits[i].atMs - limits[i - 1].atMs >= 8000, describe(limits).c_str());
        CHECK_TRUE(limits[i].decision.downtimeMs > limits[i - 1].decision.downtimeMs);
    }
    UNSIGNED_LONGS_EQUAL(500, limits.back().decision.downtimeMs);
}

TEST(DefaultPolicy, stallEscalatesToMaximumDowntimeThenPostcopy)
{
    config.allowPostcopy = true;
    config.downtimeDelaySecondsPerGiB = 60; /* slow ramp: the stall comes first */
    auto decisions = run("stalling.csv", Facts(false));
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    auto postcopy = ofKind(decisions, Kind::StartPostcopy);
    CHECK_TRUE_TEXT(!limits.empty() && postcopy.size() == 1, describe(decisions).c_str());
    const TimedDecision &toMax = limits.back();
    UNSIGNED_LONGS_EQUAL(500, toMax.decision.downtimeMs);
    STRCMP_CONTAINS("no progress for", toMax.decision.reason.c_str());
    /* the stall needs progress-timeout without a new low, and post-copy one more */
    CHECK_TRUE(toMax.atMs >= 30000);
    /* passes restart at the same 102.6 MiB from ~32 s on: a stall 30 s later */
    CHECK_TRUE_TEXT(toMax.atMs < 70000, describe(decisions).c_str());
    CHECK_TRUE(postcopy[0].atMs >= toMax.atMs + 30000);
    STRCMP_CONTAINS("switching to post-copy", postcopy[0].decision.reason.c_str());
    /* nothing after post-copy */
    CHECK_TRUE(decisions.back().decision.kind == Kind::StartPostcopy);
    CHECK_TRUE(ofKind(decisions, Kind::Cancel).empty());
}

TEST(DefaultPolicy, stallWithoutPostcopyEngagesAutoConvergeThenCancels)
{
    config.allowAutoConverge = true;
    auto decisions = run("stalling.csv", Facts(false));
    auto params = ofKind(decisions, Kind::SetParameter);
    auto throttles = ofKind(decisions, Kind::SetThrottle);
    auto cancels = ofKind(decisions, Kind::Cancel);
    CHECK_TRUE_TEXT(params.size() == 2 && throttles.size() == 2 && cancels.size() == 1,
                    describe(decisions).c_str());
    /* held at 1 % from the first sample: the initial throttle first, as QEMU wants
     * max-cpu-throttle >= cpu-throttle-initial */
    UNSIGNED_LONGS_EQUAL(1, throttles[0].decision.throttleInitialPercent);
    STRCMP_EQUAL("max-cpu-throttle", params[0].decision.parameterName.c_str());
    UNSIGNED_LONGS_EQUAL(1, params[0].decision.parameterValue);
    UNSIGNED_LONGS_EQUAL(1000, params[0].atMs);
    CHECK_TRUE(decisions[0].decision.kind == Kind::SetThrottle);
    /* released when stuck: the ceiling first, then the throttle */
    UNSIGNED_LONGS_EQUAL(99, params[1].decision.parameterValue);
    UNSIGNED_LONGS_EQUAL(20, throttles[1].decision.throttleInitialPercent);
    CHECK_TRUE(throttles[1].atMs == params[1].atMs);
    CHECK_TRUE_TEXT(throttles[1].atMs < 70000, describe(decisions).c_str());
    STRCMP_CONTAINS("no progress for", params[1].decision.reason.c_str());
    CHECK_TRUE(cancels[0].atMs >= throttles[1].atMs + 30000);
    STRCMP_CONTAINS("auto-converge already throttling", cancels[0].decision.reason.c_str());
    STRCMP_CONTAINS("keeps running on the source", cancels[0].decision.reason.c_str());
    CHECK_TRUE(ofKind(decisions, Kind::StartPostcopy).empty());
    /* the downtime went to the maximum before anything harsher */
    CHECK_TRUE(ofKind(decisions, Kind::SetDowntimeLimit).back().atMs < throttles[1].atMs);
}

TEST(DefaultPolicy, nothingAllowedMeansCancelAfterMaximumDowntime)
{
    auto decisions = run("dirty-exceeds-bandwidth.csv", Facts(false));
    auto cancels = ofKind(decisions, Kind::Cancel);
    CHECK_TRUE_TEXT(cancels.size() == 1, describe(decisions).c_str());
    STRCMP_CONTAINS("post-copy not allowed, auto-converge not allowed",
                    cancels[0].decision.reason.c_str());
    STRCMP_CONTAINS("no progress for", cancels[0].decision.reason.c_str());
    /* passes of ~18 s restart at the full 1800 MiB working set */
    CHECK_TRUE_TEXT(ofKind(decisions, Kind::SetDowntimeLimit).back().atMs < 60000,
                    describe(decisions).c_str());
    UNSIGNED_LONGS_EQUAL(500, ofKind(decisions, Kind::SetDowntimeLimit).back().decision.downtimeMs);
    CHECK_TRUE(decisions.back().decision.kind == Kind::Cancel);
}

TEST(DefaultPolicy, completionTimeoutEscalatesWithoutAStall)
{
    config.progressTimeoutSeconds = 1000;       /* never a stall in this trace */
    config.completionTimeoutPerGiBSeconds = 20; /* 2 GiB: 40 s */
    config.allowPostcopy = true;
    auto decisions = run("dirty-exceeds-bandwidth.csv", Facts(false));
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    CHECK_TRUE_TEXT(!limits.empty(), describe(decisions).c_str());
    UNSIGNED_LONGS_EQUAL(40000, limits.back().atMs);
    STRCMP_CONTAINS("over the completion timeout", limits.back().decision.reason.c_str());
}

TEST(DefaultPolicy, dirtyHeatPredictionJumpsTheRamp)
{
    config.downtimeDelaySecondsPerGiB = 60;
    auto decisions = run("heat-stalling.csv", Facts(true));
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    CHECK_TRUE_TEXT(!limits.empty(), describe(decisions).c_str());
    /* pass 2 predicts 333 ms: allowed at once with 10 % headroom */
    UNSIGNED_LONGS_EQUAL(367, limits[0].decision.downtimeMs);
    STRCMP_CONTAINS("dirty-heat predicts a 333 ms stun", limits[0].decision.reason.c_str());
}

TEST(DefaultPolicy, stockQemuIgnoresPredictions)
{
    config.downtimeDelaySecondsPerGiB = 60;
    auto decisions = run("heat-stalling.csv", Facts(false));
    for (const auto &d : ofKind(decisions, Kind::SetDowntimeLimit))
        CHECK_TRUE(d.decision.reason.find("dirty-heat") == std::string::npos);
}

/* A real migration (traces/recorded-uniform.csv: the guest dirties about as fast as the link
 * sends) recorded by the csv-logger sample next to the default plugin.  Replaying it must give
 * the decisions the plugin took live, which the migration report listed. */
TEST(DefaultPolicy, replaysTheLiveDecisionsOfARecordedMigration)
{
    config = DefaultPolicyConfig{};
    config.progressTimeoutSeconds = 10;
    config.completionTimeoutPerGiBSeconds = 60;
    config.maxDowntimeMs = 300;
    config.allowAutoConverge = true;
    auto decisions = run("recorded-uniform.csv", Facts(false), 537403392);
    auto limits = ofKind(decisions, Kind::SetDowntimeLimit);
    std::vector<uint64_t> values;
    for (const auto &d : limits)
        values.push_back(d.decision.downtimeMs);
    CHECK_TRUE_TEXT((values == std::vector<uint64_t>{60, 90, 120, 150, 180, 210, 240, 270}),
                    describe(decisions).c_str());
    STRCMP_EQUAL("pass 4: downtime ramp step 2/10 (125.5 MiB still to send)",
                 limits[0].decision.reason.c_str());
    STRCMP_EQUAL("pass 83: downtime ramp step 9/10 (43.2 MiB still to send)",
                 limits.back().decision.reason.c_str());
    /* it kept making progress: no escalation */
    UNSIGNED_LONGS_EQUAL(1, ofKind(decisions, Kind::SetParameter).size());
    CHECK_TRUE(ofKind(decisions, Kind::Cancel).empty());
}

/* Issue 18: progress-timeout x 1000 and completion-timeout-per-gib x GiB x 1000 wrapped to a few
 * milliseconds, and the policy cancelled a healthy migration at once.  A timeout too large to
 * count in milliseconds means "never": the trace must run without an escalation. */
TEST(DefaultPolicy, hugeTimeoutsDoNotWrapIntoAnImmediateCancel)
{
    config.progressTimeoutSeconds = 18446744073709552; /* x 1000 = 2^64 + 384 */
    config.completionTimeoutPerGiBSeconds = UINT64_MAX;
    config.downtimeDelaySecondsPerGiB = UINT64_MAX;
    auto decisions = run("stalling.csv", Facts(false));
    CHECK_TRUE_TEXT(ofKind(decisions, Kind::Cancel).empty(), describe(decisions).c_str());
    for (const TimedDecision &d : decisions)
        CHECK_TRUE_TEXT(d.decision.reason.find("no progress") == std::string::npos &&
                            d.decision.reason.find("completion timeout") == std::string::npos,
                        describe(decisions).c_str());
}

TEST(DefaultPolicy, aHugeMaximumDowntimeDoesNotWrapTheRamp)
{
    config.maxDowntimeMs = UINT64_MAX;
    config.downtimeSteps = 3;
    config.downtimeDelaySecondsPerGiB = 0;
    auto limits = ofKind(run("converging.csv", Facts(false)), Kind::SetDowntimeLimit);
    CHECK_TRUE(!limits.empty());
    /* each step at least as long as the one before: no wrap to a tiny limit */
    for (size_t i = 1; i < limits.size(); i++)
        CHECK_TRUE(limits[i].decision.downtimeMs >= limits[i - 1].decision.downtimeMs);
    CHECK_TRUE(limits.front().decision.downtimeMs >= UINT64_MAX / 3 - 1);
}
