/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_image.h"

#include "testbed/guest_paths.h"
#include "testbed/testbed_error.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

namespace migkit::testbed {

namespace {

/* Whether this libmigkit is the one in its build tree: an installed copy must not pick up a
 * guest from a build folder that happens to exist. */
bool libraryInBuildTree()
{
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void *>(&libraryInBuildTree), &info) || !info.dli_fname)
        return false;
    std::string library = info.dli_fname;
    std::string root = std::string(MIGKIT_TESTBED_BUILD_ROOT) + "/";
    return library.compare(0, root.size(), root) == 0;
}

} // namespace

std::vector<std::string> guestImageCandidates()
{
    std::vector<std::string> candidates;
    if (const char *env = std::getenv("MIGKIT_GUEST_IMAGE"); env && *env)
        candidates.push_back(env);
    if (libraryInBuildTree())
        candidates.push_back(MIGKIT_GUEST_BUILD_PATH);
    candidates.push_back(MIGKIT_GUEST_INSTALL_PATH);
    return candidates;
}

std::string locateGuestImage()
{
    std::error_code ec;
    if (const char *env = std::getenv("MIGKIT_GUEST_IMAGE"); env && *env) {
        if (!std::filesystem::is_regular_file(env, ec))
            throw TestbedError(std::string("MIGKIT_GUEST_IMAGE='") + env +
                               "' is not a file; point it at guest.elf or unset it");
        return env;
    }
    std::vector<std::string> candidates = guestImageCandidates();
    for (const std::string &candidate : candidates)
        if (std::filesystem::is_regular_file(candidate, ec))
            return candidate;
    std::string tried;
    for (const std::string &candidate : candidates)
        tried += "\n  " + candidate;
    throw TestbedError("the migkit guest image (guest.elf) was not found; tried:" + tried +
                       "\nbuild it (meson compile -C BUILD tests/guest/guest.elf), install "
                       "migkit, or set MIGKIT_GUEST_IMAGE to its path");
}

} // namespace migkit::testbed
