/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hook plugins that misbehave on purpose, for hook-isolation.sh: built once per behaviour
 * with -DMISBEHAVIOUR_HANG (never answers), -DMISBEHAVIOUR_CRASH (dies with SIGSEGV) or
 * -DMISBEHAVIOUR_STDOUT (prints a domain XML of its own on stdout, which at `migrate begin`
 * libvirt would take as the domain's new XML). */
#include <migkit/plugin.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(MISBEHAVIOUR_HANG)
#define PLUGIN_NAME "test-hang"
#elif defined(MISBEHAVIOUR_CRASH)
#define PLUGIN_NAME "test-crash"
#elif defined(MISBEHAVIOUR_STDOUT)
#define PLUGIN_NAME "test-stdout"
#else
#error "define MISBEHAVIOUR_HANG, MISBEHAVIOUR_CRASH or MISBEHAVIOUR_STDOUT"
#endif

static migkit_policy *create(migkit_context *ctx, const migkit_host_api *host,
                             const migkit_values *settings, migkit_error *error)
{
    (void)ctx, (void)host, (void)settings, (void)error;
    static int instance;
    return (migkit_policy *)&instance;
}

static void destroy(migkit_policy *policy)
{
    (void)policy;
}

static int on_host_hook(migkit_policy *policy, const migkit_hook_call *call,
                        const char **replacement_xml, migkit_error *error)
{
    (void)policy, (void)call, (void)replacement_xml, (void)error;
#if defined(MISBEHAVIOUR_HANG)
    for (;;)
        pause();
#elif defined(MISBEHAVIOUR_CRASH)
    raise(SIGSEGV);
#else
    /* Both ways a plugin reaches stdout: the file descriptor and stdio's buffer. */
    static const char direct[] = "<domain><name>written-by-plugin-fd</name></domain>\n";
    if (write(STDOUT_FILENO, direct, strlen(direct)) < 0)
        return -1;
    printf("<domain><name>written-by-plugin-stdio</name></domain>\n");
#endif
    return 0;
}

static const migkit_policy_ops ops = {
    .struct_size = sizeof(migkit_policy_ops),
    .create = create,
    .destroy = destroy,
    .on_host_hook = on_host_hook,
};

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    MIGKIT_PLUGIN_ABI_VERSION, PLUGIN_NAME, "0", "LGPL-2.1-or-later",
    "misbehaves in on_host_hook, for the hook isolation test"};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &ops;
}
