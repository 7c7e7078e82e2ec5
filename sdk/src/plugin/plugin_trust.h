/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace migkit {

/**
 * PluginTrust: which plugin files a process may load.  A process running as root (migkitd,
 * the hook, the CLI under sudo) runs a plugin's code with every privilege, so it loads only a
 * file that nobody but root could have written or replaced: the file and every folder above
 * it, up to '/', owned by root and not writable by group or others.  Any other process may
 * load what its user can read.
 */
struct PluginTrust {
    /** Whether owners and modes are checked at all. */
    bool checked = false;
    /**
     * Besides root, the owner the file and its folders may have.  0 in a real process; a
     * test of the rule itself passes its own uid, so that it runs as any user.
     */
    uid_t owner = 0;

    /** forThisProcess: checked when the effective user is root. */
    static PluginTrust forThisProcess();
    /** ownedBy: checked, with @owner accepted besides root (for tests). */
    static PluginTrust ownedBy(uid_t owner) { return {true, owner}; }
    /** unchecked: any readable file. */
    static PluginTrust unchecked() { return {}; }

    /**
     * whyUntrusted: nullopt when @path may be loaded, else a message naming the plugin file,
     * the file or folder at fault and what to do.  Symbolic links are resolved first: what
     * counts is the file dlopen() would map and the folders that lead to it.
     */
    std::optional<std::string> whyUntrusted(const std::string &path) const;
};

} // namespace migkit
