/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "libvirt/governed_migration.h"
#include "libvirt/handles.h"
#include "libvirt/host_config.h"
#include "qmp/glib_ptr.h"

#include <glib.h>

#include <map>
#include <memory>
#include <set>
#include <string>

namespace migkit {

/**
 * MigrationWatcher: the heart of migkitd.  It keeps a libvirt connection (reconnecting after
 * libvirtd restarts), notices every outgoing live migration on this host and governs each
 * with a GovernedMigration under the domain's policies (its metadata, else the host's).
 *
 * No hook runs on the source when a migration starts, so it notices two ways: the
 * MIGRATION_ITERATION event (QEMU's first pass) and a poll of virDomainGetJobStats on every
 * running domain at [daemon] poll-interval-ms, which also catches migrations already running
 * when migkitd starts.  The end comes from the JOB_COMPLETED event or, for failed and
 * cancelled jobs, from the poll.  Everything runs on one GLib main loop; libvirt's events are
 * dispatched there by libvirt-glib (gvir_event_register, called by main before connecting).
 */
class MigrationWatcher {
public:
    /** MigrationWatcher: with @config; call start() to connect. */
    explicit MigrationWatcher(HostConfig config);
    ~MigrationWatcher();
    MigrationWatcher(const MigrationWatcher &) = delete;
    MigrationWatcher &operator=(const MigrationWatcher &) = delete;

    /** start: connect (retrying in the background) and start polling. */
    void start();

private:
    /* Connection. */
    bool connect();
    void disconnect();
    void scheduleReconnect();
    static void onClose(virConnectPtr, int reason, void *opaque);
    static gboolean onReconnectTimer(gpointer self);

    /* Noticing and governing. */
    static gboolean onPollTimer(gpointer self);
    void poll();
    void consider(virDomainPtr domain, const std::string &how);
    void govern(virDomainPtr domain, const JobStatistics &stats, const std::string &how);
    void sampleGoverned(const std::string &uuid);
    void finish(const std::string &uuid, const JobStatistics &finalStats,
                const std::string &vmRunningOn, const std::string &error);
    std::vector<PolicyRef> policiesFor(virDomainPtr domain, std::string &source);
    bool governedElsewhere(virDomainPtr domain);

    /* Events. */
    static void onLifecycle(virConnectPtr, virDomainPtr domain, int event, int detail,
                            void *opaque);
    static void onIteration(virConnectPtr, virDomainPtr domain, int iteration, void *opaque);
    static void onJobCompleted(virConnectPtr, virDomainPtr domain, virTypedParameterPtr params,
                               int count, void *opaque);

    HostConfig config_;
    Connection connection_;
    std::string hostUuid_;
    std::vector<int> callbackIds_;
    bool connectionLost_ = false;
    bool loggedConnectFailure_ = false;
    /** The first poll finds migrations that ran before migkitd started. */
    bool startupScanDone_ = false;
    guint pollSource_ = 0, reconnectSource_ = 0;
    /** Governed migrations by domain UUID. */
    std::map<std::string, std::unique_ptr<GovernedMigration>> governed_;
    /** Domains whose current job migkitd decided not to govern (logged once). */
    std::set<std::string> skipped_;
};

/** logLine: one line on stderr with a timestamp and level (journald keeps it). */
void logLine(const char *level, const std::string &message);

} // namespace migkit
