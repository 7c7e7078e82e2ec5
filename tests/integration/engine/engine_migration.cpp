/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration test of the migration engine with real QEMU processes running the verifiable
 * guest (TAP).  Cases: a completed migration whose guest verifies on the destination and whose
 * report figures equal QEMU's own query-migrate; a cancel mid-way (the source keeps running
 * and the guest keeps writing); the destination killed mid-way (same, and the report says why).
 *
 * With the scripted fixture plugin: the switchover gate (proceed and veto), post-copy started
 * by a policy, pause-to-complete, and multifd channels.
 *
 *   integration-engine --qemu PATH --scripted PATH_TO_SCRIPTED_PLUGIN
 */
#include "engine/migration_engine.h"
#include "plugin/policy_chain.h"
#include "qmp/client.h"
#include "qmp/glib_ptr.h"
#include "testbed/guest_console.h"
#include "testbed/qemu_process.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

using namespace migkit;
using namespace std::chrono_literals;

namespace {

/* A failed check: the case stops and prints this. */
class CheckFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

void check(bool condition, const std::string &what)
{
    if (!condition) {
        throw CheckFailed(what);
    }
}

/* The in-tree QEMU build finds no BIOS in its bundle until firmware is staged: use Debian's. */
std::vector<std::string> firmwareArgs(const std::string &binary)
{
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(binary).parent_path();
    if (folder == "/usr/bin" ||
        fs::exists(folder / "qemu-bundle/usr/local/share/qemu/bios-256k.bin")) {
        return {};
    }
    return {"-L", "/usr/share/seabios", "-L", "/usr/share/qemu"};
}

/* Two QEMUs with the guest: a source that is ready and writing, a destination waiting. */
struct Pair {
    std::unique_ptr<testbed::QemuProcess> source, destination;

    explicit Pair(const std::string &qemu)
    {
        testbed::QemuOptions options;
        options.binary = qemu;
        options.memoryMiB = 256;
        options.name = "migkit-it";
        options.guest.pattern = testbed::WritePattern::Uniform;
        options.guest.ratePagesPerSecond = 2000;
        options.extraArgs = firmwareArgs(qemu);
        source = std::make_unique<testbed::QemuProcess>(options);
        options.incomingDefer = true;
        destination = std::make_unique<testbed::QemuProcess>(options);
        testbed::GuestConsole console(source->serialSocketPath(), 30s);
        console.waitReady();
        console.waitProgress();
    }
};

/* Calls @action once, at the first sample with at least @bytes sent. */
class TriggerObserver : public MigrationObserver {
public:
    TriggerObserver(uint64_t bytes, std::function<void()> action)
        : bytes_(bytes), action_(std::move(action))
    {}
    void sample(const SampleRecord &sample) override
    {
        if (!fired_ && sample.ramTransferredBytes >= bytes_) {
            fired_ = true;
            action_();
        }
    }
    bool fired() const { return fired_; }

private:
    uint64_t bytes_;
    std::function<void()> action_;
    bool fired_ = false;
};

MigrationOptions optionsFor(const Pair &pair)
{
    MigrationOptions options;
    options.source = QmpAddress::parse(pair.source->qmpSocketPath());
    options.destination = QmpAddress::parse(pair.destination->qmpSocketPath());
    options.migrationTimeout = 300s;
    return options;
}

/* A policy chain with the default policy, the stream capped at 64 MiB/s (a few seconds). */
void addCappedDefault(PolicyChain &chain)
{
    chain.add("default", {{"bandwidth", "67108864"}});
}

std::string runState(const std::string &qmpPath)
{
    GMainContextPtr context(g_main_context_new());
    QmpClient client(context.get());
    client.connect(QmpAddress::parse(qmpPath), 10s);
    return client.call("query-status").value().at("status").asString();
}

/* The guest on @process answers, keeps writing, and verifies. */
void checkGuestRunsAndVerifies(testbed::QemuProcess &process, const std::string &where)
{
    testbed::GuestConsole console(process.serialSocketPath(), 30s);
    console.waitReady();
    const auto first = console.waitProgress();
    console.waitProgress();
    const auto later = console.waitProgress();
    check(later.pagesWritten > first.pagesWritten,
          "the guest on the " + where + " does not write any more (" +
              std::to_string(first.pagesWritten) + " -> " + std::to_string(later.pagesWritten) +
              " pages)");
    const testbed::VerifyResult verify = console.verify();
    check(verify.ok, "the guest on the " + where + " found bad pages: " + verify.line);
    std::printf("# guest on the %s: %llu -> %llu pages written, verify: %s\n", where.c_str(),
                static_cast<unsigned long long>(first.pagesWritten),
                static_cast<unsigned long long>(later.pagesWritten), verify.line.c_str());
}

void completedMigration(const std::string &qemu)
{
    Pair pair(qemu);
    PolicyChain chain;
    addCappedDefault(chain);
    GMainContextPtr context(g_main_context_new());
    MigrationEngine engine(context.get(), optionsFor(pair), chain);
    const MigrationReport report = engine.run();
    check(report.phase == MIGKIT_PHASE_COMPLETED, "migration did not complete: " + report.error);
    check(report.vmRunningOn == "destination", "VM runs on " + report.vmRunningOn);
    check(runState(pair.destination->qmpSocketPath()) == "running", "destination not running");
    check(runState(pair.source->qmpSocketPath()) == "postmigrate",
          "source not in postmigrate: the VM would run twice");

    /* QEMU's own numbers, asked independently after the fact. */
    GMainContextPtr own(g_main_context_new());
    QmpClient client(own.get());
    client.connect(QmpAddress::parse(pair.source->qmpSocketPath()), 10s);
    const json::Value info = client.call("query-migrate").value();
    const json::Value &ram = info.at("ram");
    check(report.totalMs == info.at("total-time").asUint64(), "total time differs");
    check(report.downtimeMs == info.at("downtime").asUint64(), "downtime differs");
    check(report.setupMs == info.at("setup-time").asUint64(), "setup time differs");
    check(report.transferredBytes == ram.at("transferred").asUint64(), "bytes differ");
    check(report.ramTotalBytes == ram.at("total").asUint64(), "RAM total differs");
    check(report.iterations == ram.at("dirty-sync-count").asUint64(), "iterations differ");
    check(report.transferredBytes >= 200ULL << 20, "less than 200 MiB sent for a 256 MiB guest");
    check(!report.samples.empty(), "no samples in the report");
    std::printf("# completed in %llu ms, downtime %llu ms, %llu bytes, %llu passes, %zu samples\n",
                static_cast<unsigned long long>(report.totalMs),
                static_cast<unsigned long long>(report.downtimeMs),
                static_cast<unsigned long long>(report.transferredBytes),
                static_cast<unsigned long long>(report.iterations), report.samples.size());
    checkGuestRunsAndVerifies(*pair.destination, "destination");
}

void cancelMidway(const std::string &qemu)
{
    Pair pair(qemu);
    PolicyChain chain;
    addCappedDefault(chain);
    GMainContextPtr context(g_main_context_new());
    MigrationEngine *engineRef = nullptr;
    TriggerObserver trigger(32ULL << 20, [&] { engineRef->interrupt("test: cancel mid-way"); });
    MigrationEngine engine(context.get(), optionsFor(pair), chain, &trigger);
    engineRef = &engine;
    const MigrationReport report = engine.run();
    check(trigger.fired(), "the migration ended before 32 MiB were sent");
    check(report.phase == MIGKIT_PHASE_CANCELLED,
          std::string("phase is ") + phaseName(report.phase) + ": " + report.error);
    check(report.error.find("test: cancel mid-way") != std::string::npos,
          "the report does not say why: " + report.error);
    check(report.vmRunningOn == "source", "VM runs on " + report.vmRunningOn);
    check(runState(pair.source->qmpSocketPath()) == "running", "source not running");
    check(report.transferredBytes >= 32ULL << 20, "report lost the bytes sent");
    checkGuestRunsAndVerifies(*pair.source, "source");
}

void destinationKilled(const std::string &qemu)
{
    Pair pair(qemu);
    PolicyChain chain;
    addCappedDefault(chain);
    GMainContextPtr context(g_main_context_new());
    TriggerObserver trigger(32ULL << 20, [&] { pair.destination->kill(SIGKILL); });
    MigrationEngine engine(context.get(), optionsFor(pair), chain, &trigger);
    const MigrationReport report = engine.run();
    check(trigger.fired(), "the migration ended before 32 MiB were sent");
    check(report.phase == MIGKIT_PHASE_FAILED, std::string("phase is ") + phaseName(report.phase));
    check(report.error.find("destination QEMU went away") != std::string::npos,
          "the report does not say the destination went away: " + report.error);
    check(report.vmRunningOn == "source", "VM runs on " + report.vmRunningOn);
    check(runState(pair.source->qmpSocketPath()) == "running", "source not running");
    std::printf("# error: %s\n", report.error.c_str());
    checkGuestRunsAndVerifies(*pair.source, "source");
}

/* The scripted fixture plugin's path (--scripted). */
std::string scriptedPlugin;

/* A migration under the scripted plugin with @settings (64 MiB/s: a few seconds). */
MigrationReport runScripted(Pair &pair, std::map<std::string, std::string> settings)
{
    PolicyChain chain;
    settings.emplace("bandwidth", "67108864");
    chain.add(scriptedPlugin, settings);
    GMainContextPtr context(g_main_context_new());
    MigrationEngine engine(context.get(), optionsFor(pair), chain);
    return engine.run();
}

bool sawStatus(const MigrationReport &report, const std::string &status)
{
    for (const auto &sample : report.samples) {
        if (sample.status == status) {
            return true;
        }
    }
    return false;
}

bool logged(const MigrationReport &report, const std::string &text)
{
    for (const auto &line : report.log) {
        if (line.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

const DecisionRecord *decision(const MigrationReport &report, const std::string &action)
{
    for (const auto &d : report.decisions) {
        if (d.action == action) {
            return &d;
        }
    }
    return nullptr;
}

void gateProceeds(const std::string &qemu)
{
    Pair pair(qemu);
    const MigrationReport report = runScripted(pair, {{"gate", "true"}});
    check(report.phase == MIGKIT_PHASE_COMPLETED, "migration did not complete: " + report.error);
    check(report.plan.switchover_gate, "the gate is not in the plan");
    check(sawStatus(report, "pre-switchover"), "no pre-switchover sample: the gate did not stop");
    check(logged(report, "switchover: proceed"), "the policy was not asked at switchover");
    checkGuestRunsAndVerifies(*pair.destination, "destination");
}

void gateVetoes(const std::string &qemu)
{
    Pair pair(qemu);
    const MigrationReport report = runScripted(pair, {{"gate", "true"}, {"veto", "true"}});
    check(report.phase == MIGKIT_PHASE_CANCELLED,
          std::string("phase is ") + phaseName(report.phase) + ": " + report.error);
    check(report.error.find("vetoed") != std::string::npos, "no veto in: " + report.error);
    check(report.vmRunningOn == "source", "VM runs on " + report.vmRunningOn);
    check(runState(pair.source->qmpSocketPath()) == "running", "source not running");
    checkGuestRunsAndVerifies(*pair.source, "source");
}

void postcopyByPolicy(const std::string &qemu)
{
    Pair pair(qemu);
    const MigrationReport report =
        runScripted(pair, {{"postcopy", "true"}, {"action", "postcopy"}, {"act-at-pass", "2"}});
    check(report.phase == MIGKIT_PHASE_COMPLETED, "migration did not complete: " + report.error);
    const DecisionRecord *d = decision(report, "start-postcopy");
    check(d && d->applied, "no applied start-postcopy decision");
    check(sawStatus(report, "postcopy-active"), "never in postcopy-active");
    checkGuestRunsAndVerifies(*pair.destination, "destination");
}

void pauseToComplete(const std::string &qemu)
{
    Pair pair(qemu);
    const MigrationReport report = runScripted(pair, {{"action", "pause"}, {"act-at-pass", "2"}});
    check(report.phase == MIGKIT_PHASE_COMPLETED, "migration did not complete: " + report.error);
    const DecisionRecord *d = decision(report, "pause-to-complete");
    check(d && d->applied, "no applied pause-to-complete decision");
    check(runState(pair.destination->qmpSocketPath()) == "running",
          "destination not running after a pause-to-complete");
    checkGuestRunsAndVerifies(*pair.destination, "destination");
}

void multifdChannels(const std::string &qemu)
{
    Pair pair(qemu);
    const MigrationReport report = runScripted(pair, {{"multifd", "4"}});
    check(report.phase == MIGKIT_PHASE_COMPLETED, "migration did not complete: " + report.error);
    const json::Value *ram = report.finalStatistics.find("ram");
    check(ram && ram->uint64At("multifd-bytes").value_or(0) > 0,
          "no bytes went through the multifd channels");
    checkGuestRunsAndVerifies(*pair.destination, "destination");
}

} // namespace

int main(int argc, char **argv)
{
    std::string qemu = "/usr/bin/qemu-system-x86_64";
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--qemu") {
            qemu = argv[i + 1];
        } else if (std::string(argv[i]) == "--scripted") {
            scriptedPlugin = argv[i + 1];
        }
    }
    const std::pair<const char *, void (*)(const std::string &)> cases[] = {
        {"completed migration: guest verifies on the destination, figures equal QEMU's",
         completedMigration},
        {"cancel mid-way: the source keeps running and the guest keeps writing", cancelMidway},
        {"destination killed mid-way: the source keeps running, the report says why",
         destinationKilled},
        {"switchover gate: the policy is asked and the migration proceeds", gateProceeds},
        {"switchover gate: a veto cancels, the source keeps running", gateVetoes},
        {"post-copy started by a policy completes, guest verifies", postcopyByPolicy},
        {"pause-to-complete completes and the destination runs", pauseToComplete},
        {"multifd with 4 channels completes, guest verifies", multifdChannels},
    };
    std::printf("1..%zu\n# QEMU: %s\n", std::size(cases), qemu.c_str());
    std::fflush(stdout);
    int failed = 0;
    int number = 0;
    for (const auto &[name, run] : cases) {
        ++number;
        try {
            run(qemu);
            std::printf("ok %d - %s\n", number, name);
        } catch (const std::exception &e) {
            ++failed;
            std::printf("not ok %d - %s\n# %s\n", number, name, e.what());
        }
        std::fflush(stdout);
    }
    return failed ? 1 : 0;
}
