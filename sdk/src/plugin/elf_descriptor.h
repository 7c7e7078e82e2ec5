/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <string>

namespace migkit {

/** PluginDescriptor: a plugin's migkit_plugin_info as read from its file, validated. */
struct PluginDescriptor {
    std::string path;
    uint32_t abiVersion = 0;
    std::string name, version, license, summary;
};

/**
 * readPluginDescriptor: validate the plugin file at @path without running any of its code,
 * in the spirit of libcamera's IPA module check: parse the ELF headers, find
 * migkit_plugin_info in the dynamic symbol table, read its bytes from the file, check the ABI
 * version and every field, and check that migkit_plugin_entry is exported as a function.
 * Throws PluginError (Unreadable, NotElf, NotSharedObject, WrongArchitecture, NotPlugin,
 * AbiMismatch, BadDescriptor, MissingEntry) with a message naming the file and the fix.
 */
PluginDescriptor readPluginDescriptor(const std::string &path);

/** isValidPluginName: whether @name matches [a-z0-9_-]+ (and fits the descriptor). */
bool isValidPluginName(const std::string &name);

} // namespace migkit
