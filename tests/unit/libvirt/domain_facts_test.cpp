/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/domain_facts.h"
#include "libvirt/hook_call.h"
#include "libvirt/xml_tree.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;

namespace {

const char *kDomain = R"(<domain type='qemu'>
  <name>vm1</name>
  <memory unit='MiB'>128</memory>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><source file='/srv/shared/vm1.qcow2'/><target dev='vda'/></disk>
    <disk type='file' device='disk'><source file='/var/lib/local/scratch.img'/><target dev='vdb'/></disk>
    <disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='sda'/><readonly/></disk>
    <disk type='network' device='disk'><source protocol='rbd' name='pool/img'/><target dev='vdc'/></disk>
    <interface type='bridge'><source bridge='br0'/><mac address='52:54:00:aa:00:01'/></interface>
    <interface type='network'><source network='default'/><mac address='52:54:00:aa:00:02'/></interface>
  </devices>
</domain>)";

} // namespace

TEST_GROUP(DomainFacts){};

TEST(DomainFacts, ReadsMemoryDisksAndInterfaces)
{
    DomainFacts facts = DomainFacts::fromXml(kDomain, {"/srv/shared/"});
    STRCMP_EQUAL("vm1", facts.name.c_str());
    LONGS_EQUAL(128ull << 20, facts.memoryBytes);
    LONGS_EQUAL(4, facts.disks.size());
    CHECK_TRUE(facts.disks[0].shared);
    CHECK_FALSE(facts.disks[1].shared);
    CHECK_TRUE(facts.disks[2].readOnly);
    CHECK_TRUE(facts.disks[3].shared); /* network disks are shared by nature */
    STRCMP_EQUAL("rbd", facts.disks[3].protocol.c_str());
    LONGS_EQUAL(2, facts.interfaces.size());
    STRCMP_EQUAL("br0", facts.interfaces[0].source.c_str());
    STRCMP_EQUAL("default", facts.interfaces[1].source.c_str());
    STRCMP_EQUAL("52:54:00:aa:00:02", facts.interfaces[1].mac.c_str());
}

TEST(DomainFacts, NamedValuesForPlugins)
{
    ValueList list;
    DomainFacts::fromXml(kDomain, {"/srv/shared"}).addTo(list);
    CHECK_TRUE(std::get<uint64_t>(*list.find("disk.count")) == 4);
    CHECK_TRUE(std::get<bool>(*list.find("disk.0.shared")));
    CHECK_FALSE(std::get<bool>(*list.find("disk.1.shared")));
    STRCMP_EQUAL("vdb", std::get<std::string>(*list.find("disk.1.target")).c_str());
    STRCMP_EQUAL("br0", std::get<std::string>(*list.find("interface.0.source")).c_str());
    CHECK_TRUE(std::get<uint64_t>(*list.find("domain.memory-bytes")) == (128ull << 20));
}

TEST(DomainFacts, MemoryUnitsAndFolders)
{
    LONGS_EQUAL(1024, memoryUnitBytes("KiB"));
    LONGS_EQUAL(1000000, memoryUnitBytes("MB"));
    LONGS_EQUAL(1ull << 30, memoryUnitBytes("G"));
    LONGS_EQUAL(0, memoryUnitBytes("parsecs"));
    CHECK_TRUE(isInsideFolder("/srv/shared/a", "/srv/shared"));
    CHECK_TRUE(isInsideFolder("/srv/shared", "/srv/shared/"));
    CHECK_FALSE(isInsideFolder("/srv/shared-not/a", "/srv/shared"));
    CHECK_TRUE(isInsideFolder("/anything", "/"));
}

TEST(DomainFacts, BadDocumentsAreRefused)
{
    CHECK_THROWS(XmlError, DomainFacts::fromXml("<domain>", {}));
    CHECK_THROWS(XmlError, DomainFacts::fromXml("<network/>", {}));
    CHECK_THROWS(std::invalid_argument,
                 DomainFacts::fromXml("<domain><memory unit='furlongs'>1</memory></domain>", {}));
}

TEST_GROUP(HookCall){};

TEST(HookCall, LibvirtArgumentsMapToPoints)
{
    LONGS_EQUAL(MIGKIT_HOOK_MIGRATE_BEGIN, *hookPointFor("migrate", "begin"));
    LONGS_EQUAL(MIGKIT_HOOK_PREPARE, *hookPointFor("prepare", "begin"));
    LONGS_EQUAL(MIGKIT_HOOK_RELEASE, *hookPointFor("release", "end"));
    CHECK_FALSE(hookPointFor("reconnect", "begin").has_value());
    CHECK_FALSE(hookPointFor("prepare", "end").has_value());
    CHECK_TRUE(hookPointMayRefuse(MIGKIT_HOOK_START));
    CHECK_FALSE(hookPointMayRefuse(MIGKIT_HOOK_STARTED));
}

TEST(HookCall, VerdictCrossesAsJson)
{
    HookVerdict verdict;
    verdict.allow = false;
    verdict.message = "no \"room\"\nhere";
    verdict.replacementXml = "<domain/>";
    verdict.notes = {"a: refused", "b: allowed"};
    HookVerdict back = HookVerdict::fromJson(verdict.toJson());
    CHECK_FALSE(back.allow);
    STRCMP_EQUAL(verdict.message.c_str(), back.message.c_str());
    STRCMP_EQUAL("<domain/>", back.replacementXml.c_str());
    LONGS_EQUAL(2, back.notes.size());
    CHECK_THROWS(std::exception, HookVerdict::fromJson("{\"allow\":true}"));
}

TEST(HookCall, HostFactsFromMeminfo)
{
    ValueList facts;
    addHostFacts(facts, "host-b",
                 "MemTotal:       24683840 kB\nMemFree:  100 kB\n"
                 "MemAvailable:   23232000 kB\n");
    CHECK_TRUE(std::get<uint64_t>(*facts.find("host.memory.available-bytes")) ==
               23232000ull * 1024);
    CHECK_TRUE(std::get<uint64_t>(*facts.find("host.memory.total-bytes")) == 24683840ull * 1024);
    STRCMP_EQUAL("host-b", std::get<std::string>(*facts.find("host.name")).c_str());
}
