/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migkit-libvirt-migrate: `migkit migrate --libvirt` on its own, for the e2e tests until the
 * `migkit` command routes --libvirt to it. */
#include "command_line.h"
#include "commands.h"
#include "libvirt_migrate.h"

#include <cstdio>

int main(int argc, char **argv)
{
    try {
        return migkit::cli::runLibvirtMigrate(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const migkit::cli::UsageError &e) {
        std::fprintf(stderr, "migkit: %s\n", e.what());
        return migkit::cli::kExitUsage;
    }
}
