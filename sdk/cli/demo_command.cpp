/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "commands.h"

#include <cstdio>

namespace migkit::cli {

int runDemo(const std::vector<std::string> &)
{
    std::fprintf(stderr, "migkit demo: not built yet\n");
    return kExitFailed;
}

} // namespace migkit::cli
