/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scenario.h"

namespace migkit::bench {

namespace {

constexpr uint64_t kPageSize = 4096;

} // namespace

std::vector<Scenario> standardScenarios(const BenchOptions &options)
{
    /* Pages per second that the cap carries: the scenarios' rates are multiples of it. */
    const uint64_t capPages = options.bandwidthBytesPerSecond / kPageSize;
    std::vector<Scenario> scenarios;

    Scenario uniform;
    uniform.key = "a";
    uniform.name = "uniform";
    uniform.description = "uniform random writes over the working set at 3x the cap";
    uniform.guest.pattern = testbed::WritePattern::Uniform;
    uniform.guest.ratePagesPerSecond = 3 * capPages;
    uniform.ramMiB = options.ramMiB;
    uniform.guest.workingSetBytes = options.workingSetBytes;
    scenarios.push_back(uniform);

    Scenario hotspot;
    hotspot.key = "b";
    hotspot.name = "hotspot";
    hotspot.description = "10% of the pages take 95% of the writes, 3x the cap in all";
    hotspot.guest.pattern = testbed::WritePattern::Hotspot;
    hotspot.guest.hotPercent = 10;
    hotspot.guest.hotSharePercent = 95;
    hotspot.guest.ratePagesPerSecond = 3 * capPages;
    hotspot.ramMiB = options.hotspotRamMiB;
    hotspot.guest.workingSetBytes = options.hotspotWorkingSetBytes;
    scenarios.push_back(hotspot);

    Scenario idle;
    idle.key = "c";
    idle.name = "idle";
    idle.description = "large RAM, all of it filled, writes to 1% of it at 1/3 of the cap";
    idle.guest.pattern = testbed::WritePattern::Hotspot;
    idle.guest.hotPercent = 1;
    idle.guest.hotSharePercent = 100;
    idle.guest.ratePagesPerSecond = capPages / 3;
    idle.ramMiB = options.largeRamMiB;
    scenarios.push_back(idle);

    Scenario sequential;
    sequential.key = "d";
    sequential.name = "sequential";
    sequential.description = "sequential sweep over the working set at 2x the cap";
    sequential.guest.pattern = testbed::WritePattern::Sequential;
    sequential.guest.ratePagesPerSecond = 2 * capPages;
    sequential.ramMiB = options.ramMiB;
    sequential.guest.workingSetBytes = options.workingSetBytes;
    scenarios.push_back(sequential);

    for (auto &scenario : scenarios) {
        scenario.guest.fill = testbed::FillMode::Stamp;
        scenario.guest.seed = 1;
    }
    return scenarios;
}

std::vector<Scenario> selectScenarios(const BenchOptions &options)
{
    const std::vector<Scenario> all = standardScenarios(options);
    if (options.scenarios.empty()) {
        return all;
    }
    for (const auto &wanted : options.scenarios) {
        bool known = false;
        for (const auto &scenario : all) {
            known = known || wanted == scenario.key || wanted == scenario.name;
        }
        if (!known) {
            throw UsageError("--scenario '" + wanted +
                             "' is not one of a|uniform, b|hotspot, c|idle, d|sequential");
        }
    }
    std::vector<Scenario> chosen;
    for (const auto &scenario : all) {
        for (const auto &wanted : options.scenarios) {
            if (wanted == scenario.key || wanted == scenario.name) {
                chosen.push_back(scenario);
                break;
            }
        }
    }
    return chosen;
}

std::vector<Configuration> configurations(bool patchedPlain)
{
    std::vector<Configuration> list = {
        {kStockPlain, "stock pre-copy", QemuKind::Stock, "off", false},
        {kPatchedHeat, "patched heat+defer+predictive", QemuKind::Patched, "predictive", true},
        {kStockAutoConverge, "stock auto-converge", QemuKind::Stock, "classic", false},
    };
    if (patchedPlain) {
        list.push_back({kPatchedPlain, "patched pre-copy", QemuKind::Patched, "off", false});
    }
    return list;
}

} // namespace migkit::bench
