/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `migkit demo`: two local QEMUs with the verifiable guest, one live migration over loopback
 * TCP under the policies, then the guest's own verify pass on the destination.
 */
#include "command_line.h"
#include "commands.h"
#include "migration_run.h"
#include "policy_options.h"

#include "qmp/address.h"
#include "testbed/guest_config.h"
#include "testbed/guest_console.h"
#include "testbed/guest_image.h"
#include "testbed/qemu_process.h"
#include "testbed/testbed_error.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace migkit::cli {

namespace {

const char usage[] = R"(Usage: migkit demo [OPTIONS]

Start two local QEMUs with the verifiable guest (a tiny OS that stamps and checksums every
page it writes), wait for the guest to be ready, live-migrate it over loopback TCP under the
policies, run the guest's verify pass on the destination and print the report.

  --qemu PATH           qemu-system-x86_64 to run (default: the patched build of this build
                        tree if there is one, else /usr/bin/qemu-system-x86_64)
  --ram SIZE            guest RAM, e.g. 256M, 1G (default 512M; 128M to 2G)
  --pattern NAME        uniform, hotspot, sequential or idle (default hotspot)
  --rate PAGES          pages the guest writes per second, 0 = as fast as it can (default 5000)
  --working-set SIZE    how much RAM the guest writes (default: all of it)
  --policy NAME|PATH    a policy plugin (repeatable); default: default
  --set KEY=VALUE       a knob of the policy named before it (repeatable)
  --report FILE         also write the full report as JSON to FILE
  --json                print the JSON report instead of progress and the summary
  --timeout SECONDS     cancel the migration after SECONDS (default 600)

Exit status: 0 when the migration completed and the guest verified on the destination,
1 when either failed, 2 wrong usage, 3 refused before starting.
)";

/* The build tree's patched QEMU, when meson was told where it is (-Dqemu_build=). */
std::string patchedQemu()
{
    const std::string build = MIGKIT_QEMU_BUILD_DIR;
    if (build.empty()) {
        return {};
    }
    const std::string binary = build + "/qemu-system-x86_64";
    return ::access(binary.c_str(), X_OK) == 0 ? binary : std::string();
}

/*
 * An in-tree QEMU build looks for firmware in its qemu-bundle folder; when that lacks the
 * BIOS, point it at Debian's seabios and qemu-system-data packages instead.
 */
std::vector<std::string> firmwareArgs(const std::string &binary)
{
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(binary).parent_path();
    if (folder == "/usr/bin" ||
        fs::exists(folder / "qemu-bundle/usr/local/share/qemu/bios-256k.bin") ||
        fs::exists(folder / "pc-bios/bios-256k.bin")) {
        return {};
    }
    std::vector<std::string> args;
    for (const char *dir : {"/usr/share/seabios", "/usr/share/qemu"}) {
        if (fs::is_directory(dir)) {
            args.insert(args.end(), {"-L", dir});
        }
    }
    return args;
}

uint64_t sizeOption(const CommandLine &commandLine, const std::string &name,
                    const std::string &text)
{
    try {
        return testbed::parseSize(text);
    } catch (const std::invalid_argument &e) {
        commandLine.fail("--" + name + ": " + e.what());
    }
}

} // namespace

int runDemo(const std::vector<std::string> &args)
{
    for (const auto &arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return kExitOk;
        }
    }
    const CommandLine commandLine(
        "demo", args,
        {"qemu", "ram", "pattern", "rate", "working-set", "policy", "set", "report", "timeout"},
        {"json"});

    testbed::QemuOptions qemu;
    std::string qemuKind;
    if (const auto path = commandLine.last("qemu")) {
        qemu.binary = *path;
        qemuKind = "given with --qemu";
    } else if (const std::string patched = patchedQemu(); !patched.empty()) {
        qemu.binary = patched;
        qemuKind = "migkit-patched build";
    } else {
        qemu.binary = "/usr/bin/qemu-system-x86_64";
        qemuKind = "stock; no patched build in this build tree (meson -Dqemu_build=DIR)";
    }
    const uint64_t ram = sizeOption(commandLine, "ram", commandLine.last("ram").value_or("512M"));
    if (ram < (128ULL << 20) || ram > (2048ULL << 20)) {
        commandLine.fail("--ram must be from 128M to 2G, got " +
                         commandLine.last("ram").value_or(""));
    }
    qemu.memoryMiB = ram >> 20;
    qemu.name = "migkit-demo";
    qemu.extraArgs = firmwareArgs(qemu.binary);
    const std::string patternName = commandLine.last("pattern").value_or("hotspot");
    const auto pattern = testbed::parseWritePattern(patternName);
    if (!pattern) {
        commandLine.fail("--pattern '" + patternName +
                         "' is not one of uniform, hotspot, sequential, idle");
    }
    qemu.guest.pattern = *pattern;
    const std::string rate = commandLine.last("rate").value_or("5000");
    char *end = nullptr;
    qemu.guest.ratePagesPerSecond = std::strtoull(rate.c_str(), &end, 10);
    if (rate.empty() || *end != '\0') {
        commandLine.fail("--rate '" + rate + "' is not a whole number of pages per second");
    }
    if (const auto ws = commandLine.last("working-set")) {
        qemu.guest.workingSetBytes = sizeOption(commandLine, "working-set", *ws);
    }

    RunSettings settings;
    settings.command = "demo";
    settings.policies = policyRequests(commandLine);
    settings.reportPath = commandLine.last("report").value_or("");
    settings.json = commandLine.has("json");
    settings.options.migrationTimeout =
        std::chrono::seconds(commandLine.has("timeout") ? parseSeconds(commandLine, "timeout",
                                                                       *commandLine.last("timeout"))
                                                        : 600);
    FILE *info = settings.json ? stderr : stdout;

    std::unique_ptr<testbed::QemuProcess> source, destination;
    try {
        qemu.guestImage = testbed::locateGuestImage();
        std::fprintf(info, "QEMU:   %s (%s)\nguest:  %s (%s)\n", qemu.binary.c_str(),
                     qemuKind.c_str(), qemu.guestImage.c_str(), qemu.guest.toCommandLine().c_str());
        source = std::make_unique<testbed::QemuProcess>(qemu);
        testbed::QemuOptions incoming = qemu;
        incoming.incomingDefer = true;
        destination = std::make_unique<testbed::QemuProcess>(incoming);
        std::fflush(info);
        {
            /* Closed before migrating: an unread console would stall the guest's output. */
            testbed::GuestConsole console(source->serialSocketPath(), std::chrono::seconds(30));
            const testbed::GuestReady ready = console.waitReady();
            console.waitProgress();
            const testbed::GuestProgress progress = console.waitProgress();
            std::fprintf(info,
                         "source guest ready: %llu pages of %s RAM in its working set, %llu "
                         "pages written so far\n",
                         static_cast<unsigned long long>(ready.pages),
                         testbed::formatSize(ready.ramBytes).c_str(),
                         static_cast<unsigned long long>(progress.pagesWritten));
            std::fflush(info);
        }
    } catch (const testbed::TestbedError &e) {
        std::fprintf(stderr, "migkit demo: error: %s\n", e.what());
        return kExitRefused;
    }

    settings.options.source = QmpAddress::parse("unix:" + source->qmpSocketPath());
    settings.options.destination = QmpAddress::parse("unix:" + destination->qmpSocketPath());
    MigrationReport report;
    const int refused = runMigration(settings, report);
    if (refused != kExitOk) {
        return refused;
    }
    int status = printOutcome(settings, report);

    /* The guest's own word on its memory, wherever it runs now. */
    const bool onDestination = report.vmRunningOn == "destination";
    testbed::QemuProcess &host = onDestination ? *destination : *source;
    try {
        testbed::GuestConsole console(host.serialSocketPath(), std::chrono::seconds(30));
        console.waitReady();
        const testbed::VerifyResult verify = console.verify();
        const testbed::GuestProgress before = console.waitProgress();
        const testbed::GuestProgress after = console.waitProgress();
        std::fprintf(info, "guest verify on the %s: %s (%llu pages checked, %llu bad)\n",
                     onDestination ? "destination" : "source", verify.ok ? "ok" : "FAILED",
                     static_cast<unsigned long long>(verify.pages),
                     static_cast<unsigned long long>(verify.bad));
        std::fprintf(info, "guest keeps running there: %llu -> %llu pages written\n",
                     static_cast<unsigned long long>(before.pagesWritten),
                     static_cast<unsigned long long>(after.pagesWritten));
        if (!verify.ok) {
            std::fprintf(stderr, "migkit demo: error: the guest found bad pages: %s\n",
                         verify.line.c_str());
            status = kExitFailed;
        }
    } catch (const testbed::TestbedError &e) {
        std::fprintf(stderr, "migkit demo: error: cannot verify the guest on the %s: %s\n",
                     onDestination ? "destination" : "source", e.what());
        status = kExitFailed;
    }
    return status;
}

} // namespace migkit::cli
