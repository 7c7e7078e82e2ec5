/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/plugin_locator.h"

#include "plugin/elf_descriptor.h"
#include "plugin/plugin_error.h"
#include "plugin/plugin_paths.h"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <set>

namespace migkit {

namespace {

constexpr const char *kFilePrefix = "migkit-policy-";
constexpr const char *kFileSuffix = ".so";

/* Whether this libmigkit is the one in its build tree (tests, developers running from the
 * build folder) rather than an installed copy, which must not look into a build folder. */
bool runningFromBuildTree()
{
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void *>(&runningFromBuildTree), &info) || !info.dli_fname)
        return false;
    std::string self = info.dli_fname;
    std::string root = std::string(MIGKIT_BUILD_ROOT) + "/";
    return self.compare(0, root.size(), root) == 0;
}

bool isRegularFile(const std::string &path)
{
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

} // namespace

PluginLocator PluginLocator::fromEnvironment(PluginTrust trust)
{
    std::vector<std::string> folders, ignored;
    if (const char *env = std::getenv("MIGKIT_PLUGIN_PATH")) {
        std::string paths = env;
        size_t start = 0;
        while (start <= paths.size()) {
            size_t end = paths.find(':', start);
            if (end == std::string::npos)
                end = paths.size();
            const std::string folder = paths.substr(start, end - start);
            if (!folder.empty() && trust.checked && folder[0] != '/')
                ignored.push_back("MIGKIT_PLUGIN_PATH entry '" + folder +
                                  "' is ignored: it is relative, and a process running as root "
                                  "searches absolute folders only (give the full path)");
            else if (!folder.empty())
                folders.push_back(folder);
            start = end + 1;
        }
    }
    if (runningFromBuildTree())
        folders.push_back(MIGKIT_PLUGIN_BUILD_DIR);
    folders.push_back(MIGKIT_PLUGIN_INSTALL_DIR);
    PluginLocator locator(std::move(folders), trust);
    locator.ignored_ = std::move(ignored);
    return locator;
}

std::string PluginLocator::fileName(const std::string &name)
{
    return kFilePrefix + name + kFileSuffix;
}

bool PluginLocator::isPath(const std::string &nameOrPath)
{
    const std::string suffix = kFileSuffix;
    return nameOrPath.find('/') != std::string::npos ||
           (nameOrPath.size() >= suffix.size() &&
            nameOrPath.compare(nameOrPath.size() - suffix.size(), suffix.size(), suffix) == 0);
}

/* FOLDER/migkit-policy-NAME.so, then FOLDER/NAME/migkit-policy-NAME.so: the build tree keeps
 * each first-party plugin in its own folder. */
std::vector<std::string> PluginLocator::candidates(const std::string &name) const
{
    std::vector<std::string> result;
    for (const std::string &folder : folders_) {
        result.push_back(folder + "/" + fileName(name));
        result.push_back(folder + "/" + name + "/" + fileName(name));
    }
    return result;
}

void PluginLocator::checkTrusted(const std::string &path) const
{
    if (std::optional<std::string> why = trust_.whyUntrusted(path))
        throw PluginError(PluginError::Code::Untrusted, *why);
}

std::string PluginLocator::locate(const std::string &nameOrPath) const
{
    if (isPath(nameOrPath)) {
        std::error_code ec;
        if (!std::filesystem::exists(nameOrPath, ec))
            throw PluginError(PluginError::Code::NotFound,
                              "plugin file '" + nameOrPath + "' does not exist: check the path");
        /* Checked by stat() before anything opens it: opening a FIFO would block. */
        if (!isRegularFile(nameOrPath))
            throw PluginError(PluginError::Code::Unreadable,
                              "plugin '" + nameOrPath +
                                  "' is not a regular file (a FIFO, a device or a folder): give "
                                  "the .so file");
        /* dlopen() searches the library path for names without '/': make it a real path. */
        std::string path = std::filesystem::absolute(nameOrPath, ec).string();
        checkTrusted(path);
        return path;
    }
    if (nameOrPath.empty())
        throw PluginError(PluginError::Code::NotFound,
                          "empty policy name: give a plugin name (e.g. 'default') or a path");
    if (!isValidPluginName(nameOrPath))
        throw PluginError(PluginError::Code::NotFound,
                          "'" + nameOrPath +
                              "' is not a plugin name ([a-z0-9_-]) nor a path: give a name "
                              "such as 'default', or a path to a .so file");
    for (const std::string &candidate : candidates(nameOrPath)) {
        if (isRegularFile(candidate)) {
            checkTrusted(candidate);
            return candidate;
        }
    }

    std::string looked;
    for (const std::string &folder : folders_)
        looked += "\n  " + folder;
    for (const std::string &note : ignored_)
        looked += "\n  (" + note + ")";
    throw PluginError(PluginError::Code::NotFound,
                      "no policy plugin '" + nameOrPath + "' (file " + fileName(nameOrPath) +
                          ") in:" + looked +
                          "\nInstall it there, add its folder to MIGKIT_PLUGIN_PATH, or give "
                          "the path to the .so file");
}

std::vector<std::string> PluginLocator::available() const
{
    std::vector<std::string> result;
    std::set<std::string> seen;
    const std::string prefix = kFilePrefix, suffix = kFileSuffix;
    auto consider = [&](const std::filesystem::path &file) {
        std::string base = file.filename().string();
        if (base.size() <= prefix.size() + suffix.size() || base.rfind(prefix, 0) != 0 ||
            base.compare(base.size() - suffix.size(), suffix.size(), suffix) != 0)
            return;
        std::string name = base.substr(prefix.size(), base.size() - prefix.size() - suffix.size());
        if (isRegularFile(file.string()) && seen.insert(name).second)
            result.push_back(file.string());
    };
    for (const std::string &folder : folders_) {
        std::error_code ec;
        for (const auto &entry : std::filesystem::directory_iterator(folder, ec)) {
            if (entry.is_directory(ec)) {
                std::string name = entry.path().filename().string();
                consider(entry.path() / fileName(name));
            } else {
                consider(entry.path());
            }
        }
    }
    return result;
}

} // namespace migkit
