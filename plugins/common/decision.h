/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <migkit/policy.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace migkit::policies {

/**
 * Decision: what a first-party policy's pure decision logic wants done, before it reaches the
 * host.  The logic returns decisions (so that unit tests can check them on recorded traces
 * without a host); the plugin turns them into host actions with applyDecisions().
 */
struct Decision {
    /** What to do; fields used by each kind are named in its comment. */
    enum class Kind {
        SetDowntimeLimit, ///< downtimeMs
        SetThrottle,      ///< throttleInitialPercent, throttleIncrementPercent
        SetParameter,     ///< parameterName, parameterValue (an unsigned integer)
        StartPostcopy,
        PauseToComplete,
        Cancel,
        Log, ///< level; the reason is the message
    };
    Kind kind = Kind::Log;
    /** Why: lands in the report (or is the log message). */
    std::string reason;
    uint64_t downtimeMs = 0;
    uint32_t throttleInitialPercent = 0, throttleIncrementPercent = 0;
    std::string parameterName;
    uint64_t parameterValue = 0;
    migkit_log_level level = MIGKIT_LOG_INFO;

    /** downtime: a SetDowntimeLimit decision. */
    static Decision downtime(uint64_t ms, std::string why)
    {
        Decision d;
        d.kind = Kind::SetDowntimeLimit;
        d.downtimeMs = ms;
        d.reason = std::move(why);
        return d;
    }
    /** throttle: a SetThrottle decision. */
    static Decision throttle(uint32_t initial, uint32_t increment, std::string why)
    {
        Decision d;
        d.kind = Kind::SetThrottle;
        d.throttleInitialPercent = initial;
        d.throttleIncrementPercent = increment;
        d.reason = std::move(why);
        return d;
    }
    /** parameter: a SetParameter decision with an unsigned value. */
    static Decision parameter(std::string name, uint64_t value, std::string why)
    {
        Decision d;
        d.kind = Kind::SetParameter;
        d.parameterName = std::move(name);
        d.parameterValue = value;
        d.reason = std::move(why);
        return d;
    }
    /** simple: StartPostcopy, PauseToComplete or Cancel. */
    static Decision simple(Kind kind, std::string why)
    {
        Decision d;
        d.kind = kind;
        d.reason = std::move(why);
        return d;
    }
    /** log: a log line at @level. */
    static Decision log(migkit_log_level level, std::string message)
    {
        Decision d;
        d.kind = Kind::Log;
        d.level = level;
        d.reason = std::move(message);
        return d;
    }
};

/** applyDecisions: queue @decisions through @actions; a refused request is logged. */
inline void applyDecisions(const std::vector<Decision> &decisions, const Actions &actions)
{
    for (const Decision &d : decisions) {
        int rc = 0;
        switch (d.kind) {
        case Decision::Kind::SetDowntimeLimit:
            rc = actions.setDowntimeLimit(std::chrono::milliseconds(d.downtimeMs), d.reason);
            break;
        case Decision::Kind::SetThrottle:
            rc = actions.setThrottle(d.throttleInitialPercent, d.throttleIncrementPercent, false,
                                     d.reason);
            break;
        case Decision::Kind::SetParameter:
            rc = actions.setParameter(d.parameterName, d.parameterValue, d.reason);
            break;
        case Decision::Kind::StartPostcopy:
            rc = actions.startPostcopy(d.reason);
            break;
        case Decision::Kind::PauseToComplete:
            rc = actions.pauseToComplete(d.reason);
            break;
        case Decision::Kind::Cancel:
            rc = actions.cancel(d.reason);
            break;
        case Decision::Kind::Log:
            actions.log(d.level, d.reason);
            break;
        }
        if (rc != 0)
            actions.warning("the host refused a request (error " + std::to_string(rc) +
                            "): " + d.reason);
    }
}

} // namespace migkit::policies
