/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "command_line.h"

#include <map>
#include <string>
#include <vector>

namespace migkit::cli {

/** PolicyRequest: one `--policy NAME|PATH` with the `--set key=value` pairs that go to it. */
struct PolicyRequest {
    std::string nameOrPath;
    std::map<std::string, std::string> settings;
};

/**
 * policyRequests: the policies of @commandLine in order.  A `--set` goes to the nearest
 * `--policy` before it; `--set`s before the first `--policy` go to the first one.  Without
 * any `--policy` the chain is the `default` policy.  A `--set` without '=' or with an empty
 * key is a UsageError.
 */
std::vector<PolicyRequest> policyRequests(const CommandLine &commandLine);

} // namespace migkit::cli
