/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"
#include "json/value.h"

#include <string>
#include <vector>

namespace migkit {

/**
 * DiskFact: one disk of the source VM as its QEMU describes it: the device, the root block node,
 * the protocol at the bottom of its node chain and whether a cluster-lease node in that chain
 * holds the disk's lease (docs/lease-driver.md).
 */
struct DiskFact {
    /** The qdev id the user gave the device, else the drive's name, else the qdev path. */
    std::string device;
    /** The root node's name (QEMU names nodes it made itself "#blockNNN"). */
    std::string node;
    /** The root node's driver: "qcow2", "raw", "cluster-lease", ... */
    std::string driver;
    /** The driver at the bottom of the chain of "file" children: "file", "nbd", "rbd", ... */
    std::string protocol;
    /** A cluster-lease node in the chain owns the lease and is not fenced. */
    bool leaseProtected = false;
    /** The lease's newest owner (host name, else host-id), when a cluster-lease node is seen. */
    std::string leaseOwner;
    /** The device is read-only. */
    bool readOnly = false;
};

/**
 * disksFromReplies: one DiskFact per device with a medium, in @queryBlock order.
 * @namedNodes is the reply to query-named-block-nodes {"flat": true} and @blockGraph the reply
 * to x-debug-query-block-graph: both walk a device's chain of "file" children; either may be
 * null (json::Value()) when the QEMU refused it, and the chain is then the root node alone.
 * @leases is the reply to query-block-leases, null on a QEMU without the cluster-lease driver
 * (no disk is lease-protected then).  Throws json::TypeError when a reply is not shaped like
 * QMP's.
 */
std::vector<DiskFact> disksFromReplies(const json::Value &queryBlock, const json::Value &namedNodes,
                                       const json::Value &blockGraph, const json::Value &leases);

/**
 * addDiskFacts: add "disk.count" (uint64) and per disk N (0-based) "disk.N.device",
 * "disk.N.node", "disk.N.driver", "disk.N.protocol", "disk.N.lease-protected",
 * "disk.N.lease-owner" (empty when unknown) and "disk.N.read-only" to @facts.
 */
void addDiskFacts(ValueList &facts, const std::vector<DiskFact> &disks);

} // namespace migkit
