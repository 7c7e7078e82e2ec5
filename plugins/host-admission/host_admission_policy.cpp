/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `host-admission` policy plugin: refuses, in libvirt's hooks on the destination, a VM
 * that this host cannot take: too little memory, or disks not on shared storage.  Written
 * against the C ABI directly: on_host_hook has no C++ layer yet. */
#include "host_admission_logic.h"

#include <migkit/checked.hpp>
#include <migkit/plugin.h>

#include <cstdio>
#include <cstring>

namespace {

using migkit::policies::HostAdmissionConfig;

const migkit_setting_spec kSettings[] = {
    {"memory-reserve-mib", MIGKIT_VALUE_UINT64, "256",
     "memory the host keeps beyond the guest's, in MiB"},
    {"require-shared-disks", MIGKIT_VALUE_BOOL, "true",
     "refuse an incoming migration whose writable disks are not on shared storage"},
};

/* The most memory-reserve-mib: 1 TiB, far beyond any host's own needs. */
constexpr uint64_t kMaxReserveMiB = 1024 * 1024;

migkit_policy *create(migkit_context *, const migkit_host_api *, const migkit_values *settings,
                      migkit_error *error)
{
    HostAdmissionConfig config;
    for (size_t i = 0; i < settings->count; i++) {
        const migkit_value &v = settings->items[i];
        if (std::strcmp(v.name, "memory-reserve-mib") == 0 && v.type == MIGKIT_VALUE_UINT64)
            config.memoryReserveMiB = v.v.u64;
        else if (std::strcmp(v.name, "require-shared-disks") == 0 && v.type == MIGKIT_VALUE_BOOL)
            config.requireSharedDisks = v.v.b;
    }
    try {
        migkit::requireInRange("memory-reserve-mib", config.memoryReserveMiB, 0, kMaxReserveMiB,
                               "MiB");
        return reinterpret_cast<migkit_policy *>(new HostAdmissionConfig(config));
    } catch (const std::exception &e) {
        std::snprintf(error->message, sizeof error->message, "%s", e.what());
        return nullptr;
    }
}

void destroy(migkit_policy *policy)
{
    delete reinterpret_cast<HostAdmissionConfig *>(policy);
}

int onHostHook(migkit_policy *policy, const migkit_hook_call *call, const char **,
               migkit_error *error)
{
    try {
        std::optional<std::string> refusal = migkit::policies::admissionRefusal(
            call->point, call->facts, *reinterpret_cast<HostAdmissionConfig *>(policy));
        if (!refusal)
            return 0;
        std::snprintf(error->message, sizeof error->message, "%s", refusal->c_str());
    } catch (...) {
        std::snprintf(error->message, sizeof error->message, "host-admission: internal error");
    }
    return -1;
}

const migkit_policy_ops kOps = [] {
    migkit_policy_ops ops{};
    ops.struct_size = sizeof(migkit_policy_ops);
    ops.settings = kSettings;
    ops.settings_count = sizeof kSettings / sizeof kSettings[0];
    ops.create = create;
    ops.destroy = destroy;
    ops.on_host_hook = onHostHook;
    return ops;
}();

} // namespace

extern "C" MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "host-admission", "0.1.0", "LGPL-2.1-or-later",
    "Refuses an incoming VM when this host lacks memory or shared storage for its disks"};

extern "C" MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &kOps;
}
