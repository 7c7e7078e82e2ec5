/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/elf_descriptor.h"
#include "plugin/plugin_locator.h"

#include <migkit/plugin.h>

#include <memory>
#include <optional>
#include <string>

namespace migkit {

/**
 * PluginLibrary: a validated plugin file, loaded.  load() first validates the file without
 * running it (readPluginDescriptor), then dlopen()s it (RTLD_NOW | RTLD_LOCAL), calls
 * migkit_plugin_entry and checks the ops it returns: the struct is at least as large as ABI
 * version 1's, create and destroy are set, and every declared setting is well formed with a
 * default that parses.  The library stays loaded while any instance holds it.
 */
class PluginLibrary {
public:
    /**
     * load: validate and load the plugin at @path; throws PluginError.  With @expectedName
     * (the name it was looked up by) the descriptor must carry that name (NameMismatch):
     * `--policy default` must never run a file that says it is another plugin.
     */
    static std::shared_ptr<const PluginLibrary>
    load(const std::string &path, const std::optional<std::string> &expectedName = std::nullopt);

    /**
     * find: locate @nameOrPath with @locator (which checks where it is and who could have
     * written it) and load it, checking the descriptor's name when it was given by name.
     */
    static std::shared_ptr<const PluginLibrary> find(const PluginLocator &locator,
                                                     const std::string &nameOrPath);

    ~PluginLibrary();
    PluginLibrary(const PluginLibrary &) = delete;
    PluginLibrary &operator=(const PluginLibrary &) = delete;

    /** descriptor: what the file says it is. */
    const PluginDescriptor &descriptor() const { return descriptor_; }

    /** ops: the plugin's callbacks and settings, as returned by its entry. */
    const migkit_policy_ops &ops() const { return *ops_; }

private:
    PluginLibrary(PluginDescriptor descriptor, void *handle);

    PluginDescriptor descriptor_;
    void *handle_;
    const migkit_policy_ops *ops_ = nullptr;
};

} // namespace migkit
