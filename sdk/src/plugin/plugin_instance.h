/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/action_queue.h"
#include "plugin/plugin_library.h"
#include "plugin/plugin_settings.h"

#include <memory>

namespace migkit {

/**
 * PluginInstance: one plugin created for one migration: its library (kept loaded), its
 * context (the plugin's name and the chain's queue) and the instance state create() returned,
 * destroyed with the plugin's destroy callback before the library can be unloaded.
 */
class PluginInstance {
public:
    /** PluginInstance: call @library's create with @settings; throws PluginError(CreateFailed). */
    PluginInstance(std::shared_ptr<const PluginLibrary> library, ActionQueue &queue,
                   ResolvedSettings settings);
    ~PluginInstance();
    PluginInstance(const PluginInstance &) = delete;
    PluginInstance &operator=(const PluginInstance &) = delete;

    /** name: the descriptor name. */
    const std::string &name() const { return library_->descriptor().name; }
    /** library: the loaded plugin. */
    const PluginLibrary &library() const { return *library_; }
    /** ops: the plugin's callbacks. */
    const migkit_policy_ops &ops() const { return library_->ops(); }
    /** policy: the instance state to pass to every callback. */
    migkit_policy *policy() const { return policy_; }
    /** settings: the resolved settings, as text. */
    const std::map<std::string, std::string> &settings() const { return settings_.text; }

private:
    /* Declared first: destroyed last, after destroy() ran. */
    std::shared_ptr<const PluginLibrary> library_;
    migkit_context context_;
    ResolvedSettings settings_;
    migkit_policy *policy_ = nullptr;
};

/** errorText: the message a failing callback wrote, or a note that it wrote none. */
std::string errorText(migkit_error &error);

} // namespace migkit
