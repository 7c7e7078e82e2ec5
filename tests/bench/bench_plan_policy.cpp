/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `bench-plan` policy plugin: a fixed migration plan and no decisions while it runs.
 * migkit-bench loads it so that every configuration it compares differs only in the plan
 * (downtime limit, bandwidth cap, auto-converge mode, dirty heat), never in a policy acting
 * during the migration.
 */
#include <migkit/policy.hpp>

#include <stdexcept>
#include <string>

namespace migkit::bench {

namespace {

AutoConverge autoConvergeNamed(const std::string &name)
{
    if (name == "off") {
        return AutoConverge::Off;
    }
    if (name == "classic") {
        return AutoConverge::Classic;
    }
    if (name == "predictive") {
        return AutoConverge::Predictive;
    }
    throw std::invalid_argument("auto-converge '" + name +
                                "' is not one of off, classic, predictive");
}

} // namespace

/** BenchPlanPolicy: sets the plan from its settings and leaves the migration alone. */
class BenchPlanPolicy : public Policy {
public:
    /** BenchPlanPolicy: with the validated @settings (a bad auto-converge mode throws). */
    explicit BenchPlanPolicy(const Settings &settings)
        : downtimeLimitMs_(settings.get<uint64_t>("downtime-limit-ms")),
          bandwidth_(settings.get<uint64_t>("bandwidth")),
          autoConverge_(autoConvergeNamed(settings.get<std::string>("auto-converge"))),
          dirtyHeat_(settings.get<bool>("dirty-heat"))
    {
        if (downtimeLimitMs_ == 0) {
            throw std::invalid_argument("downtime-limit-ms must be at least 1");
        }
    }

    void plan(const PlanInput &, Plan &plan) override
    {
        plan.setDowntimeLimit(std::chrono::milliseconds(downtimeLimitMs_));
        plan.setBandwidthBytesPerSecond(bandwidth_);
        plan.setAutoConverge(autoConverge_);
        plan.setDirtyHeat(dirtyHeat_);
        plan.setPostcopyAllowed(false);
        plan.setMultifdChannels(0);
        plan.setSwitchoverGate(false);
    }

private:
    uint64_t downtimeLimitMs_;
    uint64_t bandwidth_;
    AutoConverge autoConverge_;
    bool dirtyHeat_;
};

} // namespace migkit::bench

MIGKIT_POLICY(migkit::bench::BenchPlanPolicy, "bench-plan", "0.1.0", "LGPL-2.1-or-later",
              "A fixed plan for benchmarks: no decisions during the migration",
              migkit::Setting::uint64("downtime-limit-ms", "300", "longest stun allowed"),
              migkit::Setting::uint64("bandwidth", "0", "stream cap in bytes/s, 0 = none"),
              migkit::Setting::string("auto-converge", "off", "off, classic or predictive"),
              migkit::Setting::boolean("dirty-heat", "false",
                                       "track dirty heat (migkit-patched QEMU)"))
