/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string>
#include <vector>

namespace migkit {

/**
 * PluginLocator: turns `--policy NAME|PATH` into a file.  A PATH (contains '/' or ends in
 * ".so") is used as is.  A NAME is looked up as `migkit-policy-NAME.so` in each search folder
 * in order: $MIGKIT_PLUGIN_PATH (colon-separated), the build tree's plugins folder when
 * libmigkit runs from its build tree, then the installed folder (LIBDIR/migkit/plugins).
 */
class PluginLocator {
public:
    /** PluginLocator: search exactly @folders, in order. */
    explicit PluginLocator(std::vector<std::string> folders) : folders_(std::move(folders)) {}

    /** fromEnvironment: the standard search order described above. */
    static PluginLocator fromEnvironment();

    /** fileName: the file a plugin called @name has: "migkit-policy-NAME.so". */
    static std::string fileName(const std::string &name);

    /** isPath: whether @nameOrPath is a path rather than a name. */
    static bool isPath(const std::string &nameOrPath);

    /** locate: the file for @nameOrPath; throws PluginError(NotFound) listing the folders. */
    std::string locate(const std::string &nameOrPath) const;

    /** available: every plugin file found in the search folders (first of each name wins). */
    std::vector<std::string> available() const;

    /** folders: the search folders, in order. */
    const std::vector<std::string> &folders() const { return folders_; }

private:
    std::vector<std::string> candidates(const std::string &name) const;

    std::vector<std::string> folders_;
};

} // namespace migkit
