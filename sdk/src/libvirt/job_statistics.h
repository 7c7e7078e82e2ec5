/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"
#include "json/value.h"

#include <libvirt/libvirt.h>
#include <migkit/plugin.h>

#include <optional>
#include <string>

namespace migkit {

/**
 * JobStatistics: one answer of virDomainGetJobStats, copied out of libvirt's typed parameters
 * so that it outlives them: the job type (VIR_DOMAIN_JOB_*) and every field by its libvirt
 * name ("memory_remaining", "time_elapsed", ...).
 */
struct JobStatistics {
    /** type: VIR_DOMAIN_JOB_NONE, _UNBOUNDED (running), _COMPLETED, _FAILED, _CANCELLED. */
    int type = VIR_DOMAIN_JOB_NONE;
    /** fields: every typed parameter, in libvirt's order. */
    ValueList fields;

    /**
     * query: virDomainGetJobStats of @domain with @flags (0: the current job;
     * VIR_DOMAIN_JOB_STATS_COMPLETED: the last completed one), or nullopt when libvirt cannot
     * tell (domain gone, connection lost).
     */
    static std::optional<JobStatistics> query(virDomainPtr domain, unsigned int flags = 0);

    /** fromTyped: copy @count parameters at @params. */
    static JobStatistics fromTyped(int type, const virTypedParameter *params, int count);

    /** number: the integer field @name (any integer type), if present. */
    std::optional<uint64_t> number(const std::string &name) const;

    /** toJson: the fields as a JSON object, for reports. */
    json::Value toJson() const;

    /** isOutgoingMigration: the job is a running outgoing migration ("operation" field). */
    bool isOutgoingMigration() const;
};

/**
 * JobProgress: a migkit_progress built from job statistics; the named extras it points to
 * live in the sample, so progress() is valid as long as the sample.
 */
class JobProgress {
public:
    /**
     * fromJob: the progress for @stats.  @phase is what the caller knows from events and the
     * domain state (pre-copy unless post-copy or the switchover was seen).  libvirt reports
     * the dirty rate in pages per second: it becomes bytes per second here.  Every field,
     * including those with no place in migkit_progress, is in extra as "libvirt.NAME".
     */
    static JobProgress fromJob(const JobStatistics &stats, migkit_phase phase);

    JobProgress(const JobProgress &) = delete;
    JobProgress &operator=(const JobProgress &) = delete;
    JobProgress(JobProgress &&other) noexcept;
    JobProgress &operator=(JobProgress &&) = delete;

    /** progress: the sample as the plugin ABI carries it. */
    const migkit_progress &progress() const { return progress_; }

private:
    JobProgress() = default;
    migkit_progress progress_{};
    ValueList extra_;
};

/**
 * OutcomeRecord: a migkit_outcome built from the final job statistics (JOB_COMPLETED event or
 * virDomainGetJobStats(VIR_DOMAIN_JOB_STATS_COMPLETED)); owns its strings and extras.
 */
class OutcomeRecord {
public:
    /**
     * fromJob: the outcome of @stats.  @error is libvirt's reason when it failed ("errmsg"
     * field if empty); @vmRunningOn "source" or "destination".
     */
    static OutcomeRecord fromJob(const JobStatistics &stats, std::string error,
                                 std::string vmRunningOn);

    OutcomeRecord(const OutcomeRecord &) = delete;
    OutcomeRecord &operator=(const OutcomeRecord &) = delete;
    OutcomeRecord(OutcomeRecord &&other) noexcept;
    OutcomeRecord &operator=(OutcomeRecord &&) = delete;

    /** outcome: as the plugin ABI carries it. */
    const migkit_outcome &outcome() const { return outcome_; }
    /** error: why it failed, empty when it completed. */
    const std::string &error() const { return error_; }
    /** vmRunningOn: "source" or "destination". */
    const std::string &vmRunningOn() const { return vmRunningOn_; }

private:
    OutcomeRecord() = default;
    void relink();
    migkit_outcome outcome_{};
    std::string error_, vmRunningOn_;
    ValueList extra_;
};

} // namespace migkit
