/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/migration_engine.h"

#include "engine/statistics.h"
#include "qmp/main_context_wait.h"

#include <algorithm>

namespace migkit {

namespace {

using namespace std::chrono_literals;

json::Value capability(const std::string &name, bool state)
{
    json::Value entry = json::Value::object();
    entry.set("capability", name);
    entry.set("state", state);
    return entry;
}

json::Value arguments(std::initializer_list<std::pair<const char *, json::Value>> members)
{
    json::Value object = json::Value::object();
    for (const auto &[name, value] : members) {
        object.set(name, value);
    }
    return object;
}

/* query-status's "status" member. */
std::string runState(QmpClient &client, std::chrono::milliseconds timeout)
{
    const QmpReply reply = client.call("query-status", json::Value(), timeout);
    return reply.ok() ? reply.value().stringAt("status").value_or("unknown") : "unknown";
}

} // namespace

MigrationEngine::MigrationEngine(GMainContext *context, MigrationOptions options,
                                 PolicyChain &chain, MigrationObserver *observer)
    : context_(context), options_(std::move(options)), chain_(chain), observer_(observer)
{}

MigrationEngine::~MigrationEngine() = default;

uint64_t MigrationEngine::elapsedMs() const
{
    if (!started_) {
        return 0;
    }
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start_)
                                     .count());
}

void MigrationEngine::note(const std::string &level, const std::string &message)
{
    LogRecord line{elapsedMs(), "migkit", level, message};
    report_.log.push_back(line);
    if (observer_) {
        observer_->log(line);
    }
}

void MigrationEngine::drainPolicyLog()
{
    for (auto &line : chain_.takeLog()) {
        LogRecord record{elapsedMs(), line.plugin, logLevelName(line.level), line.message};
        report_.log.push_back(record);
        if (observer_) {
            observer_->log(record);
        }
    }
}

json::Value MigrationEngine::callOrThrow(QmpClient &client, const std::string &side,
                                         const std::string &command, json::Value args)
{
    const QmpReply reply = client.call(command, std::move(args), options_.commandTimeout);
    if (!reply.ok() && reply.error().kind() == QmpError::Kind::Interrupted) {
        throw MigrationError("not started: " + interruptReason_);
    }
    if (!reply.ok()) {
        throw MigrationError("the " + side + " QEMU (" + client.address() + ") failed '" + command +
                             "': " + reply.error().what());
    }
    return reply.value();
}

json::Value MigrationEngine::callIfOffered(QmpClient &client, const std::string &side,
                                           const std::string &command, json::Value args)
{
    const QmpReply reply = client.call(command, std::move(args), options_.commandTimeout);
    if (!reply.ok() && reply.error().errorClass() == "CommandNotFound") {
        return json::Value(); /* an older or stock QEMU: the caller does without */
    }
    if (!reply.ok() && reply.error().kind() == QmpError::Kind::Interrupted) {
        throw MigrationError("not started: " + interruptReason_);
    }
    if (!reply.ok()) {
        throw MigrationError("the " + side + " QEMU (" + client.address() + ") failed '" + command +
                             "': " + reply.error().what());
    }
    return reply.value();
}

MigrationReport MigrationEngine::run()
{
    report_ = MigrationReport{};
    report_.sourceAddress = options_.source.toString();
    report_.destinationAddress = options_.destination.toString();
    /* A QMP monitor serves one client at a time: give both back when done, however it ends. */
    struct ReleaseMonitors {
        MigrationEngine &engine;
        ~ReleaseMonitors()
        {
            engine.source_.reset();
            engine.destination_.reset();
        }
    } release{*this};
    checkOptions();
    connect();
    checkStates();
    gatherFacts();
    makePlan();
    applyPlan();
    prepareIncoming();
    startMigration();
    const json::Value finalInfo = monitor();
    finish(finalInfo);
    return report_;
}

void MigrationEngine::checkOptions() const
{
    const std::pair<const char *, std::chrono::milliseconds> limits[] = {
        {"connect timeout", options_.connectTimeout},
        {"command timeout", options_.commandTimeout},
        {"sample interval", options_.sampleInterval},
        {"migration timeout", options_.migrationTimeout},
        {"destination exit timeout", options_.destinationExitTimeout},
    };
    for (const auto &[name, value] : limits) {
        /* iterateUntil waits in guint milliseconds: longer waits would wrap. */
        if (value.count() <= 0 || value.count() > int64_t{G_MAXUINT32} - 1) {
            throw MigrationError(std::string("the ") + name + " of " +
                                 std::to_string(value.count()) +
                                 " ms is out of range: allowed 1 to " +
                                 std::to_string(int64_t{G_MAXUINT32} - 1) + " ms");
        }
    }
}

void MigrationEngine::connect()
{
    if (options_.source.toString() == options_.destination.toString()) {
        throw MigrationError("--source and --destination name the same QMP monitor (" +
                             options_.source.toString() +
                             "): give the monitor of the QEMU that waits for the VM as "
                             "--destination");
    }
    source_ = std::make_unique<QmpClient>(context_);
    destination_ = std::make_unique<QmpClient>(context_);
    try {
        source_->connect(options_.source, options_.connectTimeout);
    } catch (const QmpError &e) {
        throw MigrationError(std::string("source: ") + e.what());
    }
    try {
        destination_->connect(options_.destination, options_.connectTimeout);
    } catch (const QmpError &e) {
        throw MigrationError(std::string("destination: ") + e.what());
    }
    source_->onEvent([this](const QmpEvent &event) {
        if (event.name == "MIGRATION_PASS") {
            passPending_ = true;
        } else if (event.name == "MIGRATION") {
            statusChanged_ = true;
        } else if (event.name == "STOP" || event.name == "RESUME") {
            if (started_) {
                note("info", "source QEMU: " + event.name);
            }
        }
    });
    destination_->onDisconnect([this](const std::string &reason) {
        /* After a cancel the destination's incoming migration fails and it exits: expected. */
        if (cancelRequested_) {
            note("info", "destination QEMU exited after the cancel");
            return;
        }
        if (!destinationLost_) {
            destinationLost_ = true;
            destinationLostReason_ = reason;
            destinationLostAtMs_ = elapsedMs();
        }
    });
}

void MigrationEngine::checkStates()
{
    const std::string sourceState =
        callOrThrow(*source_, "source", "query-status").stringAt("status").value_or("");
    if (sourceState == "inmigrate") {
        throw MigrationError("the source QEMU (" + source_->address() +
                             ") is itself waiting for an incoming migration ('inmigrate'): "
                             "--source must be the QEMU that runs the VM");
    }
    sourceWasRunning_ = sourceState == "running";
    const std::string destinationState =
        callOrThrow(*destination_, "destination", "query-status").stringAt("status").value_or("");
    if (destinationState != "inmigrate") {
        throw MigrationError("the destination QEMU (" + destination_->address() + ") is '" +
                             destinationState +
                             "', not waiting for an incoming migration: start it with "
                             "-incoming defer (migkit then sets the URI) or -incoming "
                             "tcp:HOST:PORT");
    }
    const json::Value incoming = callOrThrow(*destination_, "destination", "query-migrate");
    const std::string incomingStatus = incoming.stringAt("status").value_or("none");
    if (incomingStatus == "none") {
        destinationDeferred_ = true;
    } else if (incomingStatus != "setup") {
        throw MigrationError("the destination QEMU (" + destination_->address() +
                             ") already has an incoming migration in state '" + incomingStatus +
                             "': start a fresh destination QEMU");
    }
    const json::Value outgoing = callOrThrow(*source_, "source", "query-migrate");
    const std::string outgoingStatus = outgoing.stringAt("status").value_or("none");
    if (outgoingStatus == "active" || outgoingStatus == "setup" ||
        outgoingStatus.rfind("postcopy", 0) == 0 || outgoingStatus == "pre-switchover" ||
        outgoingStatus == "device" || outgoingStatus == "cancelling") {
        throw MigrationError("the source QEMU (" + source_->address() +
                             ") is already migrating (status '" + outgoingStatus +
                             "'): wait for it to end or cancel it with migrate_cancel");
    }
}

void MigrationEngine::gatherFacts()
{
    try {
        sourceFacts_ = QemuSideFacts::fromReplies(
            callOrThrow(*source_, "source", "query-version"),
            callOrThrow(*source_, "source", "query-migrate-capabilities"),
            callOrThrow(*source_, "source", "query-migrate-parameters"));
        destinationFacts_ = QemuSideFacts::fromReplies(
            callOrThrow(*destination_, "destination", "query-version"),
            callOrThrow(*destination_, "destination", "query-migrate-capabilities"),
            callOrThrow(*destination_, "destination", "query-migrate-parameters"));
    } catch (const json::TypeError &e) {
        throw MigrationError(std::string("a QEMU answered a query with an unexpected shape: ") +
                             e.what());
    }
    report_.sourceQemuVersion = sourceFacts_.version;
    report_.destinationQemuVersion = destinationFacts_.version;
    addPlanFacts(facts_, "source", sourceFacts_);
    addPlanFacts(facts_, "destination", destinationFacts_);
    gatherDiskFacts();

    const json::Value memory = callOrThrow(*source_, "source", "query-memory-size-summary");
    ramBytes_ =
        memory.uint64At("base-memory").value_or(0) + memory.uint64At("plugged-memory").value_or(0);
    const QmpReply name = source_->call("query-name", json::Value(), options_.commandTimeout);
    if (name.ok()) {
        report_.vmName = name.value().stringAt("name").value_or("");
    }
}

void MigrationEngine::gatherDiskFacts()
{
    json::Value flat = json::Value::object();
    flat.set("flat", true);
    std::vector<DiskFact> disks;
    try {
        disks = disksFromReplies(callOrThrow(*source_, "source", "query-block"),
                                 callIfOffered(*source_, "source", "query-named-block-nodes", flat),
                                 callIfOffered(*source_, "source", "x-debug-query-block-graph"),
                                 callIfOffered(*source_, "source", "query-block-leases"));
    } catch (const json::TypeError &e) {
        throw MigrationError(std::string("the source QEMU described its disks with an "
                                         "unexpected shape: ") +
                             e.what());
    }
    addDiskFacts(facts_, disks);
    for (const DiskFact &disk : disks) {
        report_.disks.push_back(DiskRecord{disk.device, disk.node, disk.protocol,
                                           disk.leaseProtected, disk.leaseOwner});
    }
}

void MigrationEngine::makePlan()
{
    /* The host's defaults: what QEMU would do if nobody asked for anything. */
    plan_ = migkit_plan{};
    plan_.struct_size = sizeof(migkit_plan);
    plan_.downtime_limit_ms = sourceFacts_.parameters.uint64At("downtime-limit").value_or(300);
    plan_.bandwidth_bytes_per_second =
        sourceFacts_.parameters.uint64At("max-bandwidth").value_or(0);
    plan_.multifd_channels = 0;
    if (sourceFacts_.capabilities.count("multifd") && sourceFacts_.capabilities.at("multifd")) {
        plan_.multifd_channels =
            static_cast<uint32_t>(sourceFacts_.parameters.uint64At("multifd-channels").value_or(2));
    }
    plan_.auto_converge = sourceFacts_.capabilities.count("auto-converge") &&
                                  sourceFacts_.capabilities.at("auto-converge")
                              ? MIGKIT_AUTO_CONVERGE_CLASSIC
                              : MIGKIT_AUTO_CONVERGE_OFF;

    migkit_plan_input input{};
    input.struct_size = sizeof(input);
    input.vm_name = report_.vmName.c_str();
    input.ram_bytes = ramBytes_;
    input.facts = facts_.values();
    chain_.plan(input, plan_);
    drainPolicyLog();
    report_.plan = plan_;
    for (const auto &plugin : chain_.plugins()) {
        report_.plugins.push_back({plugin.name, plugin.version, plugin.path, plugin.settings});
    }
}

void MigrationEngine::applyPlan()
{
    const bool multifd = plan_.multifd_channels > 1;
    if (plan_.tls && sourceFacts_.parameters.stringAt("tls-creds").value_or("").empty()) {
        throw MigrationError("the plan asks for TLS, but the source QEMU has no tls-creds: "
                             "create a tls-creds-x509 object on both QEMUs and set the "
                             "tls-creds migration parameter, or drop TLS from the policy");
    }
    const auto require = [this](const std::string &capabilityName, const char *why) {
        for (const auto *side : {&sourceFacts_, &destinationFacts_}) {
            if (!side->offers(capabilityName)) {
                throw MigrationError(
                    std::string("the plan asks for ") + why + ", but the " +
                    (side == &sourceFacts_ ? "source" : "destination") + " QEMU (" + side->version +
                    ") does not offer the '" + capabilityName +
                    "' capability: change the policy settings or use a QEMU that has it");
            }
        }
    };
    if (plan_.postcopy_allowed) {
        require("postcopy-ram", "post-copy");
    }
    if (multifd) {
        require("multifd", "multifd channels");
    }

    json::Value sourceCaps = json::Value::array();
    json::Value destinationCaps = json::Value::array();
    sourceCaps.push(capability("events", true));
    if (sourceFacts_.offers("pause-before-switchover")) {
        sourceCaps.push(capability("pause-before-switchover", plan_.switchover_gate));
    } else if (plan_.switchover_gate) {
        plan_.switchover_gate = false;
        report_.planNotes.push_back("switchover gate asked, but the source QEMU does not offer "
                                    "pause-before-switchover: policies are told at switchover "
                                    "without a veto");
    }
    if (sourceFacts_.offers("postcopy-ram")) {
        sourceCaps.push(capability("postcopy-ram", plan_.postcopy_allowed));
    }
    if (destinationFacts_.offers("postcopy-ram")) {
        destinationCaps.push(capability("postcopy-ram", plan_.postcopy_allowed));
    }
    if (sourceFacts_.offers("auto-converge")) {
        sourceCaps.push(
            capability("auto-converge", plan_.auto_converge != MIGKIT_AUTO_CONVERGE_OFF));
    }
    if (sourceFacts_.offers("multifd")) {
        sourceCaps.push(capability("multifd", multifd));
    }
    if (destinationFacts_.offers("multifd")) {
        destinationCaps.push(capability("multifd", multifd));
    }
    if (sourceFacts_.offers("dirty-heat")) {
        sourceCaps.push(capability("dirty-heat", plan_.dirty_heat));
        /* The plan's dirty_heat means tracking and deferring hot pages, where QEMU can. */
        if (sourceFacts_.offers("dirty-heat-defer")) {
            sourceCaps.push(capability("dirty-heat-defer", plan_.dirty_heat));
        }
    } else if (plan_.dirty_heat) {
        plan_.dirty_heat = false;
        report_.planNotes.push_back("dirty-heat asked, but the source QEMU (" +
                                    sourceFacts_.version +
                                    ") does not offer it (a migkit-patched QEMU does): off");
    }
    callOrThrow(*source_, "source", "migrate-set-capabilities",
                arguments({{"capabilities", sourceCaps}}));
    if (destinationCaps.size() > 0) {
        callOrThrow(*destination_, "destination", "migrate-set-capabilities",
                    arguments({{"capabilities", destinationCaps}}));
    }

    json::Value sourceParams = json::Value::object();
    sourceParams.set("downtime-limit", plan_.downtime_limit_ms);
    sourceParams.set("max-bandwidth", plan_.bandwidth_bytes_per_second);
    if (multifd) {
        sourceParams.set("multifd-channels", plan_.multifd_channels);
        callOrThrow(*destination_, "destination", "migrate-set-parameters",
                    arguments({{"multifd-channels", plan_.multifd_channels}}));
    }
    if (sourceFacts_.hasParameter("auto-converge-mode")) {
        sourceParams.set("auto-converge-mode",
                         plan_.auto_converge == MIGKIT_AUTO_CONVERGE_PREDICTIVE ? "predictive"
                                                                                : "stepped");
    } else if (plan_.auto_converge == MIGKIT_AUTO_CONVERGE_PREDICTIVE) {
        plan_.auto_converge = MIGKIT_AUTO_CONVERGE_CLASSIC;
        report_.planNotes.push_back("predictive auto-converge asked, but the source QEMU has no "
                                    "auto-converge-mode parameter (a migkit-patched QEMU does): "
                                    "classic auto-converge instead");
    }
    callOrThrow(*source_, "source", "migrate-set-parameters", sourceParams);
    report_.plan = plan_;
}

void MigrationEngine::prepareIncoming()
{
    const std::string host = options_.destination.kind == QmpAddress::Kind::Tcp
                                 ? options_.destination.host
                                 : std::string("127.0.0.1");
    if (destinationDeferred_) {
        const std::string listen = options_.uri.empty() ? "tcp:" + host + ":0" : options_.uri;
        callOrThrow(*destination_, "destination", "migrate-incoming", arguments({{"uri", listen}}));
    }
    std::string uri = options_.uri;
    const json::Value incoming = callOrThrow(*destination_, "destination", "query-migrate");
    const json::Value *addresses = incoming.find("socket-address");
    const bool portZero = uri.size() > 2 && uri.compare(uri.size() - 2, 2, ":0") == 0;
    if ((uri.empty() || portZero) && addresses && addresses->isArray() && addresses->size() > 0) {
        const json::Value &address = addresses->asArray()[0];
        const std::string type = address.stringAt("type").value_or("");
        if (type == "inet") {
            std::string listenHost = address.stringAt("host").value_or(host);
            if (listenHost == "0.0.0.0" || listenHost == "::" || listenHost.empty()) {
                listenHost = host;
            }
            if (listenHost.find(':') != std::string::npos) {
                listenHost = "[" + listenHost + "]";
            }
            uri = "tcp:" + listenHost + ":" + address.stringAt("port").value_or("0");
        } else if (type == "unix") {
            uri = "unix:" + address.stringAt("path").value_or("");
        }
    }
    if (uri.empty() || (uri.size() > 2 && uri.compare(uri.size() - 2, 2, ":0") == 0)) {
        throw MigrationError("cannot tell where the destination QEMU (" + destination_->address() +
                             ") listens for the migration stream: give --uri tcp:HOST:PORT");
    }
    report_.uri = uri;
}

void MigrationEngine::interrupt(const std::string &reason)
{
    if (interruptReason_.empty()) {
        interruptReason_ = reason;
    }
    /* Before `migrate` nothing needs undoing: stop waiting for a QEMU that does not answer.
     * After it, the monitor loop cancels, and that needs the monitors' answers. */
    if (!started_) {
        for (QmpClient *client : {source_.get(), destination_.get()}) {
            if (client) {
                client->abandonWaits(reason);
            }
        }
    }
}

void MigrationEngine::startMigration()
{
    if (!interruptReason_.empty()) {
        throw MigrationError("not started: " + interruptReason_);
    }
    start_ = std::chrono::steady_clock::now();
    started_ = true;
    passPending_ = statusChanged_ = false;
    const QmpReply reply =
        source_->call("migrate", arguments({{"uri", report_.uri}}), options_.commandTimeout);
    if (!reply.ok() && reply.error().kind() == QmpError::Kind::CommandFailed) {
        /* QEMU refused before anything moved: the source runs as before. */
        throw MigrationError("the source QEMU (" + source_->address() + ") refused to migrate to " +
                             report_.uri + ": " + reply.error().what());
    }
    if (!reply.ok()) {
        /* No answer is not a refusal: QEMU may have started.  Cancel it, and let the monitor
         * loop find out from query-migrate how it ended. */
        const std::string why =
            std::string("the source QEMU did not answer 'migrate' (") + reply.error().what() + ")";
        note("error", why + ": cancelling in case the migration started");
        requestCancel("migkit", why);
        return;
    }
    if (observer_) {
        observer_->started(report_.uri);
    }
}

void MigrationEngine::recordSample(const ProgressSample &sample)
{
    const SampleRecord record = sample.record();
    if (observer_) {
        observer_->sample(record);
    }
    /* Keep the first sample of each pass and status, and one a second in between. */
    if (!lastRecorded_ || lastRecorded_->iteration != record.iteration ||
        lastRecorded_->status != record.status ||
        record.elapsedMs >= lastRecorded_->elapsedMs + 1000) {
        report_.samples.push_back(record);
        lastRecorded_ = record;
    }
}

void MigrationEngine::requestCancel(const std::string &plugin, const std::string &reason)
{
    if (cancelRequested_) {
        return;
    }
    cancelRequested_ = true;
    cancelRequestedAtMs_ = elapsedMs();
    cancelReason_ = "cancelled by " + plugin + ": " + reason;
    const QmpReply reply = source_->call("migrate_cancel", json::Value(), options_.commandTimeout);
    if (!reply.ok()) {
        note("error", std::string("migrate_cancel failed: ") + reply.error().what());
    }
}

void MigrationEngine::applyActions(const std::vector<Action> &actions)
{
    for (const Action &action : actions) {
        DecisionRecord decision;
        decision.elapsedMs = elapsedMs();
        decision.plugin = action.plugin;
        decision.action = actionKindName(action.kind);
        decision.reason = action.reason;
        std::optional<QmpReply> reply;
        switch (action.kind) {
        case Action::Kind::SetDowntimeLimit:
            decision.detail = "downtime-limit=" + std::to_string(action.value) + " ms";
            reply = source_->call("migrate-set-parameters",
                                  arguments({{"downtime-limit", action.value}}),
                                  options_.commandTimeout);
            break;
        case Action::Kind::SetBandwidth:
            decision.detail = "max-bandwidth=" + std::to_string(action.value) + " B/s";
            reply = source_->call("migrate-set-parameters",
                                  arguments({{"max-bandwidth", action.value}}),
                                  options_.commandTimeout);
            break;
        case Action::Kind::SetThrottle: {
            json::Value params = json::Value::object();
            if (action.throttleInitialPercent) {
                params.set("cpu-throttle-initial", action.throttleInitialPercent);
            }
            if (action.throttleIncrementPercent) {
                params.set("cpu-throttle-increment", action.throttleIncrementPercent);
            }
            params.set("cpu-throttle-tailslow", action.throttleTailslow);
            decision.detail = "initial=" + std::to_string(action.throttleInitialPercent) +
                              "% increment=" + std::to_string(action.throttleIncrementPercent) +
                              "% tailslow=" + (action.throttleTailslow ? "on" : "off");
            reply = source_->call("migrate-set-parameters", params, options_.commandTimeout);
            break;
        }
        case Action::Kind::SetParameter: {
            decision.detail =
                action.parameterName + "=" + parameterValueToText(action.parameterValue);
            json::Value params = json::Value::object();
            params.set(action.parameterName, parameterValueToJson(action.parameterValue));
            reply = source_->call("migrate-set-parameters", params, options_.commandTimeout);
            break;
        }
        case Action::Kind::StartPostcopy:
            reply = source_->call("migrate-start-postcopy", json::Value(), options_.commandTimeout);
            break;
        case Action::Kind::PauseToComplete:
            reply = source_->call("stop", json::Value(), options_.commandTimeout);
            if (reply->ok()) {
                pausedByUs_ = true;
            }
            break;
        case Action::Kind::Cancel:
            requestCancel(action.plugin, action.reason);
            break;
        }
        if (reply && !reply->ok()) {
            decision.applied = false;
            decision.error = reply->error().what();
        }
        report_.decisions.push_back(decision);
        if (observer_) {
            observer_->decision(decision);
        }
    }
}

json::Value MigrationEngine::monitor()
{
    using Clock = std::chrono::steady_clock;
    auto nextSample = Clock::now();
    bool switchoverSeen = false;
    for (;;) {
        const auto wait = std::max(
            std::chrono::milliseconds(0),
            std::chrono::duration_cast<std::chrono::milliseconds>(nextSample - Clock::now()));
        iterateUntil(
            context_,
            [this] {
                return passPending_ || statusChanged_ || !source_->connected() ||
                       (!cancelRequested_ && (destinationLost_ || !interruptReason_.empty()));
            },
            wait);
        passPending_ = statusChanged_ = false;
        nextSample = Clock::now() + options_.sampleInterval;

        if (cancelRequested_ && elapsedMs() > cancelRequestedAtMs_ + 60000) {
            /* Do not wait for ever on a QEMU that does not finish cancelling. */
            json::Value stuck = json::Value::object();
            stuck.set("status", "failed");
            stuck.set("error-desc", "the source QEMU did not finish cancelling within 60 s");
            return stuck;
        }
        if (!source_->connected()) {
            json::Value lost = json::Value::object();
            lost.set("status", "failed");
            lost.set("error-desc",
                     "lost the QMP connection to the source QEMU: " + source_->disconnectReason());
            return lost;
        }
        const QmpReply reply =
            source_->call("query-migrate", json::Value(), options_.commandTimeout);
        if (!reply.ok()) {
            if (!source_->connected()) {
                continue; /* reported at the top of the loop */
            }
            note("error", std::string("query-migrate failed: ") + reply.error().what());
            requestCancel("migkit", "the source QEMU stopped answering query-migrate");
            continue;
        }
        const json::Value &info = reply.value();
        std::optional<ProgressSample> converted;
        try {
            converted.emplace(ProgressSample::fromQueryMigrate(info, elapsedMs()));
        } catch (const json::TypeError &e) {
            if (auto ended = unusableReply(info, e.what())) {
                return *ended;
            }
            continue;
        }
        const ProgressSample &sample = *converted;
        const std::string &status = sample.status();
        if (info.contains("ram")) {
            lastStatistics_ = info;
            recordSample(sample);
        }
        if (status == "completed" || status == "failed" || status == "cancelled") {
            return info;
        }
        if (status == "none" && cancelRequested_) {
            return info; /* `migrate` got no answer and never started */
        }
        if (status == "postcopy-paused") {
            /* The VM's memory is split between the hosts: nothing to fall back to. */
            return info;
        }
        if (!interruptReason_.empty() && !cancelRequested_) {
            requestCancel("operator", interruptReason_);
        }
        if (destinationLost_ && !cancelRequested_ && elapsedMs() > destinationLostAtMs_ + 5000) {
            requestCancel("migkit", "the destination QEMU went away: " + destinationLostReason_);
        }
        if (!cancelRequested_ &&
            elapsedMs() > static_cast<uint64_t>(options_.migrationTimeout.count())) {
            requestCancel("migkit", "the migration did not finish within " +
                                        std::to_string(options_.migrationTimeout.count() / 1000) +
                                        " s");
        }
        const migkit_progress progress = sample.progress();
        if (status == "pre-switchover" || status == "device") {
            if (!switchoverSeen) {
                switchoverSeen = true;
                const auto result = chain_.onSwitchover(progress);
                applyActions(result.actions);
                if (status == "pre-switchover") {
                    if (result.decision == MIGKIT_SWITCHOVER_CANCEL) {
                        requestCancel("policy chain", "a policy vetoed the switchover");
                    } else if (!cancelRequested_) {
                        const QmpReply go = source_->call("migrate-continue",
                                                          arguments({{"state", "pre-switchover"}}),
                                                          options_.commandTimeout);
                        if (!go.ok()) {
                            note("error",
                                 std::string("migrate-continue failed: ") + go.error().what());
                        }
                    }
                }
            }
        } else if (!cancelRequested_ && (progress.phase == MIGKIT_PHASE_PRECOPY ||
                                         progress.phase == MIGKIT_PHASE_POSTCOPY)) {
            applyActions(chain_.onIteration(progress));
        }
        drainPolicyLog();
    }
}

std::optional<json::Value> MigrationEngine::unusableReply(const json::Value &info,
                                                          const std::string &problem)
{
    const std::string why = "the source QEMU (" + source_->address() +
                            ") sent a 'query-migrate' reply migkit cannot use: " + problem;
    if (badReply_.empty()) {
        badReply_ = why;
        note("error", why);
    }
    /* Only the status is taken from it; the figures stay those of the last good reply. */
    const json::Value *status = info.find("status");
    const std::string state = status && status->isString() ? status->asString() : "";
    if (state == "completed" || state == "failed" || state == "cancelled" ||
        state == "postcopy-paused") {
        json::Value ended = json::Value::object();
        ended.set("status", state);
        if (const json::Value *desc = info.find("error-desc"); desc && desc->isString()) {
            ended.set("error-desc", *desc);
        }
        return ended;
    }
    /* Still running, or a status we cannot read: a migration nobody can watch is cancelled. */
    requestCancel("migkit", why);
    return std::nullopt;
}

void MigrationEngine::ensureSourceRuns()
{
    if (!source_->connected()) {
        report_.vmRunningOn = "unknown";
        report_.error += "; the source QEMU's state is unknown (its QMP connection is gone)";
        return;
    }
    std::string state;
    /* After a failed pass QEMU restarts the guest by itself; give it a moment. */
    iterateUntil(
        context_,
        [&] {
            state = runState(*source_, options_.commandTimeout);
            return state == "running" || !source_->connected();
        },
        3s);
    if (state != "running" && (sourceWasRunning_ || pausedByUs_)) {
        note("info", "source QEMU is '" + state + "': resuming it with cont");
        const QmpReply reply = source_->call("cont", json::Value(), options_.commandTimeout);
        if (!reply.ok()) {
            note("error", std::string("cont failed: ") + reply.error().what());
        }
        state = runState(*source_, options_.commandTimeout);
    }
    if (state == "running" || !sourceWasRunning_) {
        report_.vmRunningOn = "source";
    } else {
        report_.vmRunningOn = "none";
        report_.error += "; the source QEMU is '" + state + "' and did not resume";
    }
}

void MigrationEngine::cleanUpDestination()
{
    if (!destination_->connected()) {
        return;
    }
    /* A destination whose incoming migration failed exits by itself. */
    iterateUntil(
        context_, [this] { return !destination_->connected(); }, options_.destinationExitTimeout);
    if (!destination_->connected()) {
        return;
    }
    const std::string state = runState(*destination_, options_.commandTimeout);
    const QmpReply incoming =
        destination_->call("query-migrate", json::Value(), options_.commandTimeout);
    const std::string incomingStatus =
        incoming.ok() ? incoming.value().stringAt("status").value_or("none") : "unknown";
    if (state == "running" || (incomingStatus != "setup" && incomingStatus != "none")) {
        /* Never two copies of the VM: the source has it, so this one goes. */
        note("info", "destination QEMU is '" + state + "' with incoming migration '" +
                         incomingStatus + "': quitting it, the VM runs on the source");
        destination_->call("quit", json::Value(), options_.commandTimeout);
    } else {
        note("info", "destination QEMU still waits for an incoming migration; left as it is");
    }
}

void MigrationEngine::finish(const json::Value &finalInfo)
{
    if (finalInfo.contains("ram") || !lastStatistics_.isObject()) {
        applyFinalStatistics(report_, finalInfo);
    } else {
        /* A failed or cancelled migration has no statistics left: the last ones QEMU gave. */
        json::Value merged = lastStatistics_;
        for (const auto &[name, value] : finalInfo.asObject()) {
            merged.set(name, value);
        }
        applyFinalStatistics(report_, merged);
    }
    if (!badReply_.empty() && report_.status == "completed") {
        note("warning", "the migration completed; its figures are those of the last usable "
                        "query-migrate reply");
    }
    const std::string status = report_.status;
    if (status == "completed") {
        report_.phase = MIGKIT_PHASE_COMPLETED;
        report_.vmRunningOn = "destination";
        if (pausedByUs_ && sourceWasRunning_ && destination_->connected()) {
            /* The destination keeps the run state it received: paused, because we paused it. */
            const QmpReply resumed =
                destination_->call("cont", json::Value(), options_.commandTimeout);
            if (!resumed.ok()) {
                note("error",
                     std::string("cont on the destination failed: ") + resumed.error().what());
            }
        }
        std::string state;
        const bool runs = iterateUntil(
            context_,
            [&] {
                state = runState(*destination_, options_.commandTimeout);
                return state == "running" || state == "paused" || !destination_->connected();
            },
            options_.commandTimeout);
        if (!runs || !destination_->connected()) {
            note("warning", "the migration completed but the destination QEMU is '" + state + "'" +
                                (destination_->connected() ? "" : " (its QMP is gone)"));
        }
        drainPolicyLog();
        OutcomeData outcome(report_);
        chain_.onComplete(outcome.outcome());
        drainPolicyLog();
        return;
    }

    std::string error;
    if (destinationLost_) {
        error =
            "the destination QEMU went away during the migration (" + destinationLostReason_ + ")";
    } else if (cancelRequested_) {
        error = cancelReason_;
    }
    if (const json::Value *desc = finalInfo.find("error-desc"); desc && desc->isString()) {
        error += (error.empty() ? "" : "; source QEMU: ") + desc->asString();
    }
    if (!badReply_.empty() && error.find(badReply_) == std::string::npos) {
        error += (error.empty() ? "" : "; ") + badReply_;
    }
    if (status == "postcopy-paused") {
        error += (error.empty() ? "" : "; ") +
                 std::string("post-copy paused: the VM's memory is split between source and "
                             "destination; recover it with migrate-recover on the destination "
                             "and migrate with resume=true");
    }
    /* "none" after our cancel: `migrate` got no answer and never started. */
    const bool cancelled = status == "cancelled" || (status == "none" && cancelRequested_);
    report_.phase = cancelled && !destinationLost_ ? MIGKIT_PHASE_CANCELLED : MIGKIT_PHASE_FAILED;
    report_.error = error.empty() ? "the migration " + status : error;
    if (status == "postcopy-paused") {
        report_.vmRunningOn = "none";
    } else {
        ensureSourceRuns();
        cleanUpDestination();
    }
    drainPolicyLog();
    OutcomeData outcome(report_);
    chain_.onFailure(outcome.outcome());
    drainPolicyLog();
}

} // namespace migkit
