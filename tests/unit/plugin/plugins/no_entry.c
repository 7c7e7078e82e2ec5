/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A descriptor without the entry function. */
#include <migkit/plugin.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, "no-entry", "1.0", "LGPL-2.1-or-later", "forgot its entry"};
