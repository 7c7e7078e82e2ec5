/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <migkit/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace migkit {

/**
 * MigrationParameters: a migkit plan as libvirt's migration API takes it: the flags and typed
 * parameters (VIR_MIGRATE_PARAM_*) of virDomainMigrateToURI3, the calls to make before it
 * starts (libvirt has no migration parameter for the downtime limit), and notes on what the
 * plan asks that libvirt cannot express.
 */
struct MigrationParameters {
    /** VIR_MIGRATE_* flags. */
    unsigned long flags = 0;
    /** VIR_MIGRATE_PARAM_BANDWIDTH in MiB/s; 0: not set (libvirt's default, unlimited). */
    uint64_t bandwidthMiBps = 0;
    /** VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS; 0: not set. */
    int parallelConnections = 0;
    /** virDomainMigrateSetMaxDowntime before the start, in ms. */
    uint64_t downtimeLimitMs = 0;
    /** What the plan asks that libvirt's API cannot do. */
    std::vector<std::string> notes;
};

/**
 * migrationParametersFor: @plan for a live, peer-to-peer migration (@peerToPeer; otherwise
 * the client drives it), plus @extraFlags the operator asked for (VIR_MIGRATE_PERSIST_DEST,
 * VIR_MIGRATE_UNDEFINE_SOURCE, ...).
 */
MigrationParameters migrationParametersFor(const migkit_plan &plan, bool peerToPeer,
                                           unsigned long extraFlags);

} // namespace migkit
