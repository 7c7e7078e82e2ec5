/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/action.h"

#include <libvirt/libvirt.h>
#include <migkit/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace migkit {

/**
 * LibvirtCall: how one policy action (or one part of a plan) is carried out on a domain whose
 * migration libvirt runs.  libvirt's own migration calls come first; what libvirt has no call
 * for (throttle settings, QEMU parameters such as the migkit-patched auto-converge-mode) goes
 * to QEMU through virDomainQemuMonitorCommand, which libvirt marks as a taint on the domain
 * ("custom-monitor") and which the host may forbid.
 */
struct LibvirtCall {
    /** Which libvirt function. */
    enum class Api {
        SetMaxDowntime, ///< virDomainMigrateSetMaxDowntime(number ms)
        SetMaxSpeed,    ///< virDomainMigrateSetMaxSpeed(number MiB/s)
        StartPostCopy,  ///< virDomainMigrateStartPostCopy
        Suspend,        ///< virDomainSuspend: the rest moves in one stun
        AbortJob,       ///< virDomainAbortJob: the guest keeps running on the source
        MonitorCommand, ///< virDomainQemuMonitorCommand(monitorCommand)
    };
    Api api = Api::AbortJob;
    uint64_t number = 0;
    /** MonitorCommand: the QMP command as JSON. */
    std::string monitorCommand;

    /** functionName: the libvirt function, for reports ("virDomainMigrateSetMaxDowntime"). */
    const char *functionName() const;
};

/** The largest bandwidth libvirt accepts in MiB/s: what it sets for "unlimited". */
inline constexpr uint64_t kLibvirtUnlimitedMiBps = (INT64_MAX / (1024 * 1024));

/** bytesToMiBps: @bytesPerSecond as libvirt's MiB/s, rounded up; 0 (unlimited) is the maximum. */
uint64_t bytesToMiBps(uint64_t bytesPerSecond);

/** callFor: the libvirt call that carries out @action. */
LibvirtCall callFor(const Action &action);

/**
 * PlanCalls: the calls that apply a plan to a migration libvirt already started, and notes
 * on what cannot change once it runs (capabilities are fixed when QEMU's migrate starts).
 */
struct PlanCalls {
    std::vector<LibvirtCall> calls;
    std::vector<std::string> notes;
};

/**
 * callsForRunningPlan: apply @planned to a running migration whose host defaults were
 * @running (what libvirt started with, as far as migkit can tell).
 */
PlanCalls callsForRunningPlan(const migkit_plan &planned, const migkit_plan &running);

/**
 * invoke: carry out @call on @domain.  Throws LibvirtError; a MonitorCommand throws
 * std::runtime_error when @allowMonitor is false or QEMU answers with an error.
 */
void invoke(virDomainPtr domain, const LibvirtCall &call, bool allowMonitor);

/**
 * monitorCommand: run QMP @command on @domain through libvirt-qemu and return QEMU's
 * "return" member as JSON text.  Throws LibvirtError or std::runtime_error (QEMU's error).
 */
std::string monitorCommand(virDomainPtr domain, const std::string &command);

} // namespace migkit
