/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest reads its command line with its own C parser (tests/guest/config.c, compiled here
 * for the host); the test bed writes and reads it with GuestConfig.  Both must agree on what
 * a line means and on which lines are wrong. */
extern "C" {
#include "config.h"
}
#include "testbed/guest_config.h"

#include <stdexcept>
#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::testbed::FillMode;
using migkit::testbed::GuestConfig;
using migkit::testbed::WritePattern;

namespace {

/* What the guest makes of @line, as a GuestConfig; nothing if it refuses the line. */
std::optional<GuestConfig> guestReads(const std::string &line)
{
    guest_config parsed{};
    config_error error{};
    if (config_parse(line.c_str(), &parsed, &error) != 0)
        return std::nullopt;
    GuestConfig config;
    config.workingSetBytes = parsed.working_set_bytes;
    config.pattern = static_cast<WritePattern>(parsed.pattern);
    config.hotPercent = parsed.hot_percent;
    config.hotSharePercent = parsed.hot_share_percent;
    config.ratePagesPerSecond = parsed.rate;
    config.seed = parsed.seed;
    config.fill = parsed.fill == FILL_FULL ? FillMode::Full : FillMode::Stamp;
    return config;
}

std::optional<GuestConfig> hostReads(const std::string &line)
{
    try {
        return GuestConfig::parse(line);
    } catch (const std::invalid_argument &) {
        return std::nullopt;
    }
}

void checkAgree(const std::string &line)
{
    std::optional<GuestConfig> guest = guestReads(line), host = hostReads(line);
    CHECK_TEXT(guest.has_value() == host.has_value(),
               ("guest and host disagree whether this is valid: " + line).c_str());
    if (guest && host)
        CHECK_TEXT(*guest == *host, ("guest and host read differently: " + line).c_str());
}

} // namespace

TEST_GROUP(GuestParserParity){};

TEST(GuestParserParity, EnumOrderMatches)
{
    CHECK_EQUAL(static_cast<int>(WritePattern::Uniform), PATTERN_UNIFORM);
    CHECK_EQUAL(static_cast<int>(WritePattern::Hotspot), PATTERN_HOTSPOT);
    CHECK_EQUAL(static_cast<int>(WritePattern::Sequential), PATTERN_SEQUENTIAL);
    CHECK_EQUAL(static_cast<int>(WritePattern::Idle), PATTERN_IDLE);
}

TEST(GuestParserParity, WhatTheTestBedWritesTheGuestReadsBack)
{
    GuestConfig config;
    config.workingSetBytes = 768ull << 20;
    config.pattern = WritePattern::Sequential;
    config.hotPercent = 3;
    config.hotSharePercent = 0;
    config.ratePagesPerSecond = 123456;
    config.seed = 0xffffffff;
    config.fill = FillMode::Full;
    std::optional<GuestConfig> guest = guestReads("/boot/guest.elf " + config.toCommandLine());
    CHECK_TRUE(guest.has_value());
    CHECK(*guest == config);
    CHECK(*guestReads(GuestConfig().toCommandLine()) == GuestConfig());
}

TEST(GuestParserParity, ValidLines)
{
    checkAgree("");
    checkAgree("/path/to/guest.elf");
    checkAgree("ws=256M pattern=hotspot hot=10% hotshare=90% rate=0 seed=1 fill=stamp");
    checkAgree("ws=2G pattern=idle");
    checkAgree("ws=4096 rate=unthrottled seed=0x1F");
    checkAgree("ws=all hot=100 hotshare=0% fill=full pattern=sequential");
    checkAgree("  ws=1g   rate=4294967295  ");
}

TEST(GuestParserParity, InvalidLines)
{
    checkAgree("pattern=random");
    checkAgree("hot=0");
    checkAgree("hot=101%");
    checkAgree("hotshare=-1");
    checkAgree("ws=");
    checkAgree("ws=0");
    checkAgree("ws=5G");
    checkAgree("ws=12X");
    checkAgree("rate=4294967296");
    checkAgree("seed=0x");
    checkAgree("fill=half");
    checkAgree("colour=blue");
}
