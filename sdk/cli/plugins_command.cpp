/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `migkit plugins list|show NAME`: what policies exist and which knobs they take. */
#include "commands.h"

#include "plugin/elf_descriptor.h"
#include "plugin/plugin_error.h"
#include "plugin/plugin_library.h"
#include "plugin/plugin_locator.h"
#include "plugin/value_list.h"

#include <cstdio>

namespace migkit::cli {

namespace {

const char usage[] = R"(Usage: migkit plugins list
       migkit plugins show NAME|PATH

list: every policy plugin found ($MIGKIT_PLUGIN_PATH, the build tree, the installed folder).
show: one plugin's description and its knobs (--set KEY=VALUE) with types, defaults and help.
)";

int list()
{
    const PluginLocator locator = PluginLocator::fromEnvironment();
    const auto files = locator.available();
    if (files.empty()) {
        std::printf("no policy plugins found; searched:");
        for (const auto &folder : locator.folders()) {
            std::printf(" %s", folder.c_str());
        }
        std::printf("\n");
        return kExitOk;
    }
    for (const auto &note : locator.ignoredFolders()) {
        std::fprintf(stderr, "migkit plugins: warning: %s\n", note.c_str());
    }
    for (const auto &file : files) {
        if (const auto why = locator.trust().whyUntrusted(file)) {
            std::printf("%-12s (untrusted) %s\n", file.c_str(), why->c_str());
            continue;
        }
        try {
            const PluginDescriptor d = readPluginDescriptor(file);
            std::printf("%-12s %-8s %s\n             %s\n", d.name.c_str(), d.version.c_str(),
                        d.summary.c_str(), file.c_str());
        } catch (const PluginError &e) {
            std::printf("%-12s (invalid) %s\n", file.c_str(), e.what());
        }
    }
    return kExitOk;
}

int show(const std::string &nameOrPath)
{
    try {
        const auto library = PluginLibrary::find(PluginLocator::fromEnvironment(), nameOrPath);
        const PluginDescriptor &d = library->descriptor();
        const std::string &path = d.path;
        std::printf("%s %s (%s, plugin ABI %u)\n  %s\n  file: %s\n", d.name.c_str(),
                    d.version.c_str(), d.license.c_str(), d.abiVersion, d.summary.c_str(),
                    path.c_str());
        const migkit_policy_ops &ops = library->ops();
        if (ops.settings_count == 0) {
            std::printf("  no knobs\n");
        } else {
            std::printf("  knobs (--set KEY=VALUE):\n");
        }
        for (size_t i = 0; i < ops.settings_count; ++i) {
            const migkit_setting_spec &spec = ops.settings[i];
            std::printf("    %-28s %-7s default %-10s %s\n", spec.name, valueTypeName(spec.type),
                        spec.default_value ? spec.default_value : "(none)",
                        spec.help ? spec.help : "");
        }
        return kExitOk;
    } catch (const PluginError &e) {
        std::fprintf(stderr, "migkit plugins: error: %s\n", e.what());
        return kExitRefused;
    }
}

} // namespace

int runPlugins(const std::vector<std::string> &args)
{
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(usage, args.empty() ? stderr : stdout);
        return args.empty() ? kExitUsage : kExitOk;
    }
    if (args[0] == "list" && args.size() == 1) {
        return list();
    }
    if (args[0] == "show" && args.size() == 2) {
        return show(args[1]);
    }
    std::fprintf(stderr, "migkit plugins: unexpected arguments (see 'migkit plugins --help')\n");
    return kExitUsage;
}

} // namespace migkit::cli
