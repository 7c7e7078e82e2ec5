/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "testbed/guest_messages.h"

#include <chrono>
#include <deque>
#include <optional>

namespace migkit::testbed {

/** ProgressSample: a progress line and when the host received it. */
struct ProgressSample {
    /** progress: what the guest said. */
    GuestProgress progress;
    /** hostTime: when the host read the line. */
    std::chrono::steady_clock::time_point hostTime;
};

/** WriteRate: the guest's write rate over a window of samples. */
struct WriteRate {
    /** pagesPerGuestSecond: pages written per second of guest time. */
    double pagesPerGuestSecond = 0;
    /** pagesPerHostSecond: pages written per second of host time. */
    double pagesPerHostSecond = 0;
    /** guestSeconds: guest time the window spans. */
    double guestSeconds = 0;
    /** hostSeconds: host time the window spans; more than guestSeconds when the VM was
     *  stopped (the stun) since the guest clock stands still then. */
    double hostSeconds = 0;
    /** pages: pages written in the window. */
    uint64_t pages = 0;
};

/**
 * computeWriteRate: the rate between the newest sample and the oldest sample no older than
 * @window of guest time before it.  Nothing when fewer than two samples fall in the window or
 * the guest clock did not advance.  A reboot or a new guest (counter or clock going back)
 * restarts the window at that sample.
 */
std::optional<WriteRate> computeWriteRate(const std::deque<ProgressSample> &samples,
                                          std::chrono::microseconds window);

} // namespace migkit::testbed
