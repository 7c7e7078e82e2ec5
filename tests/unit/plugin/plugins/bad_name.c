/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A descriptor whose name breaks the [a-z0-9_-] rule. */
#include <migkit/plugin.h>
#include <stdlib.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "Bad Name", "1.0", "LGPL-2.1-or-later", "upper case and a space"};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    abort();
}
