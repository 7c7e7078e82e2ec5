/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/action.h"
#include "plugin/plugin_error.h"
#include "plugin/plugin_locator.h"
#include "plugin/value_list.h"

#include <migkit/plugin.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace migkit {

class PluginInstance;
struct ActionQueue;

/**
 * PolicyChain: the policy plugins of one migration, called in the order they were added.
 *
 * The engine (CLI or daemon) builds one chain per migration, adds the plugins the operator
 * named, asks for the plan, then feeds every progress sample and the switchover and outcome
 * events.  Plugins do not act directly: they queue actions through the host API; the chain
 * validates each request (returning -EINVAL / -ENOTSUP to the plugin) and hands the accepted
 * ones back to the engine, which applies them in order after the callback returned.
 *
 * Errors: add() and plan() throw PluginError (the migration must not start); a failure in a
 * later callback (including a C++ exception the plugin's layer turned into an error) is
 * logged through takeLog() and the migration goes on with that plugin's actions of that call
 * discarded.
 */
class PolicyChain {
public:
    /** PolicyChain: an empty chain that finds plugins with @locator. */
    explicit PolicyChain(PluginLocator locator = PluginLocator::fromEnvironment());
    ~PolicyChain();
    PolicyChain(const PolicyChain &) = delete;
    PolicyChain &operator=(const PolicyChain &) = delete;

    /**
     * add: find (NAME or PATH), validate, load and create the plugin with @settings
     * (`--set key=value` pairs as text).  Throws PluginError with a code and a message that
     * names the file and the fix.
     */
    void add(const std::string &nameOrPath, const std::map<std::string, std::string> &settings);

    /** names: descriptor names of the plugins, in call order. */
    std::vector<std::string> names() const;

    /** PluginSummary: what the report says about a loaded plugin. */
    struct PluginSummary {
        std::string name, version, license, summary, path;
        /** Settings as given to create (every declared knob, defaults filled in). */
        std::map<std::string, std::string> settings;
    };

    /** plugins: a summary of every loaded plugin, in call order. */
    std::vector<PluginSummary> plugins() const;

    /**
     * plan: let each plugin adjust @plan (which holds the host's defaults) in turn.  Throws
     * PluginError if a plugin fails.  The resulting plan is remembered to validate later
     * actions (post-copy needs postcopy_allowed, throttling needs auto-converge).
     */
    void plan(const migkit_plan_input &input, migkit_plan &plan);

    /** onIteration: a progress sample; returns the accepted actions in the order asked. */
    std::vector<Action> onIteration(const migkit_progress &progress);

    /** SwitchoverResult: the chain's answer at switchover. */
    struct SwitchoverResult {
        migkit_switchover_decision decision = MIGKIT_SWITCHOVER_PROCEED;
        std::vector<Action> actions;
    };

    /** onSwitchover: ask every plugin; any CANCEL wins (the others are still asked). */
    SwitchoverResult onSwitchover(const migkit_progress &progress);

    /** onComplete: tell every plugin the migration completed. */
    void onComplete(const migkit_outcome &outcome);

    /** onFailure: tell every plugin the migration failed or was cancelled. */
    void onFailure(const migkit_outcome &outcome);

    /** LogLine: a plugin's log line, or the chain's note that a callback failed. */
    struct LogLine {
        std::string plugin;
        migkit_log_level level;
        std::string message;
    };

    /** takeLog: plugin log lines and callback failures since the last call. */
    std::vector<LogLine> takeLog();

private:
    std::vector<Action> takeActions();
    void logFailure(const PluginInstance &instance, const char *callback,
                    const std::string &message);

    PluginLocator locator_;
    std::unique_ptr<ActionQueue> queue_;
    std::vector<std::unique_ptr<PluginInstance>> instances_;
};

} // namespace migkit
