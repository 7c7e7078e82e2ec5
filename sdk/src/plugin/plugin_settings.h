/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/action.h"
#include "plugin/value_list.h"

#include <migkit/plugin.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace migkit {

class PluginLibrary;

/**
 * parseSettingValue: @text as a value of @type, or nullopt when it is not one.  Integers are
 * decimal (uint64 takes no sign), doubles finite, booleans true/false, yes/no, on/off or
 * 1/0 (any case); any text is a string.
 */
std::optional<ParameterValue> parseSettingValue(migkit_value_type type, const std::string &text);

/** formatSettingValue: @value as text that parseSettingValue reads back. */
std::string formatSettingValue(const ParameterValue &value);

/**
 * parseSetArgument: split a `--set key=value` argument at its first '='.  Throws
 * PluginError(BadSettingValue) when there is no '=' or the key is empty.
 */
std::pair<std::string, std::string> parseSetArgument(const std::string &argument);

/** ResolvedSettings: a plugin's knobs, checked and complete. */
struct ResolvedSettings {
    /** The typed values for create(), in declaration order. */
    ValueList values;
    /** The same as text, for reports. */
    std::map<std::string, std::string> text;
};

/**
 * resolveSettings: check @given (`--set` pairs) against @library's declared knobs and fill in
 * defaults.  Throws PluginError: UnknownSetting (listing the valid knobs), BadSettingValue
 * (naming the expected type), MissingSetting (a knob without default not given).
 */
ResolvedSettings resolveSettings(const PluginLibrary &library,
                                 const std::map<std::string, std::string> &given);

} // namespace migkit
