/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "run_result.h"
#include "scenario.h"

#include <chrono>
#include <string>

namespace migkit::bench {

/** RunSpec: everything one benchmark migration needs. */
struct RunSpec {
    Scenario scenario;
    Configuration configuration;
    /** run: 1-based run number within its cell. */
    unsigned run = 1;
    /** binary: qemu-system-x86_64 for both ends. */
    std::string binary;
    /** guestImage: the verifiable guest's ELF. */
    std::string guestImage;
    /** planPolicy: path of migkit-policy-bench-plan.so. */
    std::string planPolicy;
    uint64_t bandwidthBytesPerSecond = 0;
    /** switchoverBandwidthBytesPerSecond: avail-switchover-bandwidth; 0: not set. */
    uint64_t switchoverBandwidthBytesPerSecond = 0;
    uint64_t downtimeLimitMs = 300;
    std::chrono::seconds timeout{40};
    /** preRateWindow: how long the guest's write rate is measured before migrating. */
    std::chrono::milliseconds preRateWindow{2000};
};

/**
 * runBenchMigration: start a source and a destination QEMU with the scenario's guest, measure
 * the guest's write rate, migrate under the configuration's plan (cancelled at the timeout),
 * then read the guest's progress and run its verify pass where the VM runs now.  Problems of
 * the benchmark itself (QEMU does not start, the guest does not answer, verify finds bad
 * pages, the VM runs nowhere) are in RunResult::benchError, not thrown.
 */
RunResult runBenchMigration(const RunSpec &spec);

} // namespace migkit::bench
