/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/hook_call.h"

#include "json/parser.h"
#include "json/value.h"
#include "json/writer.h"

#include <sstream>

namespace migkit {

std::optional<migkit_hook_point> hookPointFor(const std::string &operation,
                                              const std::string &subOperation)
{
    struct Entry {
        const char *operation, *subOperation;
        migkit_hook_point point;
    };
    static const Entry table[] = {
        {"migrate", "begin", MIGKIT_HOOK_MIGRATE_BEGIN}, {"prepare", "begin", MIGKIT_HOOK_PREPARE},
        {"start", "begin", MIGKIT_HOOK_START},           {"started", "begin", MIGKIT_HOOK_STARTED},
        {"stopped", "end", MIGKIT_HOOK_STOPPED},         {"release", "end", MIGKIT_HOOK_RELEASE},
    };
    for (const Entry &e : table)
        if (operation == e.operation && subOperation == e.subOperation)
            return e.point;
    return std::nullopt;
}

const char *hookPointName(migkit_hook_point point)
{
    switch (point) {
    case MIGKIT_HOOK_MIGRATE_BEGIN:
        return "migrate-begin";
    case MIGKIT_HOOK_PREPARE:
        return "prepare";
    case MIGKIT_HOOK_START:
        return "start";
    case MIGKIT_HOOK_STARTED:
        return "started";
    case MIGKIT_HOOK_STOPPED:
        return "stopped";
    case MIGKIT_HOOK_RELEASE:
        return "release";
    }
    return "unknown";
}

bool hookPointMayRefuse(migkit_hook_point point)
{
    return point == MIGKIT_HOOK_MIGRATE_BEGIN || point == MIGKIT_HOOK_PREPARE ||
           point == MIGKIT_HOOK_START;
}

std::string HookVerdict::toJson() const
{
    json::Value value = json::Value::object();
    value.set("allow", allow);
    value.set("message", message);
    value.set("replacement-xml", replacementXml);
    json::Value list = json::Value::array();
    for (const std::string &n : notes)
        list.push(n);
    value.set("notes", std::move(list));
    return json::serialize(value);
}

HookVerdict HookVerdict::fromJson(const std::string &text)
{
    json::Value value = json::parse(text);
    HookVerdict verdict;
    verdict.allow = value.at("allow").asBool();
    verdict.message = value.at("message").asString();
    verdict.replacementXml = value.at("replacement-xml").asString();
    for (const json::Value &n : value.at("notes").asArray())
        verdict.notes.push_back(n.asString());
    return verdict;
}

void addHostFacts(ValueList &facts, const std::string &hostName, const std::string &meminfo)
{
    facts.add("host.name", hostName);
    std::istringstream in(meminfo);
    std::string key, unit;
    uint64_t amount = 0;
    while (in >> key >> amount) {
        std::getline(in, unit);
        const uint64_t bytes = unit.find("kB") != std::string::npos ? amount * 1024 : amount;
        if (key == "MemAvailable:")
            facts.add("host.memory.available-bytes", bytes);
        else if (key == "MemTotal:")
            facts.add("host.memory.total-bytes", bytes);
    }
}

} // namespace migkit
