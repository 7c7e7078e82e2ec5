/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure logic of the two hook plugins: xml-rewrite and host-admission. */
#include "host_admission_logic.h"
#include "xml_rewrite_logic.h"

#include "libvirt/domain_facts.h"
#include "plugin/value_list.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;
using namespace migkit::policies;

TEST_GROUP(XmlRewrite){};

TEST(XmlRewrite, MapsBridgesAndPathsAndKeepsTheRest)
{
    const std::string xml = "<domain>\n  <devices>\n"
                            "    <disk><source file='/srv/a/images/vm.qcow2'/></disk>\n"
                            "    <disk><source dev=\"/dev/mapper/a-x\"/></disk>\n"
                            "    <interface type='bridge'><source bridge='br-a'/></interface>\n"
                            "    <interface type='bridge'><source bridge='br-other'/></interface>\n"
                            "    <sourcefile bridge='br-a'/>\n"
                            "  </devices>\n</domain>\n";
    XmlRewriteRules rules;
    rules.bridges = {{"br-a", "br-b"}};
    rules.pathPrefixes = {
        {"/srv/a", "/srv/b"}, {"/srv/a/images", "/images"}, {"/dev/mapper", "/dev/vg"}};
    RewriteResult result = rewriteDomainXml(xml, rules);
    LONGS_EQUAL(3, result.changes);
    STRCMP_CONTAINS("<source file='/images/vm.qcow2'/>", result.xml.c_str());
    STRCMP_CONTAINS("<source dev=\"/dev/vg/a-x\"/>", result.xml.c_str());
    STRCMP_CONTAINS("<source bridge='br-b'/>", result.xml.c_str());
    STRCMP_CONTAINS("<source bridge='br-other'/>", result.xml.c_str());
    /* Not a <source> element: untouched. */
    STRCMP_CONTAINS("<sourcefile bridge='br-a'/>", result.xml.c_str());
    /* Nothing to do: byte for byte the same. */
    STRCMP_EQUAL(xml.c_str(), rewriteDomainXml(xml, XmlRewriteRules{}).xml.c_str());
}

TEST(XmlRewrite, APrefixMatchesWholeComponents)
{
    XmlRewriteRules rules;
    rules.pathPrefixes = {{"/srv/a", "/srv/b"}};
    RewriteResult result = rewriteDomainXml("<source file='/srv/ab/x'/>", rules);
    LONGS_EQUAL(0, result.changes);
}

TEST(XmlRewrite, ClusterLeaseHostIdIsThisHosts)
{
    /* As libvirt hands it to the hook: attribute quotes ', JSON quotes escaped. */
    const std::string xml =
        "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <qemu:commandline>\n"
        "    <qemu:arg value='-blockdev'/>\n"
        "    <qemu:arg value='{&quot;driver&quot;:&quot;file&quot;,&quot;node-name&quot;:"
        "&quot;vm1-data&quot;,&quot;filename&quot;:&quot;/shared/vm1.img&quot;}'/>\n"
        "    <qemu:arg value='-blockdev'/>\n"
        "    <qemu:arg value='{&quot;driver&quot;:&quot;cluster-lease&quot;,&quot;node-name&quot;:"
        "&quot;vda&quot;,&quot;file&quot;:&quot;vm1-data&quot;,&quot;lease&quot;:&quot;vm1-lease"
        "&quot;,&quot;host-id&quot;:1,&quot;host-name&quot;:&quot;host-a&quot;}'/>\n"
        "    <qemu:arg value='-blockdev'/>\n"
        "    <qemu:arg value=\"{\"driver\":\"cluster-lease\",\"host-id\": 12,\"file\":\"d\"}\"/>\n"
        "    <qemu:arg value='-blockdev'/>\n"
        "    <qemu:arg value='driver=cluster-lease,node-name=d0,file=f0,lease=l0,host-id=3'/>\n"
        "    <qemu:arg value='-blockdev'/>\n"
        "    <qemu:arg value='driver=throttle,node-name=t0,file=f1,x-host-id=5'/>\n"
        "  </qemu:commandline>\n</domain>\n";
    XmlRewriteRules rules;
    rules.leaseHostId = 2;
    RewriteResult result = rewriteDomainXml(xml, rules);
    LONGS_EQUAL(3, result.changes);
    STRCMP_CONTAINS("&quot;host-id&quot;:2,&quot;host-name&quot;", result.xml.c_str());
    STRCMP_CONTAINS("\"host-id\": 2,", result.xml.c_str());
    STRCMP_CONTAINS("lease=l0,host-id=2'", result.xml.c_str());
    /* Not a cluster-lease argument: untouched. */
    STRCMP_CONTAINS("x-host-id=5", result.xml.c_str());
    /* Already this host's id, or the setting off: byte for byte the same. */
    STRCMP_EQUAL(result.xml.c_str(), rewriteDomainXml(result.xml, rules).xml.c_str());
    LONGS_EQUAL(0, rewriteDomainXml(result.xml, rules).changes);
    STRCMP_EQUAL(xml.c_str(), rewriteDomainXml(xml, XmlRewriteRules{}).xml.c_str());
}

TEST(XmlRewrite, MappingsParseAndMistakesAreNamed)
{
    auto map = parseMapping(" br0=br1 , /a=/b ", "bridge-map");
    LONGS_EQUAL(2, map.size());
    STRCMP_EQUAL("br1", map.at("br0").c_str());
    CHECK_TRUE(parseMapping("", "x").empty());
    try {
        parseMapping("br0", "bridge-map");
        FAIL("an entry without '=' was accepted");
    } catch (const std::invalid_argument &e) {
        STRCMP_CONTAINS("bridge-map: 'br0' is not FROM=TO", e.what());
    }
    CHECK_THROWS(std::invalid_argument, parseMapping("=x", "x"));
}

TEST_GROUP(HostAdmission){};

namespace {

ValueList factsFor(const std::string &xml, uint64_t availableMiB)
{
    ValueList facts;
    facts.add("host.memory.available-bytes", availableMiB << 20);
    DomainFacts::fromXml(xml, {"/shared"}).addTo(facts);
    return facts;
}

const char *kGuest = "<domain><name>g</name><memory unit='MiB'>512</memory><devices>"
                     "<disk><source file='/shared/g.qcow2'/><target dev='vda'/></disk>"
                     "</devices></domain>";
const char *kLocalDisk = "<domain><name>g</name><memory unit='MiB'>512</memory><devices>"
                         "<disk><source file='/var/local/g.img'/><target dev='vdb'/></disk>"
                         "</devices></domain>";

} // namespace

TEST(HostAdmission, EnoughMemoryAndSharedDisksAreAdmitted)
{
    ValueList facts = factsFor(kGuest, 4096);
    HostAdmissionConfig config;
    CHECK_FALSE(admissionRefusal(MIGKIT_HOOK_MIGRATE_BEGIN, facts.values(), config).has_value());
    CHECK_FALSE(admissionRefusal(MIGKIT_HOOK_PREPARE, facts.values(), config).has_value());
}

TEST(HostAdmission, TooLittleMemoryIsRefusedAtPrepare)
{
    ValueList facts = factsFor(kGuest, 600);
    HostAdmissionConfig config; /* 512 MiB guest + 256 MiB reserve > 600 MiB */
    auto refusal = admissionRefusal(MIGKIT_HOOK_PREPARE, facts.values(), config);
    CHECK_TRUE(refusal.has_value());
    STRCMP_CONTAINS("600 MiB of memory available, the guest needs 512 MiB", refusal->c_str());
    CHECK_FALSE(admissionRefusal(MIGKIT_HOOK_STARTED, facts.values(), config).has_value());
}

TEST(HostAdmission, ALocalDiskIsRefusedForAMigration)
{
    ValueList facts = factsFor(kLocalDisk, 4096);
    HostAdmissionConfig config;
    auto refusal = admissionRefusal(MIGKIT_HOOK_MIGRATE_BEGIN, facts.values(), config);
    CHECK_TRUE(refusal.has_value());
    STRCMP_CONTAINS("disk vdb (/var/local/g.img) is not on storage", refusal->c_str());
    config.requireSharedDisks = false;
    CHECK_FALSE(admissionRefusal(MIGKIT_HOOK_MIGRATE_BEGIN, facts.values(), config).has_value());
}

/* Issue 18: 2^54 KiB is 2^64 bytes, which wrapped to 0, and "-1" became 2^64 - 1 KiB: both
 * passed host-admission.  A size that cannot be counted in bytes is refused, naming it. */
TEST(HostAdmission, AMemorySizeThatDoesNotFitIsRefusedWithItsValue)
{
    const struct {
        const char *memory, *value;
    } cases[] = {
        {"<memory unit='KiB'>18014398509481984</memory>", "18014398509481984"},
        {"<memory>-1</memory>", "-1"},
        {"<memory unit='TiB'>16777216</memory>", "16777216"},
        {"<memory unit='MiB'>99999999999999999999999</memory>", "99999999999999999999999"},
        {"<memory unit='MiB'> 512x</memory>", "512x"},
    };
    for (const auto &c : cases) {
        const std::string xml = std::string("<domain><name>g</name>") + c.memory + "</domain>";
        try {
            DomainFacts::fromXml(xml, {});
            FAIL(("admitted " + xml).c_str());
        } catch (const std::invalid_argument &e) {
            STRCMP_CONTAINS(c.value, e.what());
            STRCMP_CONTAINS("memory", e.what());
        }
    }
    /* the largest size that fits is a size */
    CHECK_EQUAL(UINT64_MAX & ~uint64_t(1023),
                DomainFacts::fromXml("<domain><memory unit='KiB'>18014398509481983</memory>"
                                     "</domain>",
                                     {})
                    .memoryBytes);
}

TEST(HostAdmission, AGuestAndReserveBeyondTwoToTheSixtyFourAreRefused)
{
    HostAdmissionConfig config;
    config.memoryReserveMiB = 256;
    ValueList facts;
    facts.add("host.memory.available-bytes", uint64_t(64) << 30);
    facts.add("domain.memory-bytes", UINT64_MAX - (uint64_t(1) << 20));
    auto refusal = admissionRefusal(MIGKIT_HOOK_PREPARE, facts.values(), config);
    CHECK_TRUE(refusal.has_value());

    ValueList small;
    small.add("host.memory.available-bytes", uint64_t(64) << 30);
    small.add("domain.memory-bytes", uint64_t(1) << 30);
    config.memoryReserveMiB = uint64_t(1) << 44; /* x 2^20 = 2^64 */
    refusal = admissionRefusal(MIGKIT_HOOK_PREPARE, small.values(), config);
    CHECK_TRUE(refusal.has_value());
}
