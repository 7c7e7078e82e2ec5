/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `default` policy plugin: the operator knobs of KubeVirt's MigrationPolicy and Nova's
 * live-migration settings over DefaultPolicyLogic. */
#include "default_policy_logic.h"

#include <migkit/policy.hpp>

namespace migkit::policies {

namespace {

DefaultPolicyConfig configFrom(const Settings &settings)
{
    DefaultPolicyConfig config;
    config.completionTimeoutPerGiBSeconds = settings.get<uint64_t>("completion-timeout-per-gib");
    config.progressTimeoutSeconds = settings.get<uint64_t>("progress-timeout");
    config.maxDowntimeMs = settings.get<uint64_t>("max-downtime-ms");
    config.downtimeSteps = settings.get<uint64_t>("downtime-steps");
    config.downtimeDelaySecondsPerGiB = settings.get<uint64_t>("downtime-delay");
    config.allowPostcopy = settings.get<bool>("allow-post-copy");
    config.allowAutoConverge = settings.get<bool>("allow-auto-converge");
    config.bandwidthBytesPerSecond = settings.get<uint64_t>("bandwidth");
    if (config.maxDowntimeMs == 0)
        throw std::invalid_argument("max-downtime-ms must be at least 1");
    if (config.downtimeSteps == 0)
        throw std::invalid_argument("downtime-steps must be at least 1");
    if (config.progressTimeoutSeconds == 0 || config.completionTimeoutPerGiBSeconds == 0)
        throw std::invalid_argument("progress-timeout and completion-timeout-per-gib must be at "
                                    "least 1 second");
    return config;
}

} // namespace

/** DefaultPolicy: the plugin class; the decisions live in DefaultPolicyLogic. */
class DefaultPolicy : public Policy {
public:
    /** DefaultPolicy: with the validated @settings. */
    explicit DefaultPolicy(const Settings &settings) : logic_(configFrom(settings)) {}

    void plan(const PlanInput &input, Plan &plan) override
    {
        applyDecisions(logic_.plan(input, plan), actions());
    }

    void onIteration(const Progress &progress) override
    {
        applyDecisions(logic_.onIteration(progress), actions());
    }

private:
    DefaultPolicyLogic logic_;
};

} // namespace migkit::policies

MIGKIT_POLICY(migkit::policies::DefaultPolicy, "default", "0.1.0", "LGPL-2.1-or-later",
              "Downtime ramp, stall and completion timeouts, then post-copy, auto-converge or "
              "cancel",
              migkit::Setting::uint64("completion-timeout-per-gib", "150",
                                      "seconds per GiB of guest RAM before escalating"),
              migkit::Setting::uint64("progress-timeout", "150",
                                      "seconds without a new low of remaining RAM before "
                                      "escalating (stall)"),
              migkit::Setting::uint64("max-downtime-ms", "500",
                                      "longest stun allowed; the ramp ends here"),
              migkit::Setting::uint64("downtime-steps", "10",
                                      "steps of the downtime ramp up to max-downtime-ms"),
              migkit::Setting::uint64("downtime-delay", "5",
                                      "least seconds between ramp steps, per GiB of guest RAM"),
              migkit::Setting::boolean("allow-post-copy", "false",
                                       "switch to post-copy when stuck"),
              migkit::Setting::boolean("allow-auto-converge", "false",
                                       "throttle the guest's CPUs when stuck"),
              migkit::Setting::uint64("bandwidth", "0",
                                      "cap on the migration stream in bytes/s; 0 = unlimited"))
