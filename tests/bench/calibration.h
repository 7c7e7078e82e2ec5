/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <string>

namespace migkit::bench {

/** Calibration: how fast the guest dirties memory when nothing holds it back. */
struct Calibration {
    /** binary: the QEMU it ran in. */
    std::string binary;
    /** ramMiB: the VM's RAM. */
    uint64_t ramMiB = 0;
    /** pagesPerSecond: page writes per host second, uniform over all RAM, no rate limit. */
    double pagesPerSecond = 0;
    /** bytesPerSecond: pagesPerSecond x 4 KiB: the dirty rate an unthrottled guest offers. */
    double bytesPerSecond = 0;
};

/**
 * measureUnthrottledRate: boot the guest in @binary with @ramMiB of RAM, uniform writes and no
 * rate limit, and measure its write rate over two seconds under TCG.  Throws TestbedError.
 */
Calibration measureUnthrottledRate(const std::string &binary, const std::string &guestImage,
                                   uint64_t ramMiB);

} // namespace migkit::bench
