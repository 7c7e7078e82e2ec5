/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench_run.h"

#include "engine/migration_engine.h"
#include "plugin/plugin_error.h"
#include "plugin/policy_chain.h"
#include "qmp/client.h"
#include "qmp/glib_ptr.h"
#include "testbed/guest_console.h"
#include "testbed/qemu_process.h"
#include "testbed/testbed_error.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace migkit::bench {

namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

/* Keeps every sample the engine takes; the report itself keeps about one a second. */
class SampleCollector : public MigrationObserver {
public:
    void sample(const SampleRecord &sample) override { samples.push_back(sample); }
    std::vector<SampleRecord> samples;
};

/*
 * Reads the source guest's console while the engine runs its main loop, so that its progress
 * lines are timed as they arrive rather than piled up in the socket.
 */
class ConsolePump {
public:
    ConsolePump(GMainContext *context, testbed::GuestConsole &console) : console_(console)
    {
        source_.reset(g_timeout_source_new(20));
        g_source_set_callback(source_.get(), G_SOURCE_FUNC(onTick), this, nullptr);
        g_source_attach(source_.get(), context);
    }

    /* The console closed (QEMU exited) while pumping, if it did. */
    const std::string &failure() const { return failure_; }

private:
    static gboolean onTick(gpointer self)
    {
        auto *pump = static_cast<ConsolePump *>(self);
        try {
            pump->console_.poll();
        } catch (const testbed::TestbedError &e) {
            pump->failure_ = e.what();
            return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
    }

    testbed::GuestConsole &console_;
    GSourcePtr source_;
    std::string failure_;
};

/*
 * What the plan cannot say, set on the source before the engine connects.  The plan has one
 * switch for dirty heat; the engine turns on the 'dirty-heat' capability from it.
 * 'dirty-heat-defer' is set here beforehand (with 'dirty-heat', which it requires), and so is
 * avail-switchover-bandwidth; the engine's later calls leave both alone.
 */
void prepareSource(GMainContext *context, const std::string &qmpSocketPath, bool heatDefer,
                   uint64_t switchoverBandwidth)
{
    if (!heatDefer && !switchoverBandwidth) {
        return;
    }
    QmpClient client(context);
    client.connect(QmpAddress::parse("unix:" + qmpSocketPath), std::chrono::seconds(10));
    if (heatDefer) {
        json::Value caps = json::Value::array();
        for (const char *name : {"dirty-heat", "dirty-heat-defer"}) {
            json::Value cap = json::Value::object();
            cap.set("capability", name);
            cap.set("state", true);
            caps.push(cap);
        }
        json::Value arguments = json::Value::object();
        arguments.set("capabilities", caps);
        const QmpReply reply =
            client.call("migrate-set-capabilities", arguments, std::chrono::seconds(10));
        if (!reply.ok()) {
            throw testbed::TestbedError("the patched QEMU refused dirty-heat + dirty-heat-defer (" +
                                        std::string(reply.error().what()) +
                                        "): is --patched a migkit-patched build?");
        }
    }
    if (switchoverBandwidth) {
        json::Value arguments = json::Value::object();
        arguments.set("avail-switchover-bandwidth", switchoverBandwidth);
        const QmpReply reply =
            client.call("migrate-set-parameters", arguments, std::chrono::seconds(10));
        if (!reply.ok()) {
            throw testbed::TestbedError("QEMU refused avail-switchover-bandwidth (" +
                                        std::string(reply.error().what()) +
                                        "): it needs QEMU 8.2 or later");
        }
    }
    /* A QMP monitor serves one client at a time: the engine connects next. */
    client.close("source prepared");
}

/*
 * The guest's rate before the migration: the median of its rates between consecutive
 * progress lines over @window of host time, so that one stall of a loaded host (the guest
 * makes up at most 10 ms of backlog) does not lower the reference for the whole run.
 */
double measureWriteRate(testbed::GuestConsole &console, std::chrono::milliseconds window)
{
    console.waitProgress();
    testbed::ProgressSample previous = console.progressHistory().back();
    const Clock::time_point start = previous.hostTime;
    std::vector<double> rates;
    while (secondsBetween(start, previous.hostTime) * 1000 < static_cast<double>(window.count())) {
        console.waitProgress();
        const testbed::ProgressSample &next = console.progressHistory().back();
        const double seconds = secondsBetween(previous.hostTime, next.hostTime);
        if (seconds > 0) {
            rates.push_back(
                static_cast<double>(next.progress.pagesWritten - previous.progress.pagesWritten) /
                seconds);
        }
        previous = next;
    }
    std::sort(rates.begin(), rates.end());
    return rates.empty() ? 0 : rates[rates.size() / 2];
}

void fillFromReport(RunResult &result, const MigrationReport &report)
{
    result.status = report.status;
    result.converged = report.phase == MIGKIT_PHASE_COMPLETED;
    result.error = report.error;
    result.totalSeconds = static_cast<double>(report.totalMs) / 1000.0;
    if (result.totalSeconds == 0 && !result.samples.empty()) {
        result.totalSeconds = static_cast<double>(result.samples.back().elapsedMs) / 1000.0;
    }
    result.downtimeMs = report.downtimeMs;
    result.bytesSent = report.transferredBytes;
    result.iterations = report.iterations;
    if (const json::Value *heat = report.finalStatistics.find("dirty-heat");
        heat && heat->isObject()) {
        result.predictedDowntimeMs = heat->uint64At("predicted-downtime-ms");
    }
    for (auto it = result.samples.rbegin(); it != result.samples.rend(); ++it) {
        if (it->status == "active") {
            result.expectedDowntimeMs = it->expectedDowntimeMs;
            break;
        }
    }
}

} // namespace

RunResult runBenchMigration(const RunSpec &spec)
{
    RunResult result;
    result.scenario = spec.scenario.name;
    result.configuration = spec.configuration.name;
    result.run = spec.run;
    result.binary = spec.binary;

    testbed::QemuOptions qemu;
    qemu.binary = spec.binary;
    qemu.guestImage = spec.guestImage;
    qemu.guest = spec.scenario.guest;
    qemu.memoryMiB = spec.scenario.ramMiB;
    qemu.name = "bench-" + spec.scenario.name;
    testbed::QemuOptions incoming = qemu;
    incoming.incomingDefer = true;

    try {
        testbed::QemuProcess source(qemu);
        testbed::QemuProcess destination(incoming);
        testbed::GuestConsole console(source.serialSocketPath(), std::chrono::seconds(30));
        console.waitReady();
        result.work.preRatePagesPerSecond = measureWriteRate(console, spec.preRateWindow);
        if (result.work.preRatePagesPerSecond <= 0) {
            result.benchError = "the guest wrote nothing before the migration";
            return result;
        }
        const testbed::ProgressSample before = console.progressHistory().back();

        GMainContextPtr context(g_main_context_new());
        prepareSource(context.get(), source.qmpSocketPath(), spec.configuration.dirtyHeat,
                      spec.switchoverBandwidthBytesPerSecond);
        PolicyChain chain(PluginLocator(std::vector<std::string>{}));
        chain.add(spec.planPolicy,
                  {{"downtime-limit-ms", std::to_string(spec.downtimeLimitMs)},
                   {"bandwidth", std::to_string(spec.bandwidthBytesPerSecond)},
                   {"auto-converge", spec.configuration.autoConverge},
                   {"dirty-heat", spec.configuration.dirtyHeat ? "true" : "false"}});
        MigrationOptions options;
        options.source = QmpAddress::parse("unix:" + source.qmpSocketPath());
        options.destination = QmpAddress::parse("unix:" + destination.qmpSocketPath());
        options.migrationTimeout = spec.timeout;
        SampleCollector collector;
        MigrationReport report;
        {
            MigrationEngine engine(context.get(), options, chain, &collector);
            ConsolePump pump(context.get(), console);
            report = engine.run();
            if (!pump.failure().empty()) {
                result.benchError =
                    "the source guest's console closed during the migration: " + pump.failure();
            }
        }
        result.samples = std::move(collector.samples);
        fillFromReport(result, report);
        result.report = std::move(report);
        if (!result.benchError.empty()) {
            return result;
        }
        console.poll();
        const testbed::ProgressSample lastOnSource = console.progressHistory().back();

        /* The guest's word, wherever it runs now. */
        const bool onDestination = result.report.vmRunningOn == "destination";
        if (!onDestination && result.report.vmRunningOn != "source") {
            result.benchError = "after the migration the VM runs on '" + result.report.vmRunningOn +
                                "', neither source nor destination";
            return result;
        }
        std::unique_ptr<testbed::GuestConsole> destinationConsole;
        if (onDestination) {
            destinationConsole = std::make_unique<testbed::GuestConsole>(
                destination.serialSocketPath(), std::chrono::seconds(30));
            destinationConsole->waitReady();
        }
        testbed::GuestConsole &where = onDestination ? *destinationConsole : console;
        where.waitProgress();
        const testbed::ProgressSample after = where.progressHistory().back();
        result.work.windowSeconds = secondsBetween(before.hostTime, after.hostTime);
        result.work.pagesWritten = after.progress.pagesWritten - before.progress.pagesWritten;
        result.work.lostSeconds =
            result.work.windowSeconds -
            static_cast<double>(result.work.pagesWritten) / result.work.preRatePagesPerSecond;
        if (onDestination) {
            const double hostMs = secondsBetween(lastOnSource.hostTime, after.hostTime) * 1000.0;
            const double guestMs = (static_cast<double>(after.progress.guestTimeUs) -
                                    static_cast<double>(lastOnSource.progress.guestTimeUs)) /
                                   1000.0;
            result.guestStopMs = hostMs - guestMs;
        }

        const testbed::VerifyResult verify = where.verify();
        result.verified = verify.ok;
        result.verifiedOn = onDestination ? "destination" : "source";
        result.verifyLine = verify.line;
        if (!verify.ok) {
            result.benchError = "the guest's verify pass on the " + result.verifiedOn +
                                " found bad pages: " + verify.line;
        }
    } catch (const testbed::TestbedError &e) {
        result.benchError = e.what();
    } catch (const MigrationError &e) {
        result.benchError = std::string("the migration could not start: ") + e.what();
    } catch (const PluginError &e) {
        result.benchError = std::string("the bench-plan policy: ") + e.what();
    } catch (const QmpError &e) {
        result.benchError = std::string("QMP: ") + e.what();
    }
    return result;
}

} // namespace migkit::bench
