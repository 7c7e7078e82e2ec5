/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/host_config.h"
#include "libvirt/policy_selection.h"
#include "libvirt/xml_tree.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;

TEST_GROUP(PolicyMetadata){};

TEST(PolicyMetadata, OnePolicyWithSettings)
{
    auto refs = parsePolicyMetadata(
        "<migkit:policy xmlns:migkit='https://migkit.dev/xmlns/1' name='default'>"
        "<migkit:set key='max-downtime-ms' value='300'/>"
        "<migkit:set key='bandwidth' value='0'/></migkit:policy>");
    LONGS_EQUAL(1, refs.size());
    STRCMP_EQUAL("default", refs[0].name.c_str());
    STRCMP_EQUAL("300", refs[0].settings.at("max-downtime-ms").c_str());
    STRCMP_EQUAL("0", refs[0].settings.at("bandwidth").c_str());
}

TEST(PolicyMetadata, NestedPoliciesChainInOrderWhateverThePrefix)
{
    auto refs = parsePolicyMetadata(
        "<p:policy xmlns:p='https://migkit.dev/xmlns/1' name='default'>"
        "<p:policy name='deadline'><p:set key='deadline' value='60'/></p:policy></p:policy>");
    LONGS_EQUAL(2, refs.size());
    STRCMP_EQUAL("deadline", refs[1].name.c_str());
    STRCMP_EQUAL("60", refs[1].settings.at("deadline").c_str());
    CHECK_TRUE(refs[0].settings.empty());
}

TEST(PolicyMetadata, NoneMeansObserveOnly)
{
    CHECK_TRUE(parsePolicyMetadata("<policy name='none'/>").empty());
}

TEST(PolicyMetadata, MistakesAreNamed)
{
    try {
        parsePolicyMetadata("<policy><set key='a' value='1'/></policy>");
        FAIL("a policy without name was accepted");
    } catch (const std::invalid_argument &e) {
        STRCMP_CONTAINS("no name attribute", e.what());
    }
    try {
        parsePolicyMetadata("<policy name='default'><set value='1'/></policy>");
        FAIL("a set without key was accepted");
    } catch (const std::invalid_argument &e) {
        STRCMP_CONTAINS("has no key attribute", e.what());
    }
    CHECK_THROWS(XmlError, parsePolicyMetadata("<policy name='default'>"));
    CHECK_THROWS(std::invalid_argument, parsePolicyMetadata("<settings/>"));
}

/* Whoever may edit a domain's metadata must not choose a file for the root daemon to load. */
TEST(PolicyMetadata, NamesOnlyNeverPaths)
{
    for (const char *name : {"/tmp/evil.so", "evil.so", "../plugins/default", "./x", "Default"}) {
        const std::string xml =
            std::string("<policy name='default'><policy name='") + name + "'/></policy>";
        try {
            parsePolicyMetadata(xml);
            FAIL(("domain metadata naming '" + std::string(name) + "' was accepted").c_str());
        } catch (const std::invalid_argument &e) {
            STRCMP_CONTAINS("migkit domain metadata", e.what());
            STRCMP_CONTAINS((std::string("policy '") + name + "'").c_str(), e.what());
            STRCMP_CONTAINS("may name installed plugins only", e.what());
            STRCMP_CONTAINS("install the plugin in", e.what());
        }
    }
    try {
        parsePolicyMetadata("<policy name='/usr/lib/x/migkit-policy-x.so'/>");
        FAIL("a path was accepted");
    } catch (const std::invalid_argument &e) {
        STRCMP_CONTAINS("is a path", e.what());
    }
    LONGS_EQUAL(2, parsePolicyMetadata("<policy name='default'><policy name='my_policy-2'/>"
                                       "</policy>")
                       .size());
}

TEST(PolicyMetadata, FormatReadsBack)
{
    std::vector<PolicyRef> refs = {{"default", {{"max-downtime-ms", "250"}}},
                                   {"deadline", {{"deadline", "90"}}}};
    std::string xml = formatPolicyMetadata(refs);
    CHECK_TRUE(parsePolicyMetadata(xml) == refs);
    CHECK_TRUE(parsePolicyMetadata(formatPolicyMetadata({})).empty());
}

TEST(PolicyMetadata, RunMarkerReadsBack)
{
    RunMarker marker{"e8384b47-6179-48a3-8eb1-c48836e4140f", 4242};
    auto parsed = RunMarker::parse(marker.format());
    CHECK_TRUE(parsed.has_value());
    STRCMP_EQUAL(marker.hostUuid.c_str(), parsed->hostUuid.c_str());
    LONGS_EQUAL(4242, parsed->pid);
    CHECK_FALSE(RunMarker::parse("<policy name='x'/>").has_value());
    CHECK_FALSE(RunMarker::parse("not xml").has_value());
}

TEST_GROUP(HostConfig){};

TEST(HostConfig, DefaultsWithoutAFile)
{
    HostConfig config = HostConfig::load("/nonexistent/migkitd.conf");
    LONGS_EQUAL(1, config.daemonPolicies.size());
    STRCMP_EQUAL("default", config.daemonPolicies[0].c_str());
    CHECK_TRUE(config.hookPolicies.empty());
    CHECK_TRUE(config.hookAllowOnTimeout);
    CHECK_THROWS(ConfigError, HostConfig::load("/nonexistent/migkitd.conf", true));
}

TEST(HostConfig, ReadsEveryGroup)
{
    HostConfig config = HostConfig::parse("[daemon]\npolicies=default;deadline\n"
                                          "poll-interval-ms=100\nqemu-monitor=false\n"
                                          "[hook]\npolicies=xml-rewrite\ntimeout-ms=500\n"
                                          "on-timeout=refuse\n"
                                          "[host]\nshared-filesystems=/srv/a;/srv/b\n"
                                          "[policy default]\nmax-downtime-ms=300\n",
                                          "test.conf");
    LONGS_EQUAL(2, config.daemonPolicies.size());
    LONGS_EQUAL(100, config.pollIntervalMs);
    CHECK_FALSE(config.allowQemuMonitor);
    LONGS_EQUAL(500, config.hookTimeoutMs);
    CHECK_FALSE(config.hookAllowOnTimeout);
    LONGS_EQUAL(2, config.sharedFilesystems.size());
    auto refs = config.refs(config.daemonPolicies);
    STRCMP_EQUAL("300", refs[0].settings.at("max-downtime-ms").c_str());
    CHECK_TRUE(refs[1].settings.empty());
}

TEST(HostConfig, DomainSettingsWinOverTheHosts)
{
    HostConfig config =
        HostConfig::parse("[policy default]\nmax-downtime-ms=300\nbandwidth=1000\n", "t");
    auto refs = config.withHostSettings({{"default", {{"max-downtime-ms", "50"}}}});
    STRCMP_EQUAL("50", refs[0].settings.at("max-downtime-ms").c_str());
    STRCMP_EQUAL("1000", refs[0].settings.at("bandwidth").c_str());
}

TEST(HostConfig, MistakesNameTheKey)
{
    try {
        HostConfig::parse("[daemon]\npoll-interval=5\n", "x.conf");
        FAIL("an unknown key was accepted");
    } catch (const ConfigError &e) {
        STRCMP_CONTAINS("x.conf: [daemon] has no key 'poll-interval'", e.what());
    }
    CHECK_THROWS(ConfigError, HostConfig::parse("[deamon]\n", "x"));
    CHECK_THROWS(ConfigError, HostConfig::parse("[daemon]\npoll-interval-ms=fast\n", "x"));
    CHECK_THROWS(ConfigError, HostConfig::parse("[daemon]\npoll-interval-ms=1\n", "x"));
    CHECK_THROWS(ConfigError, HostConfig::parse("[hook]\non-timeout=maybe\n", "x"));
    CHECK_THROWS(ConfigError, HostConfig::parse("[daemon]\nqemu-monitor=perhaps\n", "x"));
    CHECK_THROWS(ConfigError, HostConfig::parse("no group\n", "x"));
}
