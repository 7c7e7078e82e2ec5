/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <string>

namespace migkit::bench {

/**
 * enterShapedLink: move this process (and every QEMU it starts later) into a private network
 * namespace whose loopback carries at most @bytesPerSecond with @rttMs of round-trip time
 * (tc tbf on lo, with netem under it for the delay, half of it each way).  The migration stream
 * runs over TCP on that loopback, so the switchover meets the same link as pre-copy, as between two
 * hosts; QMP and the guest consoles use Unix sockets and are not shaped.  Call it before any thread
 * starts. Returns the qdisc as tc shows it; throws std::runtime_error naming what failed and what
 * to do.
 */
std::string enterShapedLink(uint64_t bytesPerSecond, uint64_t rttMs);

} // namespace migkit::bench
