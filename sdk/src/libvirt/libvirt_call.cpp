/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/libvirt_call.h"

#include "libvirt/libvirt_error.h"
#include "json/parser.h"
#include "json/value.h"
#include "json/writer.h"

#include <libvirt/libvirt-qemu.h>

#include <stdexcept>

namespace migkit {

namespace {

json::Value jsonOf(const ParameterValue &value)
{
    return std::visit([](const auto &v) { return json::Value(v); }, value);
}

std::string setParameters(json::Value arguments)
{
    json::Value command = json::Value::object();
    command.set("execute", "migrate-set-parameters");
    command.set("arguments", std::move(arguments));
    return json::serialize(command);
}

LibvirtCall monitorCall(std::string command)
{
    LibvirtCall call;
    call.api = LibvirtCall::Api::MonitorCommand;
    call.monitorCommand = std::move(command);
    return call;
}

} // namespace

const char *LibvirtCall::functionName() const
{
    switch (api) {
    case Api::SetMaxDowntime:
        return "virDomainMigrateSetMaxDowntime";
    case Api::SetMaxSpeed:
        return "virDomainMigrateSetMaxSpeed";
    case Api::StartPostCopy:
        return "virDomainMigrateStartPostCopy";
    case Api::Suspend:
        return "virDomainSuspend";
    case Api::AbortJob:
        return "virDomainAbortJob";
    case Api::MonitorCommand:
        return "virDomainQemuMonitorCommand";
    }
    return "?";
}

uint64_t bytesToMiBps(uint64_t bytesPerSecond)
{
    constexpr uint64_t mib = 1024 * 1024;
    if (bytesPerSecond == 0)
        return kLibvirtUnlimitedMiBps;
    return std::min(kLibvirtUnlimitedMiBps, (bytesPerSecond + mib - 1) / mib);
}

LibvirtCall callFor(const Action &action)
{
    LibvirtCall call;
    switch (action.kind) {
    case Action::Kind::SetDowntimeLimit:
        call.api = LibvirtCall::Api::SetMaxDowntime;
        call.number = action.value;
        return call;
    case Action::Kind::SetBandwidth:
        call.api = LibvirtCall::Api::SetMaxSpeed;
        call.number = bytesToMiBps(action.value);
        return call;
    case Action::Kind::StartPostcopy:
        call.api = LibvirtCall::Api::StartPostCopy;
        return call;
    case Action::Kind::PauseToComplete:
        call.api = LibvirtCall::Api::Suspend;
        return call;
    case Action::Kind::Cancel:
        call.api = LibvirtCall::Api::AbortJob;
        return call;
    case Action::Kind::SetThrottle: {
        json::Value arguments = json::Value::object();
        if (action.throttleInitialPercent)
            arguments.set("cpu-throttle-initial", action.throttleInitialPercent);
        if (action.throttleIncrementPercent)
            arguments.set("cpu-throttle-increment", action.throttleIncrementPercent);
        arguments.set("cpu-throttle-tailslow", action.throttleTailslow);
        return monitorCall(setParameters(std::move(arguments)));
    }
    case Action::Kind::SetParameter: {
        /* libvirt tracks these two itself: go through its calls so that it stays in sync. */
        const uint64_t *number = std::get_if<uint64_t>(&action.parameterValue);
        if (number && action.parameterName == "downtime-limit") {
            call.api = LibvirtCall::Api::SetMaxDowntime;
            call.number = *number;
            return call;
        }
        if (number && action.parameterName == "max-bandwidth") {
            call.api = LibvirtCall::Api::SetMaxSpeed;
            call.number = bytesToMiBps(*number);
            return call;
        }
        json::Value arguments = json::Value::object();
        arguments.set(action.parameterName, jsonOf(action.parameterValue));
        return monitorCall(setParameters(std::move(arguments)));
    }
    }
    return call;
}

PlanCalls callsForRunningPlan(const migkit_plan &planned, const migkit_plan &running)
{
    PlanCalls result;
    if (planned.downtime_limit_ms != running.downtime_limit_ms) {
        LibvirtCall call;
        call.api = LibvirtCall::Api::SetMaxDowntime;
        call.number = planned.downtime_limit_ms;
        result.calls.push_back(call);
    }
    if (planned.bandwidth_bytes_per_second != running.bandwidth_bytes_per_second) {
        LibvirtCall call;
        call.api = LibvirtCall::Api::SetMaxSpeed;
        call.number = bytesToMiBps(planned.bandwidth_bytes_per_second);
        result.calls.push_back(call);
    }
    const char *fixed = " cannot change once libvirt started the migration (start it with "
                        "migkit migrate --libvirt, or the matching virsh migrate flag)";
    if (planned.postcopy_allowed && !running.postcopy_allowed)
        result.notes.push_back(std::string("post-copy") + fixed + ": --postcopy");
    if (planned.auto_converge != running.auto_converge)
        result.notes.push_back(std::string("auto-converge") + fixed + ": --auto-converge");
    if (planned.multifd_channels > 1 && planned.multifd_channels != running.multifd_channels)
        result.notes.push_back(std::string("multifd channels") + fixed +
                               ": --parallel --parallel-connections N");
    if (planned.tls && !running.tls)
        result.notes.push_back(std::string("TLS") + fixed + ": --tls");
    if (planned.switchover_gate && !running.switchover_gate)
        result.notes.push_back("the switchover gate is not offered under libvirt: libvirt "
                               "drives the switchover itself");
    if (planned.dirty_heat && !running.dirty_heat)
        result.notes.push_back(std::string("dirty-heat tracking") + fixed);
    return result;
}

std::string monitorCommand(virDomainPtr domain, const std::string &command)
{
    char *reply = nullptr;
    if (virDomainQemuMonitorCommand(domain, command.c_str(), &reply, 0) < 0)
        throw lastLibvirtError("QMP " + command + " through libvirt");
    std::string text = reply;
    free(reply);
    json::Value parsed = json::parse(text);
    if (const json::Value *error = parsed.find("error"))
        throw std::runtime_error("QEMU refused " + command + ": " +
                                 (error->find("desc") ? error->at("desc").asString() : text));
    const json::Value *result = parsed.find("return");
    return result ? json::serialize(*result) : "{}";
}

void invoke(virDomainPtr domain, const LibvirtCall &call, bool allowMonitor)
{
    int rc = 0;
    switch (call.api) {
    case LibvirtCall::Api::SetMaxDowntime:
        rc = virDomainMigrateSetMaxDowntime(domain, call.number, 0);
        break;
    case LibvirtCall::Api::SetMaxSpeed:
        rc = virDomainMigrateSetMaxSpeed(domain, call.number, 0);
        break;
    case LibvirtCall::Api::StartPostCopy:
        rc = virDomainMigrateStartPostCopy(domain, 0);
        break;
    case LibvirtCall::Api::Suspend:
        rc = virDomainSuspend(domain);
        break;
    case LibvirtCall::Api::AbortJob:
        rc = virDomainAbortJob(domain);
        break;
    case LibvirtCall::Api::MonitorCommand:
        if (!allowMonitor)
            throw std::runtime_error("needs QEMU's monitor (" + call.monitorCommand +
                                     "), which this host forbids ([daemon] qemu-monitor=false)");
        monitorCommand(domain, call.monitorCommand);
        return;
    }
    if (rc < 0)
        throw lastLibvirtError(call.functionName());
}

} // namespace migkit
