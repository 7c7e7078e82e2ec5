/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdexcept>
#include <string>

namespace migkit {

/**
 * PluginError: why a policy plugin could not be found, validated, loaded, configured or run.
 * The message names the file or plugin and says what to do; code() lets callers (the CLI's
 * exit status, the daemon's libvirt error) tell the cases apart without parsing text.
 */
class PluginError : public std::runtime_error {
public:
    /** What went wrong, from finding the file to running a callback. */
    enum class Code {
        NotFound,          ///< no file for the name in any search folder
        Untrusted,         ///< a root process refuses a file others could have written
        NameMismatch,      ///< the file found for a name describes another plugin
        Unreadable,        ///< the file exists but cannot be opened or read
        NotElf,            ///< not an ELF file at all (a text file named .so, ...)
        NotSharedObject,   ///< ELF, but not a shared object (an executable, a .o)
        WrongArchitecture, ///< built for another machine or word size
        NotPlugin,         ///< no migkit_plugin_info descriptor exported
        AbiMismatch,       ///< the descriptor's abi_version is not the host's
        BadDescriptor,     ///< descriptor fields unterminated or the name malformed
        MissingEntry,      ///< no migkit_plugin_entry function exported
        LoadFailed,        ///< dlopen failed (missing library, undefined symbol, ...)
        BadOps,            ///< the entry returned NULL, a short struct, or no create/destroy
        UnknownSetting,    ///< --set names a knob the plugin does not declare
        BadSettingValue,   ///< --set value does not parse as the knob's type
        MissingSetting,    ///< a knob without default was not given
        CreateFailed,      ///< the plugin's create callback failed
        CallbackFailed,    ///< plan (or another callback whose failure is fatal) failed
    };

    /** PluginError: @code and a complete, human message (what, which file, what to do). */
    PluginError(Code code, const std::string &message) : std::runtime_error(message), code_(code) {}

    /** code: the kind of failure. */
    Code code() const noexcept { return code_; }

private:
    Code code_;
};

/** pluginErrorCodeName: a stable lowercase name for @code ("not-found", "abi-mismatch", ...). */
const char *pluginErrorCodeName(PluginError::Code code);

} // namespace migkit
