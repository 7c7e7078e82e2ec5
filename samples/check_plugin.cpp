/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * check-plugin: prove that a plugin file is a working migkit plugin, the way a host uses it:
 * validate and load it through a PolicyChain with the given settings, plan a migration, feed
 * it a few progress samples (with extras) and a completion, and print its actions and log.
 *
 *   check-plugin NAME|PATH [KEY=VALUE]...
 *
 * Exit status 0 when every step worked, 1 with the loader's error otherwise.
 */
#include "plugin/plugin_error.h"
#include "plugin/plugin_settings.h"
#include "plugin/policy_chain.h"

#include <cstdio>

using namespace migkit;

namespace {

void printLog(PolicyChain &chain)
{
    for (const PolicyChain::LogLine &line : chain.takeLog())
        std::printf("log %s: %s\n", line.plugin.c_str(), line.message.c_str());
}

void printActions(const std::vector<Action> &actions)
{
    for (const Action &action : actions)
        std::printf("action %s %s value=%llu: %s\n", action.plugin.c_str(),
                    actionKindName(action.kind), static_cast<unsigned long long>(action.value),
                    action.reason.c_str());
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: check-plugin NAME|PATH [KEY=VALUE]...\n");
        return 2;
    }
    try {
        std::map<std::string, std::string> settings;
        for (int i = 2; i < argc; i++)
            settings.insert(parseSetArgument(argv[i]));
        PolicyChain chain;
        chain.add(argv[1], settings);
        for (const auto &plugin : chain.plugins())
            std::printf("loaded %s %s (%s) from %s\n", plugin.name.c_str(), plugin.version.c_str(),
                        plugin.license.c_str(), plugin.path.c_str());

        ValueList facts;
        facts.add("source.qemu-version", std::string("10.0.2"));
        migkit_plan_input input{sizeof(migkit_plan_input), "check-vm", 1ULL << 30, facts.values()};
        migkit_plan plan{};
        plan.struct_size = sizeof(plan);
        plan.downtime_limit_ms = 300;
        chain.plan(input, plan);
        std::printf("plan downtime_limit_ms=%llu\n",
                    static_cast<unsigned long long>(plan.downtime_limit_ms));
        printLog(chain);

        for (uint64_t pass = 1; pass <= 6; pass++) {
            ValueList extras;
            extras.add("ram.duplicate", pass * 10);
            extras.add("heat.hot-pages", pass * 100);
            migkit_progress progress{};
            progress.struct_size = sizeof(progress);
            progress.phase = MIGKIT_PHASE_PRECOPY;
            progress.iteration = pass;
            progress.elapsed_ms = pass * 1000;
            progress.ram_total_bytes = 1ULL << 30;
            progress.ram_remaining_bytes = (1ULL << 30) / (pass + 1);
            progress.bandwidth_bytes_per_second = 100ULL << 20;
            progress.extra = extras.values();
            printActions(chain.onIteration(progress));
            printLog(chain);
        }

        migkit_outcome outcome{};
        outcome.struct_size = sizeof(outcome);
        outcome.phase = MIGKIT_PHASE_COMPLETED;
        outcome.total_ms = 6000;
        outcome.vm_running_on = "destination";
        chain.onComplete(outcome);
        printLog(chain);
        return 0;
    } catch (const PluginError &e) {
        std::fprintf(stderr, "check-plugin: error (%s): %s\n", pluginErrorCodeName(e.code()),
                     e.what());
        return 1;
    }
}
