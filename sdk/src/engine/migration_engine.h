/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine/disk_facts.h"
#include "engine/plan_facts.h"
#include "engine/progress_sample.h"
#include "plugin/policy_chain.h"
#include "qmp/address.h"
#include "qmp/client.h"
#include "report/migration_report.h"

#include <glib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace migkit {

/**
 * MigrationError: the migration was refused before `migrate` started (a QMP monitor that
 * cannot be reached, a destination not waiting for an incoming migration, a plan QEMU cannot
 * carry out).  The source VM was not touched.  The message names the QEMU and the fix.
 */
class MigrationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** MigrationOptions: what to migrate where, and how long to wait for each thing. */
struct MigrationOptions {
    /** The QEMU that runs the VM. */
    QmpAddress source;
    /** The QEMU waiting for it (started with -incoming defer or -incoming URI). */
    QmpAddress destination;
    /**
     * Migration stream URI, e.g. "tcp:10.0.0.2:4444".  Empty: the address the destination
     * already listens on, or, for a destination started with -incoming defer, a free port on
     * the destination's QMP host (127.0.0.1 for a UNIX socket monitor).
     */
    std::string uri;
    /** How long connecting to a QMP monitor (and its greeting) may take. */
    std::chrono::milliseconds connectTimeout{10000};
    /** How long one QMP command may take. */
    std::chrono::milliseconds commandTimeout{30000};
    /** Time between two query-migrate samples (MIGRATION_PASS events add samples). */
    std::chrono::milliseconds sampleInterval{100};
    /** The migration is cancelled when it runs longer than this. */
    std::chrono::milliseconds migrationTimeout{std::chrono::hours(1)};
    /** After a failure: how long a failed incoming QEMU gets to exit by itself. */
    std::chrono::milliseconds destinationExitTimeout{10000};
};

/**
 * MigrationObserver: live view of a running migration (the CLI's progress bar).  Every
 * callback runs on the engine's thread between two QMP exchanges and must return quickly.
 */
class MigrationObserver {
public:
    virtual ~MigrationObserver() = default;
    /** started: `migrate` was issued with @uri. */
    virtual void started(const std::string &uri) { (void)uri; }
    /** sample: a new progress sample. */
    virtual void sample(const SampleRecord &sample) { (void)sample; }
    /** decision: a policy decision was applied (or refused by QEMU). */
    virtual void decision(const DecisionRecord &decision) { (void)decision; }
    /** log: a plugin log line or an engine note. */
    virtual void log(const LogRecord &line) { (void)line; }
};

/**
 * MigrationEngine: drives one live migration between a source and a destination QEMU under
 * a policy chain, and says how it went.
 *
 * run() connects to both QMP monitors, checks that the destination waits for an incoming
 * migration, reads both sides' capabilities, parameters and versions as plan facts, asks the
 * chain for the plan, applies it on both sides, starts `migrate`, samples query-migrate at
 * every MIGRATION_PASS event and every sampleInterval, feeds the samples to the chain and
 * applies its actions, answers the switchover gate, and finishes: on success the VM runs on
 * the destination; on failure or cancel the engine makes sure it runs on the source (`cont`
 * if it was running before) and that no half-received VM stays on the destination.
 */
class MigrationEngine {
public:
    /** MigrationEngine: QMP runs on @context; @chain holds the operator's policies. */
    MigrationEngine(GMainContext *context, MigrationOptions options, PolicyChain &chain,
                    MigrationObserver *observer = nullptr);
    ~MigrationEngine();
    MigrationEngine(const MigrationEngine &) = delete;
    MigrationEngine &operator=(const MigrationEngine &) = delete;

    /**
     * run: the whole migration.  Throws MigrationError when it cannot start (the source is
     * untouched) and PluginError when a policy fails to plan; otherwise returns the report,
     * whose phase says whether it completed, failed or was cancelled.  A query-migrate reply
     * migkit cannot use (a figure of the wrong type or range) cancels a running migration
     * and is named in the report; a `migrate` without an answer is cancelled too, not taken
     * for a refusal.
     */
    MigrationReport run();

    /**
     * interrupt: ask a running migration to cancel (the operator pressed Ctrl-C).  Safe to
     * call from a callback on the engine's context; before `migrate` starts, run() then
     * throws MigrationError instead of starting, without waiting for a command in flight.
     */
    void interrupt(const std::string &reason);

private:
    void checkOptions() const;
    void connect();
    void checkStates();
    void gatherFacts();
    void gatherDiskFacts();
    void makePlan();
    void applyPlan();
    void prepareIncoming();
    void startMigration();
    json::Value monitor();
    void finish(const json::Value &finalInfo);
    std::optional<json::Value> unusableReply(const json::Value &info, const std::string &problem);

    void applyActions(const std::vector<Action> &actions);
    void requestCancel(const std::string &plugin, const std::string &reason);
    void recordSample(const ProgressSample &sample);
    void note(const std::string &level, const std::string &message);
    void drainPolicyLog();
    void ensureSourceRuns();
    void cleanUpDestination();
    uint64_t elapsedMs() const;
    json::Value callOrThrow(QmpClient &client, const std::string &side, const std::string &command,
                            json::Value arguments = json::Value());
    json::Value callIfOffered(QmpClient &client, const std::string &side,
                              const std::string &command, json::Value arguments = json::Value());

    GMainContext *context_;
    MigrationOptions options_;
    PolicyChain &chain_;
    MigrationObserver *observer_;
    std::unique_ptr<QmpClient> source_, destination_;
    QemuSideFacts sourceFacts_, destinationFacts_;
    ValueList facts_;
    uint64_t ramBytes_ = 0;
    migkit_plan plan_{};
    bool destinationDeferred_ = false;
    bool sourceWasRunning_ = false;
    bool pausedByUs_ = false;
    bool passPending_ = false;
    bool statusChanged_ = false;
    bool destinationLost_ = false;
    std::string destinationLostReason_;
    uint64_t destinationLostAtMs_ = 0;
    bool cancelRequested_ = false;
    uint64_t cancelRequestedAtMs_ = 0;
    std::string interruptReason_;
    std::string cancelReason_;
    /* Why a query-migrate reply could not be used (the first one), for the report. */
    std::string badReply_;
    std::chrono::steady_clock::time_point start_;
    bool started_ = false;
    std::optional<SampleRecord> lastRecorded_;
    /* The newest query-migrate with statistics: QEMU drops them once a migration failed. */
    json::Value lastStatistics_;
    MigrationReport report_;
};

} // namespace migkit
