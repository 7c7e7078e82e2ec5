/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/plugin_settings.h"

#include "plugin/plugin_error.h"
#include "plugin/plugin_library.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace migkit {

namespace {

template <typename T>
std::optional<T> parseNumber(const std::string &text)
{
    T value{};
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty())
        return std::nullopt;
    return value;
}

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

const char *expectedForm(migkit_value_type type)
{
    switch (type) {
    case MIGKIT_VALUE_INT64:
        return "a whole number, e.g. -5 or 300";
    case MIGKIT_VALUE_UINT64:
        return "a whole number >= 0, e.g. 300";
    case MIGKIT_VALUE_DOUBLE:
        return "a number, e.g. 0.5";
    case MIGKIT_VALUE_BOOL:
        return "true or false (also yes/no, on/off, 1/0)";
    case MIGKIT_VALUE_STRING:
        return "any text";
    }
    return "a value";
}

std::string describeSpec(const migkit_setting_spec &spec)
{
    std::string text = std::string(spec.name) + " (" + valueTypeName(spec.type);
    text += spec.default_value ? std::string(", default ") + spec.default_value : ", required";
    text += ")";
    if (spec.help && *spec.help)
        text += ": " + std::string(spec.help);
    return text;
}

} // namespace

std::optional<ParameterValue> parseSettingValue(migkit_value_type type, const std::string &text)
{
    switch (type) {
    case MIGKIT_VALUE_INT64:
        if (auto v = parseNumber<int64_t>(text))
            return *v;
        return std::nullopt;
    case MIGKIT_VALUE_UINT64:
        if (auto v = parseNumber<uint64_t>(text))
            return *v;
        return std::nullopt;
    case MIGKIT_VALUE_DOUBLE:
        if (auto v = parseNumber<double>(text); v && std::isfinite(*v))
            return *v;
        return std::nullopt;
    case MIGKIT_VALUE_BOOL: {
        std::string word = lowercase(text);
        if (word == "true" || word == "yes" || word == "on" || word == "1")
            return true;
        if (word == "false" || word == "no" || word == "off" || word == "0")
            return false;
        return std::nullopt;
    }
    case MIGKIT_VALUE_STRING:
        return text;
    }
    return std::nullopt;
}

std::string formatSettingValue(const ParameterValue &value)
{
    if (auto i = std::get_if<int64_t>(&value))
        return std::to_string(*i);
    if (auto u = std::get_if<uint64_t>(&value))
        return std::to_string(*u);
    if (auto d = std::get_if<double>(&value)) {
        char buffer[64];
        std::snprintf(buffer, sizeof(buffer), "%.17g", *d);
        return buffer;
    }
    if (auto b = std::get_if<bool>(&value))
        return *b ? "true" : "false";
    return std::get<std::string>(value);
}

std::pair<std::string, std::string> parseSetArgument(const std::string &argument)
{
    size_t equals = argument.find('=');
    if (equals == std::string::npos || equals == 0)
        throw PluginError(PluginError::Code::BadSettingValue, "setting '" + argument +
                                                                  "' is not KEY=VALUE: write e.g. "
                                                                  "--set max-downtime-ms=300");
    return {argument.substr(0, equals), argument.substr(equals + 1)};
}

ResolvedSettings resolveSettings(const PluginLibrary &library,
                                 const std::map<std::string, std::string> &given)
{
    const PluginDescriptor &info = library.descriptor();
    const migkit_policy_ops &ops = library.ops();
    auto findSpec = [&](const std::string &name) -> const migkit_setting_spec * {
        for (size_t i = 0; i < ops.settings_count; i++)
            if (name == ops.settings[i].name)
                return &ops.settings[i];
        return nullptr;
    };

    for (const auto &[key, value] : given) {
        (void)value;
        if (findSpec(key))
            continue;
        std::string valid;
        for (size_t i = 0; i < ops.settings_count; i++)
            valid += "\n  " + describeSpec(ops.settings[i]);
        throw PluginError(
            PluginError::Code::UnknownSetting,
            "policy '" + info.name + "' has no setting '" + key + "'; " +
                (ops.settings_count ? "valid settings:" + valid : "it takes no settings"));
    }

    ResolvedSettings resolved;
    for (size_t i = 0; i < ops.settings_count; i++) {
        const migkit_setting_spec &spec = ops.settings[i];
        auto it = given.find(spec.name);
        std::string text;
        if (it != given.end())
            text = it->second;
        else if (spec.default_value)
            text = spec.default_value;
        else
            throw PluginError(PluginError::Code::MissingSetting,
                              "policy '" + info.name + "' needs setting " + describeSpec(spec) +
                                  ": pass --set " + spec.name + "=VALUE");
        auto value = parseSettingValue(spec.type, text);
        if (!value)
            throw PluginError(PluginError::Code::BadSettingValue,
                              "policy '" + info.name + "': setting " + spec.name + "='" + text +
                                  "' is not a " + valueTypeName(spec.type) + "; expected " +
                                  expectedForm(spec.type));
        resolved.values.add(spec.name, *value);
        resolved.text[spec.name] = text;
    }
    return resolved;
}

} // namespace migkit
