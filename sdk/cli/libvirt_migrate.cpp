/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `migkit migrate --libvirt`: the policy-driven migration through libvirt's migration API. */
#include "libvirt_migrate.h"

#include "command_line.h"
#include "commands.h"
#include "policy_options.h"

#include "libvirt/governed_migration.h"
#include "libvirt/host_config.h"
#include "libvirt/host_identity.h"
#include "libvirt/libvirt_error.h"
#include "libvirt/migration_parameters.h"
#include "libvirt/plan_facts.h"
#include "libvirt/policy_selection.h"
#include "libvirt/xml_tree.h"
#include "plugin/plugin_error.h"
#include "report/report_text.h"
#include "json/writer.h"

#include <glib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace migkit::cli {

namespace {

const char usage[] = R"(Usage: migkit migrate --libvirt --domain NAME --destination URI [OPTIONS]

Live-migrate a libvirt domain to another libvirt host under policy plugins: the plan becomes
libvirt's migration flags and parameters (virDomainMigrateToURI3), progress comes from
libvirt's job statistics, actions go through libvirt's migration calls.  migkitd on the
source host stands aside for this migration.

  --domain NAME         the domain (name or UUID) on the source host
  --destination URI     the destination libvirt, e.g. qemu+tcp://host-b/system
  --connect URI         the source libvirt (default: qemu:///system)
  --policy NAME|PATH    a policy plugin (repeatable, called in order); default: default
  --set KEY=VALUE       a knob of the policy named before it (repeatable); the host's
                        [policy NAME] settings in /etc/migkit/migkitd.conf apply underneath
  --persistent          define the domain on the destination (--persistent in virsh)
  --undefine-source     undefine it on the source after the migration
  --report FILE         also write the full report as JSON to FILE
  --json                print the JSON report instead of the summary
  --timeout SECONDS     abort the migration after SECONDS (default 3600)

Exit status: 0 completed, 1 failed or cancelled (the domain runs on the source), 2 wrong
usage, 3 refused before starting (libvirt unreachable, no such domain, plugin error).
)";

/** MigrationCall: virDomainMigrateToURI3 on its own thread; the main loop keeps governing. */
struct MigrationCall {
    std::atomic<bool> done{false};
    bool succeeded = false;
    std::string error;
};

/** State shared with libvirt's event callbacks while the migration runs. */
struct Watch {
    GovernedMigration *migration = nullptr;
    std::string uuid;
    std::optional<JobStatistics> completed;
};

std::string uuidOf(virDomainPtr domain)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(domain, uuid);
    return uuid;
}

void onIteration(virConnectPtr, virDomainPtr domain, int, void *opaque)
{
    auto *watch = static_cast<Watch *>(opaque);
    if (uuidOf(domain) != watch->uuid)
        return;
    if (std::optional<JobStatistics> job = JobStatistics::query(domain, 0))
        watch->migration->sample(*job);
}

void onLifecycle(virConnectPtr, virDomainPtr domain, int event, int detail, void *opaque)
{
    auto *watch = static_cast<Watch *>(opaque);
    if (uuidOf(domain) != watch->uuid || event != VIR_DOMAIN_EVENT_SUSPENDED)
        return;
    if (detail == VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED)
        watch->migration->switchover();
    else if (detail == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY)
        watch->migration->postcopy();
}

void onJobCompleted(virConnectPtr, virDomainPtr domain, virTypedParameterPtr params, int count,
                    void *opaque)
{
    auto *watch = static_cast<Watch *>(opaque);
    if (uuidOf(domain) == watch->uuid)
        watch->completed = JobStatistics::fromTyped(VIR_DOMAIN_JOB_COMPLETED, params, count);
}

/** RunMarkerGuard: the live metadata that tells migkitd to stand aside, removed on exit. */
class RunMarkerGuard {
public:
    RunMarkerGuard(virDomainPtr domain, const std::string &hostUuid) : domain_(domain)
    {
        RunMarker marker{hostUuid, static_cast<long>(getpid())};
        set_ = virDomainSetMetadata(domain_, VIR_DOMAIN_METADATA_ELEMENT, marker.format().c_str(),
                                    "migkit-run", kRunMarkerNamespace, VIR_DOMAIN_AFFECT_LIVE) == 0;
    }
    ~RunMarkerGuard()
    {
        if (set_)
            virDomainSetMetadata(domain_, VIR_DOMAIN_METADATA_ELEMENT, nullptr, nullptr,
                                 kRunMarkerNamespace, VIR_DOMAIN_AFFECT_LIVE);
    }
    RunMarkerGuard(const RunMarkerGuard &) = delete;
    RunMarkerGuard &operator=(const RunMarkerGuard &) = delete;
    bool isSet() const { return set_; }

private:
    virDomainPtr domain_;
    bool set_ = false;
};

/** EventRegistrations: libvirt domain event callbacks, deregistered when dropped. */
class EventRegistrations {
public:
    explicit EventRegistrations(virConnectPtr connection) : connection_(connection) {}
    ~EventRegistrations()
    {
        for (int id : ids_)
            virConnectDomainEventDeregisterAny(connection_, id);
    }
    EventRegistrations(const EventRegistrations &) = delete;
    EventRegistrations &operator=(const EventRegistrations &) = delete;
    void add(virDomainPtr domain, int event, virConnectDomainEventGenericCallback callback,
             void *opaque)
    {
        int id =
            virConnectDomainEventRegisterAny(connection_, domain, event, callback, opaque, nullptr);
        if (id >= 0)
            ids_.push_back(id);
    }

private:
    virConnectPtr connection_;
    std::vector<int> ids_;
};

} // namespace

int runLibvirtMigrate(const std::vector<std::string> &args)
{
    for (const auto &arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return kExitOk;
        }
    }
    const CommandLine commandLine(
        "migrate --libvirt", args,
        {"domain", "destination", "connect", "policy", "set", "report", "timeout"},
        {"libvirt", "json", "persistent", "undefine-source"});
    const auto domainName = commandLine.last("domain");
    const auto destination = commandLine.last("destination");
    if (!domainName)
        commandLine.fail("--domain NAME is required (the libvirt domain to migrate)");
    if (!destination)
        commandLine.fail("--destination URI is required (the destination libvirt, e.g. "
                         "qemu+tcp://host-b/system)");
    const std::string sourceUri = commandLine.last("connect").value_or("qemu:///system");
    const uint64_t timeoutSeconds =
        commandLine.has("timeout")
            ? parseSeconds(commandLine, "timeout", *commandLine.last("timeout"))
            : 3600;
    const bool json = commandLine.has("json");
    std::vector<PolicyRequest> requests = policyRequests(commandLine);

    HostConfig config;
    try {
        config = HostConfig::load(HostConfig::defaultPath());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "migkit: %s\n", e.what());
        return kExitRefused;
    }

    virSetErrorFunc(nullptr, [](void *, virErrorPtr) {});
    gvir_event_register();
    Connection connection(virConnectOpen(sourceUri.c_str()));
    if (!connection) {
        std::fprintf(stderr, "migkit: %s (is libvirtd running? pass --connect URI)\n",
                     lastLibvirtError("cannot connect to " + sourceUri).what());
        return kExitRefused;
    }
    Domain domain(virDomainLookupByName(connection.get(), domainName->c_str()));
    if (!domain)
        domain.reset(virDomainLookupByUUIDString(connection.get(), domainName->c_str()));
    if (!domain || virDomainIsActive(domain.get()) != 1) {
        std::fprintf(stderr, "migkit: no running domain '%s' on %s (see `virsh -c %s list`)\n",
                     domainName->c_str(), sourceUri.c_str(), sourceUri.c_str());
        return kExitRefused;
    }

    /* Plan with the policies, the host's [policy NAME] settings under the --set ones. */
    auto chain = std::make_unique<PolicyChain>();
    migkit_plan plan = defaultPlan();
    std::vector<std::string> notes;
    MigrationParameters parameters;
    try {
        for (const PolicyRequest &request : requests) {
            auto hostSettings = config.policySettings.find(request.nameOrPath);
            chain->add(request.nameOrPath,
                       hostSettings == config.policySettings.end()
                           ? request.settings
                           : mergeSettings(hostSettings->second, request.settings));
        }
        PlanFacts facts = PlanFacts::collect(connection.get(), domain.get(),
                                             config.sharedFilesystems, config.allowQemuMonitor);
        const migkit_plan_input input = facts.input();
        chain->plan(input, plan);
        notes = facts.notes;
        parameters = migrationParametersFor(
            plan, true,
            (commandLine.has("persistent") ? VIR_MIGRATE_PERSIST_DEST : 0) |
                (commandLine.has("undefine-source") ? VIR_MIGRATE_UNDEFINE_SOURCE : 0));
        notes.insert(notes.end(), parameters.notes.begin(), parameters.notes.end());
    } catch (const PluginError &e) {
        std::fprintf(stderr, "migkit: %s\n", e.what());
        return kExitRefused;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "migkit: cannot plan the migration of '%s': %s\n", domainName->c_str(),
                     e.what());
        return kExitRefused;
    }
    /* libvirt has no migration parameter for the downtime limit: set it on the domain. */
    if (virDomainMigrateSetMaxDowntime(domain.get(), parameters.downtimeLimitMs, 0) < 0)
        notes.push_back(lastLibvirtError("the planned downtime limit could not be set").what());

    GovernedMigration::Options options;
    options.governor = "migkit migrate --libvirt";
    options.allowQemuMonitor = config.allowQemuMonitor;
    GovernedMigration migration(retainDomain(domain.get()), std::move(chain), options);
    migration.planned(plan, notes);
    migration.destination(*destination);

    Watch watch{&migration, uuidOf(domain.get()), std::nullopt};
    EventRegistrations events(connection.get());
    events.add(domain.get(), VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
               VIR_DOMAIN_EVENT_CALLBACK(onIteration), &watch);
    events.add(domain.get(), VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(onLifecycle),
               &watch);
    events.add(domain.get(), VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
               VIR_DOMAIN_EVENT_CALLBACK(onJobCompleted), &watch);
    RunMarkerGuard marker(domain.get(), hostUuidOf(connection.get()));
    if (!marker.isSet())
        migration.note("could not mark the domain for migkitd; it may govern this migration too");

    TypedParameters params;
    if (parameters.bandwidthMiBps)
        virTypedParamsAddULLong(params.dataOut(), params.sizeOut(), params.capacityOut(),
                                VIR_MIGRATE_PARAM_BANDWIDTH, parameters.bandwidthMiBps);
    if (parameters.parallelConnections)
        virTypedParamsAddInt(params.dataOut(), params.sizeOut(), params.capacityOut(),
                             VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                             parameters.parallelConnections);

    MigrationCall call;
    std::thread worker([&] {
        int rc = virDomainMigrateToURI3(domain.get(), destination->c_str(), params.data(),
                                        static_cast<unsigned int>(params.size()),
                                        static_cast<unsigned int>(parameters.flags));
        call.succeeded = rc == 0;
        if (rc != 0)
            call.error = lastLibvirtError("libvirt").what();
        call.done = true;
        g_main_context_wakeup(nullptr);
    });

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    bool timedOut = false;
    auto lastSample = std::chrono::steady_clock::now();
    /* Wakes the loop at the sampling interval even when libvirt sends nothing. */
    const guint tick = g_timeout_add(
        static_cast<guint>(config.pollIntervalMs),
        [](gpointer) { return gboolean(G_SOURCE_CONTINUE); }, nullptr);
    while (!call.done) {
        g_main_context_iteration(nullptr, TRUE);
        auto now = std::chrono::steady_clock::now();
        if (now - lastSample >= std::chrono::milliseconds(config.pollIntervalMs)) {
            lastSample = now;
            if (std::optional<JobStatistics> job = JobStatistics::query(domain.get(), 0))
                migration.sample(*job);
        }
        if (!timedOut && now > deadline) {
            timedOut = true;
            migration.note("timed out after " + std::to_string(timeoutSeconds) + " s: aborting");
            virDomainAbortJob(domain.get());
        }
    }
    worker.join();
    g_source_remove(tick);
    /* Let the completion event arrive if libvirt sent it just before returning. */
    for (int i = 0; i < 10 && !watch.completed && call.succeeded; i++)
        g_main_context_iteration(nullptr, FALSE);

    JobStatistics final;
    if (watch.completed) {
        final = *watch.completed;
    } else if (std::optional<JobStatistics> done =
                   JobStatistics::query(domain.get(), VIR_DOMAIN_JOB_STATS_COMPLETED |
                                                          VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED)) {
        final = *done;
    }
    if (call.succeeded)
        final.type = VIR_DOMAIN_JOB_COMPLETED;
    else if (final.type == VIR_DOMAIN_JOB_COMPLETED || final.type == VIR_DOMAIN_JOB_NONE)
        final.type = VIR_DOMAIN_JOB_FAILED;
    migration.finish(final, call.succeeded ? "destination" : "source", call.error);

    const MigrationReport &report = migration.report().data();
    bool reportWritten = true;
    if (const auto path = commandLine.last("report")) {
        try {
            migration.report().writeFile(*path);
        } catch (const std::exception &e) {
            reportWritten = false;
            std::fprintf(stderr, "migkit: warning: %s%s\n", e.what(),
                         call.succeeded ? "; the migration itself completed (exit 4)" : "");
        }
    }
    if (json)
        std::printf("%s\n",
                    json::serialize(migration.report().json(), json::WriteStyle::Pretty).c_str());
    else
        std::fputs(reportToText(report).c_str(), stdout);
    if (!call.succeeded)
        std::fprintf(stderr, "migkit: the migration of '%s' did not complete: %s\n",
                     domainName->c_str(), call.error.c_str());
    if (!call.succeeded)
        return kExitFailed;
    return reportWritten ? kExitOk : kExitReportNotWritten;
}

} // namespace migkit::cli
