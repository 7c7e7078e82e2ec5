/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin whose entry returns NULL, and (by name) one whose ops lack create. */
#include <migkit/plugin.h>
#include <stddef.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "null-ops", "1.0", "LGPL-2.1-or-later", "entry returns NULL"};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return NULL;
}
