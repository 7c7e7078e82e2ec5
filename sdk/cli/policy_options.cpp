/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "policy_options.h"

namespace migkit::cli {

std::vector<PolicyRequest> policyRequests(const CommandLine &commandLine)
{
    std::vector<PolicyRequest> requests;
    std::map<std::string, std::string> early;
    for (const auto &option : commandLine.options()) {
        if (option.name == "policy") {
            if (option.value.empty()) {
                commandLine.fail("--policy needs a plugin name or a path to a .so");
            }
            requests.push_back({option.value, {}});
            if (requests.size() == 1) {
                requests.front().settings = early;
            }
        } else if (option.name == "set") {
            const auto eq = option.value.find('=');
            if (eq == std::string::npos || eq == 0) {
                commandLine.fail("--set needs KEY=VALUE, got '" + option.value + "'");
            }
            auto &target = requests.empty() ? early : requests.back().settings;
            target[option.value.substr(0, eq)] = option.value.substr(eq + 1);
        }
    }
    if (requests.empty()) {
        requests.push_back({"default", early});
    }
    return requests;
}

} // namespace migkit::cli
