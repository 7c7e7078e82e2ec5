/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `default` policy plugin: the operator knobs of KubeVirt's MigrationPolicy and Nova's
 * live-migration settings over DefaultPolicyLogic. */
#include "default_policy_logic.h"

#include <migkit/checked.hpp>
#include <migkit/policy.hpp>

namespace migkit::policies {

namespace {

/* The knob @name, refused with its range when outside [@min, @max]. */
uint64_t knob(const Settings &settings, const char *name, uint64_t min, uint64_t max,
              const char *unit)
{
    return requireInRange(name, settings.get<uint64_t>(name), min, max, unit);
}

DefaultPolicyConfig configFrom(const Settings &settings)
{
    constexpr uint64_t day = 24 * 3600;
    DefaultPolicyConfig config;
    config.completionTimeoutPerGiBSeconds =
        knob(settings, "completion-timeout-per-gib", 1, day, "seconds per GiB");
    config.progressTimeoutSeconds = knob(settings, "progress-timeout", 1, 7 * day, "seconds");
    /* QEMU's own bound on downtime-limit: 2000 s. */
    config.maxDowntimeMs = knob(settings, "max-downtime-ms", 1, 2000000, "milliseconds");
    config.downtimeSteps = knob(settings, "downtime-steps", 1, 1000, "steps");
    config.downtimeDelaySecondsPerGiB = knob(settings, "downtime-delay", 0, day, "seconds per GiB");
    config.allowPostcopy = settings.get<bool>("allow-post-copy");
    config.allowAutoConverge = settings.get<bool>("allow-auto-converge");
    config.bandwidthBytesPerSecond = settings.get<uint64_t>("bandwidth");
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
