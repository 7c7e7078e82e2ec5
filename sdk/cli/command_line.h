/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace migkit::cli {

/** UsageError: the command line is wrong; the message says what to do instead. */
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/**
 * CommandLine: the options of one subcommand, in order.  Each option is `--name VALUE` or
 * `--name=VALUE` (declared with a value) or a flag `--name`.  Unknown options, missing
 * values and stray words are UsageErrors that name the subcommand's --help.
 */
class CommandLine {
public:
    /** Option: one option as given. */
    struct Option {
        std::string name;
        std::string value;
    };

    /** CommandLine: parse @args for @command, which takes @valued and @flags options. */
    CommandLine(const std::string &command, const std::vector<std::string> &args,
                const std::set<std::string> &valued, const std::set<std::string> &flags);

    /** options: every option in the order given. */
    const std::vector<Option> &options() const { return options_; }

    /** last: the last value of @name, if given. */
    std::optional<std::string> last(const std::string &name) const;

    /** all: every value of @name in order. */
    std::vector<std::string> all(const std::string &name) const;

    /** has: whether @name was given. */
    bool has(const std::string &name) const;

    /** fail: throw a UsageError about @command with @message and the --help hint. */
    [[noreturn]] void fail(const std::string &message) const;

private:
    std::string command_;
    std::vector<Option> options_;
};

/** kMaxTimeoutSeconds: the longest --timeout, 30 days (its milliseconds fit every timer). */
constexpr uint64_t kMaxTimeoutSeconds = 30ull * 24 * 3600;

/**
 * parseSeconds: the value @text of --@flag as whole seconds from 1 to kMaxTimeoutSeconds, or
 * a UsageError naming the flag, the value and that range.
 */
uint64_t parseSeconds(const CommandLine &commandLine, const std::string &flag,
                      const std::string &text);

} // namespace migkit::cli
