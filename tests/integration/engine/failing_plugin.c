/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test fixture: a plugin whose plan callback fails; the migration must not start. */
#include <migkit/plugin.h>

#include <stdio.h>
#include <stdlib.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    .abi_version = MIGKIT_PLUGIN_ABI_VERSION,
    .name = "failing",
    .version = "0.0.1",
    .license = "LGPL-2.1-or-later",
    .summary = "test fixture whose plan always fails",
};

struct migkit_policy {
    int unused;
};

static migkit_policy *create(migkit_context *ctx, const migkit_host_api *host,
                             const migkit_values *settings, migkit_error *error)
{
    (void)ctx;
    (void)host;
    (void)settings;
    (void)error;
    return calloc(1, sizeof(migkit_policy));
}

static void destroy(migkit_policy *policy)
{
    free(policy);
}

static int plan(migkit_policy *policy, const migkit_plan_input *input, migkit_plan *plan,
                migkit_error *error)
{
    (void)policy;
    (void)input;
    (void)plan;
    snprintf(error->message, sizeof(error->message), "refusing to plan (test fixture)");
    return -1;
}

static const migkit_policy_ops ops = {
    .struct_size = sizeof(migkit_policy_ops),
    .create = create,
    .destroy = destroy,
    .plan = plan,
};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &ops;
}
