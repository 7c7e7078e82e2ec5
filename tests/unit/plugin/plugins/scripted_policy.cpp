/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A C++ test plugin driven by its settings: which actions to ask for on each iteration,
 * what to answer at switchover, and where to throw.  It logs the host's answer to every
 * request ("downtime=0", "postcopy=-95", ...) so the tests can check the validation. */
#include <migkit/policy.hpp>

#include <sstream>
#include <vector>

namespace {

std::vector<std::string> split(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, separator))
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

class ScriptedPolicy : public migkit::Policy {
public:
    explicit ScriptedPolicy(const migkit::Settings &settings)
        : throwIn_(settings.get<std::string>("throw-in"))
    {
        maybeThrow("create");
    }

    void plan(const migkit::PlanInput &input, migkit::Plan &plan) override
    {
        maybeThrow("plan");
        plan.setPostcopyAllowed(settings().get<bool>("allow-post-copy"));
        if (settings().get<bool>("auto-converge"))
            plan.setAutoConverge(migkit::AutoConverge::Classic);
        plan.setDowntimeLimit(std::chrono::milliseconds(settings().get<uint64_t>("downtime-ms")));
        report("plan-downtime", actions().setDowntimeLimit(std::chrono::milliseconds(5), "early"));
        actions().info("planned " + std::string(input.vmName()) + " with " +
                       std::to_string(input.fact<uint64_t>("test.answer").value_or(0)));
    }

    void onIteration(const migkit::Progress &progress) override
    {
        maybeThrow("iteration");
        if (auto hot = progress.extra<uint64_t>("heat.hot-pages"))
            actions().info("hot-pages=" + std::to_string(*hot));
        for (const std::string &step : split(settings().get<std::string>("on-iteration"), ',')) {
            std::vector<std::string> f = split(step, ':');
            const std::string &verb = f[0];
            if (verb == "downtime")
                report(step, actions().setDowntimeLimit(
                                 std::chrono::milliseconds(std::stoll(f.at(1))), "script"));
            else if (verb == "bandwidth")
                report(step, actions().setBandwidth(std::stoull(f.at(1)), "script"));
            else if (verb == "throttle")
                report(step, actions().setThrottle(static_cast<uint32_t>(std::stoul(f.at(1))),
                                                   static_cast<uint32_t>(std::stoul(f.at(2))),
                                                   false, "script"));
            else if (verb == "param")
                report(step, actions().setParameter(f.at(1), std::stoull(f.at(2)), "script"));
            else if (verb == "badparam")
                report(step, actions().setParameter("Bad Name", 1, "script"));
            else if (verb == "postcopy")
                report(step, actions().startPostcopy("script"));
            else if (verb == "pause")
                report(step, actions().pauseToComplete("script"));
            else if (verb == "cancel")
                report(step, actions().cancel("script"));
            else if (verb == "throw")
                throw std::runtime_error("scripted failure after queueing");
        }
    }

    migkit::SwitchoverDecision onSwitchover(const migkit::Progress &) override
    {
        maybeThrow("switchover");
        actions().pauseToComplete("switchover script");
        return settings().get<std::string>("switchover") == "cancel"
                   ? migkit::SwitchoverDecision::Cancel
                   : migkit::SwitchoverDecision::Proceed;
    }

    void onComplete(const migkit::Outcome &outcome) override
    {
        maybeThrow("complete");
        report("complete-cancel", actions().cancel("too late"));
        actions().info("completed in " + std::to_string(outcome.total().count()) + " ms");
    }

    void onFailure(const migkit::Outcome &outcome) override
    {
        actions().info("failed: " + std::string(outcome.error()) + " on " +
                       std::string(outcome.vmRunningOn()));
    }

    std::optional<std::string> onHostHook(const migkit::HostHookCall &call) override
    {
        maybeThrow("hook");
        report("hook-cancel", actions().cancel("no migration at a hook"));
        if (call.point() != migkit::HookPoint::MigrateBegin)
            return std::nullopt;
        return "<domain><name>" + std::string(call.vmName()) + "-rewritten</name></domain>";
    }

private:
    void maybeThrow(const std::string &where) const
    {
        if (throwIn_ == where)
            throw std::runtime_error("scripted failure in " + where);
    }
    void report(const std::string &what, int rc) const
    {
        actions().info(what + "=" + std::to_string(rc));
    }

    std::string throwIn_;
};

} // namespace

MIGKIT_POLICY(ScriptedPolicy, "scripted", "1.2.3", "LGPL-2.1-or-later",
              "test plugin driven by its settings",
              migkit::Setting::string("on-iteration", "", "comma-separated requests"),
              migkit::Setting::string("throw-in", "", "callback that throws"),
              migkit::Setting::string("switchover", "proceed", "proceed or cancel"),
              migkit::Setting::boolean("allow-post-copy", "false", "plan.postcopy_allowed"),
              migkit::Setting::boolean("auto-converge", "false", "plan auto-converge classic"),
              migkit::Setting::uint64("downtime-ms", "300", "plan downtime"),
              migkit::Setting::int64("offset", "-1", "a signed knob"),
              migkit::Setting::real("ratio", "0.5", "a double knob"))
