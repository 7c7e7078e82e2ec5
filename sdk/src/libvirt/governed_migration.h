/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "libvirt/handles.h"
#include "libvirt/job_statistics.h"
#include "libvirt/libvirt_report.h"
#include "libvirt/plan_facts.h"
#include "plugin/policy_chain.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace migkit {

/**
 * GovernedMigration: one outgoing migration that libvirt runs and migkit's policy chain
 * governs, on the source host.  The owner (migkitd, or `migkit migrate --libvirt`) feeds it
 * job statistics (at every iteration event and at its polling interval), lifecycle hints and
 * the final statistics; it turns each into the same SDK callbacks `migkit migrate` makes,
 * carries out the actions through libvirt (LibvirtCall) and keeps the report.
 */
class GovernedMigration {
public:
    /** Options: how actions may be carried out and where the report goes. */
    struct Options {
        /** Who governs, for the report ("migkitd", "migkit migrate --libvirt"). */
        std::string governor = "migkitd";
        /** Whether virDomainQemuMonitorCommand may be used. */
        bool allowQemuMonitor = true;
        /** Folder of the JSON report; empty: not written. */
        std::string reportDir;
    };

    /** GovernedMigration: for @domain, with a chain that already has its plugins. */
    GovernedMigration(Domain domain, std::unique_ptr<PolicyChain> chain, Options options);
    ~GovernedMigration();
    GovernedMigration(const GovernedMigration &) = delete;
    GovernedMigration &operator=(const GovernedMigration &) = delete;

    /**
     * planRunning: migkitd's start: let the chain plan with @facts, then apply what can still
     * change (downtime, bandwidth) to the running migration and note the rest.  @firstStats
     * tells how long the job had run when it was noticed (@how: "poll", "iteration-event",
     * "startup").  A failing plan is logged and the migration goes on under libvirt's own
     * settings (it was not migkit's to start).
     */
    void planRunning(const PlanFacts &facts, const JobStatistics &firstStats,
                     const std::string &how, bool pickedUp);

    /**
     * planned: the CLI's start: the chain already planned @plan, which went into the
     * migration's own parameters (@notes: what it could not express).
     */
    void planned(const migkit_plan &plan, const std::vector<std::string> &notes);

    /** sample: a progress sample from running-job @stats: plugins, then their actions. */
    void sample(const JobStatistics &stats);

    /** switchover: libvirt paused the guest for the switchover (lifecycle event). */
    void switchover();

    /** postcopy: the migration entered post-copy (lifecycle event). */
    void postcopy() { phase_ = MIGKIT_PHASE_POSTCOPY; }

    /**
     * finish: the job ended with @finalStats; the guest runs on @vmRunningOn.  Tells the
     * plugins, writes the report and returns its path (empty when not written).  Later calls
     * do nothing.
     */
    std::string finish(const JobStatistics &finalStats, const std::string &vmRunningOn,
                       const std::string &error = "");

    /** reattach: use @domain (from a new connection after libvirtd came back). */
    void reattach(Domain domain) { domain_ = std::move(domain); }

    /** destination: where the domain goes, for the report. */
    void destination(const std::string &uri) { report_.destination(uri); }

    /** note: a line for the report. */
    void note(const std::string &text) { report_.note(text); }

    /** finished: whether finish() ran. */
    bool finished() const { return finished_; }
    /** domain: the domain handle. */
    virDomainPtr domain() const { return domain_.get(); }
    /** name: the domain's name. */
    const std::string &name() const { return name_; }
    /** report: the report so far. */
    const LibvirtReport &report() const { return report_; }

private:
    void apply(const std::vector<Action> &actions);
    void collectLog();

    Domain domain_;
    std::string name_;
    std::unique_ptr<PolicyChain> chain_;
    Options options_;
    LibvirtReport report_;
    migkit_phase phase_ = MIGKIT_PHASE_PRECOPY;
    uint64_t lastElapsedMs_ = 0;
    bool finished_ = false;
    std::optional<JobStatistics> lastStats_;
};

} // namespace migkit
