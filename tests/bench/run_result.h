/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "report/migration_report.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migkit::bench {

/**
 * GuestWork: the guest's own account of the migration, from its progress lines.  The window
 * runs from the last progress line before `migrate` to the first one read after the
 * migration ended (on the destination when it completed, else on the source).
 */
struct GuestWork {
    /** preRatePagesPerSecond: pages written per host second just before the migration. */
    double preRatePagesPerSecond = 0;
    /** windowSeconds: host seconds between the two progress lines. */
    double windowSeconds = 0;
    /** pagesWritten: pages the guest wrote in the window. */
    uint64_t pagesWritten = 0;
    /**
     * lostSeconds: windowSeconds - pagesWritten / preRatePagesPerSecond: seconds of guest
     * progress lost against its speed before the migration (throttle, stun, slower vCPU).
     */
    double lostSeconds = 0;
};

/** RunResult: one migration of one scenario under one configuration. */
struct RunResult {
    /** scenario, configuration: which cell of the table this run belongs to. */
    std::string scenario, configuration;
    /** run: 1-based run number within its cell. */
    unsigned run = 0;
    /** binary: the qemu-system-x86_64 that ran both ends. */
    std::string binary;
    /** converged: the migration completed before the timeout. */
    bool converged = false;
    /** status: QEMU's final status ("completed", "cancelled", ...). */
    std::string status;
    /** error: why the migration did not complete (the engine's words). */
    std::string error;
    /** totalSeconds: QEMU's total-time (until completion or cancel). */
    double totalSeconds = 0;
    /** downtimeMs: QEMU's downtime (completed runs). */
    uint64_t downtimeMs = 0;
    /** bytesSent: ram.transferred. */
    uint64_t bytesSent = 0;
    /** iterations: ram.dirty-sync-count. */
    uint64_t iterations = 0;
    /** predictedDowntimeMs: dirty-heat/predicted-downtime-ms of the last sample (patched). */
    std::optional<uint64_t> predictedDowntimeMs;
    /** expectedDowntimeMs: QEMU's expected-downtime of the last active sample. */
    std::optional<uint64_t> expectedDowntimeMs;
    /** guestStopMs: how long the guest's clock stood still around switchover, seen by the
     *  guest (host time minus guest time between its last line on the source and its first
     *  on the destination); completed runs only. */
    std::optional<double> guestStopMs;
    /** work: guest work during the migration. */
    GuestWork work;
    /** verified: the guest's verify pass found no bad page. */
    bool verified = false;
    /** verifiedOn: "destination" or "source". */
    std::string verifiedOn;
    /** verifyLine: the guest's verify line. */
    std::string verifyLine;
    /** benchError: non-empty when the run failed as a benchmark (QEMU died, verify failed). */
    std::string benchError;
    /** samples: every query-migrate sample the engine took (about 10 a second). */
    std::vector<SampleRecord> samples;
    /** report: the engine's full report (plan, decisions, final statistics). */
    MigrationReport report;
};

} // namespace migkit::bench
