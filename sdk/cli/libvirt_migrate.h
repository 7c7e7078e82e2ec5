/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string>
#include <vector>

namespace migkit::cli {

/**
 * runLibvirtMigrate: `migkit migrate --libvirt --domain NAME --destination URI [...]` (@args
 * after the subcommand; --libvirt itself is accepted and ignored).  Plans the migration with
 * the policy chain, starts it with virDomainMigrateToURI3 and the plan's typed parameters,
 * and governs it like migkitd (progress from job statistics and iteration events, actions
 * through libvirt's calls) while migkitd on the host stands aside.  Returns the exit code
 * (commands.h).
 */
int runLibvirtMigrate(const std::vector<std::string> &args);

} // namespace migkit::cli
