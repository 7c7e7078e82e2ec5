/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"

#include <migkit/plugin.h>

#include <optional>
#include <string>
#include <vector>

namespace migkit {

/**
 * hookPointFor: the migkit_hook_point of libvirt's qemu hook arguments @operation and
 * @subOperation ("migrate" "begin", "prepare" "begin", "start" "begin", "started" "begin",
 * "stopped" "end", "release" "end"), or nullopt for calls migkit does not handle (reconnect,
 * attach, restore, ...).
 */
std::optional<migkit_hook_point> hookPointFor(const std::string &operation,
                                              const std::string &subOperation);

/** hookPointName: "migrate-begin", "prepare", ... for logs. */
const char *hookPointName(migkit_hook_point point);

/** hookPointMayRefuse: whether a refusal at @point stops the VM (MIGRATE_BEGIN, PREPARE, START). */
bool hookPointMayRefuse(migkit_hook_point point);

/**
 * HookVerdict: what the plugins decided at one hook call: allow or refuse (with the message
 * libvirt shows), the replacement XML (empty: keep), and per plugin what it did.  It crosses
 * from the child process that runs the plugins to the hook as JSON.
 */
struct HookVerdict {
    bool allow = true;
    std::string message;
    std::string replacementXml;
    /** Lines for the hook log: "xml-rewrite: rewrote the XML", "host-admission: refused ...". */
    std::vector<std::string> notes;

    /** toJson, fromJson: the verdict as one JSON document; fromJson throws on bad input. */
    std::string toJson() const;
    static HookVerdict fromJson(const std::string &text);
};

/**
 * hostFacts: facts about this host for hook calls: "host.name", and from @meminfo (the text
 * of /proc/meminfo) "host.memory.available-bytes" and "host.memory.total-bytes".
 */
void addHostFacts(ValueList &facts, const std::string &hostName, const std::string &meminfo);

} // namespace migkit
