/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/disk_facts.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "json/parser.h"

#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using namespace migkit;

namespace {

/*
 * Replies of the patched QEMU 10.0.2 (members this code does not read left out): disk "vd0" is
 * cluster-lease d0 over file f0 with lease area l0 (-blockdev references), disk "vd1" a qcow2
 * -drive "plain" over an implicit file node.
 */
const char queryBlockReply[] = R"([
  {"io-status": "ok", "device": "plain", "locked": false, "removable": false,
   "inserted": {"ro": false, "node-name": "#block132", "drv": "qcow2", "file": "p.qcow2",
                "backing_file_depth": 0, "encrypted": false},
   "qdev": "/machine/peripheral/vd1/virtio-backend", "type": "unknown"},
  {"io-status": "ok", "device": "", "locked": false, "removable": false,
   "inserted": {"ro": false, "node-name": "d0", "drv": "cluster-lease",
                "file": "json:{\"host-id\": 1, \"driver\": \"cluster-lease\"}",
                "backing_file_depth": 1, "encrypted": false},
   "qdev": "/machine/peripheral/vd0/virtio-backend", "type": "unknown"},
  {"device": "cd0", "locked": false, "removable": true, "type": "unknown",
   "qdev": "/machine/unattached/device[23]", "tray_open": false}])";

const char namedNodesReply[] = R"([
  {"node-name": "#block132", "drv": "qcow2", "ro": false, "file": "p.qcow2"},
  {"node-name": "#block096", "drv": "file", "ro": false, "file": "p.qcow2"},
  {"node-name": "d0", "drv": "cluster-lease", "ro": false, "file": "json:{}"},
  {"node-name": "l0", "drv": "file", "ro": false, "file": "d.lease"},
  {"node-name": "f0", "drv": "file", "ro": false, "file": "d.img"}])";

const char blockGraphReply[] = R"({"edges": [
  {"name": "file", "parent": 2, "child": 7, "perm": ["write"], "shared-perm": []},
  {"name": "file", "parent": 4, "child": 5, "perm": ["write"], "shared-perm": []},
  {"name": "lease", "parent": 4, "child": 6, "perm": ["write"], "shared-perm": []},
  {"name": "root", "parent": 3, "child": 4, "perm": ["write"], "shared-perm": []},
  {"name": "root", "parent": 1, "child": 2, "perm": ["write"], "shared-perm": []}],
 "nodes": [{"name": "#block132", "type": "block-driver", "id": 2},
           {"name": "#block096", "type": "block-driver", "id": 7},
           {"name": "d0", "type": "block-driver", "id": 4},
           {"name": "l0", "type": "block-driver", "id": 6},
           {"name": "f0", "type": "block-driver", "id": 5},
           {"name": "/machine/peripheral/vd0/virtio-backend", "type": "block-backend", "id": 3},
           {"name": "plain", "type": "block-backend", "id": 1}]})";

std::string leasesReply(const char *state, bool fenced)
{
    return std::string(R"([{"host-id": 1, "fenced": )") + (fenced ? "true" : "false") +
           R"(, "owner-host-name": "hosta", "host-name": "hosta", "owner-host-id": 1,
  "state": ")" +
           state + R"(", "renew-interval": 1000, "heartbeat-age": 105, "node-name": "d0",
  "owner-generation": 1, "fence-margin": 3000, "slots": 16, "heartbeat": 2,
  "expires-in": 4894, "generation": 1, "lease-timeout": 8000}])";
}

std::vector<DiskFact> disks(const json::Value &leases)
{
    return disksFromReplies(json::parse(queryBlockReply), json::parse(namedNodesReply),
                            json::parse(blockGraphReply), leases);
}

std::string stringFact(const ValueList &facts, const std::string &name)
{
    const auto value = facts.find(name);
    CHECK_TEXT(value.has_value(), name.c_str());
    return std::get<std::string>(*value);
}

bool boolFact(const ValueList &facts, const std::string &name)
{
    const auto value = facts.find(name);
    CHECK_TEXT(value.has_value(), name.c_str());
    return std::get<bool>(*value);
}

} // namespace

TEST_GROUP(DiskFacts){};

TEST(DiskFacts, LeaseOwnerChainIsProtected)
{
    const auto list = disks(json::parse(leasesReply("owner", false)));
    LONGS_EQUAL(2, list.size()); /* the empty CD drive is no disk */
    STRCMP_EQUAL("vd1", list[0].device.c_str());
    STRCMP_EQUAL("#block132", list[0].node.c_str());
    STRCMP_EQUAL("qcow2", list[0].driver.c_str());
    STRCMP_EQUAL("file", list[0].protocol.c_str());
    CHECK_FALSE(list[0].leaseProtected);
    STRCMP_EQUAL("", list[0].leaseOwner.c_str());
    STRCMP_EQUAL("vd0", list[1].device.c_str());
    STRCMP_EQUAL("d0", list[1].node.c_str());
    STRCMP_EQUAL("cluster-lease", list[1].driver.c_str());
    STRCMP_EQUAL("file", list[1].protocol.c_str());
    CHECK_TRUE(list[1].leaseProtected);
    STRCMP_EQUAL("hosta", list[1].leaseOwner.c_str());
}

TEST(DiskFacts, FencedOrWaitingLeaseIsNotProtection)
{
    CHECK_FALSE(disks(json::parse(leasesReply("fenced", true)))[1].leaseProtected);
    CHECK_FALSE(disks(json::parse(leasesReply("owner", true)))[1].leaseProtected);
    const auto inactive = disks(json::parse(leasesReply("inactive", false)));
    CHECK_FALSE(inactive[1].leaseProtected);
    STRCMP_EQUAL("hosta", inactive[1].leaseOwner.c_str());
}

TEST(DiskFacts, StockQemuHasNoLeases)
{
    const auto list = disks(json::Value());
    CHECK_FALSE(list[0].leaseProtected);
    CHECK_FALSE(list[1].leaseProtected);
    STRCMP_EQUAL("file", list[1].protocol.c_str());
}

TEST(DiskFacts, WithoutTheGraphTheRootIsTheChain)
{
    const auto list = disksFromReplies(json::parse(queryBlockReply), json::Value(), json::Value(),
                                       json::parse(leasesReply("owner", false)));
    STRCMP_EQUAL("qcow2", list[0].protocol.c_str());
    CHECK_TRUE(list[1].leaseProtected); /* the lease sits on the root node itself */
}

TEST(DiskFacts, FactsForPlugins)
{
    ValueList facts;
    addDiskFacts(facts, disks(json::parse(leasesReply("owner", false))));
    const auto count = facts.find("disk.count");
    CHECK_TRUE(count.has_value());
    LONGS_EQUAL(2, std::get<uint64_t>(*count));
    STRCMP_EQUAL("vd0", stringFact(facts, "disk.1.device").c_str());
    STRCMP_EQUAL("d0", stringFact(facts, "disk.1.node").c_str());
    STRCMP_EQUAL("cluster-lease", stringFact(facts, "disk.1.driver").c_str());
    STRCMP_EQUAL("file", stringFact(facts, "disk.1.protocol").c_str());
    STRCMP_EQUAL("hosta", stringFact(facts, "disk.1.lease-owner").c_str());
    CHECK_TRUE(boolFact(facts, "disk.1.lease-protected"));
    CHECK_FALSE(boolFact(facts, "disk.0.lease-protected"));
    CHECK_FALSE(boolFact(facts, "disk.0.read-only"));
}

TEST(DiskFacts, MalformedReplyThrows)
{
    CHECK_THROWS(json::TypeError, disksFromReplies(json::parse(R"([{"inserted": {}}])"),
                                                   json::Value(), json::Value(), json::Value()));
}

TEST(DiskFacts, ReportShowsDisks)
{
    MigrationReport report;
    report.disks.push_back(DiskRecord{"vd0", "d0", "file", true, "hosta"});
    report.disks.push_back(DiskRecord{"vd1", "#block132", "file", false, ""});
    const json::Value json = reportToJson(report);
    const auto &list = json.at("disks").asArray();
    LONGS_EQUAL(2, list.size());
    STRCMP_EQUAL("vd0", list[0].at("device").asString().c_str());
    CHECK_TRUE(list[0].at("lease-protected").asBool());
    CHECK_FALSE(list[1].at("lease-protected").asBool());
    const std::string text = reportToText(report);
    CHECK(text.find("vd0 (node d0, file): lease-protected, owner hosta") != std::string::npos);
    CHECK(text.find("vd1 (node #block132, file): not lease-protected") != std::string::npos);
}
