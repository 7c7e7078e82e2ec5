/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `xml-rewrite` policy plugin: at the destination's `migrate begin` hook, maps the bridge
 * names and storage paths that differ between hosts in the incoming domain XML, and gives
 * cluster-lease disks this host's own host-id.  Written
 * against the C ABI directly: on_host_hook has no C++ layer yet. */
#include "xml_rewrite_logic.h"

#include <migkit/plugin.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

using migkit::policies::XmlRewriteRules;

struct XmlRewritePolicy {
    XmlRewriteRules rules;
    std::string lastXml;
};

const migkit_setting_spec kSettings[] = {
    {"bridge-map", MIGKIT_VALUE_STRING, "",
     "bridges to rename, FROM=TO[,FROM=TO...] (source host's name = this host's)"},
    {"path-map", MIGKIT_VALUE_STRING, "",
     "storage path prefixes to move, FROM=TO[,...] (e.g. /srv/a/images=/srv/b/images)"},
    {"lease-host-id", MIGKIT_VALUE_UINT64, "0",
     "this host's cluster-lease host-id (1..64), set in every cluster-lease blockdev of "
     "<qemu:commandline>; 0 leaves host-ids as they are"},
};

void fail(migkit_error *error, const char *what)
{
    std::snprintf(error->message, sizeof error->message, "%s", what);
}

const char *stringSetting(const migkit_values *settings, const char *name)
{
    for (size_t i = 0; i < settings->count; i++)
        if (std::strcmp(settings->items[i].name, name) == 0 &&
            settings->items[i].type == MIGKIT_VALUE_STRING)
            return settings->items[i].v.str;
    return "";
}

uint64_t uintSetting(const migkit_values *settings, const char *name)
{
    for (size_t i = 0; i < settings->count; i++)
        if (std::strcmp(settings->items[i].name, name) == 0 &&
            settings->items[i].type == MIGKIT_VALUE_UINT64)
            return settings->items[i].v.u64;
    return 0;
}

migkit_policy *create(migkit_context *, const migkit_host_api *, const migkit_values *settings,
                      migkit_error *error)
{
    try {
        auto policy = std::make_unique<XmlRewritePolicy>();
        policy->rules.bridges =
            migkit::policies::parseMapping(stringSetting(settings, "bridge-map"), "bridge-map");
        policy->rules.pathPrefixes =
            migkit::policies::parseMapping(stringSetting(settings, "path-map"), "path-map");
        policy->rules.leaseHostId = uintSetting(settings, "lease-host-id");
        if (policy->rules.leaseHostId > migkit::policies::maxLeaseHostId) {
            throw std::invalid_argument(
                "lease-host-id: " + std::to_string(policy->rules.leaseHostId) +
                " is not a cluster-lease host-id; give this host's slot, 1.." +
                std::to_string(migkit::policies::maxLeaseHostId) + " (0 leaves host-ids alone)");
        }
        return reinterpret_cast<migkit_policy *>(policy.release());
    } catch (const std::exception &e) {
        fail(error, e.what());
        return nullptr;
    }
}

void destroy(migkit_policy *policy)
{
    delete reinterpret_cast<XmlRewritePolicy *>(policy);
}

int onHostHook(migkit_policy *policy, const migkit_hook_call *call, const char **replacement,
               migkit_error *error)
{
    if (call->point != MIGKIT_HOOK_MIGRATE_BEGIN || !call->domain_xml)
        return 0;
    try {
        auto *self = reinterpret_cast<XmlRewritePolicy *>(policy);
        migkit::policies::RewriteResult result =
            migkit::policies::rewriteDomainXml(call->domain_xml, self->rules);
        if (result.changes == 0)
            return 0;
        self->lastXml = std::move(result.xml);
        *replacement = self->lastXml.c_str();
        return 0;
    } catch (const std::exception &e) {
        fail(error, e.what());
        return -1;
    }
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
    MIGKIT_PLUGIN_ABI_VERSION, "xml-rewrite", "0.1.0", "LGPL-2.1-or-later",
    "Maps bridge names, storage paths and cluster-lease host-ids in the incoming domain XML "
    "(libvirt migrate hook)"};

extern "C" MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &kOps;
}
