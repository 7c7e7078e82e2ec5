/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <migkit/plugin.h>

#include <cstdint>
#include <optional>
#include <string>

namespace migkit::policies {

/** HostAdmissionConfig: the knobs of the `host-admission` policy. */
struct HostAdmissionConfig {
    /** Memory this host keeps for itself beyond the guest's, in MiB. */
    uint64_t memoryReserveMiB = 256;
    /** Refuse an incoming migration whose writable disks are not on shared storage. */
    bool requireSharedDisks = true;
};

/**
 * admissionRefusal: why this host must refuse the VM at @point given the hook's @facts
 * ("host.memory.available-bytes", "domain.memory-bytes", "disk.N.*"), or nullopt to admit it.
 * Disks are checked at MIGRATE_BEGIN (only a migration needs them shared), memory at PREPARE
 * (every start, migrated or not).  Missing facts never refuse.
 */
std::optional<std::string> admissionRefusal(migkit_hook_point point, const migkit_values &facts,
                                            const HostAdmissionConfig &config);

} // namespace migkit::policies
