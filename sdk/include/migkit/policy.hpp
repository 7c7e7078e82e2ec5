/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migkit C++ policy layer: write a migration-policy plugin as one C++ class.
 *
 * Header-only, over <migkit/plugin.h>.  Derive from migkit::Policy, override the callbacks you
 * need, and name the class once with MIGKIT_POLICY(...) in one source file of the plugin:
 *
 *     #include <migkit/policy.hpp>
 *
 *     class Patient : public migkit::Policy {
 *     public:
 *         void onIteration(const migkit::Progress &progress) override
 *         {
 *             if (progress.iteration() > settings().get<uint64_t>("passes"))
 *                 actions().setDowntimeLimit(std::chrono::seconds(1), "no hurry left");
 *         }
 *     };
 *     MIGKIT_POLICY(Patient, "patient", "1.0", "MIT", "waits, then allows a 1 s stun",
 *                   migkit::Setting::uint64("passes", "3", "passes to wait"))
 *
 * The macro defines the two symbols the host looks for (the descriptor migkit_plugin_info and
 * the entry migkit_plugin_entry) and C trampolines that catch every exception a callback
 * throws and hand it to the host as that callback's error: exceptions never cross the ABI.
 * Build the plugin with hidden symbol visibility so that only those two symbols are exported.
 */
#ifndef MIGKIT_POLICY_HPP
#define MIGKIT_POLICY_HPP

#include <migkit/plugin.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace migkit {

/* ------------------------------------------------------------------------------------------ */
/* Typed values                                                                               */
/* ------------------------------------------------------------------------------------------ */

/**
 * Value: an owned copy of a migkit_value's content (used for settings, which must outlive
 * the create call that passes them).
 */
using Value = std::variant<int64_t, uint64_t, double, bool, std::string>;

namespace detail {

/* Numbers convert between the numeric types when the value is exactly representable, so a
 * plugin asking extra<uint64_t>("x") gets it whether the host sent int64 or uint64. */
template <typename T>
std::optional<T> convertNumber(long double number, bool integral)
{
    if constexpr (std::is_same_v<T, double>) {
        return static_cast<double>(number);
    } else {
        if (!integral || number < static_cast<long double>(std::numeric_limits<T>::min()) ||
            number > static_cast<long double>(std::numeric_limits<T>::max()))
            return std::nullopt;
        return static_cast<T>(number);
    }
}

template <typename T>
std::optional<T> convertValue(const migkit_value &value)
{
    if constexpr (std::is_same_v<T, bool>) {
        if (value.type == MIGKIT_VALUE_BOOL)
            return value.v.b;
        return std::nullopt;
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
        if (value.type == MIGKIT_VALUE_STRING && value.v.str)
            return T(value.v.str);
        return std::nullopt;
    } else {
        static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t> ||
                          std::is_same_v<T, double>,
                      "a migkit value is read as int64_t, uint64_t, double, bool, std::string "
                      "or std::string_view");
        switch (value.type) {
        case MIGKIT_VALUE_INT64:
            if constexpr (std::is_same_v<T, uint64_t>)
                return value.v.i64 < 0 ? std::nullopt
                                       : std::optional<T>(static_cast<uint64_t>(value.v.i64));
            else
                return static_cast<T>(value.v.i64);
        case MIGKIT_VALUE_UINT64:
            if constexpr (std::is_same_v<T, int64_t>)
                return value.v.u64 > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                           ? std::nullopt
                           : std::optional<T>(static_cast<int64_t>(value.v.u64));
            else
                return static_cast<T>(value.v.u64);
        case MIGKIT_VALUE_DOUBLE:
            if (!std::isfinite(value.v.f64))
                return std::nullopt;
            return convertNumber<T>(value.v.f64, std::floor(value.v.f64) == value.v.f64);
        default:
            return std::nullopt;
        }
    }
}

inline Value toValue(const migkit_value &value)
{
    switch (value.type) {
    case MIGKIT_VALUE_INT64:
        return value.v.i64;
    case MIGKIT_VALUE_UINT64:
        return value.v.u64;
    case MIGKIT_VALUE_DOUBLE:
        return value.v.f64;
    case MIGKIT_VALUE_BOOL:
        return value.v.b;
    case MIGKIT_VALUE_STRING:
        return std::string(value.v.str ? value.v.str : "");
    }
    return std::string();
}

} // namespace detail

/**
 * Values: a read-only view of a migkit_values array (progress extras, plan facts, outcome
 * statistics), valid during the callback that received it.
 */
class Values {
public:
    /** Values: view @values (not copied). */
    explicit Values(const migkit_values &values) : values_(values) {}

    /**
     * get: the value called @name as a T (int64_t, uint64_t, double, bool, std::string or
     * std::string_view); nullopt when absent or not convertible (numbers convert only when
     * exact: a negative int64 is not a uint64).
     */
    template <typename T>
    std::optional<T> get(std::string_view name) const
    {
        for (size_t i = 0; i < values_.count; i++) {
            const migkit_value &value = values_.items[i];
            if (value.name && name == value.name)
                return detail::convertValue<T>(value);
        }
        return std::nullopt;
    }

    /** has: whether a value called @name exists, of any type. */
    bool has(std::string_view name) const
    {
        for (size_t i = 0; i < values_.count; i++)
            if (values_.items[i].name && name == values_.items[i].name)
                return true;
        return false;
    }

    /** size: how many values there are. */
    size_t size() const { return values_.count; }

    /** at: the raw value at @index (< size()), to walk every value (e.g. to log them all). */
    const migkit_value &at(size_t index) const { return values_.items[index]; }

    /** raw: the C array. */
    const migkit_values &raw() const { return values_; }

private:
    const migkit_values &values_;
};

/* ------------------------------------------------------------------------------------------ */
/* Views of the C structs                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** Phase: where the migration is (migkit_phase). */
enum class Phase {
    Setup = MIGKIT_PHASE_SETUP,
    Precopy = MIGKIT_PHASE_PRECOPY,
    Switchover = MIGKIT_PHASE_SWITCHOVER,
    Postcopy = MIGKIT_PHASE_POSTCOPY,
    Completed = MIGKIT_PHASE_COMPLETED,
    Failed = MIGKIT_PHASE_FAILED,
    Cancelled = MIGKIT_PHASE_CANCELLED,
};

/** AutoConverge: the throttle mode of a plan (migkit_auto_converge). */
enum class AutoConverge {
    Off = MIGKIT_AUTO_CONVERGE_OFF,
    Classic = MIGKIT_AUTO_CONVERGE_CLASSIC,
    Predictive = MIGKIT_AUTO_CONVERGE_PREDICTIVE,
};

/** SwitchoverDecision: a policy's answer at the switchover gate. */
enum class SwitchoverDecision {
    Proceed = MIGKIT_SWITCHOVER_PROCEED,
    Cancel = MIGKIT_SWITCHOVER_CANCEL,
};

/** Progress: one progress sample (migkit_progress), valid during the callback. */
class Progress {
public:
    /** Progress: view @progress (not copied). */
    explicit Progress(const migkit_progress &progress) : p_(progress) {}

    /** phase: where the migration is. */
    Phase phase() const { return static_cast<Phase>(p_.phase); }
    /** iteration: the pre-copy pass, from 1. */
    uint64_t iteration() const { return p_.iteration; }
    /** elapsed: time since the migration started. */
    std::chrono::milliseconds elapsed() const { return std::chrono::milliseconds(p_.elapsed_ms); }
    /** ramTotalBytes: guest RAM size. */
    uint64_t ramTotalBytes() const { return p_.ram_total_bytes; }
    /** ramRemainingBytes: RAM still to send. */
    uint64_t ramRemainingBytes() const { return p_.ram_remaining_bytes; }
    /** ramTransferredBytes: RAM sent so far. */
    uint64_t ramTransferredBytes() const { return p_.ram_transferred_bytes; }
    /** dirtyRateBytesPerSecond: how fast the guest dirties memory. */
    uint64_t dirtyRateBytesPerSecond() const { return p_.dirty_rate_bytes_per_second; }
    /** bandwidthBytesPerSecond: how fast the stream moves. */
    uint64_t bandwidthBytesPerSecond() const { return p_.bandwidth_bytes_per_second; }
    /** expectedDowntime: QEMU's estimate of the stun if it switched over now. */
    std::chrono::milliseconds expectedDowntime() const
    {
        return std::chrono::milliseconds(p_.expected_downtime_ms);
    }
    /** throttlePercent: current auto-converge CPU throttle. */
    uint32_t throttlePercent() const { return p_.throttle_percent; }

    /** extra: another statistic by name ("heat.hot-pages", ...); see Values::get. */
    template <typename T>
    std::optional<T> extra(std::string_view name) const
    {
        return Values(p_.extra).get<T>(name);
    }
    /** extras: every other statistic, to walk them all. */
    Values extras() const { return Values(p_.extra); }

    /** raw: the C struct. */
    const migkit_progress &raw() const { return p_; }

private:
    const migkit_progress &p_;
};

/** PlanInput: what is known before the migration starts (migkit_plan_input). */
class PlanInput {
public:
    /** PlanInput: view @input (not copied). */
    explicit PlanInput(const migkit_plan_input &input) : in_(input) {}

    /** vmName: the VM's name. */
    std::string_view vmName() const { return in_.vm_name ? in_.vm_name : ""; }
    /** ramBytes: guest RAM size. */
    uint64_t ramBytes() const { return in_.ram_bytes; }
    /** fact: a named fact ("source.capability.postcopy-ram", ...); see Values::get. */
    template <typename T>
    std::optional<T> fact(std::string_view name) const
    {
        return Values(in_.facts).get<T>(name);
    }
    /** facts: every fact. */
    Values facts() const { return Values(in_.facts); }
    /** raw: the C struct. */
    const migkit_plan_input &raw() const { return in_; }

private:
    const migkit_plan_input &in_;
};

/** Plan: the migration plan a policy adjusts before the start (migkit_plan). */
class Plan {
public:
    /** Plan: edit @plan in place. */
    explicit Plan(migkit_plan &plan) : p_(plan) {}

    /** downtimeLimit: the longest stun allowed at switchover. */
    std::chrono::milliseconds downtimeLimit() const
    {
        return std::chrono::milliseconds(p_.downtime_limit_ms);
    }
    /** setDowntimeLimit: set the longest stun allowed at switchover. */
    void setDowntimeLimit(std::chrono::milliseconds limit)
    {
        p_.downtime_limit_ms = static_cast<uint64_t>(limit.count());
    }
    /** bandwidthBytesPerSecond: cap on the stream, 0 = unlimited. */
    uint64_t bandwidthBytesPerSecond() const { return p_.bandwidth_bytes_per_second; }
    /** setBandwidthBytesPerSecond: cap the stream; 0 = unlimited. */
    void setBandwidthBytesPerSecond(uint64_t bytes) { p_.bandwidth_bytes_per_second = bytes; }
    /** multifdChannels: parallel streams (0 or 1: one stream). */
    uint32_t multifdChannels() const { return p_.multifd_channels; }
    /** setMultifdChannels: use @channels parallel streams. */
    void setMultifdChannels(uint32_t channels) { p_.multifd_channels = channels; }
    /** postcopyAllowed: whether post-copy may be started later. */
    bool postcopyAllowed() const { return p_.postcopy_allowed; }
    /** setPostcopyAllowed: allow (enable the capability for) a later post-copy. */
    void setPostcopyAllowed(bool allowed) { p_.postcopy_allowed = allowed; }
    /** autoConverge: the throttle mode. */
    AutoConverge autoConverge() const { return static_cast<AutoConverge>(p_.auto_converge); }
    /** setAutoConverge: choose the throttle mode. */
    void setAutoConverge(AutoConverge mode)
    {
        p_.auto_converge = static_cast<migkit_auto_converge>(mode);
    }
    /** tls: whether the stream is encrypted. */
    bool tls() const { return p_.tls; }
    /** setTls: encrypt the stream. */
    void setTls(bool tls) { p_.tls = tls; }
    /** switchoverGate: whether on_switchover is asked before the device state moves. */
    bool switchoverGate() const { return p_.switchover_gate; }
    /** setSwitchoverGate: stop at switchover and ask the policies. */
    void setSwitchoverGate(bool gate) { p_.switchover_gate = gate; }
    /** dirtyHeat: whether per-page dirty heat is tracked (migkit-patched QEMU). */
    bool dirtyHeat() const { return p_.dirty_heat; }
    /** setDirtyHeat: track dirty heat and defer hot pages. */
    void setDirtyHeat(bool heat) { p_.dirty_heat = heat; }
    /** raw: the C struct. */
    migkit_plan &raw() { return p_; }

private:
    migkit_plan &p_;
};

/** Outcome: how a migration ended (migkit_outcome), valid during the callback. */
class Outcome {
public:
    /** Outcome: view @outcome (not copied). */
    explicit Outcome(const migkit_outcome &outcome) : o_(outcome) {}

    /** phase: Completed, Failed or Cancelled. */
    Phase phase() const { return static_cast<Phase>(o_.phase); }
    /** total: whole migration time. */
    std::chrono::milliseconds total() const { return std::chrono::milliseconds(o_.total_ms); }
    /** downtime: the measured stun. */
    std::chrono::milliseconds downtime() const { return std::chrono::milliseconds(o_.downtime_ms); }
    /** setup: time spent before the first byte moved. */
    std::chrono::milliseconds setup() const { return std::chrono::milliseconds(o_.setup_ms); }
    /** iterations: pre-copy passes. */
    uint64_t iterations() const { return o_.iterations; }
    /** transferredBytes: RAM bytes sent. */
    uint64_t transferredBytes() const { return o_.transferred_bytes; }
    /** error: why it failed; empty when it completed. */
    std::string_view error() const { return o_.error ? o_.error : ""; }
    /** vmRunningOn: "source" or "destination". */
    std::string_view vmRunningOn() const { return o_.vm_running_on ? o_.vm_running_on : ""; }
    /** extra: a final statistic by name; see Values::get. */
    template <typename T>
    std::optional<T> extra(std::string_view name) const
    {
        return Values(o_.extra).get<T>(name);
    }
    /** extras: every final statistic. */
    Values extras() const { return Values(o_.extra); }
    /** raw: the C struct. */
    const migkit_outcome &raw() const { return o_; }

private:
    const migkit_outcome &o_;
};

/** HookPoint: the libvirt hook point of a host hook call (migkit_hook_point). */
enum class HookPoint {
    MigrateBegin = MIGKIT_HOOK_MIGRATE_BEGIN,
    Prepare = MIGKIT_HOOK_PREPARE,
    Start = MIGKIT_HOOK_START,
    Started = MIGKIT_HOOK_STARTED,
    Stopped = MIGKIT_HOOK_STOPPED,
    Release = MIGKIT_HOOK_RELEASE,
};

/** HostHookCall: one libvirt hook call on this host (migkit_hook_call), valid during it. */
class HostHookCall {
public:
    /** HostHookCall: view @call (not copied). */
    explicit HostHookCall(const migkit_hook_call &call) : c_(call) {}

    /** point: where in the VM's life on this host. */
    HookPoint point() const { return static_cast<HookPoint>(c_.point); }
    /** vmName: the domain's name. */
    std::string_view vmName() const { return c_.vm_name ? c_.vm_name : ""; }
    /** detail: libvirt's last hook argument ("migrated", "failed" or "-"). */
    std::string_view detail() const { return c_.detail ? c_.detail : ""; }
    /** domainXml: the domain XML libvirt passed (empty when none). */
    std::string_view domainXml() const { return c_.domain_xml ? c_.domain_xml : ""; }
    /** fact: a named fact about this host ("host.memory.available-bytes", ...). */
    template <typename T>
    std::optional<T> fact(std::string_view name) const
    {
        return Values(c_.facts).get<T>(name);
    }
    /** facts: every fact. */
    Values facts() const { return Values(c_.facts); }
    /** raw: the C struct. */
    const migkit_hook_call &raw() const { return c_; }

private:
    const migkit_hook_call &c_;
};

/* ------------------------------------------------------------------------------------------ */
/* Settings                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/**
 * Setting: builders for the knobs a plugin declares in MIGKIT_POLICY, e.g.
 * `migkit::Setting::uint64("max-downtime-ms", "500", "longest stun allowed")`.  A NULL
 * default makes the knob required: the host refuses to create the plugin without it.
 */
struct Setting {
    /** int64: a signed integer knob. */
    static constexpr migkit_setting_spec int64(const char *name, const char *defaultValue,
                                               const char *help)
    {
        return {name, MIGKIT_VALUE_INT64, defaultValue, help};
    }
    /** uint64: an unsigned integer knob. */
    static constexpr migkit_setting_spec uint64(const char *name, const char *defaultValue,
                                                const char *help)
    {
        return {name, MIGKIT_VALUE_UINT64, defaultValue, help};
    }
    /** real: a floating-point knob. */
    static constexpr migkit_setting_spec real(const char *name, const char *defaultValue,
                                              const char *help)
    {
        return {name, MIGKIT_VALUE_DOUBLE, defaultValue, help};
    }
    /** boolean: a true/false knob (the host accepts true/false, yes/no, on/off, 1/0). */
    static constexpr migkit_setting_spec boolean(const char *name, const char *defaultValue,
                                                 const char *help)
    {
        return {name, MIGKIT_VALUE_BOOL, defaultValue, help};
    }
    /** string: a text knob. */
    static constexpr migkit_setting_spec string(const char *name, const char *defaultValue,
                                                const char *help)
    {
        return {name, MIGKIT_VALUE_STRING, defaultValue, help};
    }
};

/**
 * Settings: the plugin's knobs as the host validated them (every declared knob present,
 * defaults filled in), copied so that they live as long as the policy.
 */
class Settings {
public:
    Settings() = default;
    /** Settings: copy @values. */
    explicit Settings(const migkit_values &values)
    {
        for (size_t i = 0; i < values.count; i++)
            if (values.items[i].name)
                values_.emplace(values.items[i].name, detail::toValue(values.items[i]));
    }

    /**
     * get: the knob @name as a T; throws std::invalid_argument when the knob is not declared
     * or has another type (a bug in the plugin; the host reports it as a create error).
     */
    template <typename T>
    T get(const std::string &name) const
    {
        auto it = values_.find(name);
        if (it == values_.end())
            throw std::invalid_argument("setting '" + name + "' is not declared by this plugin");
        if (const T *value = std::get_if<T>(&it->second))
            return *value;
        throw std::invalid_argument("setting '" + name + "' is read with the wrong type");
    }

    /** has: whether @name was passed. */
    bool has(const std::string &name) const { return values_.count(name) != 0; }

    /** all: every knob. */
    const std::map<std::string, Value> &all() const { return values_; }

private:
    std::map<std::string, Value> values_;
};

/* ------------------------------------------------------------------------------------------ */
/* Actions                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/**
 * Actions: what a policy may ask of the host.  Requests are queued and applied after the
 * callback returns, in order, each with its @reason in the report.  Each returns 0 when
 * queued or a negative errno: -EINVAL for a bad value, -ENOTSUP when the plan does not allow
 * it (post-copy without postcopy_allowed, throttling with auto-converge off) or when asked
 * from plan() (adjust the Plan there instead).
 */
class Actions {
public:
    /** Actions: speak to @host about @ctx. */
    Actions(migkit_context *ctx, const migkit_host_api *host) : ctx_(ctx), host_(host) {}

    /** setDowntimeLimit: allow a stun of up to @limit at switchover. */
    int setDowntimeLimit(std::chrono::milliseconds limit, const std::string &reason) const
    {
        if (limit.count() < 0)
            return -22; /* EINVAL */
        return host_->set_downtime_limit(ctx_, static_cast<uint64_t>(limit.count()),
                                         reason.c_str());
    }
    /** setBandwidth: cap the stream at @bytesPerSecond; 0 = unlimited. */
    int setBandwidth(uint64_t bytesPerSecond, const std::string &reason) const
    {
        return host_->set_bandwidth(ctx_, bytesPerSecond, reason.c_str());
    }
    /** setThrottle: auto-converge initial and increment percent (0 keeps), tailslow. */
    int setThrottle(uint32_t initialPercent, uint32_t incrementPercent, bool tailslow,
                    const std::string &reason) const
    {
        return host_->set_throttle(ctx_, initialPercent, incrementPercent, tailslow,
                                   reason.c_str());
    }
    /** setParameter: any migrate-set-parameters field by its QEMU name. */
    template <typename T>
    int setParameter(const std::string &name, T value, const std::string &reason) const
    {
        migkit_value parameter{};
        parameter.name = name.c_str();
        std::string text;
        if constexpr (std::is_same_v<T, bool>) {
            parameter.type = MIGKIT_VALUE_BOOL;
            parameter.v.b = value;
        } else if constexpr (std::is_floating_point_v<T>) {
            parameter.type = MIGKIT_VALUE_DOUBLE;
            parameter.v.f64 = value;
        } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
            parameter.type = MIGKIT_VALUE_INT64;
            parameter.v.i64 = value;
        } else if constexpr (std::is_integral_v<T>) {
            parameter.type = MIGKIT_VALUE_UINT64;
            parameter.v.u64 = value;
        } else {
            text = std::string(value);
            parameter.type = MIGKIT_VALUE_STRING;
            parameter.v.str = text.c_str();
        }
        return host_->set_parameter(ctx_, &parameter, reason.c_str());
    }
    /** startPostcopy: switch to post-copy now (needs Plan::postcopyAllowed). */
    int startPostcopy(const std::string &reason) const
    {
        return host_->start_postcopy(ctx_, reason.c_str());
    }
    /** pauseToComplete: stop the guest so the rest goes at once (a long stun). */
    int pauseToComplete(const std::string &reason) const
    {
        return host_->pause_to_complete(ctx_, reason.c_str());
    }
    /** cancel: give up; the VM keeps running on the source. */
    int cancel(const std::string &reason) const { return host_->cancel(ctx_, reason.c_str()); }

    /** log: a line in the host's log and the report, at @level. */
    void log(migkit_log_level level, const std::string &message) const
    {
        host_->log(ctx_, level, message.c_str());
    }
    /** debug: log at MIGKIT_LOG_DEBUG. */
    void debug(const std::string &message) const { log(MIGKIT_LOG_DEBUG, message); }
    /** info: log at MIGKIT_LOG_INFO. */
    void info(const std::string &message) const { log(MIGKIT_LOG_INFO, message); }
    /** warning: log at MIGKIT_LOG_WARNING. */
    void warning(const std::string &message) const { log(MIGKIT_LOG_WARNING, message); }
    /** error: log at MIGKIT_LOG_ERROR. */
    void error(const std::string &message) const { log(MIGKIT_LOG_ERROR, message); }

private:
    migkit_context *ctx_;
    const migkit_host_api *host_;
};

/* ------------------------------------------------------------------------------------------ */
/* Policy                                                                                     */
/* ------------------------------------------------------------------------------------------ */

namespace detail {
template <typename P>
struct PolicyTrampolines;
}

/**
 * Policy: base class of a C++ policy; one instance per migration.  Override what you need;
 * every callback may throw (the host gets the exception's message as the callback's error).
 * A class constructible from `const migkit::Settings &` is built with the validated settings;
 * otherwise it is default-constructed and reads settings() when it needs them.
 */
class Policy {
public:
    virtual ~Policy() = default;

    /** plan: adjust @plan before the migration starts; throwing stops the migration. */
    virtual void plan(const PlanInput &input, Plan &plan)
    {
        (void)input;
        (void)plan;
    }
    /** onIteration: a new progress sample. */
    virtual void onIteration(const Progress &progress) { (void)progress; }
    /** onSwitchover: the source is about to hand over; Cancel stops it (with the gate on). */
    virtual SwitchoverDecision onSwitchover(const Progress &progress)
    {
        (void)progress;
        return SwitchoverDecision::Proceed;
    }
    /** onComplete: the migration completed. */
    virtual void onComplete(const Outcome &outcome) { (void)outcome; }
    /** onFailure: the migration failed or was cancelled; see Outcome::vmRunningOn. */
    virtual void onFailure(const Outcome &outcome) { (void)outcome; }
    /**
     * onHostHook: a libvirt hook point on this host (no migration runs: actions are refused).
     * Throw to refuse the VM at MigrateBegin, Prepare or Start; at MigrateBegin return a new
     * domain XML to replace libvirt's.  Only a class that overrides this is called at hooks.
     */
    virtual std::optional<std::string> onHostHook(const HostHookCall &call)
    {
        (void)call;
        return std::nullopt;
    }

protected:
    /** actions: queue requests to the host and log. */
    const Actions &actions() const { return *actions_; }
    /** settings: the validated knobs. */
    const Settings &settings() const { return settings_; }

private:
    template <typename P>
    friend struct detail::PolicyTrampolines;

    std::optional<Actions> actions_;
    Settings settings_;
    /* The XML onHostHook returned: the ABI wants it valid until destroy. */
    std::string hookReplacement_;
};

namespace detail {

inline void setError(migkit_error *error, const std::string &message)
{
    if (error)
        std::snprintf(error->message, sizeof(error->message), "%s", message.c_str());
}

/* Turns the exception in flight into a callback error. */
inline void describeCurrentException(migkit_error *error, const char *callback)
{
    try {
        throw;
    } catch (const std::exception &e) {
        setError(error, std::string(callback) + " threw: " + e.what());
    } catch (...) {
        setError(error, std::string(callback) + " threw a non-standard exception");
    }
}

inline Policy *asPolicy(migkit_policy *policy)
{
    return reinterpret_cast<Policy *>(policy);
}

/* The C callbacks for policy class P: each catches everything (noexcept would terminate). */
template <typename P>
struct PolicyTrampolines {
    static migkit_policy *create(migkit_context *ctx, const migkit_host_api *host,
                                 const migkit_values *values, migkit_error *error) noexcept
    {
        try {
            Settings settings(values ? *values : migkit_values{nullptr, 0});
            std::unique_ptr<Policy> policy;
            if constexpr (std::is_constructible_v<P, const Settings &>)
                policy = std::make_unique<P>(settings);
            else
                policy = std::make_unique<P>();
            policy->actions_.emplace(ctx, host);
            policy->settings_ = std::move(settings);
            return reinterpret_cast<migkit_policy *>(policy.release());
        } catch (...) {
            describeCurrentException(error, "create");
            return nullptr;
        }
    }
    static void destroy(migkit_policy *policy) noexcept
    {
        try {
            delete asPolicy(policy);
        } catch (...) {
            /* A destructor that throws has nowhere to report to; do not cross the ABI. */
        }
    }
    static int plan(migkit_policy *policy, const migkit_plan_input *input, migkit_plan *plan,
                    migkit_error *error) noexcept
    {
        try {
            Plan view(*plan);
            asPolicy(policy)->plan(PlanInput(*input), view);
            return 0;
        } catch (...) {
            describeCurrentException(error, "plan");
            return -1;
        }
    }
    static int onIteration(migkit_policy *policy, const migkit_progress *progress,
                           migkit_error *error) noexcept
    {
        try {
            asPolicy(policy)->onIteration(Progress(*progress));
            return 0;
        } catch (...) {
            describeCurrentException(error, "on_iteration");
            return -1;
        }
    }
    static int onSwitchover(migkit_policy *policy, const migkit_progress *progress,
                            migkit_switchover_decision *decision, migkit_error *error) noexcept
    {
        try {
            *decision = static_cast<migkit_switchover_decision>(
                asPolicy(policy)->onSwitchover(Progress(*progress)));
            return 0;
        } catch (...) {
            describeCurrentException(error, "on_switchover");
            return -1;
        }
    }
    /* on_complete and on_failure cannot report an error: log it instead. */
    static void onComplete(migkit_policy *policy, const migkit_outcome *outcome) noexcept
    {
        notify(policy, outcome, &Policy::onComplete, "on_complete");
    }
    static void onFailure(migkit_policy *policy, const migkit_outcome *outcome) noexcept
    {
        notify(policy, outcome, &Policy::onFailure, "on_failure");
    }
    static void notify(migkit_policy *policy, const migkit_outcome *outcome,
                       void (Policy::*callback)(const Outcome &), const char *name) noexcept
    {
        Policy *self = asPolicy(policy);
        try {
            (self->*callback)(Outcome(*outcome));
        } catch (...) {
            migkit_error error{};
            describeCurrentException(&error, name);
            try {
                self->actions_->error(error.message);
            } catch (...) {
            }
        }
    }

    static int onHostHook(migkit_policy *policy, const migkit_hook_call *call,
                          const char **replacementXml, migkit_error *error) noexcept
    {
        try {
            Policy *self = asPolicy(policy);
            std::optional<std::string> replacement = self->onHostHook(HostHookCall(*call));
            if (replacement && replacementXml) {
                self->hookReplacement_ = std::move(*replacement);
                *replacementXml = self->hookReplacement_.c_str();
            }
            return 0;
        } catch (...) {
            describeCurrentException(error, "on_host_hook");
            return -1;
        }
    }

    /* Whether P (or a class between it and Policy) declares onHostHook: an inherited member's
     * pointer has Policy's type. */
    static constexpr bool kHandlesHostHooks =
        !std::is_same_v<decltype(&P::onHostHook), decltype(&Policy::onHostHook)>;

    static migkit_policy_ops ops(const migkit_setting_spec *settings, size_t count)
    {
        migkit_policy_ops ops{};
        ops.struct_size = sizeof(migkit_policy_ops);
        ops.settings = count ? settings : nullptr;
        ops.settings_count = count;
        ops.create = &create;
        ops.destroy = &destroy;
        ops.plan = &plan;
        ops.on_iteration = &onIteration;
        ops.on_switchover = &onSwitchover;
        ops.on_complete = &onComplete;
        ops.on_failure = &onFailure;
        ops.on_host_hook = kHandlesHostHooks ? &onHostHook : nullptr;
        return ops;
    }
};

} // namespace detail
} // namespace migkit

/**
 * MIGKIT_POLICY: make @Class (derived from migkit::Policy) a migkit plugin called @name
 * ([a-z0-9_-]), with @version, SPDX @license, one-line @summary and then the knobs it accepts
 * as migkit::Setting::TYPE(name, default, help) entries.  Use once, at namespace scope, in one
 * source file of the plugin.
 */
#define MIGKIT_POLICY(Class, name, version, license, summary, ...)                                 \
    extern "C" MIGKIT_PLUGIN_EXPORT const migkit_plugin_descriptor migkit_plugin_info = {          \
        MIGKIT_PLUGIN_ABI_VERSION, name, version, license, summary};                               \
    extern "C" MIGKIT_PLUGIN_EXPORT const migkit_policy_ops *migkit_plugin_entry(void)             \
    {                                                                                              \
        /* The first element only keeps the array non-empty when no knob is declared. */           \
        static const migkit_setting_spec settings[] = {{} __VA_OPT__(, ) __VA_ARGS__};             \
        static const migkit_policy_ops ops = ::migkit::detail::PolicyTrampolines<Class>::ops(      \
            settings + 1, sizeof(settings) / sizeof(settings[0]) - 1);                             \
        return &ops;                                                                               \
    }

#endif /* MIGKIT_POLICY_HPP */
