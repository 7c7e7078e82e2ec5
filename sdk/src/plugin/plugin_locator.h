/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/plugin_trust.h"

#include <optional>
#include <string>
#include <vector>

namespace migkit {

/**
 * PluginLocator: turns `--policy NAME|PATH` into a file.  A PATH (contains '/' or ends in
 * ".so") is used as is.  A NAME is looked up as `migkit-policy-NAME.so` in each search folder
 * in order: $MIGKIT_PLUGIN_PATH (colon-separated), the build tree's plugins folder when
 * libmigkit runs from its build tree, then the installed folder (LIBDIR/migkit/plugins).
 *
 * Under a checked PluginTrust (a process running as root) the file it hands out, by name or by
 * path, must pass PluginTrust::whyUntrusted, and relative $MIGKIT_PLUGIN_PATH entries are
 * ignored (see ignoredFolders()): what root runs must not depend on the folder it was started
 * in.
 */
class PluginLocator {
public:
    /** PluginLocator: search exactly @folders, in order, handing out what @trust accepts. */
    explicit PluginLocator(std::vector<std::string> folders,
                           PluginTrust trust = PluginTrust::forThisProcess())
        : folders_(std::move(folders)), trust_(trust)
    {}

    /** fromEnvironment: the standard search order described above. */
    static PluginLocator fromEnvironment(PluginTrust trust = PluginTrust::forThisProcess());

    /** fileName: the file a plugin called @name has: "migkit-policy-NAME.so". */
    static std::string fileName(const std::string &name);

    /** isPath: whether @nameOrPath is a path rather than a name. */
    static bool isPath(const std::string &nameOrPath);

    /**
     * locate: the file for @nameOrPath; throws PluginError: NotFound listing the folders,
     * Unreadable for something that is not a regular file (a FIFO, a folder), Untrusted for a
     * file the trust rule refuses.
     */
    std::string locate(const std::string &nameOrPath) const;

    /** available: every plugin file found in the search folders (first of each name wins). */
    std::vector<std::string> available() const;

    /** folders: the search folders, in order. */
    const std::vector<std::string> &folders() const { return folders_; }

    /** ignoredFolders: $MIGKIT_PLUGIN_PATH entries left out, each with why and what to do. */
    const std::vector<std::string> &ignoredFolders() const { return ignored_; }

    /** trust: the rule files are checked against. */
    const PluginTrust &trust() const { return trust_; }

private:
    std::vector<std::string> candidates(const std::string &name) const;
    void checkTrusted(const std::string &path) const;

    std::vector<std::string> folders_;
    PluginTrust trust_;
    std::vector<std::string> ignored_;
};

} // namespace migkit
