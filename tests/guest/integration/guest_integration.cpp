/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration test of the verifiable guest and the test bed on a real QEMU:
 *
 *   guest-integration --qemu BINARY --image GUEST_ELF CASE...
 *
 * CASE: boot (q35 and pc, 128 MiB to 2 GiB, progress, verify, pause/resume, throttle), errors
 * (bad binary, bad QEMU option, bad guest config, guest image lookup), migrate (live migration
 * between two QEMUs of BINARY over a UNIX socket, verify on the destination), detects-loss
 * (migrate to a file, damage two pages in it, load it: verify must name them).  Prints TAP.
 */
#include "migration_file.h"
#include "tap.h"

#include "qmp/client.h"
#include "testbed/guest_console.h"
#include "testbed/guest_image.h"
#include "testbed/qemu_process.h"
#include "testbed/testbed_error.h"

#include <glib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace migkit;
using namespace migkit::testbed;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

struct MainContextUnref {
    void operator()(GMainContext *context) const { g_main_context_unref(context); }
};

/* A QMP connection to one QemuProcess, with its own main context. */
class Monitor {
public:
    explicit Monitor(const QemuProcess &qemu)
        : context_(g_main_context_new()), client_(context_.get())
    {
        client_.connect(QmpAddress::parse(qemu.qmpSocketPath()), 30s);
    }

    json::Value call(const std::string &command, json::Value arguments = json::Value())
    {
        return client_.call(command, std::move(arguments), 60s).value();
    }

    std::string runState() { return call("query-status").at("status").asString(); }

    /* Poll query-migrate until the migration ends; its last reply. */
    json::Value waitMigration(std::chrono::milliseconds timeout)
    {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            json::Value reply = call("query-migrate");
            std::string status = reply.stringAt("status").value_or("none");
            if (status == "completed" || status == "failed" || status == "cancelled" ||
                Clock::now() >= deadline)
                return reply;
            std::this_thread::sleep_for(100ms);
        }
    }

    /* Wait until the VM leaves @state (e.g. "inmigrate"); the new state. */
    std::string waitLeaving(const std::string &state, std::chrono::milliseconds timeout)
    {
        const auto deadline = Clock::now() + timeout;
        std::string now = runState();
        while (now == state && Clock::now() < deadline) {
            std::this_thread::sleep_for(100ms);
            now = runState();
        }
        return now;
    }

private:
    std::unique_ptr<GMainContext, MainContextUnref> context_;
    QmpClient client_;
};

struct Setup {
    std::string qemu;
    std::string image;
};

QemuOptions vmOptions(const Setup &setup, const std::string &name, uint64_t memoryMiB,
                      GuestConfig guest)
{
    QemuOptions options;
    options.binary = setup.qemu;
    options.guestImage = setup.image;
    options.name = name;
    options.memoryMiB = memoryMiB;
    options.guest = guest;
    return options;
}

GuestConfig config(uint64_t workingSetBytes, WritePattern pattern, uint64_t rate = 0)
{
    GuestConfig guest;
    guest.workingSetBytes = workingSetBytes;
    guest.pattern = pattern;
    guest.ratePagesPerSecond = rate;
    return guest;
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

/* The TestbedError message of @action, or "(no error)". */
std::string errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const TestbedError &error) {
        return error.what();
    }
    return "(no error)";
}

std::string describe(const VerifyResult &result)
{
    return "guest said: " + result.line;
}

/* Boots the guest on @machine with @memoryMiB and checks what the brief asks of it. */
void bootCase(Tap &tap, const Setup &setup, const std::string &machine, uint64_t memoryMiB,
              const GuestConfig &guest)
{
    const uint64_t workingSetBytes = guest.workingSetBytes;
    const std::string what = machine + " " + std::to_string(memoryMiB) + "M " +
                             toString(guest.pattern) + " fill=" + toString(guest.fill);
    QemuOptions options = vmOptions(setup, "boot-" + machine, memoryMiB, guest);
    options.machine = machine;
    const auto started = Clock::now();
    QemuProcess qemu(options);
    GuestConsole console(qemu.serialSocketPath(), 30s);
    GuestReady ready = console.waitReady();
    const double bootSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    tap.comment(what + ": ready " + std::to_string(bootSeconds) + " s after spawning QEMU (" +
                std::to_string(ready.bootUs / 1000) + " ms of it in the guest); " +
                std::to_string(ready.pages) + " pages at " + std::to_string(ready.baseAddress) +
                ", RAM top " + std::to_string(ready.ramBytes >> 20) + " MiB");
    const uint64_t expectedPages = workingSetBytes ? workingSetBytes / 4096 : 0;
    tap.check(expectedPages ? ready.pages == expectedPages : ready.pages > 0,
              what + ": ready with the working set asked for",
              "pages=" + std::to_string(ready.pages));
    /* The guest sees RAM up to the top of low memory, a little less than the VM's RAM. */
    tap.check(ready.ramBytes > (memoryMiB - 4) << 20 && ready.ramBytes <= memoryMiB << 20,
              what + ": guest found the VM's RAM in the multiboot memory map",
              "ram=" + std::to_string(ready.ramBytes));

    GuestProgress first = console.waitProgress();
    GuestProgress second = console.waitProgress();
    tap.check(second.pagesWritten > first.pagesWritten && second.guestTimeUs > first.guestTimeUs &&
                  second.sequence == first.sequence + 1,
              what + ": progress lines show pages being written",
              "writes " + std::to_string(first.pagesWritten) + " -> " +
                  std::to_string(second.pagesWritten));

    VerifyResult result = console.verify();
    tap.check(result.ok && result.pages == ready.pages, what + ": verify ok on a running guest",
              describe(result));

    GuestAck paused = console.pause();
    console.waitProgress();
    GuestProgress whilePaused = console.waitProgress();
    tap.check(paused.paused && whilePaused.paused &&
                  whilePaused.pagesWritten == paused.pagesWritten,
              what + ": pause stops writing",
              "paused at " + std::to_string(paused.pagesWritten) + ", later " +
                  std::to_string(whilePaused.pagesWritten));
    GuestAck resumed = console.resume();
    console.waitProgress();
    GuestProgress afterResume = console.waitProgress();
    tap.check(!resumed.paused && afterResume.pagesWritten > resumed.pagesWritten,
              what + ": resume writes again");
}

/* The unthrottled write rate, and that a throttled guest keeps to its rate. */
void rateCase(Tap &tap, const Setup &setup)
{
    {
        QemuProcess qemu(
            vmOptions(setup, "rate-unthrottled", 256, config(64 << 20, WritePattern::Uniform)));
        GuestConsole console(qemu.serialSocketPath(), 30s);
        console.waitReady();
        for (int i = 0; i < 12; i++)
            console.waitProgress();
        std::optional<WriteRate> rate = console.writeRate(1s);
        tap.check(rate && rate->pagesPerGuestSecond > 0, "unthrottled guest writes pages");
        if (rate)
            tap.comment("unthrottled uniform, ws=64M, 256 MiB q35: " +
                        std::to_string(static_cast<uint64_t>(rate->pagesPerGuestSecond)) +
                        " pages/s of guest time, " +
                        std::to_string(static_cast<uint64_t>(rate->pagesPerHostSecond)) +
                        " pages/s of host time over " + std::to_string(rate->guestSeconds) + " s");
    }
    {
        const uint64_t wanted = 20000;
        QemuProcess qemu(vmOptions(setup, "rate-throttled", 256,
                                   config(64 << 20, WritePattern::Hotspot, wanted)));
        GuestConsole console(qemu.serialSocketPath(), 30s);
        console.waitReady();
        for (int i = 0; i < 12; i++)
            console.waitProgress();
        std::optional<WriteRate> rate = console.writeRate(1s);
        /* The throttle may fall behind on a busy host but must never run ahead (the guest
         * makes up at most 10 ms of backlog). */
        tap.check(rate && rate->pagesPerGuestSecond > 0 &&
                      rate->pagesPerGuestSecond <= static_cast<double>(wanted) * 1.05,
                  "rate=20000 keeps the guest at or below 20000 pages/s",
                  rate ? std::to_string(rate->pagesPerGuestSecond) : std::string("no rate"));
        if (rate)
            tap.comment("rate=20000 hotspot: " +
                        std::to_string(static_cast<uint64_t>(rate->pagesPerGuestSecond)) +
                        " pages/s of guest time");

        /* A stopped VM's clock stands still (under TCG): the stop shows as host time that
         * has no guest time, which is how tools measure what a stun cost the guest. */
        Monitor monitor(qemu);
        monitor.call("stop");
        std::this_thread::sleep_for(1500ms);
        monitor.call("cont");
        for (int i = 0; i < 3; i++)
            console.waitProgress();
        double largestGap = 0;
        const auto &history = console.progressHistory();
        for (size_t i = 1; i < history.size(); i++) {
            double host =
                std::chrono::duration<double>(history[i].hostTime - history[i - 1].hostTime)
                    .count();
            double guestSeconds = static_cast<double>(history[i].progress.guestTimeUs -
                                                      history[i - 1].progress.guestTimeUs) /
                                  1e6;
            largestGap = std::max(largestGap, host - guestSeconds);
        }
        tap.check(largestGap > 0.75, "a 1.5 s stop shows as host time without guest time",
                  "largest gap " + std::to_string(largestGap) + " s");
        tap.comment("stop/cont for 1.5 s: host time minus guest time across it " +
                    std::to_string(largestGap) + " s");
    }
}

void errorsCase(Tap &tap, const Setup &setup)
{
    QemuOptions missingBinary = vmOptions(setup, "bad-binary", 128, GuestConfig());
    missingBinary.binary = "/nonexistent/qemu-system-x86_64";
    std::string message = errorOf([&] { QemuProcess qemu(missingBinary); });
    tap.check(contains(message, "/nonexistent/qemu-system-x86_64") &&
                  contains(message, "not an executable"),
              "a missing QEMU binary is named in the error", message);

    QemuOptions badOption = vmOptions(setup, "bad-option", 128, GuestConfig());
    badOption.extraArgs = {"-no-such-option"};
    message = errorOf([&] { QemuProcess qemu(badOption); });
    tap.check(contains(message, "exit code 1") && contains(message, "no-such-option"),
              "QEMU exiting at start gives its status and log", message);

    /* QEMU fails this after it created its sockets: the start check must still see it. */
    const std::string notAKernel = std::filesystem::temp_directory_path() /
                                   ("migkit-not-a-kernel-" + std::to_string(::getpid()));
    {
        std::FILE *file = std::fopen(notAKernel.c_str(), "w");
        if (file) {
            std::fputs("not a kernel\n", file);
            std::fclose(file);
        }
    }
    QemuOptions badImage = vmOptions(setup, "bad-image", 128, GuestConfig());
    badImage.guestImage = notAKernel;
    message = errorOf([&] { QemuProcess qemu(badImage); });
    std::remove(notAKernel.c_str());
    tap.check(contains(message, "exit code 1") && contains(message, "invalid kernel header"),
              "QEMU failing to load the guest is caught at start", message);

    QemuProcess tooBig(
        vmOptions(setup, "ws-too-big", 128, config(1ull << 30, WritePattern::Uniform)));
    GuestConsole console(tooBig.serialSocketPath(), 30s);
    message = errorOf([&] { console.waitReady(); });
    tap.check(contains(message, "ws does not fit") && contains(message, "give the VM more RAM"),
              "a working set larger than RAM is refused by the guest", message);

    QemuProcess idle(vmOptions(setup, "idle", 128, config(0, WritePattern::Idle)));
    GuestConsole idleConsole(idle.serialSocketPath(), 30s);
    GuestReady ready = idleConsole.waitReady();
    idleConsole.waitProgress();
    GuestProgress later = idleConsole.waitProgress();
    tap.check(ready.config.pattern == WritePattern::Idle && later.pagesWritten == 0 &&
                  idleConsole.verify().ok,
              "an idle guest writes nothing after its initial fill and verifies");

    g_unsetenv("MIGKIT_GUEST_IMAGE");
    std::error_code ec;
    std::string found = locateGuestImage();
    tap.check(std::filesystem::equivalent(found, setup.image, ec),
              "locateGuestImage() finds the guest in the build tree", found);
    g_setenv("MIGKIT_GUEST_IMAGE", "/nonexistent/guest.elf", TRUE);
    message = errorOf([] { locateGuestImage(); });
    tap.check(contains(message, "MIGKIT_GUEST_IMAGE='/nonexistent/guest.elf'"),
              "a MIGKIT_GUEST_IMAGE naming a missing file is an error", message);
    g_setenv("MIGKIT_GUEST_IMAGE", setup.image.c_str(), TRUE);
    tap.check(locateGuestImage() == setup.image, "MIGKIT_GUEST_IMAGE comes first");
}

/* How a migration case runs: what the guest does and how fast QEMU may send. */
struct MigrationScenario {
    std::string label;
    GuestConfig guest;
    uint64_t maxBandwidth;  ///< bytes per second
    uint64_t downtimeLimit; ///< milliseconds
};

/* Live migration while the guest writes, source to destination over a UNIX socket. */
void migrateCase(Tap &tap, const Setup &setup, const MigrationScenario &scenario)
{
    const std::string &label = scenario.label;
    const GuestConfig &guest = scenario.guest;
    QemuProcess source(vmOptions(setup, "migrate-source", 256, guest));
    QemuOptions destinationOptions = vmOptions(setup, "migrate-destination", 256, guest);
    destinationOptions.incomingDefer = true;
    QemuProcess destination(destinationOptions);

    GuestConsole sourceConsole(source.serialSocketPath(), 30s);
    GuestReady ready = sourceConsole.waitReady();
    sourceConsole.waitProgress();
    tap.check(sourceConsole.verify().ok, label + ": source guest verifies before the migration");
    GuestProgress beforeMigration = sourceConsole.waitProgress();

    /* Connected before the migration, so that the UART state that arrives finds a client
     * (see GuestConsole). */
    GuestConsole destinationConsole(destination.serialSocketPath(), 30s);
    Monitor sourceMonitor(source);
    Monitor destinationMonitor(destination);
    const std::string channel = destination.workDir() + "/migration.sock";
    destinationMonitor.call("migrate-incoming",
                            json::Value(json::Value::Object{{"uri", "unix:" + channel}}));
    sourceMonitor.call("migrate-set-parameters", json::Value(json::Value::Object{
                                                     {"max-bandwidth", scenario.maxBandwidth},
                                                     {"downtime-limit", scenario.downtimeLimit}}));
    sourceMonitor.call("migrate", json::Value(json::Value::Object{{"uri", "unix:" + channel}}));
    json::Value outcome = sourceMonitor.waitMigration(300s);
    std::string status = outcome.stringAt("status").value_or("none");
    tap.check(status == "completed", label + ": migration completes",
              "query-migrate status: " + status);
    if (status != "completed")
        return;
    tap.comment(label + ": total " + std::to_string(outcome.uint64At("total-time").value_or(0)) +
                " ms, downtime " + std::to_string(outcome.uint64At("downtime").value_or(0)) +
                " ms, " +
                std::to_string(outcome.at("ram").uint64At("dirty-sync-count").value_or(0)) +
                " dirty syncs");

    std::string destinationState = destinationMonitor.waitLeaving("inmigrate", 60s);
    tap.check(destinationState == "running", label + ": destination runs the guest",
              "run state " + destinationState);
    GuestReady destinationReady = destinationConsole.waitReady();
    tap.check(destinationReady.pages == ready.pages && destinationReady.config == ready.config,
              label + ": destination guest answers with the source's configuration");
    GuestProgress onDestination = destinationConsole.waitProgress();
    tap.check(onDestination.pagesWritten > beforeMigration.pagesWritten,
              label + ": the write counter carried over and kept growing",
              std::to_string(beforeMigration.pagesWritten) + " before, " +
                  std::to_string(onDestination.pagesWritten) + " after");
    VerifyResult result = destinationConsole.verify();
    tap.check(result.ok && result.pages == ready.pages,
              label + ": verify ok on the destination after a live migration", describe(result));
    tap.check(sourceMonitor.runState() == "postmigrate",
              label + ": source stopped after handing over");
}

/* Shows that verify catches what a broken migration would do: a page that misses its last
 * write (lost) and a page whose bytes changed (corrupt). */
void detectsLossCase(Tap &tap, const Setup &setup)
{
    GuestConfig guest = config(8 << 20, WritePattern::Uniform);
    const uint32_t corruptPage = 100, lostPage = 1000;
    char *folderName = g_dir_make_tmp("migkit-guest-test-XXXXXX", nullptr);
    if (!folderName) {
        tap.check(false, "temporary folder for the migration files");
        return;
    }
    const std::string folder = folderName;
    g_free(folderName);
    struct RemoveFolder {
        std::string path;
        ~RemoveFolder()
        {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    } removeFolder{folder};
    const std::string intact = folder + "/intact.mig", damaged = folder + "/damaged.mig";

    {
        QemuProcess source(vmOptions(setup, "loss-source", 128, guest));
        GuestConsole console(source.serialSocketPath(), 30s);
        console.waitReady();
        console.waitProgress();
        console.pause(); /* nothing changes from here: the file holds the final contents */
        Monitor monitor(source);
        monitor.call("stop");
        monitor.call("migrate", json::Value(json::Value::Object{{"uri", "file:" + intact}}));
        std::string status = monitor.waitMigration(120s).stringAt("status").value_or("none");
        if (!tap.check(status == "completed", "migration of the paused guest to a file",
                       "status " + status))
            return;
    }

    MigrationFile file(intact);
    std::vector<size_t> corruptAt = file.findPage(corruptPage);
    std::vector<size_t> lostAt = file.findPage(lostPage);
    if (!tap.check(corruptAt.size() == 1 && lostAt.size() == 1,
                   "each page's stamp is once in the migration file",
                   std::to_string(corruptAt.size()) + " and " + std::to_string(lostAt.size()) +
                       " copies"))
        return;
    /* A data word of one page changes; the other page goes back one generation, as if its
     * last write had not been sent. */
    const size_t dataWord = corruptAt[0] + 1024, generationWord = lostAt[0] + 8;
    file.setWord(dataWord, file.word(dataWord) ^ 0x00010000u);
    file.setWord(generationWord, file.word(generationWord) - 1);
    file.save(damaged);

    auto load = [&](const std::string &path, const std::string &name) {
        QemuOptions options = vmOptions(setup, name, 128, guest);
        options.incomingUri = "file:" + path;
        auto qemu = std::make_unique<QemuProcess>(options);
        Monitor monitor(*qemu);
        std::string state = monitor.waitLeaving("inmigrate", 120s);
        if (state == "paused")
            monitor.call("cont");
        GuestConsole console(qemu->serialSocketPath(), 30s);
        console.waitReady();
        return console.verify();
    };

    VerifyResult control = load(intact, "loss-intact");
    tap.check(control.ok, "the untouched file loads and verifies ok", describe(control));

    VerifyResult result = load(damaged, "loss-damaged");
    tap.check(!result.ok && result.bad == 2 && result.firstBad == corruptPage,
              "verify reports both damaged pages, the first one by index", describe(result));
    tap.check(result.lost == 1 && result.corrupt == 1 && result.ahead == 0,
              "the older generation counts as lost, the changed word as corrupt", describe(result));
}

int usage(const char *message)
{
    std::fprintf(stderr,
                 "guest-integration: %s\n"
                 "usage: guest-integration --qemu BINARY --image GUEST_ELF "
                 "boot|rate|errors|migrate|detects-loss...\n",
                 message);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    Setup setup;
    std::vector<std::string> cases;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if ((arg == "--qemu" || arg == "--image") && i + 1 < argc)
            (arg == "--qemu" ? setup.qemu : setup.image) = argv[++i];
        else if (arg.rfind("--", 0) == 0)
            return usage(("unknown option " + arg).c_str());
        else
            cases.push_back(arg);
    }
    if (setup.qemu.empty() || setup.image.empty() || cases.empty())
        return usage("--qemu, --image and at least one case are needed");
    g_setenv("MIGKIT_GUEST_IMAGE", setup.image.c_str(), TRUE);

    Tap tap;
    tap.comment("QEMU " + setup.qemu + ", guest " + setup.image);
    for (const std::string &name : cases) {
        std::function<void()> run;
        if (name == "boot")
            run = [&] {
                bootCase(tap, setup, "q35", 256, config(32 << 20, WritePattern::Uniform));
                bootCase(tap, setup, "pc", 128, config(0, WritePattern::Hotspot));
                bootCase(tap, setup, "q35", 2048, config(16 << 20, WritePattern::Uniform));
                GuestConfig full = config(16 << 20, WritePattern::Sequential);
                full.fill = FillMode::Full;
                bootCase(tap, setup, "pc", 256, full);
            };
        else if (name == "rate")
            run = [&] {
                rateCase(tap, setup);
            };
        else if (name == "errors")
            run = [&] {
                errorsCase(tap, setup);
            };
        else if (name == "migrate")
            run = [&] {
                /* The whole working set fits in the downtime: the migration converges however
                 * fast the guest writes, and the guest writes during all of it. */
                migrateCase(tap, setup,
                            {"unthrottled uniform", config(32 << 20, WritePattern::Uniform),
                             uint64_t(1) << 32, 2000});
                /* Several passes while the guest dirties pages at a steady rate: dirty
                 * tracking must resend exactly the pages written meanwhile. */
                migrateCase(tap, setup,
                            {"hotspot 20000 pages/s, 64 MiB/s",
                             config(64 << 20, WritePattern::Hotspot, 20000), 64ull << 20, 300});
            };
        else if (name == "detects-loss")
            run = [&] {
                detectsLossCase(tap, setup);
            };
        else
            return usage(("unknown case " + name).c_str());
        try {
            run();
        } catch (const std::exception &error) {
            tap.check(false, name + ": stopped by an error", error.what());
        }
    }
    return tap.finish();
}
