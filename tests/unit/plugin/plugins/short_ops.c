/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin whose ops claim to be smaller than ABI version 1's. */
#include <migkit/plugin.h>
#include <stddef.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "short-ops", "1.0", "LGPL-2.1-or-later", "struct_size too small"};

static const migkit_policy_ops ops = {
    .struct_size = 8,
};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &ops;
}
