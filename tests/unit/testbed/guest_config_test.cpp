/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_config.h"

#include <stdexcept>
#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::testbed::FillMode;
using migkit::testbed::formatSize;
using migkit::testbed::GuestConfig;
using migkit::testbed::parseSize;
using migkit::testbed::WritePattern;

namespace {

/* The message of the invalid_argument that parsing @line throws; fails if it parses. */
std::string parseError(const std::string &line)
{
    try {
        GuestConfig::parse(line);
    } catch (const std::invalid_argument &error) {
        return error.what();
    }
    FAIL(("parsed but should not have: " + line).c_str());
    return {};
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_GROUP(GuestConfig){};

TEST(GuestConfig, DefaultsFormatForTheGuest)
{
    STRCMP_EQUAL("ws=all pattern=uniform hot=10% hotshare=90% rate=0 seed=1 fill=stamp",
                 GuestConfig().toCommandLine().c_str());
}

TEST(GuestConfig, EveryFieldRoundTrips)
{
    GuestConfig config;
    config.workingSetBytes = 256ull << 20;
    config.pattern = WritePattern::Hotspot;
    config.hotPercent = 5;
    config.hotSharePercent = 95;
    config.ratePagesPerSecond = 40000;
    config.seed = 0xdeadbeef;
    config.fill = FillMode::Full;
    std::string line = config.toCommandLine();
    STRCMP_EQUAL("ws=256M pattern=hotspot hot=5% hotshare=95% rate=40000 seed=3735928559 "
                 "fill=full",
                 line.c_str());
    CHECK(GuestConfig::parse(line) == config);
}

TEST(GuestConfig, SkipsTheKernelPathAndKeepsDefaults)
{
    /* QEMU's multiboot loader puts the kernel's path before the -append text. */
    GuestConfig config = GuestConfig::parse("/usr/share/migkit/guest.elf  ws=1G  seed=0x10");
    CHECK_EQUAL(1ull << 30, config.workingSetBytes);
    CHECK_EQUAL(16u, config.seed);
    CHECK(config.pattern == WritePattern::Uniform);
    CHECK_EQUAL(10u, config.hotPercent);
}

TEST(GuestConfig, PercentSignIsOptionalAndRateMayBeUnthrottled)
{
    GuestConfig config = GuestConfig::parse("hot=20 hotshare=80% rate=unthrottled ws=all");
    CHECK_EQUAL(20u, config.hotPercent);
    CHECK_EQUAL(80u, config.hotSharePercent);
    CHECK_EQUAL(0u, config.ratePagesPerSecond);
    CHECK_EQUAL(0u, config.workingSetBytes);
}

TEST(GuestConfig, BadValuesNameTheKeyAndTheAcceptedForms)
{
    CHECK(contains(parseError("pattern=random"), "pattern=random"));
    CHECK(contains(parseError("pattern=random"), "uniform, hotspot, sequential or idle"));
    CHECK(contains(parseError("hot=0%"), "hot=1%..100%"));
    CHECK(contains(parseError("hotshare=101"), "hotshare=0%..100%"));
    CHECK(contains(parseError("ws=12X"), "'12X'"));
    CHECK(contains(parseError("ws=6000"), "multiple of 4K"));
    CHECK(contains(parseError("ws=0"), "non-zero"));
    CHECK(contains(parseError("ws=5G"), "at most 4G"));
    CHECK(contains(parseError("rate=-5"), "rate=-5"));
    CHECK(contains(parseError("seed=4294967296"), "32-bit"));
    CHECK(contains(parseError("fill=half"), "stamp or full"));
    CHECK(contains(parseError("speed=3"), "unknown key 'speed'"));
}

TEST(GuestConfig, SizesUseTheLargestExactUnit)
{
    STRCMP_EQUAL("2G", formatSize(2ull << 30).c_str());
    STRCMP_EQUAL("1536M", formatSize(1536ull << 20).c_str());
    STRCMP_EQUAL("12K", formatSize(12288).c_str());
    STRCMP_EQUAL("1000", formatSize(1000).c_str());
    STRCMP_EQUAL("0", formatSize(0).c_str());
    CHECK_EQUAL(256ull << 20, parseSize("256m"));
    CHECK_EQUAL(4096u, parseSize("4096"));
    CHECK_EQUAL(4096u, parseSize("0x1000"));
    CHECK_THROWS(std::invalid_argument, parseSize("M"));
    CHECK_THROWS(std::invalid_argument, parseSize(""));
    CHECK_THROWS(std::invalid_argument, parseSize("99999999999999999999G"));
}
