/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "results_reader.h"

#include <stdexcept>

namespace migkit::bench {

namespace {

const json::Value &member(const json::Value &object, const char *name)
{
    const json::Value *value = object.find(name);
    if (!value) {
        throw std::runtime_error(std::string("results.json: member '") + name + "' is missing");
    }
    return *value;
}

std::optional<uint64_t> optionalUint64(const json::Value &object, const char *name)
{
    const json::Value *value = object.find(name);
    if (!value || value->isNull()) {
        return std::nullopt;
    }
    return value->asUint64();
}

RunResult runFromJson(const json::Value &value)
{
    RunResult run;
    run.scenario = member(value, "scenario").asString();
    run.configuration = member(value, "configuration").asString();
    run.run = static_cast<unsigned>(member(value, "run").asUint64());
    run.binary = value.stringAt("binary").value_or("");
    run.converged = member(value, "converged").asBool();
    run.status = value.stringAt("status").value_or("");
    run.error = value.stringAt("error").value_or("");
    run.benchError = value.stringAt("bench-error").value_or("");
    run.totalSeconds = member(value, "total-seconds").asDouble();
    run.downtimeMs = member(value, "downtime-ms").asUint64();
    run.bytesSent = member(value, "bytes-sent").asUint64();
    run.iterations = member(value, "iterations").asUint64();
    run.predictedDowntimeMs = optionalUint64(value, "predicted-downtime-ms");
    run.expectedDowntimeMs = optionalUint64(value, "expected-downtime-ms");
    if (const json::Value *stop = value.find("guest-stop-ms"); stop && !stop->isNull()) {
        run.guestStopMs = stop->asDouble();
    }
    const json::Value &work = member(value, "guest-work");
    run.work.preRatePagesPerSecond = member(work, "pre-rate-pages-per-second").asDouble();
    run.work.windowSeconds = member(work, "window-seconds").asDouble();
    run.work.pagesWritten = member(work, "pages-written").asUint64();
    run.work.lostSeconds = member(work, "lost-seconds").asDouble();
    run.verified = value.boolAt("verified").value_or(false);
    run.verifiedOn = value.stringAt("verified-on").value_or("");
    run.verifyLine = value.stringAt("verify-line").value_or("");
    for (const auto &sample : member(value, "samples").asArray()) {
        SampleRecord record;
        record.elapsedMs = member(sample, "elapsed-ms").asUint64();
        record.status = member(sample, "status").asString();
        record.iteration = member(sample, "iteration").asUint64();
        record.ramRemainingBytes = member(sample, "ram-remaining-bytes").asUint64();
        record.ramTransferredBytes = member(sample, "ram-transferred-bytes").asUint64();
        record.dirtyRateBytesPerSecond = member(sample, "dirty-rate-bytes-per-second").asUint64();
        record.bandwidthBytesPerSecond = member(sample, "bandwidth-bytes-per-second").asUint64();
        record.expectedDowntimeMs = member(sample, "expected-downtime-ms").asUint64();
        record.throttlePercent =
            static_cast<uint32_t>(member(sample, "throttle-percent").asUint64());
        run.samples.push_back(record);
    }
    return run;
}

} // namespace

BenchRecord benchRecordFromJson(const json::Value &root)
{
    try {
        BenchRecord record;
        record.command = root.stringAt("command").value_or("");
        record.startedAt = root.stringAt("started-at").value_or("");
        const json::Value &options = member(root, "options");
        record.options.stockBinary = options.stringAt("stock").value_or("");
        record.options.patchedBinary = options.stringAt("patched").value_or("");
        record.options.runs = static_cast<unsigned>(member(options, "runs").asUint64());
        record.options.bandwidthBytesPerSecond =
            member(options, "bandwidth-bytes-per-second").asUint64();
        record.options.downtimeLimitMs = member(options, "downtime-limit-ms").asUint64();
        /* Absent from results written before the shaped link existed. */
        record.options.linkBytesPerSecond = options.uint64At("link-bytes-per-second").value_or(0);
        record.options.linkRttMs = options.uint64At("link-rtt-ms").value_or(0);
        record.options.switchoverBandwidthBytesPerSecond =
            options.uint64At("switchover-bandwidth-bytes-per-second").value_or(0);
        record.options.timeout = std::chrono::seconds(member(options, "timeout-seconds").asInt64());

        for (const auto &value : member(root, "scenarios").asArray()) {
            Scenario scenario;
            scenario.key = member(value, "key").asString();
            scenario.name = member(value, "name").asString();
            scenario.description = member(value, "description").asString();
            scenario.ramMiB = member(value, "ram-mib").asUint64();
            scenario.guest = testbed::GuestConfig::parse(member(value, "guest").asString());
            record.scenarios.push_back(scenario);
        }
        for (const auto &value : member(root, "configurations").asArray()) {
            Configuration configuration;
            configuration.name = member(value, "name").asString();
            configuration.label = member(value, "label").asString();
            configuration.qemu =
                member(value, "qemu").asString() == "stock" ? QemuKind::Stock : QemuKind::Patched;
            configuration.autoConverge = member(value, "auto-converge").asString();
            configuration.dirtyHeat = member(value, "dirty-heat").asBool();
            record.configurations.push_back(configuration);
        }
        for (const auto &value : member(root, "runs").asArray()) {
            record.results.push_back(runFromJson(value));
        }
        return record;
    } catch (const json::TypeError &e) {
        throw std::runtime_error(std::string("results.json: ") + e.what());
    } catch (const std::invalid_argument &e) {
        throw std::runtime_error(std::string("results.json: a scenario's guest: ") + e.what());
    }
}

} // namespace migkit::bench
