/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/plan_facts.h"

#include "libvirt/domain_facts.h"
#include "libvirt/libvirt_call.h"
#include "libvirt/libvirt_error.h"
#include "json/parser.h"
#include "json/value.h"

namespace migkit {

namespace {

std::string versionText(unsigned long version)
{
    return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
           std::to_string(version % 1000);
}

void addJson(ValueList &facts, const std::string &name, const json::Value &value)
{
    switch (value.type()) {
    case json::Value::Type::Bool:
        facts.add(name, value.asBool());
        break;
    case json::Value::Type::Int64:
        facts.add(name, value.asInt64());
        break;
    case json::Value::Type::Uint64:
        facts.add(name, value.asUint64());
        break;
    case json::Value::Type::Double:
        facts.add(name, value.asDouble());
        break;
    case json::Value::Type::String:
        facts.add(name, value.asString());
        break;
    default:
        break;
    }
}

} // namespace

migkit_plan defaultPlan()
{
    migkit_plan plan{};
    plan.struct_size = sizeof(migkit_plan);
    plan.downtime_limit_ms = 300; /* QEMU's default downtime-limit */
    plan.multifd_channels = 1;
    return plan;
}

PlanFacts PlanFacts::collect(virConnectPtr connection, virDomainPtr domain,
                             const std::vector<std::string> &sharedFilesystems, bool allowMonitor)
{
    PlanFacts result;
    const char *name = virDomainGetName(domain);
    result.name = name ? name : "";
    char *xml = virDomainGetXMLDesc(domain, 0);
    if (!xml)
        throw lastLibvirtError("cannot read the XML of domain '" + result.name + "'");
    std::string text = xml;
    free(xml);
    DomainFacts facts = DomainFacts::fromXml(text, sharedFilesystems);
    result.ramBytes = facts.memoryBytes;
    facts.addTo(result.facts);

    unsigned long version = 0;
    if (virConnectGetVersion(connection, &version) == 0)
        result.facts.add("source.qemu-version", versionText(version));
    if (virConnectGetLibVersion(connection, &version) == 0)
        result.facts.add("source.libvirt-version", versionText(version));

    if (!allowMonitor) {
        result.notes.push_back("QEMU's migration capabilities and parameters are unknown: "
                               "[daemon] qemu-monitor=false");
        return result;
    }
    try {
        json::Value caps =
            json::parse(monitorCommand(domain, R"({"execute":"query-migrate-capabilities"})"));
        for (const json::Value &cap : caps.asArray())
            result.facts.add("source.capability." + cap.at("capability").asString(),
                             cap.at("state").asBool());
        json::Value params =
            json::parse(monitorCommand(domain, R"({"execute":"query-migrate-parameters"})"));
        for (const auto &[key, value] : params.asObject())
            addJson(result.facts, "source.parameter." + key, value);
    } catch (const std::exception &e) {
        result.notes.push_back(std::string("QEMU's migration settings could not be read: ") +
                               e.what());
    }
    return result;
}

migkit_plan_input PlanFacts::input() const
{
    migkit_plan_input in{};
    in.struct_size = sizeof(migkit_plan_input);
    in.vm_name = name.c_str();
    in.ram_bytes = ramBytes;
    in.facts = facts.values();
    return in;
}

migkit_plan PlanFacts::runningPlan(virDomainPtr domain) const
{
    migkit_plan plan = defaultPlan();
    unsigned long long downtime = 0;
    if (virDomainMigrateGetMaxDowntime(domain, &downtime, 0) == 0)
        plan.downtime_limit_ms = downtime;
    unsigned long speed = 0;
    if (virDomainMigrateGetMaxSpeed(domain, &speed, 0) == 0)
        plan.bandwidth_bytes_per_second =
            speed >= kLibvirtUnlimitedMiBps ? 0 : static_cast<uint64_t>(speed) * 1024 * 1024;
    auto capability = [this](const char *capabilityName) {
        std::optional<ParameterValue> value =
            facts.find(std::string("source.capability.") + capabilityName);
        return value && std::holds_alternative<bool>(*value) && std::get<bool>(*value);
    };
    plan.postcopy_allowed = capability("postcopy-ram");
    plan.auto_converge =
        capability("auto-converge") ? MIGKIT_AUTO_CONVERGE_CLASSIC : MIGKIT_AUTO_CONVERGE_OFF;
    plan.dirty_heat = capability("dirty-heat");
    if (capability("multifd"))
        if (std::optional<ParameterValue> channels =
                facts.find("source.parameter.multifd-channels"))
            if (const auto *n = std::get_if<int64_t>(&*channels))
                plan.multifd_channels = static_cast<uint32_t>(*n);
    return plan;
}

} // namespace migkit
