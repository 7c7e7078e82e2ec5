/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace migkit::bench {

/** UsageError: a bad command line; the message names the option and what it accepts. */
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** BenchOptions: what migkit-bench runs, from its command line. */
struct BenchOptions {
    /** stockBinary: the unpatched qemu-system-x86_64 (backports binary or a --stock build). */
    std::string stockBinary = "/usr/bin/qemu-system-x86_64";
    /** patchedBinary: the migkit-patched qemu-system-x86_64. */
    std::string patchedBinary;
    /** runs: migrations per scenario and configuration. */
    unsigned runs = 3;
    /** bandwidthBytesPerSecond: the migration stream's cap (max-bandwidth). */
    uint64_t bandwidthBytesPerSecond = 32ULL << 20;
    /** linkBytesPerSecond: when non-zero, the migration crosses a link shaped to this rate
     *  (a private network namespace whose loopback is limited with tc); 0: plain loopback. */
    uint64_t linkBytesPerSecond = 0;
    /** linkRttMs: round-trip time added to the shaped link (netem delay, half each way). */
    uint64_t linkRttMs = 0;
    /** switchoverBandwidthBytesPerSecond: avail-switchover-bandwidth in every configuration
     *  (what the operator knows the link carries at switchover); 0: left to QEMU. */
    uint64_t switchoverBandwidthBytesPerSecond = 0;
    /** downtimeLimitMs: downtime-limit, the same in every configuration. */
    uint64_t downtimeLimitMs = 300;
    /** timeout: a migration still running after this is cancelled (not converged). */
    std::chrono::seconds timeout{40};
    /** ramMiB: guest RAM of the scenarios (a), (b) and (d). */
    uint64_t ramMiB = 128;
    /** workingSetBytes: RAM the guest writes in scenarios (a), (b) and (d). */
    uint64_t workingSetBytes = 64ULL << 20;
    /** hotspotRamMiB: guest RAM of scenario (b). */
    uint64_t hotspotRamMiB = 256;
    /** hotspotWorkingSetBytes: RAM the guest writes in scenario (b); its hot tenth must be
     *  larger than what the downtime limit lets the switchover send at the cap. */
    uint64_t hotspotWorkingSetBytes = 192ULL << 20;
    /** largeRamMiB: guest RAM of scenario (c), the large and mostly idle guest. */
    uint64_t largeRamMiB = 384;
    /** scenarios: keys or names of the scenarios to run; empty: all. */
    std::vector<std::string> scenarios;
    /** patchedPlain: also run the patched QEMU with plain pre-copy. */
    bool patchedPlain = false;
    /** outputDir: where the JSON file and the SVG charts go. */
    std::string outputDir = "bench-results";
    /** replotDir: do not migrate; read DIR/results.json and write the table and the charts
     *  again (after a change to them, or to look at an old run). */
    std::string replotDir;
    /** help: print the usage and exit. */
    bool help = false;
};

/** benchUsage: the --help text. */
const char *benchUsage();

/**
 * parseBenchOptions: @args (without the program name) over @defaults.  Throws UsageError
 * naming the option, the bad value and the accepted forms.
 */
BenchOptions parseBenchOptions(const std::vector<std::string> &args, BenchOptions defaults);

} // namespace migkit::bench
