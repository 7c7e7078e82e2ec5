/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `deadline` policy plugin: finish by a deadline with the least guest disruption, over
 * DeadlinePolicyLogic. */
#include "deadline_policy_logic.h"

#include <migkit/checked.hpp>
#include <migkit/policy.hpp>

namespace migkit::policies {

namespace {

DeadlinePolicyConfig configFrom(const Settings &settings)
{
    DeadlinePolicyConfig config;
    /* A deadline of 30 days at most; QEMU's own bound on downtime-limit: 2000 s. */
    config.deadlineSeconds = requireInRange("deadline", settings.get<uint64_t>("deadline"), 1,
                                            30 * 24 * 3600, "seconds");
    config.initialDowntimeMs =
        requireInRange("initial-downtime-ms", settings.get<uint64_t>("initial-downtime-ms"), 1,
                       2000000, "milliseconds");
    config.maxDowntimeMs = requireInRange(
        "max-downtime-ms", settings.get<uint64_t>("max-downtime-ms"), 1, 2000000, "milliseconds");
    config.allowAutoConverge = settings.get<bool>("allow-auto-converge");
    config.allowPostcopy = settings.get<bool>("allow-post-copy");
    config.allowPause = settings.get<bool>("allow-pause");
    if (config.initialDowntimeMs > config.maxDowntimeMs)
        throw std::invalid_argument(
            "initial-downtime-ms (" + std::to_string(config.initialDowntimeMs) +
            ") is above max-downtime-ms (" + std::to_string(config.maxDowntimeMs) + ")");
    return config;
}

} // namespace

/** DeadlinePolicy: the plugin class; the decisions live in DeadlinePolicyLogic. */
class DeadlinePolicy : public Policy {
public:
    /** DeadlinePolicy: with the validated @settings. */
    explicit DeadlinePolicy(const Settings &settings) : logic_(configFrom(settings)) {}

    void plan(const PlanInput &input, Plan &plan) override
    {
        applyDecisions(logic_.plan(input, plan), actions());
    }

    void onIteration(const Progress &progress) override
    {
        applyDecisions(logic_.onIteration(progress), actions());
    }

private:
    DeadlinePolicyLogic logic_;
};

} // namespace migkit::policies

MIGKIT_POLICY(migkit::policies::DeadlinePolicy, "deadline", "0.1.0", "LGPL-2.1-or-later",
              "Finish by a deadline: raise downtime only as needed, then throttle, then "
              "post-copy or pause",
              migkit::Setting::uint64("deadline", "300",
                                      "seconds from the start by which the migration must be over"),
              migkit::Setting::uint64("initial-downtime-ms", "100", "downtime limit to start with"),
              migkit::Setting::uint64("max-downtime-ms", "1000",
                                      "most the policy raises the downtime limit to before "
                                      "throttling"),
              migkit::Setting::boolean("allow-auto-converge", "true",
                                       "throttle the guest's CPUs to make the deadline"),
              migkit::Setting::boolean("allow-post-copy", "true",
                                       "switch to post-copy as the deadline nears"),
              migkit::Setting::boolean("allow-pause", "true",
                                       "pause the guest to finish when post-copy is not allowed"))
