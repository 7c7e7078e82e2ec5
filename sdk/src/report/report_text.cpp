/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report/report_text.h"

#include <cstdio>

namespace migkit {

std::string formatBytes(uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + " B";
    }
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    value /= 1024;
    while (value >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0])) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof(text), value < 10 ? "%.2f %s" : "%.1f %s", value, units[unit]);
    return text;
}

namespace {

std::string seconds(uint64_t ms)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.3f s", static_cast<double>(ms) / 1000.0);
    return text;
}

void line(std::string &out, const char *label, const std::string &value)
{
    char text[64];
    std::snprintf(text, sizeof(text), "  %-22s", label);
    out += text;
    out += value;
    out += '\n';
}

} // namespace

std::string reportToText(const MigrationReport &report)
{
    std::string out;
    out += "Migration " + std::string(phaseName(report.phase));
    if (!report.vmName.empty()) {
        out += " (VM " + report.vmName + ")";
    }
    out += ": " + report.sourceAddress + " -> " + report.destinationAddress + "\n";
    if (!report.error.empty()) {
        line(out, "error:", report.error);
    }
    line(out, "VM runs on:", report.vmRunningOn);
    line(out, "total time:", seconds(report.totalMs));
    line(out, "downtime:", std::to_string(report.downtimeMs) + " ms");
    line(out, "setup time:", std::to_string(report.setupMs) + " ms");
    line(out, "transferred:",
         formatBytes(report.transferredBytes) + " (" + std::to_string(report.transferredBytes) +
             " bytes) of " + formatBytes(report.ramTotalBytes) + " RAM");
    line(out, "iterations:", std::to_string(report.iterations));
    char rate[64];
    std::snprintf(rate, sizeof(rate), "%.1f Mbit/s", report.mbps);
    line(out, "average rate:", rate);
    line(out, "final throttle:", std::to_string(report.finalThrottlePercent) + " %");
    std::string policies;
    for (const auto &p : report.plugins) {
        policies += (policies.empty() ? "" : ", ") + p.name + " " + p.version;
    }
    line(out, "policies:", policies.empty() ? "(none)" : policies);
    for (const auto &note : report.planNotes) {
        line(out, "plan note:", note);
    }
    for (const auto &d : report.disks) {
        line(out, "disk:",
             d.device + " (node " + d.node + ", " + d.protocol + "): " +
                 (d.leaseProtected ? "lease-protected, owner " +
                                         (d.leaseOwner.empty() ? "unknown" : d.leaseOwner)
                                   : "not lease-protected"));
    }
    if (report.decisions.empty()) {
        out += "  no policy decisions\n";
    } else {
        out += "  policy decisions:\n";
        for (const auto &d : report.decisions) {
            char when[32];
            std::snprintf(when, sizeof(when), "%9.3f s", static_cast<double>(d.elapsedMs) / 1000);
            out += "    " + std::string(when) + "  " + d.plugin + ": " + d.action;
            if (!d.detail.empty()) {
                out += " " + d.detail;
            }
            if (!d.reason.empty()) {
                out += " (" + d.reason + ")";
            }
            if (!d.applied) {
                out += " [not applied: " + d.error + "]";
            }
            out += '\n';
        }
    }
    return out;
}

} // namespace migkit
