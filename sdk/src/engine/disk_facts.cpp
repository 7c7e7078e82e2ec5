/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/disk_facts.h"

#include <map>
#include <set>

namespace migkit {

namespace {

const std::string peripheralPrefix = "/machine/peripheral/";

/* The id the user gave the device (-device ...,id=ID), else the drive's name, else the path. */
std::string deviceName(const json::Value &entry)
{
    const std::string qdev = entry.stringAt("qdev").value_or("");
    if (qdev.rfind(peripheralPrefix, 0) == 0) {
        const std::string rest = qdev.substr(peripheralPrefix.size());
        return rest.substr(0, rest.find('/'));
    }
    const std::string device = entry.stringAt("device").value_or("");
    return device.empty() ? qdev : device;
}

/* The node graph from x-debug-query-block-graph: for each node name, its "file" child. */
std::map<std::string, std::string> fileChildren(const json::Value &blockGraph)
{
    std::map<std::string, std::string> children;
    if (blockGraph.isNull()) {
        return children;
    }
    std::map<int64_t, std::string> names;
    for (const json::Value &node : blockGraph.at("nodes").asArray()) {
        names[node.at("id").asInt64()] = node.at("name").asString();
    }
    for (const json::Value &edge : blockGraph.at("edges").asArray()) {
        if (edge.at("name").asString() == "file") {
            children[names[edge.at("parent").asInt64()]] = names[edge.at("child").asInt64()];
        }
    }
    return children;
}

/* Each node's driver, from query-named-block-nodes. */
std::map<std::string, std::string> nodeDrivers(const json::Value &namedNodes)
{
    std::map<std::string, std::string> drivers;
    if (namedNodes.isNull()) {
        return drivers;
    }
    for (const json::Value &node : namedNodes.asArray()) {
        drivers[node.at("node-name").asString()] = node.at("drv").asString();
    }
    return drivers;
}

} // namespace

std::vector<DiskFact> disksFromReplies(const json::Value &queryBlock, const json::Value &namedNodes,
                                       const json::Value &blockGraph, const json::Value &leases)
{
    const auto children = fileChildren(blockGraph);
    const auto drivers = nodeDrivers(namedNodes);
    std::map<std::string, const json::Value *> leaseOfNode;
    if (!leases.isNull()) {
        for (const json::Value &lease : leases.asArray()) {
            leaseOfNode[lease.at("node-name").asString()] = &lease;
        }
    }

    std::vector<DiskFact> disks;
    for (const json::Value &entry : queryBlock.asArray()) {
        const json::Value *inserted = entry.find("inserted");
        if (!inserted) {
            continue; /* an empty drive (no medium) is no disk to migrate */
        }
        DiskFact disk;
        disk.device = deviceName(entry);
        disk.node = inserted->at("node-name").asString();
        disk.driver = inserted->at("drv").asString();
        disk.readOnly = inserted->at("ro").asBool();
        disk.protocol = disk.driver;
        /* Walk the "file" children down to the protocol; the set stops a malformed cycle. */
        std::set<std::string> seen;
        for (std::string node = disk.node; seen.insert(node).second;) {
            const auto driver = drivers.find(node);
            if (driver != drivers.end()) {
                disk.protocol = driver->second;
            }
            const auto lease = leaseOfNode.find(node);
            if (lease != leaseOfNode.end()) {
                const json::Value &info = *lease->second;
                disk.leaseProtected =
                    disk.leaseProtected || (info.stringAt("state").value_or("") == "owner" &&
                                            !info.boolAt("fenced").value_or(true));
                const std::string ownerName = info.stringAt("owner-host-name").value_or("");
                const auto ownerId = info.int64At("owner-host-id");
                disk.leaseOwner = !ownerName.empty()        ? ownerName
                                  : ownerId && *ownerId > 0 ? std::to_string(*ownerId)
                                                            : "";
            }
            const auto child = children.find(node);
            if (child == children.end()) {
                break;
            }
            node = child->second;
        }
        disks.push_back(std::move(disk));
    }
    return disks;
}

void addDiskFacts(ValueList &facts, const std::vector<DiskFact> &disks)
{
    facts.add("disk.count", static_cast<uint64_t>(disks.size()));
    for (size_t i = 0; i < disks.size(); ++i) {
        const DiskFact &disk = disks[i];
        const std::string prefix = "disk." + std::to_string(i) + ".";
        facts.add(prefix + "device", disk.device);
        facts.add(prefix + "node", disk.node);
        facts.add(prefix + "driver", disk.driver);
        facts.add(prefix + "protocol", disk.protocol);
        facts.add(prefix + "lease-protected", disk.leaseProtected);
        facts.add(prefix + "lease-owner", disk.leaseOwner);
        facts.add(prefix + "read-only", disk.readOnly);
    }
}

} // namespace migkit
