/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"
#include "json/value.h"

#include <map>
#include <string>

namespace migkit {

/**
 * QemuSideFacts: what one QEMU told us before the migration: its version, the migration
 * capabilities it offers and their current state, its migration parameters.
 */
struct QemuSideFacts {
    /** "10.0.2" (plus " (package)" when QEMU names one). */
    std::string version;
    /** Every capability QEMU offers, with its current state. */
    std::map<std::string, bool> capabilities;
    /** The query-migrate-parameters reply. */
    json::Value parameters = json::Value::object();

    /** offers: whether QEMU knows capability @name. */
    bool offers(const std::string &capability) const { return capabilities.count(capability); }

    /** hasParameter: whether QEMU knows migration parameter @name. */
    bool hasParameter(const std::string &name) const { return parameters.contains(name); }

    /**
     * fromReplies: the facts from the replies to query-version, query-migrate-capabilities and
     * query-migrate-parameters.  Throws json::TypeError when a reply is not shaped like QMP's.
     */
    static QemuSideFacts fromReplies(const json::Value &version, const json::Value &capabilities,
                                     const json::Value &parameters);
};

/**
 * addPlanFacts: add @side's facts to @facts for the plugins' plan input:
 * "SIDE.qemu-version" (string), "SIDE.capability.NAME" (true for each capability QEMU offers,
 * whatever its current state, so a plugin can tell whether a feature exists),
 * "SIDE.capability-state.NAME" (its current state) and "SIDE.parameter.NAME" (each parameter,
 * nested values flattened with dots).  @side is "source" or "destination".
 */
void addPlanFacts(ValueList &facts, const std::string &side, const QemuSideFacts &qemu);

} // namespace migkit
