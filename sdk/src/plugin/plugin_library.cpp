/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/plugin_library.h"

#include "plugin/plugin_error.h"
#include "plugin/plugin_settings.h"

#include <cstddef>
#include <dlfcn.h>
#include <set>

namespace migkit {

namespace {

/* The ops of ABI version 1 end with on_failure: a plugin of this ABI has at least these. */
constexpr size_t kOpsVersion1Size =
    offsetof(migkit_policy_ops, on_failure) + sizeof(migkit_policy_ops::on_failure);

void checkSettingSpecs(const PluginDescriptor &descriptor, const migkit_policy_ops &ops)
{
    auto bad = [&](const std::string &what) {
        return PluginError(PluginError::Code::BadOps,
                           "plugin '" + descriptor.path + "' (" + descriptor.name + "): " + what +
                               ": fix the plugin's settings list and rebuild");
    };
    if (ops.settings_count > 0 && !ops.settings)
        throw bad("settings_count is " + std::to_string(ops.settings_count) +
                  " but settings is NULL");
    std::set<std::string> names;
    for (size_t i = 0; i < ops.settings_count; i++) {
        const migkit_setting_spec &spec = ops.settings[i];
        if (!spec.name || !*spec.name)
            throw bad("setting #" + std::to_string(i) + " has no name");
        if (!names.insert(spec.name).second)
            throw bad(std::string("setting '") + spec.name + "' is declared twice");
        if (spec.type < MIGKIT_VALUE_INT64 || spec.type > MIGKIT_VALUE_STRING)
            throw bad(std::string("setting '") + spec.name + "' has an unknown type " +
                      std::to_string(static_cast<int>(spec.type)));
        if (spec.default_value && !parseSettingValue(spec.type, spec.default_value))
            throw bad(std::string("setting '") + spec.name + "' has default '" +
                      spec.default_value + "', which is not a " + valueTypeName(spec.type));
    }
}

} // namespace

PluginLibrary::PluginLibrary(PluginDescriptor descriptor, void *handle)
    : descriptor_(std::move(descriptor)), handle_(handle)
{}

PluginLibrary::~PluginLibrary()
{
    dlclose(handle_);
}

std::shared_ptr<const PluginLibrary> PluginLibrary::find(const PluginLocator &locator,
                                                         const std::string &nameOrPath)
{
    std::optional<std::string> name;
    if (!PluginLocator::isPath(nameOrPath))
        name = nameOrPath;
    return load(locator.locate(nameOrPath), name);
}

std::shared_ptr<const PluginLibrary>
PluginLibrary::load(const std::string &path, const std::optional<std::string> &expectedName)
{
    PluginDescriptor descriptor = readPluginDescriptor(path);
    if (expectedName && descriptor.name != *expectedName)
        throw PluginError(PluginError::Code::NameMismatch,
                          "plugin file '" + path + "' was found for the name '" + *expectedName +
                              "' but its descriptor names it '" + descriptor.name +
                              "'; it was not loaded: rename the file to " +
                              PluginLocator::fileName(descriptor.name) +
                              " or fix the name in its descriptor and rebuild");

    /* Only now does any of the plugin's code (its constructors) run. */
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        throw PluginError(PluginError::Code::LoadFailed,
                          "cannot load plugin '" + path + "' (" + descriptor.name +
                              "): " + (why ? why : "dlopen failed") +
                              "\nCheck that the libraries it needs are installed (ldd '" + path +
                              "') and that it was built against this migkit");
    }
    std::shared_ptr<PluginLibrary> library(new PluginLibrary(std::move(descriptor), handle));
    const PluginDescriptor &info = library->descriptor_;
    auto bad = [&](const std::string &what) {
        return PluginError(PluginError::Code::BadOps, "plugin '" + path + "' (" + info.name +
                                                          "): " + what +
                                                          ": fix the plugin and rebuild");
    };

    dlerror();
    auto entry =
        reinterpret_cast<migkit_plugin_entry_fn>(dlsym(handle, MIGKIT_PLUGIN_ENTRY_SYMBOL));
    if (!entry)
        throw PluginError(PluginError::Code::MissingEntry,
                          "plugin '" + path + "' (" + info.name +
                              "): dlsym cannot find '" MIGKIT_PLUGIN_ENTRY_SYMBOL "'");
    try {
        library->ops_ = entry();
    } catch (...) {
        throw bad(MIGKIT_PLUGIN_ENTRY_SYMBOL " threw an exception (it must not)");
    }
    const migkit_policy_ops *ops = library->ops_;
    if (!ops)
        throw bad(MIGKIT_PLUGIN_ENTRY_SYMBOL " returned NULL");
    if (ops->struct_size < kOpsVersion1Size)
        throw bad("its migkit_policy_ops is " + std::to_string(ops->struct_size) +
                  " bytes, ABI version 1 has " + std::to_string(kOpsVersion1Size) +
                  " (set struct_size = sizeof(migkit_policy_ops))");
    if (!ops->create || !ops->destroy)
        throw bad("its migkit_policy_ops has no create or no destroy callback (both are required)");
    checkSettingSpecs(info, *ops);
    return library;
}

} // namespace migkit
