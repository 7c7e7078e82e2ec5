/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <stdlib.h>

namespace migkit::test {

std::string testPlugin(const std::string &name)
{
    return std::string(MIGKIT_TEST_PLUGIN_DIR) + "/test-" + name + ".so";
}

std::string firstPartyPlugin(const std::string &name)
{
    return std::string(MIGKIT_TEST_FIRST_PARTY_DIR) + "/" + name + "/migkit-policy-" + name + ".so";
}

std::string testBuildFolder()
{
    return MIGKIT_TEST_PLUGIN_DIR;
}

TemporaryFolder::TemporaryFolder(const std::string &parent)
{
    const std::filesystem::path base =
        parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
    std::string pattern = (base / "migkit-test-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed in " + pattern);
    path_ = pattern;
}

TemporaryFolder::~TemporaryFolder()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TemporaryFolder::path(const std::string &name) const
{
    return name.empty() ? path_ : path_ + "/" + name;
}

void writeFile(const std::string &path, const std::string &content)
{
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::optional<CaughtError> catchPluginError(const std::function<void()> &call)
{
    try {
        call();
    } catch (const PluginError &e) {
        return CaughtError{e.code(), e.what()};
    }
    return std::nullopt;
}

} // namespace migkit::test
