/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "libvirt/policy_selection.h"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace migkit {

/** ConfigError: the host configuration file is unreadable or wrong; the message names the key. */
class ConfigError : public std::runtime_error {
public:
    /** ConfigError: with a complete message. */
    explicit ConfigError(const std::string &message) : std::runtime_error(message) {}
};

/**
 * HostConfig: one host's migkit configuration (/etc/migkit/migkitd.conf, GKeyFile format),
 * read by migkitd and the hook program:
 *
 *     [daemon]
 *     policies=default              # chain for domains whose XML names none; empty: observe
 *     report-dir=/var/lib/migkit/reports
 *     poll-interval-ms=250          # how often running jobs are looked for
 *     qemu-monitor=true             # allow virDomainQemuMonitorCommand (taints the domain)
 *     libvirt-uri=qemu:///system
 *
 *     [hook]
 *     policies=xml-rewrite;host-admission
 *     timeout-ms=2000               # per hook call, for all plugins together
 *     on-timeout=allow              # or refuse: what a hanging or crashing plugin means
 *
 *     [host]
 *     shared-filesystems=/var/lib/libvirt/shared   # like qemu.conf's shared_filesystems
 *
 *     [policy default]              # settings of one plugin, used wherever it runs
 *     max-downtime-ms=300
 */
struct HostConfig {
    std::vector<std::string> daemonPolicies{"default"};
    std::string reportDir = "/var/lib/migkit/reports";
    uint64_t pollIntervalMs = 250;
    bool allowQemuMonitor = true;
    std::string libvirtUri = "qemu:///system";

    std::vector<std::string> hookPolicies;
    uint64_t hookTimeoutMs = 2000;
    /** What the hook does when the plugins crash or overrun: true allows the VM. */
    bool hookAllowOnTimeout = true;

    std::vector<std::string> sharedFilesystems;
    /** Settings per plugin name, from the [policy NAME] groups. */
    std::map<std::string, std::map<std::string, std::string>> policySettings;

    /** defaultPath: /etc/migkit/migkitd.conf, or $MIGKIT_CONFIG when set. */
    static std::string defaultPath();

    /** load: read @path; a missing file gives the defaults when @mustExist is false. */
    static HostConfig load(const std::string &path, bool mustExist = false);

    /** parse: read the text of a configuration (@origin names it in errors). */
    static HostConfig parse(const std::string &text, const std::string &origin);

    /** refs: @names as PolicyRefs with their [policy NAME] settings. */
    std::vector<PolicyRef> refs(const std::vector<std::string> &names) const;

    /**
     * withHostSettings: @policies (from domain metadata or the command line) with the host's
     * [policy NAME] settings underneath theirs.
     */
    std::vector<PolicyRef> withHostSettings(const std::vector<PolicyRef> &policies) const;
};

} // namespace migkit
