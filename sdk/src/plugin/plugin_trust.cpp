/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/plugin_trust.h"

#include "plugin/plugin_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

namespace migkit {

namespace {

std::string octalMode(mode_t mode)
{
    char text[16];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

} // namespace

PluginTrust PluginTrust::forThisProcess()
{
    return geteuid() == 0 ? ownedBy(0) : unchecked();
}

std::optional<std::string> PluginTrust::whyUntrusted(const std::string &path) const
{
    if (!checked)
        return std::nullopt;
    const std::string prefix = "plugin '" + path + "' is not safe to load as root: ";
    const std::string fix =
        "; root loads plugins only from files and folders that root owns and only root can "
        "write: install it in " MIGKIT_PLUGIN_INSTALL_DIR " (or another such folder), or "
        "'chown root' and 'chmod go-w' the file and its folders";
    std::unique_ptr<char, decltype(&std::free)> resolved(realpath(path.c_str(), nullptr),
                                                         &std::free);
    if (!resolved)
        return prefix + "cannot resolve its path: " + std::strerror(errno);

    std::filesystem::path item = resolved.get();
    bool isFile = true;
    uid_t childOwner = 0;
    for (;;) {
        struct stat st;
        if (::lstat(item.c_str(), &st) != 0)
            return prefix + "cannot check '" + item.string() + "': " + std::strerror(errno);
        const std::string what = (isFile ? "the file '" : "its folder '") + item.string() + "'";
        if (isFile && !S_ISREG(st.st_mode))
            return prefix + "'" + item.string() + "' is not a regular file: give the .so file";
        if (st.st_uid != 0 && st.st_uid != owner)
            return prefix + what + " is owned by uid " + std::to_string(st.st_uid) +
                   ", not by root" + fix;
        /* A sticky folder (/tmp, /var/tmp) lets nobody but an entry's owner rename or remove
         * it, so an entry that root owns cannot be replaced from there. */
        const bool stickyOverTrusted =
            !isFile && (st.st_mode & S_ISVTX) != 0 && (childOwner == 0 || childOwner == owner);
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !stickyOverTrusted)
            return prefix + what + " is writable by group or others (mode " +
                   octalMode(st.st_mode) + ")" + fix;
        childOwner = st.st_uid;
        if (item == item.root_path())
            return std::nullopt;
        item = item.parent_path();
        isFile = false;
    }
}

} // namespace migkit
