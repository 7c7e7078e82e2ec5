/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json/value.h"

#include <migkit/plugin.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace migkit {

/** SampleRecord: one progress sample as the report keeps it (the main figures only). */
struct SampleRecord {
    /** Since `migrate` was issued. */
    uint64_t elapsedMs = 0;
    std::string status;
    uint64_t iteration = 0;
    uint64_t ramTotalBytes = 0;
    uint64_t ramRemainingBytes = 0;
    uint64_t ramTransferredBytes = 0;
    uint64_t dirtyRateBytesPerSecond = 0;
    uint64_t bandwidthBytesPerSecond = 0;
    uint64_t expectedDowntimeMs = 0;
    uint32_t throttlePercent = 0;
};

/** sampleRecordOf: the report's record of @progress, with @status (QEMU's or a phase name). */
SampleRecord sampleRecordOf(const migkit_progress &progress, const std::string &status);

/**
 * DecisionRecord: one policy decision the engine applied (or tried to): when, which plugin,
 * what (a stable action name and its arguments as text), and the plugin's reason.
 */
struct DecisionRecord {
    /** Since `migrate` was issued. */
    uint64_t elapsedMs = 0;
    /** The plugin's descriptor name. */
    std::string plugin;
    /** actionKindName(): "set-downtime-limit", "start-postcopy", ... */
    std::string action;
    /** Its arguments, e.g. "downtime-limit=500 ms". */
    std::string detail;
    /** The plugin's reason. */
    std::string reason;
    /** Whether QEMU accepted it. */
    bool applied = true;
    /** Why QEMU refused it, when !applied. */
    std::string error;
};

/** LogRecord: a plugin's log line or an engine note, with when it happened. */
/** logLevelName: "debug", "info", "warning" or "error", as LogRecord::level spells it. */
const char *logLevelName(migkit_log_level level);

struct LogRecord {
    /** Since `migrate` was issued (0 before). */
    uint64_t elapsedMs = 0;
    /** The plugin's name, or "migkit" for the engine's own notes. */
    std::string source;
    /** "debug", "info", "warning" or "error". */
    std::string level;
    /** The line. */
    std::string message;
};

/** PluginRecord: a policy plugin that ran, with the settings it ran with. */
struct PluginRecord {
    std::string name, version, path;
    std::map<std::string, std::string> settings;
};

/** DiskRecord: one disk of the source VM and whether a cluster lease protects it. */
struct DiskRecord {
    /** The qdev id, else the drive's name. */
    std::string device;
    /** The root block node. */
    std::string node;
    /** The driver at the bottom of the node chain: "file", "nbd", "rbd", ... */
    std::string protocol;
    /** A cluster-lease node in the chain holds the lease and is not fenced. */
    bool leaseProtected = false;
    /** The lease's owner (host name or id); empty when unknown. */
    std::string leaseOwner;
};

/**
 * MigrationReport: everything known about one migration, for people (reportToText) and tools
 * (reportToJson).  The final figures come from QEMU's own last query-migrate, kept verbatim in
 * finalStatistics, so that they match what QEMU says.
 */
struct MigrationReport {
    /* What was migrated, from where to where. */
    std::string vmName;
    std::string sourceAddress, destinationAddress, uri;
    std::string sourceQemuVersion, destinationQemuVersion;
    std::vector<PluginRecord> plugins;
    /** The plan after every policy adjusted it. */
    migkit_plan plan{};
    /** Facts and choices about the plan worth telling (a capability asked but not offered). */
    std::vector<std::string> planNotes;
    /** The source VM's disks, in query-block order. */
    std::vector<DiskRecord> disks;

    /* Outcome. */
    migkit_phase phase = MIGKIT_PHASE_FAILED;
    /** QEMU's final status: "completed", "failed", "cancelled", ... */
    std::string status;
    /** Why it failed; empty when it completed. */
    std::string error;
    /** "source", "destination", or "none" when neither side runs it. */
    std::string vmRunningOn = "source";

    /* Final figures, from QEMU's final query-migrate. */
    uint64_t totalMs = 0;
    uint64_t downtimeMs = 0;
    uint64_t setupMs = 0;
    uint64_t transferredBytes = 0;
    uint64_t ramTotalBytes = 0;
    uint64_t iterations = 0;
    uint32_t finalThrottlePercent = 0;
    double mbps = 0;
    /** The final query-migrate reply, as QEMU sent it. */
    json::Value finalStatistics;

    /* The course of the migration. */
    std::vector<SampleRecord> samples;
    std::vector<DecisionRecord> decisions;
    std::vector<LogRecord> log;
};

/** phaseName: "setup", "precopy", ..., "completed", "failed", "cancelled". */
const char *phaseName(migkit_phase phase);

/**
 * applyFinalStatistics: fill the report's final figures from QEMU's final query-migrate
 * reply @queryMigrate (total-time, downtime, setup-time, ram.transferred, ram.total,
 * ram.dirty-sync-count, ram.mbps, cpu-throttle-percentage) and keep the reply verbatim.
 * Figures QEMU did not report stay 0.
 */
void applyFinalStatistics(MigrationReport &report, const json::Value &queryMigrate);

} // namespace migkit
