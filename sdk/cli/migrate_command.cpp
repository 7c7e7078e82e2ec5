/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `migkit migrate`: one live migration between two running QEMUs. */
#include "command_line.h"
#include "commands.h"
#include "libvirt_migrate.h"
#include "migration_run.h"
#include "policy_options.h"

#include "qmp/address.h"

#include <cstdio>

namespace migkit::cli {

namespace {

const char usage[] = R"(Usage: migkit migrate --source QMP --destination QMP [OPTIONS]

Live-migrate the VM of the source QEMU to the destination QEMU, which must wait for an
incoming migration (started with -incoming defer or -incoming tcp:HOST:PORT).
For a libvirt domain see 'migkit migrate --libvirt --help'.

  --source QMP          the source QEMU's QMP monitor: a socket path, unix:PATH or HOST:PORT
  --destination QMP     the destination QEMU's QMP monitor, same forms
  --uri URI             migration stream URI (tcp:HOST:PORT); default: where the destination
                        listens, or a free port on its host when it was started with -incoming defer
  --policy NAME|PATH    a policy plugin (repeatable, called in order); default: default
  --set KEY=VALUE       a knob of the policy named before it (repeatable); see 'migkit plugins show NAME'
  --report FILE         also write the full report as JSON to FILE
  --json                print the JSON report instead of progress and the summary
  --timeout SECONDS     cancel the migration after SECONDS (default 3600)

Exit status: 0 completed, 1 failed or cancelled (the VM runs on the source), 2 wrong usage,
3 refused before starting (QMP unreachable, destination not waiting, plugin error).
)";

} // namespace

int runMigrate(const std::vector<std::string> &args)
{
    for (const auto &arg : args) {
        if (arg == "--libvirt") {
            /* A libvirt domain instead of two QMP monitors: its own options and help. */
            return runLibvirtMigrate(args);
        }
    }
    for (const auto &arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return kExitOk;
        }
    }
    const CommandLine commandLine(
        "migrate", args, {"source", "destination", "uri", "policy", "set", "report", "timeout"},
        {"json"});
    const auto source = commandLine.last("source");
    const auto destination = commandLine.last("destination");
    if (!source) {
        commandLine.fail("--source QMP is required (the QMP monitor of the QEMU running the VM)");
    }
    if (!destination) {
        commandLine.fail("--destination QMP is required (the QMP monitor of the QEMU started "
                         "with -incoming)");
    }
    RunSettings settings;
    try {
        settings.options.source = QmpAddress::parse(*source);
        settings.options.destination = QmpAddress::parse(*destination);
    } catch (const std::invalid_argument &e) {
        commandLine.fail(e.what());
    }
    settings.options.uri = commandLine.last("uri").value_or("");
    if (const auto timeout = commandLine.last("timeout")) {
        settings.options.migrationTimeout =
            std::chrono::seconds(parseSeconds(commandLine, "timeout", *timeout));
    }
    settings.policies = policyRequests(commandLine);
    settings.reportPath = commandLine.last("report").value_or("");
    settings.json = commandLine.has("json");
    settings.command = "migrate";

    MigrationReport report;
    const int refused = runMigration(settings, report);
    if (refused != kExitOk) {
        return refused;
    }
    return printOutcome(settings, report);
}

} // namespace migkit::cli
