/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy chain with real plugins: action queueing and validation, failures that come
 * back as errors (the process survives a throwing plugin), switchover and outcome events. */
#include "plugin/plugin_instance.h"
#include "plugin/plugin_library.h"
#include "plugin/plugin_settings.h"
#include "plugin/policy_chain.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

#include <cerrno>

using namespace migkit;
using namespace migkit::test;

namespace {

migkit_progress sample(uint64_t iteration, const migkit_values &extra = {nullptr, 0})
{
    migkit_progress progress{};
    progress.struct_size = sizeof(progress);
    progress.phase = MIGKIT_PHASE_PRECOPY;
    progress.iteration = iteration;
    progress.elapsed_ms = iteration * 1000;
    progress.ram_total_bytes = 1 << 30;
    progress.ram_remaining_bytes = 1 << 29;
    progress.extra = extra;
    return progress;
}

migkit_outcome outcome(migkit_phase phase, const char *error)
{
    migkit_outcome result{};
    result.struct_size = sizeof(result);
    result.phase = phase;
    result.total_ms = 1234;
    result.error = error;
    result.vm_running_on = error ? "source" : "destination";
    return result;
}

bool logHas(const std::vector<PolicyChain::LogLine> &log, const std::string &text)
{
    for (const auto &line : log)
        if (line.message.find(text) != std::string::npos)
            return true;
    return false;
}

std::string logText(const std::vector<PolicyChain::LogLine> &log)
{
    std::string text;
    for (const auto &line : log)
        text += line.plugin + ": " + line.message + "\n";
    return text;
}

} // namespace

TEST_GROUP(PolicyChain)
{
    PolicyChain chain{PluginLocator({})};
    migkit_plan plan{};
    ValueList facts;

    void setup() override
    {
        plan.struct_size = sizeof(plan);
        plan.downtime_limit_ms = 300;
        facts.add("test.answer", uint64_t(42));
    }

    void addScripted(std::map<std::string, std::string> settings)
    {
        chain.add(testPlugin("scripted"), settings);
    }

    void planNow()
    {
        migkit_plan_input input{sizeof(migkit_plan_input), "vm1", 1 << 30, facts.values()};
        chain.plan(input, plan);
    }

    /* Run one iteration and return the actions; the log must show @expectLog. */
    std::vector<Action> iterate(const std::string &expectLog = "")
    {
        std::vector<Action> actions = chain.onIteration(sample(2));
        auto log = chain.takeLog();
        if (!expectLog.empty())
            CHECK_TRUE_TEXT(logHas(log, expectLog),
                            (expectLog + " not in:\n" + logText(log)).c_str());
        return actions;
    }
};

TEST(PolicyChain, addsPluginsInOrderWithTheirSettings)
{
    addScripted({{"downtime-ms", "250"}});
    chain.add(testPlugin("c-policy"), {{"label", "second"}});
    auto names = chain.names();
    UNSIGNED_LONGS_EQUAL(2, names.size());
    STRCMP_EQUAL("scripted", names[0].c_str());
    STRCMP_EQUAL("c-policy", names[1].c_str());
    auto summary = chain.plugins();
    STRCMP_EQUAL("1.2.3", summary[0].version.c_str());
    STRCMP_EQUAL("250", summary[0].settings.at("downtime-ms").c_str());
    STRCMP_EQUAL("proceed", summary[0].settings.at("switchover").c_str());
    STRCMP_EQUAL("MIT", summary[1].license.c_str());
}

TEST(PolicyChain, findsFirstPartyPluginsByName)
{
    PolicyChain standard;
    standard.add("default", {{"max-downtime-ms", "800"}});
    standard.add("deadline", {{"deadline", "60"}});
    STRCMP_EQUAL("default", standard.names()[0].c_str());
    STRCMP_EQUAL(firstPartyPlugin("deadline").c_str(), standard.plugins()[1].path.c_str());
}

TEST(PolicyChain, aFailedAddLeavesTheChainAsItWas)
{
    auto error = catchPluginError([&] { addScripted({{"bogus", "1"}}); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::UnknownSetting);
    CHECK_TRUE(chain.names().empty());
}

TEST(PolicyChain, aThrowingCreateIsAnError)
{
    auto error = catchPluginError([&] { addScripted({{"throw-in", "create"}}); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::CreateFailed);
    STRCMP_CONTAINS("policy 'scripted'", error->message.c_str());
    STRCMP_CONTAINS("create threw: scripted failure in create", error->message.c_str());
    CHECK_TRUE(chain.names().empty());
}

TEST(PolicyChain, plansAndRefusesActionsWhilePlanning)
{
    addScripted({{"allow-post-copy", "true"}, {"downtime-ms", "120"}});
    planNow();
    UNSIGNED_LONGS_EQUAL(120, plan.downtime_limit_ms);
    CHECK_TRUE(plan.postcopy_allowed);
    UNSIGNED_LONGS_EQUAL(sizeof(migkit_plan), plan.struct_size);
    auto log = chain.takeLog();
    CHECK_TRUE(logHas(log, "plan-downtime=" + std::to_string(-ENOTSUP)));
    CHECK_TRUE(logHas(log, "planned vm1 with 42"));
}

TEST(PolicyChain, aThrowingPlanStopsTheMigration)
{
    addScripted({{"throw-in", "plan"}});
    auto error = catchPluginError([&] { planNow(); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::CallbackFailed);
    STRCMP_CONTAINS("plan threw: scripted failure in plan", error->message.c_str());
    STRCMP_CONTAINS("nothing was started", error->message.c_str());
}

TEST(PolicyChain, queuesActionsInOrderWithPluginAndReason)
{
    addScripted({{"on-iteration", "downtime:400,bandwidth:1000,param:max-cpu-throttle:50,pause,"
                                  "cancel"}});
    planNow();
    auto actions = iterate("downtime:400=0");
    UNSIGNED_LONGS_EQUAL(5, actions.size());
    CHECK(actions[0].kind == Action::Kind::SetDowntimeLimit);
    UNSIGNED_LONGS_EQUAL(400, actions[0].value);
    STRCMP_EQUAL("scripted", actions[0].plugin.c_str());
    STRCMP_EQUAL("script", actions[0].reason.c_str());
    CHECK(actions[1].kind == Action::Kind::SetBandwidth);
    UNSIGNED_LONGS_EQUAL(1000, actions[1].value);
    CHECK(actions[2].kind == Action::Kind::SetParameter);
    STRCMP_EQUAL("max-cpu-throttle", actions[2].parameterName.c_str());
    CHECK(actions[2].parameterValue == ParameterValue(uint64_t(50)));
    CHECK(actions[3].kind == Action::Kind::PauseToComplete);
    CHECK(actions[4].kind == Action::Kind::Cancel);
    STRCMP_EQUAL("cancel", actionKindName(actions[4].kind));
    CHECK_TRUE(chain.onIteration(sample(3)).size() == 5); /* a new call, a new queue */
}

TEST(PolicyChain, refusesBadValues)
{
    addScripted({{"on-iteration", "downtime:0,downtime:3000000,throttle:100:10,badparam"},
                 {"auto-converge", "true"}});
    planNow();
    CHECK_TRUE(iterate("downtime:0=" + std::to_string(-EINVAL)).empty());
    chain.onIteration(sample(3));
    auto log = chain.takeLog();
    CHECK_TRUE(logHas(log, "downtime:3000000=" + std::to_string(-EINVAL)));
    CHECK_TRUE(logHas(log, "throttle:100:10=" + std::to_string(-EINVAL)));
    CHECK_TRUE(logHas(log, "badparam=" + std::to_string(-EINVAL)));
}

TEST(PolicyChain, refusesWhatThePlanDoesNotAllow)
{
    addScripted({{"on-iteration", "postcopy,throttle:20:10"}});
    planNow();
    CHECK_TRUE(iterate("postcopy=" + std::to_string(-ENOTSUP)).empty());
    chain.onIteration(sample(3));
    CHECK_TRUE(logHas(chain.takeLog(), "throttle:20:10=" + std::to_string(-ENOTSUP)));
}

TEST(PolicyChain, acceptsWhatThePlanAllows)
{
    addScripted({{"on-iteration", "postcopy,throttle:20:10"},
                 {"allow-post-copy", "true"},
                 {"auto-converge", "true"}});
    planNow();
    auto actions = iterate("postcopy=0");
    UNSIGNED_LONGS_EQUAL(2, actions.size());
    CHECK(actions[0].kind == Action::Kind::StartPostcopy);
    CHECK(actions[1].kind == Action::Kind::SetThrottle);
    UNSIGNED_LONGS_EQUAL(20, actions[1].throttleInitialPercent);
    UNSIGNED_LONGS_EQUAL(10, actions[1].throttleIncrementPercent);
}

TEST(PolicyChain, aThrowingIterationIsLoggedAndItsRequestsDropped)
{
    addScripted({{"on-iteration", "downtime:400,throw"}});
    chain.add(testPlugin("c-policy"), {{"label", "next"}});
    planNow();
    auto actions = chain.onIteration(sample(2));
    CHECK_TRUE(actions.empty());
    auto log = chain.takeLog();
    CHECK_TRUE_TEXT(logHas(log, "on_iteration failed: on_iteration threw: scripted failure after "
                                "queueing"),
                    logText(log).c_str());
    /* the next plugin still ran */
    CHECK_TRUE(logHas(log, "next: pass 2, start_postcopy returned " + std::to_string(-ENOTSUP)));
}

TEST(PolicyChain, passesExtrasToPlugins)
{
    addScripted({});
    planNow();
    ValueList extras;
    extras.add("heat.hot-pages", uint64_t(77));
    chain.onIteration(sample(2, extras.values()));
    CHECK_TRUE(logHas(chain.takeLog(), "hot-pages=77"));
}

TEST(PolicyChain, anyCancelWinsAtSwitchover)
{
    addScripted({{"switchover", "proceed"}});
    addScripted({{"switchover", "cancel"}});
    addScripted({{"switchover", "proceed"}});
    planNow();
    auto result = chain.onSwitchover(sample(5));
    CHECK(result.decision == MIGKIT_SWITCHOVER_CANCEL);
    UNSIGNED_LONGS_EQUAL(3, result.actions.size()); /* every plugin was asked */
}

TEST(PolicyChain, aThrowingSwitchoverIsLoggedAndProceeds)
{
    addScripted({{"throw-in", "switchover"}});
    planNow();
    auto result = chain.onSwitchover(sample(5));
    CHECK(result.decision == MIGKIT_SWITCHOVER_PROCEED);
    CHECK_TRUE(result.actions.empty());
    CHECK_TRUE(logHas(chain.takeLog(), "on_switchover threw"));
}

TEST(PolicyChain, refusesActionsOnceOverAndReportsTheOutcome)
{
    addScripted({});
    planNow();
    chain.onComplete(outcome(MIGKIT_PHASE_COMPLETED, nullptr));
    auto log = chain.takeLog();
    CHECK_TRUE(logHas(log, "complete-cancel=" + std::to_string(-ENOTSUP)));
    CHECK_TRUE(logHas(log, "completed in 1234 ms"));
    CHECK_TRUE(chain.takeLog().empty());
}

TEST(PolicyChain, aThrowingCompletionIsLogged)
{
    addScripted({{"throw-in", "complete"}});
    planNow();
    chain.onComplete(outcome(MIGKIT_PHASE_COMPLETED, nullptr));
    auto log = chain.takeLog();
    CHECK_TRUE(logHas(log, "on_complete threw: scripted failure in complete"));
    CHECK(log.back().level == MIGKIT_LOG_ERROR);
}

TEST(PolicyChain, toldOfFailures)
{
    addScripted({});
    planNow();
    chain.onFailure(outcome(MIGKIT_PHASE_FAILED, "connection reset"));
    CHECK_TRUE(logHas(chain.takeLog(), "failed: connection reset on source"));
}

TEST_GROUP(HostHook)
{
    ActionQueue queue;

    std::unique_ptr<PluginInstance> create(const std::string &path,
                                           std::map<std::string, std::string> settings)
    {
        auto library = PluginLibrary::load(path);
        return std::make_unique<PluginInstance>(library, queue,
                                                resolveSettings(*library, settings));
    }

    static migkit_hook_call call(migkit_hook_point point)
    {
        migkit_hook_call c{};
        c.struct_size = sizeof(c);
        c.point = point;
        c.vm_name = "vm7";
        c.detail = "-";
        c.domain_xml = "<domain/>";
        return c;
    }
};

TEST(HostHook, onlyPoliciesThatOverrideItAreCalledAtHooks)
{
    CHECK_TRUE(PluginLibrary::load(testPlugin("scripted"))->ops().on_host_hook != nullptr);
    CHECK_TRUE(PluginLibrary::load(firstPartyPlugin("default"))->ops().on_host_hook == nullptr);
}

TEST(HostHook, aCppPolicyRewritesTheXmlAndActionsAreRefused)
{
    auto instance = create(testPlugin("scripted"), {});
    migkit_hook_call begin = call(MIGKIT_HOOK_MIGRATE_BEGIN);
    const char *replacement = nullptr;
    migkit_error error{};
    LONGS_EQUAL(0, instance->ops().on_host_hook(instance->policy(), &begin, &replacement, &error));
    STRCMP_EQUAL("<domain><name>vm7-rewritten</name></domain>", replacement);
    CHECK_TRUE(queue.pending.empty());
    CHECK_TRUE(logHas(queue.log, "hook-cancel=" + std::to_string(-ENOTSUP)));

    migkit_hook_call started = call(MIGKIT_HOOK_STARTED);
    replacement = nullptr;
    LONGS_EQUAL(0,
                instance->ops().on_host_hook(instance->policy(), &started, &replacement, &error));
    CHECK_TRUE(replacement == nullptr);
}

TEST(HostHook, aThrowingHookRefusesWithItsMessage)
{
    auto instance = create(testPlugin("scripted"), {{"throw-in", "hook"}});
    migkit_hook_call prepare = call(MIGKIT_HOOK_PREPARE);
    const char *replacement = nullptr;
    migkit_error error{};
    CHECK_TRUE(instance->ops().on_host_hook(instance->policy(), &prepare, &replacement, &error) !=
               0);
    STRCMP_EQUAL("on_host_hook threw: scripted failure in hook", errorText(error).c_str());
}

/* Issue 18: sizes and times the first-party policies multiply (seconds into milliseconds, MiB
 * into bytes) wrapped to small numbers; a value beyond the range is refused, naming it. */
TEST(PolicyChain, firstPartySettingsBeyondTheirRangeAreRefusedWithTheRange)
{
    const struct {
        const char *plugin, *setting, *value;
    } cases[] = {
        {"default", "progress-timeout", "18446744073709552"},
        {"default", "completion-timeout-per-gib", "18446744073709551615"},
        {"default", "max-downtime-ms", "18446744073709551615"},
        {"default", "downtime-delay", "18446744073709551615"},
        {"default", "downtime-steps", "18446744073709551615"},
        {"host-admission", "memory-reserve-mib", "17592186044416"},
    };
    for (const auto &c : cases) {
        auto error = catchPluginError([&] {
            chain.add(firstPartyPlugin(c.plugin), {{c.setting, c.value}});
        });
        CHECK_TRUE_TEXT(error.has_value(), c.setting);
        CHECK(error->code == PluginError::Code::CreateFailed);
        STRCMP_CONTAINS((std::string(c.setting) + "=" + c.value).c_str(), error->message.c_str());
        STRCMP_CONTAINS("allowed", error->message.c_str());
        CHECK_TRUE(chain.names().empty());
    }
    /* the largest allowed values are taken */
    chain.add(firstPartyPlugin("default"), {{"progress-timeout", "604800"}});
    chain.add(firstPartyPlugin("host-admission"), {{"memory-reserve-mib", "1048576"}});
    LONGS_EQUAL(2, chain.names().size());
}
