/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/write_rate.h"

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using namespace migkit::testbed;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

const auto kStart = std::chrono::steady_clock::time_point() + std::chrono::hours(1);

ProgressSample sample(uint64_t writes, uint64_t guestUs, milliseconds hostOffset)
{
    GuestProgress progress;
    progress.pagesWritten = writes;
    progress.guestTimeUs = guestUs;
    return ProgressSample{progress, kStart + hostOffset};
}

} // namespace

TEST_GROUP(WriteRate){};

TEST(WriteRate, NeedsTwoSamples)
{
    std::deque<ProgressSample> samples;
    CHECK_FALSE(computeWriteRate(samples, microseconds(1000000)).has_value());
    samples.push_back(sample(100, 1000, milliseconds(0)));
    CHECK_FALSE(computeWriteRate(samples, microseconds(1000000)).has_value());
}

TEST(WriteRate, SteadyRateOverTheWholeWindow)
{
    std::deque<ProgressSample> samples;
    for (uint64_t i = 0; i <= 10; i++)
        samples.push_back(sample(i * 1000, i * 100000, milliseconds(i * 100)));
    std::optional<WriteRate> rate = computeWriteRate(samples, microseconds(1000000));
    CHECK_TRUE(rate.has_value());
    CHECK_EQUAL(10000u, rate->pages);
    DOUBLES_EQUAL(1.0, rate->guestSeconds, 1e-9);
    DOUBLES_EQUAL(10000.0, rate->pagesPerGuestSecond, 1e-6);
    DOUBLES_EQUAL(10000.0, rate->pagesPerHostSecond, 1e-6);
}

TEST(WriteRate, WindowKeepsOnlyRecentSamples)
{
    std::deque<ProgressSample> samples;
    /* Slow first second, fast second one: a half-second window sees only the fast part. */
    samples.push_back(sample(0, 0, milliseconds(0)));
    samples.push_back(sample(100, 1000000, milliseconds(1000)));
    samples.push_back(sample(5100, 1500000, milliseconds(1500)));
    samples.push_back(sample(10100, 2000000, milliseconds(2000)));
    std::optional<WriteRate> rate = computeWriteRate(samples, microseconds(500000));
    CHECK_TRUE(rate.has_value());
    CHECK_EQUAL(5000u, rate->pages);
    DOUBLES_EQUAL(10000.0, rate->pagesPerGuestSecond, 1e-6);
}

TEST(WriteRate, AStunShowsAsHostTimeWithoutGuestTime)
{
    std::deque<ProgressSample> samples;
    samples.push_back(sample(0, 0, milliseconds(0)));
    /* The VM was stopped for 400 ms: the guest's clock stood still meanwhile. */
    samples.push_back(sample(1000, 100000, milliseconds(500)));
    std::optional<WriteRate> rate = computeWriteRate(samples, microseconds(1000000));
    CHECK_TRUE(rate.has_value());
    DOUBLES_EQUAL(0.1, rate->guestSeconds, 1e-9);
    DOUBLES_EQUAL(0.5, rate->hostSeconds, 1e-9);
    DOUBLES_EQUAL(10000.0, rate->pagesPerGuestSecond, 1e-6);
    DOUBLES_EQUAL(2000.0, rate->pagesPerHostSecond, 1e-6);
}

TEST(WriteRate, ANewGuestRestartsTheWindow)
{
    std::deque<ProgressSample> samples;
    samples.push_back(sample(50000, 5000000, milliseconds(0)));
    samples.push_back(sample(10, 100000, milliseconds(100)));
    samples.push_back(sample(1010, 200000, milliseconds(200)));
    std::optional<WriteRate> rate = computeWriteRate(samples, microseconds(10000000));
    CHECK_TRUE(rate.has_value());
    CHECK_EQUAL(1000u, rate->pages);
    DOUBLES_EQUAL(0.1, rate->guestSeconds, 1e-9);
}

TEST(WriteRate, NoRateWhenTheGuestClockDidNotMove)
{
    std::deque<ProgressSample> samples;
    samples.push_back(sample(10, 100000, milliseconds(0)));
    samples.push_back(sample(10, 100000, milliseconds(100)));
    CHECK_FALSE(computeWriteRate(samples, microseconds(1000000)).has_value());
}
