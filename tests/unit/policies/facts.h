/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <migkit/plugin.h>

#include <string>
#include <vector>

namespace migkit::test {

/** Facts: plan-input facts as the engine gives them, for stock or migkit-patched QEMU. */
class Facts {
public:
    /** Facts: stock QEMU offering post-copy on both sides, or not on the destination. */
    explicit Facts(bool patched, bool destinationPostcopy = true)
    {
        addBool("source.capability.postcopy-ram", true);
        addBool("destination.capability.postcopy-ram", destinationPostcopy);
        addBool("source.capability.auto-converge", true);
        if (patched) {
            addBool("source.capability.dirty-heat", true);
            migkit_value mode{};
            mode.name = "source.parameter.auto-converge-mode";
            mode.type = MIGKIT_VALUE_STRING;
            mode.v.str = "classic";
            items_.push_back(mode);
        }
    }

    /** input: a plan input for a VM with @ramBytes of RAM. */
    migkit_plan_input input(uint64_t ramBytes) const
    {
        return {sizeof(migkit_plan_input), "vm", ramBytes, {items_.data(), items_.size()}};
    }

private:
    void addBool(const char *name, bool value)
    {
        migkit_value v{};
        v.name = name;
        v.type = MIGKIT_VALUE_BOOL;
        v.v.b = value;
        items_.push_back(v);
    }

    std::vector<migkit_value> items_;
};

/** defaultPlan: the host's defaults before the policies run. */
inline migkit_plan defaultPlan()
{
    migkit_plan plan{};
    plan.struct_size = sizeof(plan);
    plan.downtime_limit_ms = 300;
    return plan;
}

} // namespace migkit::test
