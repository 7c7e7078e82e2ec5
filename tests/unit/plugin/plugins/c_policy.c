/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin in plain C, straight on the ABI: a required setting, and on every iteration it
 * asks for post-copy and logs what the host answered. */
#include <migkit/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "c-policy", "2.0", "MIT", "plain C plugin"};

struct migkit_policy {
    migkit_context *ctx;
    const migkit_host_api *host;
    char label[64];
};

static const migkit_setting_spec settings[] = {
    {"label", MIGKIT_VALUE_STRING, NULL, "required: a name to log"},
};

static migkit_policy *create(migkit_context *ctx, const migkit_host_api *host,
                             const migkit_values *values, migkit_error *error)
{
    migkit_policy *policy = calloc(1, sizeof(*policy));
    if (!policy) {
        snprintf(error->message, sizeof(error->message), "out of memory");
        return NULL;
    }
    policy->ctx = ctx;
    policy->host = host;
    for (size_t i = 0; i < values->count; i++)
        if (strcmp(values->items[i].name, "label") == 0)
            snprintf(policy->label, sizeof(policy->label), "%s", values->items[i].v.str);
    return policy;
}

static void destroy(migkit_policy *policy)
{
    free(policy);
}

static int on_iteration(migkit_policy *policy, const migkit_progress *progress, migkit_error *error)
{
    char line[128];
    int rc = policy->host->start_postcopy(policy->ctx, "c-policy wants post-copy");
    (void)error;
    snprintf(line, sizeof(line), "%s: pass %llu, start_postcopy returned %d", policy->label,
             (unsigned long long)progress->iteration, rc);
    policy->host->log(policy->ctx, MIGKIT_LOG_INFO, line);
    return 0;
}

static const migkit_policy_ops ops = {
    .struct_size = sizeof(migkit_policy_ops),
    .settings = settings,
    .settings_count = 1,
    .create = create,
    .destroy = destroy,
    .on_iteration = on_iteration,
};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &ops;
}
