/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "migration_watcher.h"

#include "libvirt/host_identity.h"
#include "libvirt/libvirt_error.h"
#include "libvirt/plan_facts.h"
#include "libvirt/policy_selection.h"
#include "libvirt/xml_tree.h"
#include "plugin/plugin_error.h"

#include <libvirt/virterror.h>

#include <cstdio>
#include <ctime>

namespace migkit {

namespace {

/* How long after the source stopped (migrated away) the final statistics may still come. */
constexpr guint kFinalStatisticsWaitMs = 3000;

std::string uuidOf(virDomainPtr domain)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(domain, uuid);
    return uuid;
}

std::string nameOf(virDomainPtr domain)
{
    const char *name = virDomainGetName(domain);
    return name ? name : "?";
}

} // namespace

void logLine(const char *level, const std::string &message)
{
    GDateTime *now = g_date_time_new_now_utc();
    gchar *stamp = g_date_time_format(now, "%H:%M:%S.%f");
    std::fprintf(stderr, "migkitd %.12s %s: %s\n", stamp, level, message.c_str());
    std::fflush(stderr);
    g_free(stamp);
    g_date_time_unref(now);
}

MigrationWatcher::MigrationWatcher(HostConfig config) : config_(std::move(config)) {}

MigrationWatcher::~MigrationWatcher()
{
    if (pollSource_)
        g_source_remove(pollSource_);
    if (reconnectSource_)
        g_source_remove(reconnectSource_);
    disconnect();
}

void MigrationWatcher::start()
{
    if (!connect())
        scheduleReconnect();
    pollSource_ = g_timeout_add(static_cast<guint>(config_.pollIntervalMs), onPollTimer, this);
}

/* ---- connection ------------------------------------------------------------------------ */

bool MigrationWatcher::connect()
{
    connection_.reset(virConnectOpen(config_.libvirtUri.c_str()));
    if (!connection_) {
        if (!loggedConnectFailure_)
            logLine("warning", lastLibvirtError("cannot connect to " + config_.libvirtUri).what() +
                                   std::string("; retrying every second"));
        loggedConnectFailure_ = true;
        return false;
    }
    loggedConnectFailure_ = false;
    connectionLost_ = false;
    hostUuid_ = hostUuidOf(connection_.get());
    virConnectRegisterCloseCallback(connection_.get(), onClose, this, nullptr);
    struct Registration {
        int id;
        virConnectDomainEventGenericCallback callback;
    };
    const Registration registrations[] = {
        {VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(onLifecycle)},
        {VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, VIR_DOMAIN_EVENT_CALLBACK(onIteration)},
        {VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, VIR_DOMAIN_EVENT_CALLBACK(onJobCompleted)},
    };
    for (const Registration &r : registrations) {
        int id = virConnectDomainEventRegisterAny(connection_.get(), nullptr, r.id, r.callback,
                                                  this, nullptr);
        if (id < 0)
            logLine("warning", lastLibvirtError("cannot subscribe to libvirt events").what());
        else
            callbackIds_.push_back(id);
    }
    logLine("info", "connected to " + config_.libvirtUri + " (host " + hostUuid_ + "), " +
                        std::to_string(governed_.size()) + " migration(s) in progress");
    /* Migrations that outlived the old connection: use the new one, or learn how they ended. */
    for (auto &[uuid, migration] : governed_) {
        virDomainPtr domain = virDomainLookupByUUIDString(connection_.get(), uuid.c_str());
        if (domain) {
            migration->reattach(Domain(domain));
            migration->note("libvirtd connection lost and re-established during the migration");
        }
    }
    poll();
    return true;
}

void MigrationWatcher::disconnect()
{
    if (!connection_)
        return;
    for (int id : callbackIds_)
        virConnectDomainEventDeregisterAny(connection_.get(), id);
    callbackIds_.clear();
    virConnectUnregisterCloseCallback(connection_.get(), onClose);
    connection_.reset();
}

void MigrationWatcher::onClose(virConnectPtr, int reason, void *opaque)
{
    auto *self = static_cast<MigrationWatcher *>(opaque);
    logLine("warning", "lost the connection to libvirtd (reason " + std::to_string(reason) +
                           "); reconnecting");
    self->connectionLost_ = true;
    /* The connection must not be released inside its own callback. */
    self->scheduleReconnect();
}

void MigrationWatcher::scheduleReconnect()
{
    if (!reconnectSource_)
        reconnectSource_ = g_timeout_add(1000, onReconnectTimer, this);
}

gboolean MigrationWatcher::onReconnectTimer(gpointer data)
{
    auto *self = static_cast<MigrationWatcher *>(data);
    if (self->connectionLost_)
        self->disconnect();
    if (!self->connection_ && !self->connect())
        return G_SOURCE_CONTINUE;
    self->reconnectSource_ = 0;
    return G_SOURCE_REMOVE;
}

/* ---- noticing -------------------------------------------------------------------------- */

gboolean MigrationWatcher::onPollTimer(gpointer data)
{
    static_cast<MigrationWatcher *>(data)->poll();
    return G_SOURCE_CONTINUE;
}

void MigrationWatcher::poll()
{
    if (!connection_ || connectionLost_)
        return;
    for (auto it = governed_.begin(); it != governed_.end();) {
        std::string uuid = it->first;
        ++it; /* sampleGoverned may erase the entry */
        sampleGoverned(uuid);
    }
    virDomainPtr *domains = nullptr;
    int count =
        virConnectListAllDomains(connection_.get(), &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (count < 0)
        return;
    std::set<std::string> busy;
    for (int i = 0; i < count; i++) {
        Domain domain(domains[i]);
        std::string uuid = uuidOf(domain.get());
        if (governed_.count(uuid))
            continue;
        std::optional<JobStatistics> job = JobStatistics::query(domain.get());
        if (!job || !job->isOutgoingMigration())
            continue;
        busy.insert(uuid);
        if (!skipped_.count(uuid))
            govern(domain.get(), *job, startupScanDone_ ? "poll" : "startup");
    }
    free(domains);
    startupScanDone_ = true;
    /* A skipped domain is reconsidered at its next migration. */
    for (auto it = skipped_.begin(); it != skipped_.end();)
        it = busy.count(*it) ? std::next(it) : skipped_.erase(it);
}

void MigrationWatcher::consider(virDomainPtr domain, const std::string &how)
{
    std::string uuid = uuidOf(domain);
    if (governed_.count(uuid) || skipped_.count(uuid))
        return;
    std::optional<JobStatistics> job = JobStatistics::query(domain);
    if (job && job->isOutgoingMigration())
        govern(domain, *job, how);
}

std::vector<PolicyRef> MigrationWatcher::policiesFor(virDomainPtr domain, std::string &source)
{
    char *metadata = virDomainGetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT,
                                          kPolicyMetadataNamespace, VIR_DOMAIN_AFFECT_LIVE);
    if (!metadata) {
        source = "host configuration [daemon] policies";
        return config_.refs(config_.daemonPolicies);
    }
    std::string element = metadata;
    free(metadata);
    source = "domain metadata";
    return config_.withHostSettings(parsePolicyMetadata(element));
}

bool MigrationWatcher::governedElsewhere(virDomainPtr domain)
{
    char *metadata = virDomainGetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, kRunMarkerNamespace,
                                          VIR_DOMAIN_AFFECT_LIVE);
    if (!metadata)
        return false;
    std::optional<RunMarker> marker = RunMarker::parse(metadata);
    free(metadata);
    return marker && marker->hostUuid == hostUuid_;
}

void MigrationWatcher::govern(virDomainPtr domain, const JobStatistics &stats,
                              const std::string &how)
{
    const std::string uuid = uuidOf(domain), name = nameOf(domain);
    const uint64_t elapsed = stats.number(VIR_DOMAIN_JOB_TIME_ELAPSED).value_or(0);
    const bool pickedUp = how == "startup";
    if (governedElsewhere(domain)) {
        logLine("info", "domain '" + name +
                            "' is migrating under `migkit migrate --libvirt`: standing aside");
        skipped_.insert(uuid);
        return;
    }
    std::string source;
    std::unique_ptr<PolicyChain> chain;
    std::vector<PolicyRef> refs;
    try {
        refs = policiesFor(domain, source);
        chain = std::make_unique<PolicyChain>();
        for (const PolicyRef &ref : refs)
            chain->add(ref.name, ref.settings);
    } catch (const std::exception &e) {
        logLine("error", "domain '" + name + "' is migrating, but its policies (" + source +
                             ") cannot run: " + e.what() +
                             "; the migration goes on under libvirt's own settings");
        skipped_.insert(uuid);
        return;
    }
    std::string names;
    for (const PolicyRef &ref : refs)
        names += (names.empty() ? "" : ", ") + ref.name;
    logLine("info", "noticed the outgoing migration of '" + name + "' " + std::to_string(elapsed) +
                        " ms after it started (by " + how + "); policies from " + source + ": " +
                        (names.empty() ? "none" : names));
    GovernedMigration::Options options;
    options.governor = "migkitd";
    options.allowQemuMonitor = config_.allowQemuMonitor;
    options.reportDir = config_.reportDir;
    auto migration =
        std::make_unique<GovernedMigration>(retainDomain(domain), std::move(chain), options);
    migration->note("policies from " + source);
    try {
        PlanFacts facts = PlanFacts::collect(connection_.get(), domain, config_.sharedFilesystems,
                                             config_.allowQemuMonitor);
        migration->planRunning(facts, stats, how, pickedUp);
    } catch (const std::exception &e) {
        migration->note(std::string("could not plan: ") + e.what());
    }
    governed_[uuid] = std::move(migration);
}

void MigrationWatcher::sampleGoverned(const std::string &uuid)
{
    auto it = governed_.find(uuid);
    if (it == governed_.end() || !connection_ || connectionLost_)
        return;
    GovernedMigration &migration = *it->second;
    std::optional<JobStatistics> job = JobStatistics::query(migration.domain());
    if (job && job->type == VIR_DOMAIN_JOB_UNBOUNDED) {
        migration.sample(*job);
        return;
    }
    if (job && job->type != VIR_DOMAIN_JOB_NONE) {
        finish(uuid, *job, job->type == VIR_DOMAIN_JOB_COMPLETED ? "destination" : "source", "");
        return;
    }
    /* The job is over: its final statistics tell how (libvirt keeps failed jobs too). */
    std::optional<JobStatistics> done = JobStatistics::query(
        migration.domain(), VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED);
    int state = 0, reason = 0;
    const bool active = virDomainGetState(migration.domain(), &state, &reason, 0) == 0 &&
                        state != VIR_DOMAIN_SHUTOFF;
    if (done && done->type != VIR_DOMAIN_JOB_NONE) {
        const bool completed = done->type == VIR_DOMAIN_JOB_COMPLETED;
        finish(uuid, *done, completed ? "destination" : "source", "");
        return;
    }
    if (!job && !active) {
        /* Gone without final statistics (a transient domain that left): the stop event
         * handler gives the JOB_COMPLETED event its chance first. */
        return;
    }
    JobStatistics unknown;
    unknown.type = VIR_DOMAIN_JOB_FAILED;
    finish(uuid, unknown, active ? "source" : "destination",
           active ? "the migration job ended without final statistics; the domain still runs "
                    "here"
                  : "");
}

void MigrationWatcher::finish(const std::string &uuid, const JobStatistics &finalStats,
                              const std::string &vmRunningOn, const std::string &error)
{
    auto it = governed_.find(uuid);
    if (it == governed_.end())
        return;
    std::unique_ptr<GovernedMigration> migration = std::move(it->second);
    governed_.erase(it);
    try {
        std::string path = migration->finish(finalStats, vmRunningOn, error);
        const migkit_phase phase = migration->report().data().phase;
        logLine("info", "migration of '" + migration->name() + "' " +
                            (phase == MIGKIT_PHASE_COMPLETED ? "completed" : "did not complete") +
                            (migration->report().data().error.empty()
                                 ? ""
                                 : ": " + migration->report().data().error) +
                            "; report " + path);
    } catch (const std::exception &e) {
        logLine("error", "migration of '" + migration->name() +
                             "' ended, but its report could not be written: " + e.what());
    }
}

/* ---- events ---------------------------------------------------------------------------- */

void MigrationWatcher::onLifecycle(virConnectPtr, virDomainPtr domain, int event, int detail,
                                   void *opaque)
{
    auto *self = static_cast<MigrationWatcher *>(opaque);
    const std::string uuid = uuidOf(domain);
    auto it = self->governed_.find(uuid);
    if (it == self->governed_.end())
        return;
    if (event == VIR_DOMAIN_EVENT_SUSPENDED && detail == VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED)
        it->second->switchover();
    else if (event == VIR_DOMAIN_EVENT_SUSPENDED && detail == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY)
        it->second->postcopy();
    else if (event == VIR_DOMAIN_EVENT_STOPPED && detail == VIR_DOMAIN_EVENT_STOPPED_MIGRATED) {
        /* It left this host.  The JOB_COMPLETED event normally came first; wait a little for
         * it, then close the report with the last statistics seen. */
        struct Pending {
            MigrationWatcher *self;
            std::string uuid;
        };
        auto *pending = new Pending{self, uuid};
        g_timeout_add_full(
            G_PRIORITY_DEFAULT, kFinalStatisticsWaitMs,
            [](gpointer data) -> gboolean {
                auto *p = static_cast<Pending *>(data);
                JobStatistics last;
                last.type = VIR_DOMAIN_JOB_COMPLETED;
                auto found = p->self->governed_.find(p->uuid);
                if (found != p->self->governed_.end()) {
                    found->second->note("libvirt sent no final statistics; the domain left "
                                        "this host (Stopped Migrated)");
                    p->self->finish(p->uuid, last, "destination", "");
                }
                return G_SOURCE_REMOVE;
            },
            pending, [](gpointer data) { delete static_cast<Pending *>(data); });
    }
}

void MigrationWatcher::onIteration(virConnectPtr, virDomainPtr domain, int, void *opaque)
{
    auto *self = static_cast<MigrationWatcher *>(opaque);
    const std::string uuid = uuidOf(domain);
    if (!self->governed_.count(uuid))
        self->consider(domain, "iteration-event");
    else
        self->sampleGoverned(uuid);
}

void MigrationWatcher::onJobCompleted(virConnectPtr, virDomainPtr domain,
                                      virTypedParameterPtr params, int count, void *opaque)
{
    auto *self = static_cast<MigrationWatcher *>(opaque);
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_COMPLETED, params, count);
    self->finish(uuidOf(domain), stats, "destination", "");
}

} // namespace migkit
