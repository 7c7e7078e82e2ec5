/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench_options.h"

#include "testbed/guest_config.h"

#include <cstdlib>
#include <map>

namespace migkit::bench {

namespace {

const char usage[] = R"(Usage: migkit-bench [OPTIONS]

Benchmark stock QEMU against the migkit-patched QEMU on the verifiable guest: several
scenarios, each migrated with stock plain pre-copy, stock auto-converge and the patched QEMU
(dirty-heat, dirty-heat-defer, predictive auto-converge), runs alternating between the
binaries.  Prints a table and the targets (PASS/MISS), writes every run's raw numbers as
JSON and SVG charts into the output folder.  Not a pass/fail test: the exit status is 0
unless the benchmark itself failed (bad usage 2, a QEMU or guest failure or a failed verify 1).

  --stock PATH          unpatched qemu-system-x86_64 (default /usr/bin/qemu-system-x86_64)
  --patched PATH        migkit-patched qemu-system-x86_64 (default: the build tree's
                        -Dqemu_build= folder)
  --runs N              migrations per scenario and configuration (default 3)
  --quick               one run each (same as --runs 1)
  --bandwidth SIZE      migration bandwidth cap per second, e.g. 32M (default 32M)
  --downtime-limit MS   downtime limit in every configuration (default 300)
  --link RATE           migrate over a link shaped to RATE per second, e.g. 32M: the whole
                        benchmark runs in a private network namespace whose loopback tc
                        limits (needs root and iproute2); default: unshaped loopback
  --link-rtt MS         round-trip time of that link (needs --link and sch_netem)
  --switchover-bandwidth SIZE  tell QEMU what the link carries at switchover
                        (avail-switchover-bandwidth), in every configuration
  --timeout SECONDS     cancel a migration still running after this (default 40)
  --ram SIZE            guest RAM of scenarios a and d (default 128M; 128M to 2G)
  --working-set SIZE    RAM the guest writes in scenarios a and d (default 64M)
  --hotspot-ram SIZE    guest RAM of scenario b (default 256M)
  --hotspot-working-set SIZE  RAM the guest writes in scenario b (default 192M)
  --large-ram SIZE      guest RAM of scenario c, all of it written once (default 384M)
  --scenario NAME       run only this scenario (repeatable): a|uniform, b|hotspot,
                        c|idle, d|sequential
  --patched-plain       also run the patched QEMU with plain pre-copy
  --output DIR          folder for results.json and the charts (default bench-results)
  --replot DIR          migrate nothing: read DIR/results.json, print the table and write
                        results.txt and the charts in DIR again
  -h, --help            this text
)";

unsigned long long wholeNumber(const std::string &option, const std::string &text,
                               unsigned long long minimum)
{
    char *end = nullptr;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || *end != '\0' || value < minimum) {
        throw UsageError("--" + option + " '" + text + "' is not a whole number of at least " +
                         std::to_string(minimum));
    }
    return value;
}

uint64_t ramMiB(const std::string &option, const std::string &text)
{
    uint64_t bytes = 0;
    try {
        bytes = testbed::parseSize(text);
    } catch (const std::invalid_argument &e) {
        throw UsageError("--" + option + ": " + e.what());
    }
    if (bytes < (128ULL << 20) || bytes > (2048ULL << 20)) {
        throw UsageError("--" + option + " must be from 128M to 2G (the guest's range), got " +
                         text);
    }
    return bytes >> 20;
}

uint64_t workingSet(const std::string &option, const std::string &text)
{
    uint64_t bytes = 0;
    try {
        bytes = testbed::parseSize(text);
    } catch (const std::invalid_argument &e) {
        throw UsageError("--" + option + ": " + e.what());
    }
    if (bytes < (1ULL << 20)) {
        throw UsageError("--" + option + " must be at least 1M, got " + text);
    }
    return bytes;
}

/* The guest keeps its code and page table below the working set. */
void requireFit(const std::string &wsOption, uint64_t workingSetBytes, const std::string &ramOption,
                uint64_t ramMiB)
{
    if (workingSetBytes + (16ULL << 20) > (ramMiB << 20)) {
        throw UsageError("--" + wsOption + " " + testbed::formatSize(workingSetBytes) +
                         " does not fit in --" + ramOption + " " + std::to_string(ramMiB) +
                         "M: leave at least 16M for the guest itself");
    }
}

} // namespace

const char *benchUsage()
{
    return usage;
}

BenchOptions parseBenchOptions(const std::vector<std::string> &args, BenchOptions options)
{
    const std::map<std::string, bool> takesValue = {{"stock", true},
                                                    {"patched", true},
                                                    {"runs", true},
                                                    {"quick", false},
                                                    {"bandwidth", true},
                                                    {"downtime-limit", true},
                                                    {"link", true},
                                                    {"link-rtt", true},
                                                    {"switchover-bandwidth", true},
                                                    {"timeout", true},
                                                    {"ram", true},
                                                    {"large-ram", true},
                                                    {"scenario", true},
                                                    {"patched-plain", false},
                                                    {"output", true},
                                                    {"working-set", true},
                                                    {"hotspot-ram", true},
                                                    {"hotspot-working-set", true},
                                                    {"replot", true},
                                                    {"help", false}};
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "-h") {
            arg = "--help";
        }
        if (arg.rfind("--", 0) != 0) {
            throw UsageError("unexpected argument '" + arg +
                             "' (options start with --; see --help)");
        }
        std::string name = arg.substr(2);
        std::string value;
        bool inlineValue = false;
        if (const size_t eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inlineValue = true;
        }
        const auto known = takesValue.find(name);
        if (known == takesValue.end()) {
            throw UsageError("unknown option --" + name + " (see --help)");
        }
        if (known->second && !inlineValue) {
            if (i + 1 >= args.size()) {
                throw UsageError("--" + name + " needs a value (see --help)");
            }
            value = args[++i];
        } else if (!known->second && inlineValue) {
            throw UsageError("--" + name + " takes no value");
        }

        if (name == "help") {
            options.help = true;
        } else if (name == "stock") {
            options.stockBinary = value;
        } else if (name == "patched") {
            options.patchedBinary = value;
        } else if (name == "runs") {
            options.runs = static_cast<unsigned>(wholeNumber(name, value, 1));
        } else if (name == "quick") {
            options.runs = 1;
        } else if (name == "bandwidth") {
            try {
                options.bandwidthBytesPerSecond = testbed::parseSize(value);
            } catch (const std::invalid_argument &e) {
                throw UsageError("--bandwidth: " + std::string(e.what()));
            }
            if (options.bandwidthBytesPerSecond < (1ULL << 20)) {
                throw UsageError("--bandwidth must be at least 1M (per second), got " + value);
            }
        } else if (name == "link" || name == "switchover-bandwidth") {
            uint64_t rate = 0;
            try {
                rate = testbed::parseSize(value);
            } catch (const std::invalid_argument &e) {
                throw UsageError("--" + name + ": " + std::string(e.what()));
            }
            if (rate < (1ULL << 20)) {
                throw UsageError("--" + name + " must be at least 1M (per second), got " + value);
            }
            (name == "link" ? options.linkBytesPerSecond
                            : options.switchoverBandwidthBytesPerSecond) = rate;
        } else if (name == "link-rtt") {
            options.linkRttMs = wholeNumber(name, value, 0);
        } else if (name == "downtime-limit") {
            options.downtimeLimitMs = wholeNumber(name, value, 1);
        } else if (name == "timeout") {
            options.timeout = std::chrono::seconds(wholeNumber(name, value, 5));
        } else if (name == "ram") {
            options.ramMiB = ramMiB(name, value);
        } else if (name == "working-set") {
            options.workingSetBytes = workingSet(name, value);
        } else if (name == "hotspot-working-set") {
            options.hotspotWorkingSetBytes = workingSet(name, value);
        } else if (name == "hotspot-ram") {
            options.hotspotRamMiB = ramMiB(name, value);
        } else if (name == "large-ram") {
            options.largeRamMiB = ramMiB(name, value);
        } else if (name == "scenario") {
            options.scenarios.push_back(value);
        } else if (name == "patched-plain") {
            options.patchedPlain = true;
        } else if (name == "replot") {
            if (value.empty()) {
                throw UsageError("--replot needs the folder of an earlier run");
            }
            options.replotDir = value;
        } else if (name == "output") {
            if (value.empty()) {
                throw UsageError("--output needs a folder name");
            }
            options.outputDir = value;
        }
    }
    if (options.linkRttMs && !options.linkBytesPerSecond) {
        throw UsageError("--link-rtt needs --link RATE (the link it delays)");
    }
    requireFit("working-set", options.workingSetBytes, "ram", options.ramMiB);
    requireFit("hotspot-working-set", options.hotspotWorkingSetBytes, "hotspot-ram",
               options.hotspotRamMiB);
    return options;
}

} // namespace migkit::bench
