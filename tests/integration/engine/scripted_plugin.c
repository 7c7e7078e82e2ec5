/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test fixture: a policy driven by its settings, to make the engine take each path with real
 * QEMU: the switchover gate (proceed or veto), post-copy, pause-to-complete, cancel.
 *
 *   gate (bool)        plan.switchover_gate
 *   veto (bool)        answer CANCEL at switchover
 *   postcopy (bool)    plan.postcopy_allowed
 *   bandwidth (uint64) plan.bandwidth_bytes_per_second (0 keeps the host's)
 *   multifd (uint64)   plan.multifd_channels
 *   action (string)    none, postcopy, pause or cancel: done once, at pass act-at-pass
 *   act-at-pass (uint64)
 *
 * on_failure logs "on_failure: PHASE on WHERE: ERROR", so a test can tell that it ran.
 */
#include <migkit/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {
    .abi_version = MIGKIT_PLUGIN_ABI_VERSION,
    .name = "scripted",
    .version = "0.0.1",
    .license = "LGPL-2.1-or-later",
    .summary = "test fixture: gate, veto, post-copy, pause or cancel as its settings say",
};

struct migkit_policy {
    migkit_context *ctx;
    const migkit_host_api *host;
    bool gate, veto, postcopy, acted;
    uint64_t bandwidth, actAtPass, multifd;
    char action[16];
};

static const migkit_value *find(const migkit_values *values, const char *name)
{
    for (size_t i = 0; i < values->count; i++) {
        if (strcmp(values->items[i].name, name) == 0) {
            return &values->items[i];
        }
    }
    return NULL;
}

static migkit_policy *create(migkit_context *ctx, const migkit_host_api *host,
                             const migkit_values *settings, migkit_error *error)
{
    migkit_policy *p = calloc(1, sizeof(*p));
    const migkit_value *action = find(settings, "action");
    if (!p || !action) {
        snprintf(error->message, sizeof(error->message), "out of memory or no action");
        free(p);
        return NULL;
    }
    p->ctx = ctx;
    p->host = host;
    p->gate = find(settings, "gate")->v.b;
    p->veto = find(settings, "veto")->v.b;
    p->postcopy = find(settings, "postcopy")->v.b;
    p->bandwidth = find(settings, "bandwidth")->v.u64;
    p->multifd = find(settings, "multifd")->v.u64;
    p->actAtPass = find(settings, "act-at-pass")->v.u64;
    snprintf(p->action, sizeof(p->action), "%s", action->v.str);
    return p;
}

static void destroy(migkit_policy *p)
{
    free(p);
}

static int plan(migkit_policy *p, const migkit_plan_input *input, migkit_plan *plan,
                migkit_error *error)
{
    (void)input;
    (void)error;
    plan->switchover_gate = p->gate;
    plan->postcopy_allowed = p->postcopy;
    if (p->bandwidth) {
        plan->bandwidth_bytes_per_second = p->bandwidth;
    }
    plan->multifd_channels = (uint32_t)p->multifd;
    return 0;
}

static int on_iteration(migkit_policy *p, const migkit_progress *progress, migkit_error *error)
{
    if (p->acted || !p->actAtPass || progress->phase != MIGKIT_PHASE_PRECOPY ||
        progress->iteration < p->actAtPass) {
        return 0;
    }
    p->acted = true;
    int rc = 0;
    if (strcmp(p->action, "postcopy") == 0) {
        rc = p->host->start_postcopy(p->ctx, "scripted: post-copy now");
    } else if (strcmp(p->action, "pause") == 0) {
        rc = p->host->pause_to_complete(p->ctx, "scripted: pause to complete");
    } else if (strcmp(p->action, "cancel") == 0) {
        rc = p->host->cancel(p->ctx, "scripted: cancel");
    }
    if (rc != 0) {
        snprintf(error->message, sizeof(error->message), "action %s refused: %d", p->action, rc);
        return -1;
    }
    return 0;
}

static int on_switchover(migkit_policy *p, const migkit_progress *progress,
                         migkit_switchover_decision *decision, migkit_error *error)
{
    (void)progress;
    (void)error;
    *decision = p->veto ? MIGKIT_SWITCHOVER_CANCEL : MIGKIT_SWITCHOVER_PROCEED;
    p->host->log(p->ctx, MIGKIT_LOG_INFO,
                 p->veto ? "switchover: veto (scripted)" : "switchover: proceed (scripted)");
    return 0;
}

static void on_failure(migkit_policy *p, const migkit_outcome *outcome)
{
    char line[512];
    snprintf(line, sizeof(line), "on_failure: %s on %s: %s",
             outcome->phase == MIGKIT_PHASE_CANCELLED ? "cancelled" : "failed",
             outcome->vm_running_on ? outcome->vm_running_on : "?",
             outcome->error ? outcome->error : "");
    p->host->log(p->ctx, MIGKIT_LOG_INFO, line);
}

static const migkit_setting_spec settings[] = {
    {"gate", MIGKIT_VALUE_BOOL, "false", "stop at switchover and ask"},
    {"veto", MIGKIT_VALUE_BOOL, "false", "cancel at switchover"},
    {"postcopy", MIGKIT_VALUE_BOOL, "false", "allow post-copy"},
    {"bandwidth", MIGKIT_VALUE_UINT64, "0", "stream cap in bytes/s; 0 keeps the host's"},
    {"multifd", MIGKIT_VALUE_UINT64, "0", "multifd channels; 0 or 1: one stream"},
    {"action", MIGKIT_VALUE_STRING, "none", "none, postcopy, pause or cancel"},
    {"act-at-pass", MIGKIT_VALUE_UINT64, "0", "pass at which to act; 0 never"},
};

static const migkit_policy_ops ops = {
    .struct_size = sizeof(migkit_policy_ops),
    .settings = settings,
    .settings_count = sizeof(settings) / sizeof(settings[0]),
    .create = create,
    .destroy = destroy,
    .plan = plan,
    .on_iteration = on_iteration,
    .on_switchover = on_switchover,
    .on_failure = on_failure,
};

MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)
{
    return &ops;
}
