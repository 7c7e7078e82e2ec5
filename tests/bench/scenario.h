/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bench_options.h"

#include "testbed/guest_config.h"

#include <string>
#include <vector>

namespace migkit::bench {

/** Scenario: one guest workload the benchmark migrates. */
struct Scenario {
    /** key: "a", "b", ... as the task names them. */
    std::string key;
    /** name: "uniform", "hotspot", "idle", "sequential". */
    std::string name;
    /** description: one line for the table and the docs. */
    std::string description;
    /** guest: what the verifiable guest does. */
    testbed::GuestConfig guest;
    /** ramMiB: the VM's RAM. */
    uint64_t ramMiB = 128;
};

/**
 * standardScenarios: (a) uniform writes at 3x the cap, (b) a hot spot (10 % of a larger working
 * set, more than the downtime limit lets the switchover send, take
 * 95 % of writes at 3x the cap), (c) a large guest that writes 1 % of its pages at a third of
 * the cap, (d) a sequential sweep at 2x the cap.  Write rates are in pages per second relative
 * to @options' bandwidth cap, so that the scenarios keep their meaning at any cap.
 */
std::vector<Scenario> standardScenarios(const BenchOptions &options);

/**
 * selectScenarios: the scenarios @options names (by key or name), in the standard order;
 * all when it names none.  Throws UsageError for an unknown name.
 */
std::vector<Scenario> selectScenarios(const BenchOptions &options);

/** QemuKind: which binary a configuration runs. */
enum class QemuKind { Stock, Patched };

/** Configuration: one way of migrating that the benchmark compares. */
struct Configuration {
    /** name: "stock-plain", "stock-auto-converge", "patched-heat", "patched-plain". */
    std::string name;
    /** label: short text for tables and chart legends. */
    std::string label;
    /** qemu: stock or patched binary. */
    QemuKind qemu = QemuKind::Stock;
    /** autoConverge: the bench-plan policy's auto-converge setting: off|classic|predictive. */
    std::string autoConverge = "off";
    /** dirtyHeat: dirty-heat tracking and dirty-heat-defer (patched only). */
    bool dirtyHeat = false;
};

/** kStockPlain, kStockAutoConverge, kPatchedHeat, kPatchedPlain: configuration names. */
inline constexpr const char *kStockPlain = "stock-plain";
inline constexpr const char *kStockAutoConverge = "stock-auto-converge";
inline constexpr const char *kPatchedHeat = "patched-heat";
inline constexpr const char *kPatchedPlain = "patched-plain";

/**
 * configurations: in run order, alternating binaries: stock plain, patched heat, stock
 * auto-converge, and (with @patchedPlain) patched plain.
 */
std::vector<Configuration> configurations(bool patchedPlain);

} // namespace migkit::bench
