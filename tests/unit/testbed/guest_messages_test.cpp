/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_messages.h"

#include <stdexcept>
#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using namespace migkit::testbed;

namespace {

std::string parseError(const std::string &line)
{
    try {
        parseGuestLine(line);
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

TEST_GROUP(GuestLines){};

/* Lines exactly as the guest prints them (copied from a run on QEMU 10.0.2). */
TEST(GuestLines, Ready)
{
    GuestMessage message = parseGuestLine(
        "ready version=1 ws=33554432 pages=8192 base=0x00111000 ram=268304384 "
        "pattern=hotspot hot=10% hotshare=90% rate=20000 seed=1 fill=stamp tsc_khz=2597795 "
        "boot_us=139913");
    const GuestReady *ready = std::get_if<GuestReady>(&message);
    CHECK(ready != nullptr);
    CHECK_EQUAL(32ull << 20, ready->config.workingSetBytes);
    CHECK(ready->config.pattern == WritePattern::Hotspot);
    CHECK_EQUAL(10u, ready->config.hotPercent);
    CHECK_EQUAL(90u, ready->config.hotSharePercent);
    CHECK_EQUAL(20000u, ready->config.ratePagesPerSecond);
    CHECK(ready->config.fill == FillMode::Stamp);
    CHECK_EQUAL(8192u, ready->pages);
    CHECK_EQUAL(0x111000u, ready->baseAddress);
    CHECK_EQUAL(268304384u, ready->ramBytes);
    CHECK_EQUAL(2597795u, ready->tscKhz);
    CHECK_EQUAL(139913u, ready->bootUs);
}

TEST(GuestLines, Progress)
{
    GuestMessage message = parseGuestLine("progress seq=12 writes=1740544 t_us=1546800 paused=1");
    const GuestProgress *progress = std::get_if<GuestProgress>(&message);
    CHECK(progress != nullptr);
    CHECK_EQUAL(12u, progress->sequence);
    CHECK_EQUAL(1740544u, progress->pagesWritten);
    CHECK_EQUAL(1546800u, progress->guestTimeUs);
    CHECK_TRUE(progress->paused);
}

TEST(GuestLines, VerifyOk)
{
    const std::string line = "verify ok pages=8192 writes=24677 t_us=1322413";
    GuestMessage message = parseGuestLine(line);
    const VerifyResult *result = std::get_if<VerifyResult>(&message);
    CHECK(result != nullptr);
    CHECK_TRUE(result->ok);
    CHECK_EQUAL(8192u, result->pages);
    CHECK_EQUAL(24677u, result->pagesWritten);
    CHECK_EQUAL(0u, result->bad);
    STRCMP_EQUAL(line.c_str(), result->line.c_str());
}

TEST(GuestLines, VerifyBad)
{
    GuestMessage message = parseGuestLine("verify bad=2 first=77 lost=1 corrupt=1 ahead=0 "
                                          "table=bad pages=2048 writes=5 t_us=99");
    const VerifyResult *result = std::get_if<VerifyResult>(&message);
    CHECK(result != nullptr);
    CHECK_FALSE(result->ok);
    CHECK_EQUAL(2u, result->bad);
    CHECK_EQUAL(77u, result->firstBad);
    CHECK_EQUAL(1u, result->lost);
    CHECK_EQUAL(1u, result->corrupt);
    CHECK_EQUAL(0u, result->ahead);
    CHECK_FALSE(result->tableOk);
    CHECK_EQUAL(2048u, result->pages);
}

TEST(GuestLines, AcknowledgementsErrorsAndOtherLines)
{
    GuestMessage paused = parseGuestLine("paused writes=30712");
    CHECK_TRUE(std::get<GuestAck>(paused).paused);
    CHECK_EQUAL(30712u, std::get<GuestAck>(paused).pagesWritten);
    CHECK_FALSE(std::get<GuestAck>(parseGuestLine("resumed writes=1")).paused);

    GuestMessage error = parseGuestLine("error config: bad word 'pattern=foo'; expected x");
    STRCMP_EQUAL("config: bad word 'pattern=foo'; expected x",
                 std::get<GuestErrorLine>(error).message.c_str());

    GuestMessage banner = parseGuestLine("migkit-guest boot");
    STRCMP_EQUAL("migkit-guest boot", std::get<OtherLine>(banner).text.c_str());
    CHECK(std::holds_alternative<OtherLine>(parseGuestLine("")));
}

TEST(GuestLines, MalformedKnownLinesNameTheField)
{
    std::string missing = parseError("progress seq=1 writes=5 paused=0");
    CHECK(contains(missing, "'t_us' is missing"));
    CHECK(contains(missing, "progress seq=1 writes=5 paused=0"));
    CHECK(contains(parseError("progress seq=1 writes=5x t_us=3 paused=0"),
                   "'writes' is not a number"));
    CHECK(contains(parseError("progress seq=1 writes=5 t_us=3 paused=maybe"), "'paused'"));
    CHECK(contains(parseError("verify bad=1 first=2 pages=3 writes=4"), "'lost' is missing"));
    CHECK(contains(parseError("paused"), "'writes' is missing"));
    /* A truncated ready line (the guest drops output when nobody reads it). */
    CHECK(contains(parseError("ready version=1 ws=33554432 pages=8192 base=0x00"),
                   "'pattern' is missing"));
}
