/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report/report_json.h"

namespace migkit {

namespace {

const char *autoConvergeName(migkit_auto_converge mode)
{
    switch (mode) {
    case MIGKIT_AUTO_CONVERGE_OFF:
        return "off";
    case MIGKIT_AUTO_CONVERGE_CLASSIC:
        return "classic";
    case MIGKIT_AUTO_CONVERGE_PREDICTIVE:
        return "predictive";
    }
    return "unknown";
}

json::Value planToJson(const MigrationReport &report)
{
    const migkit_plan &plan = report.plan;
    json::Value v = json::Value::object();
    v.set("downtime-limit-ms", plan.downtime_limit_ms);
    v.set("bandwidth-bytes-per-second", plan.bandwidth_bytes_per_second);
    v.set("multifd-channels", plan.multifd_channels);
    v.set("postcopy-allowed", plan.postcopy_allowed);
    v.set("auto-converge", autoConvergeName(plan.auto_converge));
    v.set("tls", plan.tls);
    v.set("switchover-gate", plan.switchover_gate);
    v.set("dirty-heat", plan.dirty_heat);
    json::Value notes = json::Value::array();
    for (const auto &note : report.planNotes) {
        notes.push(note);
    }
    v.set("notes", std::move(notes));
    return v;
}

json::Value decisionToJson(const DecisionRecord &d)
{
    json::Value v = json::Value::object();
    v.set("elapsed-ms", d.elapsedMs);
    v.set("plugin", d.plugin);
    v.set("action", d.action);
    v.set("detail", d.detail);
    v.set("reason", d.reason);
    v.set("applied", d.applied);
    if (!d.applied) {
        v.set("error", d.error);
    }
    return v;
}

} // namespace

json::Value sampleRecordToJson(const SampleRecord &s)
{
    json::Value v = json::Value::object();
    v.set("elapsed-ms", s.elapsedMs);
    v.set("status", s.status);
    v.set("iteration", s.iteration);
    v.set("ram-total-bytes", s.ramTotalBytes);
    v.set("ram-remaining-bytes", s.ramRemainingBytes);
    v.set("ram-transferred-bytes", s.ramTransferredBytes);
    v.set("dirty-rate-bytes-per-second", s.dirtyRateBytesPerSecond);
    v.set("bandwidth-bytes-per-second", s.bandwidthBytesPerSecond);
    v.set("expected-downtime-ms", s.expectedDowntimeMs);
    v.set("throttle-percent", s.throttlePercent);
    return v;
}

json::Value reportToJson(const MigrationReport &report)
{
    json::Value root = json::Value::object();

    json::Value outcome = json::Value::object();
    outcome.set("phase", phaseName(report.phase));
    outcome.set("status", report.status);
    outcome.set("error", report.error.empty() ? json::Value() : json::Value(report.error));
    outcome.set("vm-running-on", report.vmRunningOn);
    root.set("outcome", std::move(outcome));

    json::Value migration = json::Value::object();
    migration.set("vm-name", report.vmName);
    migration.set("source", report.sourceAddress);
    migration.set("destination", report.destinationAddress);
    migration.set("uri", report.uri);
    migration.set("source-qemu-version", report.sourceQemuVersion);
    migration.set("destination-qemu-version", report.destinationQemuVersion);
    root.set("migration", std::move(migration));

    json::Value figures = json::Value::object();
    figures.set("total-time-ms", report.totalMs);
    figures.set("downtime-ms", report.downtimeMs);
    figures.set("setup-time-ms", report.setupMs);
    figures.set("transferred-bytes", report.transferredBytes);
    figures.set("ram-total-bytes", report.ramTotalBytes);
    figures.set("iterations", report.iterations);
    figures.set("final-throttle-percent", report.finalThrottlePercent);
    figures.set("mbps", report.mbps);
    root.set("figures", std::move(figures));

    root.set("plan", planToJson(report));

    json::Value disks = json::Value::array();
    for (const auto &d : report.disks) {
        json::Value disk = json::Value::object();
        disk.set("device", d.device);
        disk.set("node", d.node);
        disk.set("protocol", d.protocol);
        disk.set("lease-protected", d.leaseProtected);
        disk.set("lease-owner", d.leaseOwner);
        disks.push(std::move(disk));
    }
    root.set("disks", std::move(disks));

    json::Value plugins = json::Value::array();
    for (const auto &p : report.plugins) {
        json::Value plugin = json::Value::object();
        plugin.set("name", p.name);
        plugin.set("version", p.version);
        plugin.set("path", p.path);
        json::Value settings = json::Value::object();
        for (const auto &[key, value] : p.settings) {
            settings.set(key, value);
        }
        plugin.set("settings", std::move(settings));
        plugins.push(std::move(plugin));
    }
    root.set("plugins", std::move(plugins));

    json::Value samples = json::Value::array();
    for (const auto &s : report.samples) {
        samples.push(sampleRecordToJson(s));
    }
    root.set("samples", std::move(samples));

    json::Value decisions = json::Value::array();
    for (const auto &d : report.decisions) {
        decisions.push(decisionToJson(d));
    }
    root.set("decisions", std::move(decisions));

    json::Value log = json::Value::array();
    for (const auto &l : report.log) {
        json::Value line = json::Value::object();
        line.set("elapsed-ms", l.elapsedMs);
        line.set("source", l.source);
        line.set("level", l.level);
        line.set("message", l.message);
        log.push(std::move(line));
    }
    root.set("log", std::move(log));

    root.set("qemu-final-statistics", report.finalStatistics);
    return root;
}

} // namespace migkit
