/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/plugin_error.h"

namespace migkit {

const char *pluginErrorCodeName(PluginError::Code code)
{
    using Code = PluginError::Code;
    switch (code) {
    case Code::NotFound:
        return "not-found";
    case Code::Untrusted:
        return "untrusted";
    case Code::NameMismatch:
        return "name-mismatch";
    case Code::Unreadable:
        return "unreadable";
    case Code::NotElf:
        return "not-elf";
    case Code::NotSharedObject:
        return "not-shared-object";
    case Code::WrongArchitecture:
        return "wrong-architecture";
    case Code::NotPlugin:
        return "not-a-plugin";
    case Code::AbiMismatch:
        return "abi-mismatch";
    case Code::BadDescriptor:
        return "bad-descriptor";
    case Code::MissingEntry:
        return "missing-entry";
    case Code::LoadFailed:
        return "load-failed";
    case Code::BadOps:
        return "bad-ops";
    case Code::UnknownSetting:
        return "unknown-setting";
    case Code::BadSettingValue:
        return "bad-setting-value";
    case Code::MissingSetting:
        return "missing-setting";
    case Code::CreateFailed:
        return "create-failed";
    case Code::CallbackFailed:
        return "callback-failed";
    }
    return "unknown";
}

} // namespace migkit
