/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/libvirt_call.h"
#include "libvirt/migration_parameters.h"
#include "libvirt/plan_facts.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;

namespace {

Action action(Action::Kind kind, uint64_t value = 0)
{
    Action a;
    a.kind = kind;
    a.value = value;
    a.plugin = "test";
    return a;
}

} // namespace

TEST_GROUP(LibvirtCall){};

TEST(LibvirtCall, NativeCallsForWhatLibvirtTracks)
{
    LibvirtCall downtime = callFor(action(Action::Kind::SetDowntimeLimit, 777));
    CHECK_TRUE(downtime.api == LibvirtCall::Api::SetMaxDowntime);
    LONGS_EQUAL(777, downtime.number);
    STRCMP_EQUAL("virDomainMigrateSetMaxDowntime", downtime.functionName());
    CHECK_TRUE(callFor(action(Action::Kind::StartPostcopy)).api == LibvirtCall::Api::StartPostCopy);
    CHECK_TRUE(callFor(action(Action::Kind::Cancel)).api == LibvirtCall::Api::AbortJob);
    CHECK_TRUE(callFor(action(Action::Kind::PauseToComplete)).api == LibvirtCall::Api::Suspend);
}

TEST(LibvirtCall, BandwidthBecomesMiBPerSecondRoundedUp)
{
    LONGS_EQUAL(8, callFor(action(Action::Kind::SetBandwidth, 8 << 20)).number);
    LONGS_EQUAL(9, callFor(action(Action::Kind::SetBandwidth, (8 << 20) + 1)).number);
    LONGS_EQUAL(1, bytesToMiBps(1));
    /* 0 is "unlimited" in the plugin ABI; libvirt wants its own maximum. */
    CHECK_TRUE(bytesToMiBps(0) == kLibvirtUnlimitedMiBps);
}

TEST(LibvirtCall, ThrottleAndParametersGoToQemusMonitor)
{
    Action throttle = action(Action::Kind::SetThrottle);
    throttle.throttleInitialPercent = 30;
    throttle.throttleIncrementPercent = 0;
    LibvirtCall call = callFor(throttle);
    CHECK_TRUE(call.api == LibvirtCall::Api::MonitorCommand);
    STRCMP_CONTAINS("\"migrate-set-parameters\"", call.monitorCommand.c_str());
    STRCMP_CONTAINS("\"cpu-throttle-initial\": 30", call.monitorCommand.c_str());
    /* 0 keeps QEMU's value: not sent at all. */
    CHECK_TRUE(call.monitorCommand.find("cpu-throttle-increment") == std::string::npos);

    Action mode = action(Action::Kind::SetParameter);
    mode.parameterName = "auto-converge-mode";
    mode.parameterValue = std::string("predictive");
    STRCMP_CONTAINS("\"auto-converge-mode\": \"predictive\"", callFor(mode).monitorCommand.c_str());

    Action downtime = action(Action::Kind::SetParameter);
    downtime.parameterName = "downtime-limit";
    downtime.parameterValue = uint64_t{250};
    CHECK_TRUE(callFor(downtime).api == LibvirtCall::Api::SetMaxDowntime);
}

TEST(LibvirtCall, ARunningPlanChangesOnlyWhatCanChange)
{
    migkit_plan running = defaultPlan();
    migkit_plan planned = running;
    planned.downtime_limit_ms = 50;
    planned.bandwidth_bytes_per_second = 8 << 20;
    planned.postcopy_allowed = true;
    planned.auto_converge = MIGKIT_AUTO_CONVERGE_CLASSIC;
    PlanCalls calls = callsForRunningPlan(planned, running);
    LONGS_EQUAL(2, calls.calls.size());
    CHECK_TRUE(calls.calls[0].api == LibvirtCall::Api::SetMaxDowntime);
    LONGS_EQUAL(8, calls.calls[1].number);
    LONGS_EQUAL(2, calls.notes.size());
    STRCMP_CONTAINS("post-copy", calls.notes[0].c_str());
    CHECK_TRUE(callsForRunningPlan(running, running).calls.empty());
}

TEST_GROUP(MigrationParameters){};

TEST(MigrationParameters, ThePlanBecomesFlagsAndTypedParameters)
{
    migkit_plan plan = defaultPlan();
    plan.bandwidth_bytes_per_second = 16 << 20;
    plan.postcopy_allowed = true;
    plan.multifd_channels = 4;
    plan.auto_converge = MIGKIT_AUTO_CONVERGE_PREDICTIVE;
    MigrationParameters p = migrationParametersFor(plan, true, VIR_MIGRATE_PERSIST_DEST);
    const unsigned long expected = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_POSTCOPY |
                                   VIR_MIGRATE_AUTO_CONVERGE | VIR_MIGRATE_PARALLEL |
                                   VIR_MIGRATE_PERSIST_DEST;
    CHECK_EQUAL(expected, p.flags);
    LONGS_EQUAL(16, p.bandwidthMiBps);
    LONGS_EQUAL(4, p.parallelConnections);
    LONGS_EQUAL(300, p.downtimeLimitMs);
    LONGS_EQUAL(1, p.notes.size()); /* predictive falls back to classic */
}

TEST(MigrationParameters, DefaultsAreAPlainLiveMigration)
{
    MigrationParameters p = migrationParametersFor(defaultPlan(), false, 0);
    CHECK_EQUAL(static_cast<unsigned long>(VIR_MIGRATE_LIVE), p.flags);
    LONGS_EQUAL(0, p.bandwidthMiBps);
    LONGS_EQUAL(0, p.parallelConnections);
    CHECK_TRUE(p.notes.empty());
}
