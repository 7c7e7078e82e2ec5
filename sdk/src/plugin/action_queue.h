/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/action.h"
#include "plugin/policy_chain.h"

#include <migkit/plugin.h>

#include <vector>

namespace migkit {

/**
 * ActionQueue: the state the host API works on for one chain: which stage the migration is in
 * (what requests make sense), the plan in force (what is allowed), the actions queued during
 * the current callback and the log lines since the engine last took them.
 */
struct ActionQueue {
    /** Stage: actions are accepted only while the migration runs. */
    enum class Stage { Creating, Planning, Running, Finished };

    Stage stage = Stage::Creating;
    /** The plan after every policy adjusted it. */
    migkit_plan plan{};
    std::vector<Action> pending;
    std::vector<PolicyChain::LogLine> log;
    /** Log lines dropped because a plugin logged more than the cap between takeLog calls. */
    size_t droppedLogLines = 0;
};

} // namespace migkit

/**
 * migkit_context: the opaque handle a plugin instance passes back to the host API: which
 * queue its requests go to and its name, so that every action says who asked.
 */
struct migkit_context {
    migkit::ActionQueue *queue;
    std::string plugin;
};
