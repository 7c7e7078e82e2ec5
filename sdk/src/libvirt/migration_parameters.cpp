/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/migration_parameters.h"

#include "libvirt/libvirt_call.h"

#include <libvirt/libvirt.h>

namespace migkit {

MigrationParameters migrationParametersFor(const migkit_plan &plan, bool peerToPeer,
                                           unsigned long extraFlags)
{
    MigrationParameters result;
    result.flags = VIR_MIGRATE_LIVE | extraFlags;
    if (peerToPeer)
        result.flags |= VIR_MIGRATE_PEER2PEER;
    if (plan.postcopy_allowed)
        result.flags |= VIR_MIGRATE_POSTCOPY;
    if (plan.auto_converge != MIGKIT_AUTO_CONVERGE_OFF)
        result.flags |= VIR_MIGRATE_AUTO_CONVERGE;
    if (plan.auto_converge == MIGKIT_AUTO_CONVERGE_PREDICTIVE)
        result.notes.push_back("predictive auto-converge is a migkit-patched QEMU mode libvirt "
                               "does not know: classic auto-converge is used");
    if (plan.tls)
        result.flags |= VIR_MIGRATE_TLS;
    if (plan.multifd_channels > 1) {
        result.flags |= VIR_MIGRATE_PARALLEL;
        result.parallelConnections = static_cast<int>(plan.multifd_channels);
    }
    if (plan.bandwidth_bytes_per_second)
        result.bandwidthMiBps = bytesToMiBps(plan.bandwidth_bytes_per_second);
    result.downtimeLimitMs = plan.downtime_limit_ms;
    if (plan.switchover_gate)
        result.notes.push_back("the switchover gate is not offered under libvirt: libvirt drives "
                               "the switchover itself (policies are told at switchover)");
    if (plan.dirty_heat)
        result.notes.push_back("dirty-heat tracking is a migkit-patched QEMU capability libvirt "
                               "does not set: it stays off");
    return result;
}

} // namespace migkit
