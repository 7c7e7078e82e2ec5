/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/plugin_instance.h"

#include "plugin/host_api.h"
#include "plugin/plugin_error.h"

namespace migkit {

std::string errorText(migkit_error &error)
{
    /* The plugin may have filled the whole buffer without a terminating NUL. */
    error.message[sizeof(error.message) - 1] = '\0';
    return error.message[0] ? error.message : "(the plugin gave no error message)";
}

PluginInstance::PluginInstance(std::shared_ptr<const PluginLibrary> library, ActionQueue &queue,
                               ResolvedSettings settings)
    : library_(std::move(library)), context_{&queue, library_->descriptor().name},
      settings_(std::move(settings))
{
    migkit_values values = settings_.values.values();
    migkit_error error{};
    policy_ = ops().create(&context_, &hostApi(), &values, &error);
    if (!policy_)
        throw PluginError(PluginError::Code::CreateFailed,
                          "policy '" + name() + "' (" + library_->descriptor().path +
                              ") refused to start: " + errorText(error));
}

PluginInstance::~PluginInstance()
{
    ops().destroy(policy_);
}

} // namespace migkit
