/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plugin built for a future ABI: the loader must refuse it before running any of its code.
 * Its constructor aborts, so a loader that dlopen()s before checking kills the test. */
#include <migkit/plugin.h>
#include <stdlib.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    999, "abi-mismatch", "1.0", "LGPL-2.1-or-later", "descriptor of ABI 999"};

__attribute__((constructor)) static void refuse_to_be_loaded(void)
{
    abort();
}

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    abort(); /* never reached: the descriptor check comes first */
}
