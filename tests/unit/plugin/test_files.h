/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/plugin_error.h"

#include <functional>
#include <optional>
#include <string>

namespace migkit::test {

/** testPlugin: the path of test plugin @name built by this folder's meson.build. */
std::string testPlugin(const std::string &name);

/** testBuildFolder: this test's build folder (a folder only its owner can write). */
std::string testBuildFolder();

/** firstPartyPlugin: the path of the build tree's first-party plugin @name. */
std::string firstPartyPlugin(const std::string &name);

/** TemporaryFolder: a fresh folder, removed with everything in it at the end of the scope. */
class TemporaryFolder {
public:
    /**
     * TemporaryFolder: in the system's temporary folder, or in @parent.  A test that loads
     * plugins from it as root gives a parent in the build tree: /tmp is writable by everyone,
     * so the loader's trust rule refuses anything below it.
     */
    explicit TemporaryFolder(const std::string &parent = "");
    ~TemporaryFolder();
    TemporaryFolder(const TemporaryFolder &) = delete;
    TemporaryFolder &operator=(const TemporaryFolder &) = delete;
    /** path: the folder, or a file @name in it. */
    std::string path(const std::string &name = "") const;

private:
    std::string path_;
};

/** writeFile: create @path with @content. */
void writeFile(const std::string &path, const std::string &content);

/** readFile: the whole content of @path. */
std::string readFile(const std::string &path);

/** CaughtError: the PluginError a call threw. */
struct CaughtError {
    PluginError::Code code;
    std::string message;
};

/** catchPluginError: run @call; the PluginError it threw, or nullopt if it threw none. */
std::optional<CaughtError> catchPluginError(const std::function<void()> &call);

} // namespace migkit::test
