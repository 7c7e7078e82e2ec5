/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/plan_facts.h"

#include "engine/statistics.h"

namespace migkit {

QemuSideFacts QemuSideFacts::fromReplies(const json::Value &version,
                                         const json::Value &capabilities,
                                         const json::Value &parameters)
{
    QemuSideFacts facts;
    const json::Value &qemu = version.at("qemu");
    facts.version = std::to_string(qemu.at("major").asInt64()) + "." +
                    std::to_string(qemu.at("minor").asInt64()) + "." +
                    std::to_string(qemu.at("micro").asInt64());
    const std::string package = version.stringAt("package").value_or("");
    if (!package.empty()) {
        facts.version += " (" + package + ")";
    }
    for (const json::Value &entry : capabilities.asArray()) {
        facts.capabilities[entry.at("capability").asString()] = entry.at("state").asBool();
    }
    facts.parameters = parameters;
    parameters.asObject(); /* a QMP reply of the wrong shape fails here */
    return facts;
}

void addPlanFacts(ValueList &facts, const std::string &side, const QemuSideFacts &qemu)
{
    facts.add(side + ".qemu-version", qemu.version);
    for (const auto &[name, state] : qemu.capabilities) {
        facts.add(side + ".capability." + name, true);
        facts.add(side + ".capability-state." + name, state);
    }
    flattenStatistics(facts, qemu.parameters, side + ".parameter");
}

} // namespace migkit
