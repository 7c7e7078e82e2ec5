/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "libvirt/hook_call.h"
#include "libvirt/policy_selection.h"
#include "plugin/value_list.h"

#include <migkit/plugin.h>

#include <chrono>
#include <string>
#include <vector>

namespace migkit {

/** HookRequest: one libvirt hook call as the plugins see it. */
struct HookRequest {
    migkit_hook_point point = MIGKIT_HOOK_STARTED;
    std::string vmName;
    std::string detail;
    std::string domainXml;
    /** Facts about this host ("host.*"); the domain's own are added from the XML. */
    ValueList hostFacts;
    std::vector<std::string> sharedFilesystems;
};

/**
 * runHookPlugins: create each plugin of @policies, call its on_host_hook (plugins built
 * before the callback existed are skipped) and destroy it.  XML rewrites chain: each plugin
 * sees the XML its predecessors produced.  The first refusal at a point that may refuse ends
 * the call.  Throws PluginError when a plugin cannot be loaded or created.
 */
HookVerdict runHookPlugins(const std::vector<PolicyRef> &policies, const HookRequest &request);

/**
 * runHookPluginsIsolated: runHookPlugins in a child process, so that a plugin that crashes,
 * throws or hangs cannot block libvirt: after @limit the child is killed, and then (as when it
 * crashes) the verdict is @allowOnFailure with a note that says what happened.
 */
HookVerdict runHookPluginsIsolated(const std::vector<PolicyRef> &policies,
                                   const HookRequest &request, std::chrono::milliseconds limit,
                                   bool allowOnFailure);

} // namespace migkit
