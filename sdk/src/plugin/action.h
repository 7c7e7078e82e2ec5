/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace migkit {

/**
 * ParameterValue: a typed value as it crosses the plugin ABI (migkit_value without its name):
 * a QEMU migration parameter a plugin sets, a fact, a statistic, a plugin setting.
 */
using ParameterValue = std::variant<int64_t, uint64_t, double, bool, std::string>;

/**
 * Action: one thing a policy plugin asked the host to do, queued by the policy chain during a
 * callback and applied by the engine after the callback returns, in order.  Every action
 * carries the plugin that asked and its reason so that the report can say why it happened.
 */
struct Action {
    /** What to do; the fields below that each kind uses are named in its comment. */
    enum class Kind {
        SetDowntimeLimit, ///< value: milliseconds (migrate-set-parameters downtime-limit)
        SetBandwidth,     ///< value: bytes per second, 0 = unlimited (max-bandwidth)
        SetThrottle,      ///< throttle* fields; 0 percent keeps QEMU's current value
        SetParameter,     ///< parameterName, parameterValue: any migrate-set-parameters field
        StartPostcopy,    ///< migrate-start-postcopy
        PauseToComplete,  ///< stop the guest so that the rest goes in one stun
        Cancel,           ///< migrate_cancel; the VM keeps running on the source
    };

    Kind kind = Kind::Cancel;
    /** Name of the plugin (its descriptor name) that asked. */
    std::string plugin;
    /** Why, in the plugin's words; lands in the report. */
    std::string reason;
    /** Milliseconds for SetDowntimeLimit, bytes per second for SetBandwidth. */
    uint64_t value = 0;
    /** SetThrottle: cpu-throttle-initial and cpu-throttle-increment (0 keeps the current). */
    uint32_t throttleInitialPercent = 0, throttleIncrementPercent = 0;
    /** SetThrottle: cpu-throttle-tailslow. */
    bool throttleTailslow = false;
    /** SetParameter: the QEMU parameter name, e.g. "max-cpu-throttle". */
    std::string parameterName;
    /** SetParameter: its value. */
    ParameterValue parameterValue;
};

/** actionKindName: a stable lowercase name for @kind, for logs and reports. */
const char *actionKindName(Action::Kind kind);

} // namespace migkit
