/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"

#include <libvirt/libvirt.h>
#include <migkit/plugin.h>

#include <string>
#include <vector>

namespace migkit {

/**
 * PlanFacts: what migkit can learn about a domain and its host before (or, for migkitd, just
 * after) its migration starts, for migkit_plan_input: the domain XML's facts (DomainFacts),
 * "source.qemu-version", "source.libvirt-version", and, when QEMU's monitor may be used,
 * "source.capability.NAME" and "source.parameter.NAME" for every migration capability and
 * parameter QEMU reports (so a migkit-patched QEMU shows its own).
 */
struct PlanFacts {
    std::string name;
    uint64_t ramBytes = 0;
    ValueList facts;
    /** notes: what could not be learned, for the report. */
    std::vector<std::string> notes;

    /** collect: the facts of @domain; throws LibvirtError when the domain is gone. */
    static PlanFacts collect(virConnectPtr connection, virDomainPtr domain,
                             const std::vector<std::string> &sharedFilesystems, bool allowMonitor);

    /** input: the C view for PolicyChain::plan; valid while this object is unchanged. */
    migkit_plan_input input() const;

    /**
     * runningPlan: the settings of a migration libvirt already runs, as a plan: downtime and
     * bandwidth as libvirt reports them, capabilities from the facts.
     */
    migkit_plan runningPlan(virDomainPtr domain) const;
};

/** defaultPlan: the host defaults every plan starts from (QEMU's own defaults). */
migkit_plan defaultPlan();

} // namespace migkit
