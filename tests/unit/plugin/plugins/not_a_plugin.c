/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An ordinary shared object: no migkit descriptor at all. */
int not_a_plugin_answer(void);

__attribute__((visibility("default"))) int not_a_plugin_answer(void)
{
    return 42;
}
