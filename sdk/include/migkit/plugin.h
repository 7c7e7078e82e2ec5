/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migkit plugin ABI: the whole contract between a migration-policy plugin and the program that
 * loads it (the `migkit` CLI, the migkitd daemon beside libvirtd, the libvirt hook).
 *
 * A plugin is a shared object that exports exactly two symbols:
 *
 *   const migkit_plugin_descriptor migkit_plugin_info;     (data, read before any code runs)
 *   const migkit_policy_ops *migkit_plugin_entry(void);    (function, called after validation)
 *
 * The loader reads `migkit_plugin_info` straight from the ELF file, checks the ABI version and
 * the fields, and only then dlopen()s the object.  So the descriptor holds fixed-size arrays
 * and no pointers: it must be readable without relocations.
 *
 * Everything crossing this boundary is plain C: opaque handles, structs that begin with their
 * own size so that later versions can append fields, and named typed values (migkit_value) for
 * anything open-ended (new QEMU statistics, plugin settings, facts about the VM).  C++ plugins
 * use <migkit/policy.hpp>, a header-only layer over this file; exceptions never cross it.
 *
 * ABI history (bump MIGKIT_PLUGIN_ABI_VERSION on any incompatible change; appending a field to
 * a struct that carries struct_size, or a value to an enum, is compatible):
 *   1  migkit 0.1: descriptor, policy ops (plan, iteration, switchover, completion, failure),
 *      host API with queued actions, typed values.  Appended (compatible): on_host_hook at
 *      the end of migkit_policy_ops with migkit_hook_call (libvirt's hook points).
 */
#ifndef MIGKIT_PLUGIN_H
#define MIGKIT_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIGKIT_PLUGIN_ABI_VERSION 1

/* Symbol names the loader looks up. */
#define MIGKIT_PLUGIN_INFO_SYMBOL "migkit_plugin_info"
#define MIGKIT_PLUGIN_ENTRY_SYMBOL "migkit_plugin_entry"

#if defined(__GNUC__)
#define MIGKIT_PLUGIN_EXPORT __attribute__((visibility("default"), used))
#else
#define MIGKIT_PLUGIN_EXPORT
#endif

/* ------------------------------------------------------------------------------------------ */
/* Descriptor                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/**
 * migkit_plugin_descriptor: what a plugin is, readable without running it.
 * @abi_version: MIGKIT_PLUGIN_ABI_VERSION the plugin was built against.
 * @name: short name used by `--policy NAME` ([a-z0-9_-], NUL-terminated).
 * @version: the plugin's own version string.
 * @license: SPDX identifier of the plugin's license.
 * @summary: one line that says what the policy does.
 */
typedef struct migkit_plugin_descriptor {
    uint32_t abi_version;
    char name[64];
    char version[32];
    char license[64];
    char summary[160];
} migkit_plugin_descriptor;

/* ------------------------------------------------------------------------------------------ */
/* Typed values                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** migkit_value_type: the type held by a migkit_value. */
typedef enum migkit_value_type {
    MIGKIT_VALUE_INT64 = 1,
    MIGKIT_VALUE_UINT64 = 2,
    MIGKIT_VALUE_DOUBLE = 3,
    MIGKIT_VALUE_BOOL = 4,
    MIGKIT_VALUE_STRING = 5,
} migkit_value_type;

/**
 * migkit_value: one named, typed value (like libvirt's virTypedParameter).  Strings are owned
 * by whoever made the value and valid for the duration of the call that passes them.
 */
typedef struct migkit_value {
    const char *name;
    migkit_value_type type;
    union {
        int64_t i64;
        uint64_t u64;
        double f64;
        bool b;
        const char *str;
    } v;
} migkit_value;

/** migkit_values: an array of named typed values. */
typedef struct migkit_values {
    const migkit_value *items;
    size_t count;
} migkit_values;

/* ------------------------------------------------------------------------------------------ */
/* Settings a plugin accepts                                                                  */
/* ------------------------------------------------------------------------------------------ */

/**
 * migkit_setting_spec: one operator knob a plugin accepts (`--set name=value`, a config file,
 * domain metadata).  The host refuses unknown names and values that do not parse as @type
 * before the plugin is created, and fills in @default_value for knobs not given; a knob with
 * no default is required (the host refuses to create the plugin without it).  Text forms:
 * decimal integers (no sign for UINT64), finite doubles, true/false, yes/no, on/off or 1/0.
 */
typedef struct migkit_setting_spec {
    const char *name;
    migkit_value_type type;
    const char *default_value; /* as text, parsed like a --set value; NULL: required */
    const char *help;
} migkit_setting_spec;

/* ------------------------------------------------------------------------------------------ */
/* Plan                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/** migkit_auto_converge: how the source throttles a guest that dirties faster than it sends. */
typedef enum migkit_auto_converge {
    MIGKIT_AUTO_CONVERGE_OFF = 0,
    MIGKIT_AUTO_CONVERGE_CLASSIC = 1,    /* QEMU's stepwise throttle */
    MIGKIT_AUTO_CONVERGE_PREDICTIVE = 2, /* migkit-patched QEMU: sized from measurements */
} migkit_auto_converge;

/**
 * migkit_plan_input: what is known before the migration starts.
 * @vm_name: the VM's name (libvirt domain name, or the QEMU -name).
 * @ram_bytes: guest RAM size.
 * @facts: everything else, named: "source.qemu-version" (string), "source.capability.NAME"
 *         and "destination.capability.NAME" (bool, for each migration capability QEMU offers),
 *         "source.parameter.NAME" (each migration parameter QEMU offers), "disk.count",
 *         "disk.N.node", "disk.N.protocol", "disk.N.lease-protected" (bool) and so on.
 *         See docs/sdk.md.
 */
typedef struct migkit_plan_input {
    uint32_t struct_size;
    const char *vm_name;
    uint64_t ram_bytes;
    migkit_values facts;
} migkit_plan_input;

/**
 * migkit_plan: how the migration will run.  The host fills it with defaults, each policy in
 * turn may change it, and the host applies it before `migrate` starts.
 * @downtime_limit_ms: the longest stun allowed at switchover.
 * @bandwidth_bytes_per_second: cap on the migration stream; 0 means unlimited.
 * @multifd_channels: parallel streams; 0 or 1 means a single stream.
 * @postcopy_allowed: post-copy may be started later (enables the capability up front).
 * @auto_converge: the throttle mode.
 * @tls: encrypt the migration stream (needs TLS credentials on both hosts).
 * @switchover_gate: stop at switchover and ask the policies (on_switchover) before the
 *                   device state moves; costs one round trip of downtime.
 * @dirty_heat: track per-page dirty heat and defer hot pages (migkit-patched QEMU only).
 */
typedef struct migkit_plan {
    uint32_t struct_size;
    uint64_t downtime_limit_ms;
    uint64_t bandwidth_bytes_per_second;
    uint32_t multifd_channels;
    bool postcopy_allowed;
    migkit_auto_converge auto_converge;
    bool tls;
    bool switchover_gate;
    bool dirty_heat;
} migkit_plan;

/* ------------------------------------------------------------------------------------------ */
/* Progress, switchover, completion, failure                                                  */
/* ------------------------------------------------------------------------------------------ */

/** migkit_phase: where the migration is. */
typedef enum migkit_phase {
    MIGKIT_PHASE_SETUP = 0,
    MIGKIT_PHASE_PRECOPY = 1,
    MIGKIT_PHASE_SWITCHOVER = 2,
    MIGKIT_PHASE_POSTCOPY = 3,
    MIGKIT_PHASE_COMPLETED = 4,
    MIGKIT_PHASE_FAILED = 5,
    MIGKIT_PHASE_CANCELLED = 6,
} migkit_phase;

/**
 * migkit_progress: one progress sample, taken at the start of every pre-copy pass (right after
 * its dirty-bitmap sync) and at the host's sampling interval in between.  Remaining RAM is
 * QEMU's dirty-bitmap count: it falls during a pass and jumps back at each sync, so the first
 * sample of a pass is the one that says how much is really left.
 * @iteration: pre-copy pass (QEMU's dirty-sync-count), starting at 1.
 * @elapsed_ms: since the migration started.
 * @ram_*: guest RAM in bytes: total, still to send, sent so far.
 * @dirty_rate_bytes_per_second: how fast the guest dirties memory.
 * @bandwidth_bytes_per_second: how fast the stream moves.
 * @expected_downtime_ms: QEMU's own estimate of the stun if it switched now.
 * @throttle_percent: current auto-converge CPU throttle.
 * @extra: every other statistic the host has, named after QEMU's query-migrate fields
 *         flattened with dots ("ram.duplicate", "ram.dirty-sync-missed", and on migkit-patched
 *         QEMU "dirty-heat.hot-pages", "dirty-heat.predicted-downtime-ms", ...).
 */
typedef struct migkit_progress {
    uint32_t struct_size;
    migkit_phase phase;
    uint64_t iteration;
    uint64_t elapsed_ms;
    uint64_t ram_total_bytes;
    uint64_t ram_remaining_bytes;
    uint64_t ram_transferred_bytes;
    uint64_t dirty_rate_bytes_per_second;
    uint64_t bandwidth_bytes_per_second;
    uint64_t expected_downtime_ms;
    uint32_t throttle_percent;
    migkit_values extra;
} migkit_progress;

/** migkit_switchover_decision: answer to on_switchover. */
typedef enum migkit_switchover_decision {
    MIGKIT_SWITCHOVER_PROCEED = 0,
    MIGKIT_SWITCHOVER_CANCEL = 1,
} migkit_switchover_decision;

/**
 * migkit_outcome: the end of a migration, given to on_complete and on_failure.
 * @phase: MIGKIT_PHASE_COMPLETED, _FAILED or _CANCELLED.
 * @total_ms, @downtime_ms, @setup_ms: QEMU's own figures.
 * @iterations: pre-copy passes.
 * @transferred_bytes: bytes of RAM sent.
 * @error: why it failed (NULL when it completed).
 * @vm_running_on: "source" or "destination": where the VM runs now.
 * @extra: the rest of the final statistics, named like migkit_progress.extra.
 */
typedef struct migkit_outcome {
    uint32_t struct_size;
    migkit_phase phase;
    uint64_t total_ms;
    uint64_t downtime_ms;
    uint64_t setup_ms;
    uint64_t iterations;
    uint64_t transferred_bytes;
    const char *error;
    const char *vm_running_on;
    migkit_values extra;
} migkit_outcome;

/* ------------------------------------------------------------------------------------------ */
/* Host API: what a plugin may ask of the host                                                */
/* ------------------------------------------------------------------------------------------ */

/** migkit_context: opaque handle to the migration a callback is about. */
typedef struct migkit_context migkit_context;

/** migkit_log_level: severity of a log line. */
typedef enum migkit_log_level {
    MIGKIT_LOG_DEBUG = 0,
    MIGKIT_LOG_INFO = 1,
    MIGKIT_LOG_WARNING = 2,
    MIGKIT_LOG_ERROR = 3,
} migkit_log_level;

/**
 * migkit_host_api: functions the host offers a plugin, valid for the plugin's lifetime.
 * Actions are queued and applied by the host after the callback returns, in order; each is
 * recorded in the report with its time and @reason.  They return 0 when queued, or a negative
 * errno-style code when the action makes no sense now: -EINVAL for a bad value (a downtime
 * limit outside 1..2000000 ms, a throttle outside QEMU's ranges, a parameter name not made of
 * [a-z0-9-]); -ENOTSUP when the plan did not allow it (post-copy without postcopy_allowed,
 * set_throttle with auto-converge off) or when no migration is running: from create, plan
 * (change the plan instead), on_complete and on_failure.  log works from every callback.
 * @set_throttle: auto-converge settings: initial and increment in percent (0 keeps the
 *                current value), tailslow.
 * @set_parameter: any other migration parameter by its QEMU name (migrate-set-parameters).
 * @pause_to_complete: stop the guest so that the remaining pages go at once (a long stun).
 */
typedef struct migkit_host_api {
    uint32_t struct_size;
    void (*log)(migkit_context *ctx, migkit_log_level level, const char *message);
    int (*set_downtime_limit)(migkit_context *ctx, uint64_t milliseconds, const char *reason);
    int (*set_bandwidth)(migkit_context *ctx, uint64_t bytes_per_second, const char *reason);
    int (*set_throttle)(migkit_context *ctx, uint32_t initial_percent, uint32_t increment_percent,
                        bool tailslow, const char *reason);
    int (*set_parameter)(migkit_context *ctx, const migkit_value *parameter, const char *reason);
    int (*start_postcopy)(migkit_context *ctx, const char *reason);
    int (*pause_to_complete)(migkit_context *ctx, const char *reason);
    int (*cancel)(migkit_context *ctx, const char *reason);
} migkit_host_api;

/* ------------------------------------------------------------------------------------------ */
/* Policy ops: what the plugin implements                                                     */
/* ------------------------------------------------------------------------------------------ */

/**
 * migkit_hook_point: a point of the VM's life on one host at which libvirt runs its qemu hook
 * (/etc/libvirt/hooks/qemu.d/), given to on_host_hook.  During a live migration the
 * destination sees MIGRATE_BEGIN, PREPARE, START, STARTED in that order; the source sees
 * STOPPED then RELEASE after the switchover; an aborted migration gives the destination
 * STOPPED and RELEASE (detail "failed").
 */
typedef enum migkit_hook_point {
    MIGKIT_HOOK_MIGRATE_BEGIN = 0, /* destination: incoming XML; may be replaced or refused */
    MIGKIT_HOOK_PREPARE = 1,       /* destination: before resources are set up; may refuse */
    MIGKIT_HOOK_START = 2,         /* destination: before QEMU starts; may refuse */
    MIGKIT_HOOK_STARTED = 3,       /* destination: QEMU runs, paused, waiting for memory */
    MIGKIT_HOOK_STOPPED = 4,       /* QEMU stopped on this host */
    MIGKIT_HOOK_RELEASE = 5,       /* everything released; detail "migrated" or "failed" */
} migkit_hook_point;

/**
 * migkit_hook_call: one hook call, given to on_host_hook.
 * @point: where in the VM's life.
 * @vm_name: the domain's name.
 * @detail: libvirt's last hook argument ("migrated", "failed", or "-").
 * @domain_xml: the domain XML libvirt passed (at MIGRATE_BEGIN, after the rewrites of the
 *              plugins before this one).
 * @facts: what the host knows about itself, named: "host.name", "host.memory.available-bytes",
 *         "domain.memory-bytes", "disk.N.path", "disk.N.shared" (bool: on a filesystem the
 *         host lists as shared), "interface.N.bridge", "interface.N.mac" and so on
 *         (docs/operators.md).
 */
typedef struct migkit_hook_call {
    uint32_t struct_size;
    migkit_hook_point point;
    const char *vm_name;
    const char *detail;
    const char *domain_xml;
    migkit_values facts;
} migkit_hook_call;

/** migkit_policy: opaque instance state of a plugin, one per migration. */
typedef struct migkit_policy migkit_policy;

/**
 * migkit_error: where a callback that fails writes why.  Callbacks return 0 on success and
 * non-zero on failure; a failing callback is reported with @message and the host treats it
 * as documented for that callback (docs/sdk.md): a failing create or plan stops the migration
 * before it starts, later failures are logged and the migration goes on under the host's
 * defaults.
 */
typedef struct migkit_error {
    char message[512];
} migkit_error;

/**
 * migkit_policy_ops: a plugin's callbacks.  Any may be NULL except create and destroy.
 * Callbacks run on the host's main thread and must return promptly: the host may enforce a
 * time limit.
 * @settings, @settings_count: the knobs the plugin accepts.
 * @create: make an instance for one migration with validated @settings (every declared knob,
 *          defaults filled in).  @ctx and @host stay valid until destroy.
 * @plan: adjust @plan before the migration starts (host actions are refused here).
 * @on_iteration: a new progress sample.
 * @on_switchover: the source is about to hand over (only with plan.switchover_gate, or as a
 *                 notification when the gate is off, in which case @decision is ignored).
 * @on_complete: the migration completed.
 * @on_failure: the migration failed or was cancelled; the VM runs where outcome says.
 * @on_host_hook: (appended; check struct_size) a libvirt hook point on this host.  The hook
 *                program creates the plugin (no migration runs: actions return -ENOTSUP),
 *                calls this once and destroys it, in a child process with a time limit.
 *                Return non-zero with @error to refuse the VM at MIGRATE_BEGIN, PREPARE or
 *                START (libvirt shows the message; elsewhere it is logged).  At MIGRATE_BEGIN
 *                a plugin may set *@replacement_xml to a new domain XML, owned by the plugin
 *                and valid until destroy; leave it NULL to keep the XML.
 */
typedef struct migkit_policy_ops {
    uint32_t struct_size;
    const migkit_setting_spec *settings;
    size_t settings_count;
    migkit_policy *(*create)(migkit_context *ctx, const migkit_host_api *host,
                             const migkit_values *settings, migkit_error *error);
    void (*destroy)(migkit_policy *policy);
    int (*plan)(migkit_policy *policy, const migkit_plan_input *input, migkit_plan *plan,
                migkit_error *error);
    int (*on_iteration)(migkit_policy *policy, const migkit_progress *progress,
                        migkit_error *error);
    int (*on_switchover)(migkit_policy *policy, const migkit_progress *progress,
                         migkit_switchover_decision *decision, migkit_error *error);
    void (*on_complete)(migkit_policy *policy, const migkit_outcome *outcome);
    void (*on_failure)(migkit_policy *policy, const migkit_outcome *outcome);
    int (*on_host_hook)(migkit_policy *policy, const migkit_hook_call *call,
                        const char **replacement_xml, migkit_error *error);
} migkit_policy_ops;

/** Signature of the exported migkit_plugin_entry. */
typedef const migkit_policy_ops *(*migkit_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* MIGKIT_PLUGIN_H */
