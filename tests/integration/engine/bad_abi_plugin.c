/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test fixture: a plugin that says it was built for a future ABI; the loader must refuse it
 * before running any of its code. */
#include <migkit/plugin.h>

#include <stdlib.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    .abi_version = MIGKIT_PLUGIN_ABI_VERSION + 41,
    .name = "bad-abi",
    .version = "0.0.1",
    .license = "LGPL-2.1-or-later",
    .summary = "test fixture built for another plugin ABI",
};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    abort(); /* never called: the loader checks the descriptor first */
}
