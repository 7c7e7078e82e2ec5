/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/elf_descriptor.h"

#include <migkit/plugin.h>

#include <memory>
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
    /** load: validate and load the plugin at @path; throws PluginError. */
    static std::shared_ptr<const PluginLibrary> load(const std::string &path);

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
