/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "command_line.h"

#include <charconv>

namespace migkit::cli {

CommandLine::CommandLine(const std::string &command, const std::vector<std::string> &args,
                         const std::set<std::string> &valued, const std::set<std::string> &flags)
    : command_(command)
{
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
            fail("unexpected argument '" + arg + "'");
        }
        std::string name = arg.substr(2), value;
        bool hasValue = false;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasValue = true;
        }
        if (valued.count(name)) {
            if (!hasValue) {
                if (i + 1 >= args.size()) {
                    fail("--" + name + " needs a value");
                }
                value = args[++i];
            }
        } else if (flags.count(name)) {
            if (hasValue) {
                fail("--" + name + " takes no value");
            }
        } else {
            fail("unknown option '--" + name + "'");
        }
        options_.push_back({name, value});
    }
}

std::optional<std::string> CommandLine::last(const std::string &name) const
{
    std::optional<std::string> result;
    for (const auto &option : options_) {
        if (option.name == name) {
            result = option.value;
        }
    }
    return result;
}

std::vector<std::string> CommandLine::all(const std::string &name) const
{
    std::vector<std::string> result;
    for (const auto &option : options_) {
        if (option.name == name) {
            result.push_back(option.value);
        }
    }
    return result;
}

bool CommandLine::has(const std::string &name) const
{
    return last(name).has_value();
}

void CommandLine::fail(const std::string &message) const
{
    throw UsageError("migkit " + command_ + ": " + message + " (see 'migkit " + command_ +
                     " --help')");
}

uint64_t parseSeconds(const CommandLine &commandLine, const std::string &flag,
                      const std::string &text)
{
    uint64_t value = 0;
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ptr != end || ec != std::errc() || value < 1 ||
        value > kMaxTimeoutSeconds) {
        commandLine.fail("--" + flag + " '" + text +
                         "' is not a whole number of seconds from 1 to " +
                         std::to_string(kMaxTimeoutSeconds) + " (30 days)");
    }
    return value;
}

} // namespace migkit::cli
