/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A valid descriptor, but the object needs a function nothing provides: dlopen(RTLD_NOW)
 * fails and the loader must report dlerror()'s text. */
#include <migkit/plugin.h>

extern const migkit_policy_ops *migkit_test_function_nobody_defines(void);

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "undefined-symbol", "1.0", "LGPL-2.1-or-later",
    "links against a missing function"};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return migkit_test_function_nobody_defines();
}
