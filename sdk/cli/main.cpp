/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `migkit` command: live migration of QEMU VMs under policy plugins. */
#include "command_line.h"
#include "commands.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

const char usage[] = R"(Usage: migkit COMMAND [OPTIONS]

Commands:
  migrate   live-migrate a VM between two running QEMUs under policy plugins
  demo      start two local QEMUs with the verifiable guest, migrate it, verify it
  plugins   list the policy plugins, or show one's knobs (plugins list | plugins show NAME)

Run 'migkit COMMAND --help' for a command's options.
)";

} // namespace

int main(int argc, char **argv)
{
    using namespace migkit::cli;
    if (argc < 2) {
        std::fputs(usage, stderr);
        return kExitUsage;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "migrate") {
            return runMigrate(args);
        }
        if (command == "demo") {
            return runDemo(args);
        }
        if (command == "plugins") {
            return runPlugins(args);
        }
        if (command == "--help" || command == "-h" || command == "help") {
            std::fputs(usage, stdout);
            return kExitOk;
        }
        if (command == "--version") {
            std::printf("migkit %s\n", MIGKIT_VERSION);
            return kExitOk;
        }
        std::fprintf(stderr, "migkit: unknown command '%s' (see 'migkit --help')\n",
                     command.c_str());
        return kExitUsage;
    } catch (const UsageError &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return kExitUsage;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "migkit %s: error: %s\n", command.c_str(), e.what());
        return kExitFailed;
    }
}
