/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/policy_chain.h"
#include "report/migration_report.h"
#include "json/value.h"

#include <migkit/plugin.h>

#include <string>

namespace migkit {

/**
 * LibvirtReport: the report of one migration that libvirt ran under migkit's policies, written
 * by migkitd and `migkit migrate --libvirt`.  It is the SDK's MigrationReport (the same JSON as
 * `migkit migrate --report`) plus a "libvirt" member: who governed, the domain's UUID and host,
 * how long the migration had run when migkit noticed it, and notes; "qemu-final-statistics"
 * holds libvirt's final job statistics instead of QEMU's query-migrate.
 */
class LibvirtReport {
public:
    /** LibvirtReport: for domain @name (@uuid), written by @governor ("migkitd", ...). */
    LibvirtReport(const std::string &governor, const std::string &name, const std::string &uuid);

    /** noticed: the migration had run @elapsedMs when migkit noticed it (@how: "poll", ...). */
    void noticed(uint64_t elapsedMs, const std::string &how, bool pickedUpAfterRestart);
    /** destination: where the domain goes (a libvirt URI), when the governor knows it. */
    void destination(const std::string &uri) { report_.destinationAddress = uri; }
    /** policies: the plugins of the chain. */
    void policies(const std::vector<PolicyChain::PluginSummary> &plugins);
    /** plan: the plan the chain made, and notes on what could not be applied. */
    void plan(const migkit_plan &plan, const std::vector<std::string> &notes);
    /** sample: one progress sample (kept thinned: one per pass, the latest of it). */
    void sample(const migkit_progress &progress);
    /** action: an action or plan call, its libvirt function and what happened. */
    void action(uint64_t atMs, const std::string &plugin, const std::string &kind,
                const std::string &reason, const std::string &via, const std::string &error);
    /** log: plugin log lines. */
    void log(uint64_t atMs, const std::vector<PolicyChain::LogLine> &lines);
    /** note: something the governor wants the operator to know. */
    void note(const std::string &text);
    /** outcome: how it ended, and libvirt's final job statistics (as JSON). */
    void outcome(const migkit_outcome &outcome, json::Value finalStatistics);

    /** json: the report so far. */
    json::Value json() const;

    /**
     * write: the report as DIR/NAME-YYYYmmddTHHMMSSZ-migration.json (to a temporary file,
     * then renamed, so readers never see half a report); returns the path.  Throws
     * std::runtime_error naming the file.
     */
    std::string write(const std::string &dir) const;

    /** writeFile: the report at @path (through a temporary file); throws like write(). */
    void writeFile(const std::string &path) const;

    /** data: the SDK report inside. */
    const MigrationReport &data() const { return report_; }

private:
    MigrationReport report_;
    json::Value libvirt_;
    json::Value notes_ = json::Value::array();
    std::string fileStem_;
};

} // namespace migkit
