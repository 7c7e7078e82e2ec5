/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "results_json.h"

#include "report/report_json.h"

namespace migkit::bench {

namespace {

json::Value spreadToJson(const Spread &spread)
{
    json::Value value = json::Value::object();
    value.set("count", static_cast<uint64_t>(spread.count));
    if (spread.count) {
        value.set("median", spread.median);
        value.set("min", spread.min);
        value.set("max", spread.max);
    }
    return value;
}

json::Value runToJson(const RunResult &run)
{
    json::Value value = json::Value::object();
    value.set("scenario", run.scenario);
    value.set("configuration", run.configuration);
    value.set("run", static_cast<uint64_t>(run.run));
    value.set("binary", run.binary);
    value.set("converged", run.converged);
    value.set("status", run.status);
    value.set("error", run.error);
    value.set("bench-error", run.benchError);
    value.set("total-seconds", run.totalSeconds);
    value.set("downtime-ms", run.downtimeMs);
    value.set("bytes-sent", run.bytesSent);
    value.set("iterations", run.iterations);
    value.set("predicted-downtime-ms",
              run.predictedDowntimeMs ? json::Value(*run.predictedDowntimeMs) : json::Value());
    value.set("expected-downtime-ms",
              run.expectedDowntimeMs ? json::Value(*run.expectedDowntimeMs) : json::Value());
    value.set("guest-stop-ms", run.guestStopMs ? json::Value(*run.guestStopMs) : json::Value());
    json::Value work = json::Value::object();
    work.set("pre-rate-pages-per-second", run.work.preRatePagesPerSecond);
    work.set("window-seconds", run.work.windowSeconds);
    work.set("pages-written", run.work.pagesWritten);
    work.set("lost-seconds", run.work.lostSeconds);
    value.set("guest-work", work);
    value.set("verified", run.verified);
    value.set("verified-on", run.verifiedOn);
    value.set("verify-line", run.verifyLine);
    json::Value samples = json::Value::array();
    for (const auto &sample : run.samples) {
        samples.push(sampleRecordToJson(sample));
    }
    value.set("samples", samples);
    value.set("report", reportToJson(run.report));
    return value;
}

} // namespace

json::Value benchRecordToJson(const BenchRecord &record)
{
    json::Value root = json::Value::object();
    root.set("tool", "migkit-bench");
    root.set("command", record.command);
    root.set("started-at", record.startedAt);

    const BenchOptions &o = record.options;
    json::Value options = json::Value::object();
    options.set("stock", o.stockBinary);
    options.set("patched", o.patchedBinary);
    options.set("runs", static_cast<uint64_t>(o.runs));
    options.set("bandwidth-bytes-per-second", o.bandwidthBytesPerSecond);
    options.set("downtime-limit-ms", o.downtimeLimitMs);
    options.set("link-bytes-per-second", o.linkBytesPerSecond);
    options.set("link-rtt-ms", o.linkRttMs);
    options.set("switchover-bandwidth-bytes-per-second", o.switchoverBandwidthBytesPerSecond);
    options.set("timeout-seconds", static_cast<int64_t>(o.timeout.count()));
    options.set("ram-mib", o.ramMiB);
    options.set("working-set-bytes", o.workingSetBytes);
    options.set("hotspot-ram-mib", o.hotspotRamMiB);
    options.set("hotspot-working-set-bytes", o.hotspotWorkingSetBytes);
    options.set("large-ram-mib", o.largeRamMiB);
    root.set("options", options);

    json::Value binaries = json::Value::object();
    for (const BinaryStamp *stamp : {&record.stockStamp, &record.patchedStamp}) {
        json::Value value = json::Value::object();
        value.set("path", stamp->path);
        value.set("size", stamp->size);
        value.set("modified", stamp->modifiedUtc());
        binaries.set(stamp == &record.stockStamp ? "stock" : "patched", value);
    }
    root.set("binaries", binaries);

    json::Value calibration = json::Value::object();
    calibration.set("binary", record.calibration.binary);
    calibration.set("ram-mib", record.calibration.ramMiB);
    calibration.set("unthrottled-pages-per-second", record.calibration.pagesPerSecond);
    calibration.set("unthrottled-bytes-per-second", record.calibration.bytesPerSecond);
    root.set("calibration", calibration);

    json::Value scenarios = json::Value::array();
    for (const auto &scenario : record.scenarios) {
        json::Value value = json::Value::object();
        value.set("key", scenario.key);
        value.set("name", scenario.name);
        value.set("description", scenario.description);
        value.set("ram-mib", scenario.ramMiB);
        value.set("guest", scenario.guest.toCommandLine());
        scenarios.push(value);
    }
    root.set("scenarios", scenarios);

    json::Value configurations = json::Value::array();
    for (const auto &configuration : record.configurations) {
        json::Value value = json::Value::object();
        value.set("name", configuration.name);
        value.set("label", configuration.label);
        value.set("qemu", configuration.qemu == QemuKind::Stock ? "stock" : "patched");
        value.set("auto-converge", configuration.autoConverge);
        value.set("dirty-heat", configuration.dirtyHeat);
        value.set("dirty-heat-defer", configuration.dirtyHeat);
        configurations.push(value);
    }
    root.set("configurations", configurations);

    json::Value runs = json::Value::array();
    for (const auto &run : record.results) {
        runs.push(runToJson(run));
    }
    root.set("runs", runs);

    json::Value cells = json::Value::array();
    for (const auto &cell : record.cells) {
        json::Value value = json::Value::object();
        value.set("scenario", cell.scenario);
        value.set("configuration", cell.configuration);
        value.set("runs", static_cast<uint64_t>(cell.runs));
        value.set("converged", static_cast<uint64_t>(cell.converged));
        value.set("bench-errors", static_cast<uint64_t>(cell.benchErrors));
        value.set("total-seconds", spreadToJson(cell.totalSeconds));
        value.set("downtime-ms", spreadToJson(cell.downtimeMs));
        value.set("bytes-sent", spreadToJson(cell.bytesSent));
        value.set("iterations", spreadToJson(cell.iterations));
        value.set("lost-seconds", spreadToJson(cell.lostSeconds));
        value.set("predicted-downtime-ms", spreadToJson(cell.predictedDowntimeMs));
        value.set("expected-downtime-ms", spreadToJson(cell.expectedDowntimeMs));
        value.set("guest-stop-ms", spreadToJson(cell.guestStopMs));
        cells.push(value);
    }
    root.set("summary", cells);

    json::Value targets = json::Value::array();
    for (const auto &target : record.targets) {
        json::Value value = json::Value::object();
        value.set("name", target.name);
        value.set("pass", target.pass);
        value.set("detail", target.detail);
        targets.push(value);
    }
    root.set("targets", targets);
    return root;
}

} // namespace migkit::bench
