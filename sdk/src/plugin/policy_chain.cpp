/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/policy_chain.h"

#include "plugin/action_queue.h"
#include "plugin/plugin_instance.h"
#include "plugin/plugin_library.h"
#include "plugin/plugin_settings.h"

namespace migkit {

PolicyChain::PolicyChain(PluginLocator locator)
    : locator_(std::move(locator)), queue_(std::make_unique<ActionQueue>())
{}

/* Instances first: their destroy callbacks may still log into the queue. */
PolicyChain::~PolicyChain()
{
    instances_.clear();
}

void PolicyChain::add(const std::string &nameOrPath,
                      const std::map<std::string, std::string> &settings)
{
    std::shared_ptr<const PluginLibrary> library = PluginLibrary::find(locator_, nameOrPath);
    ResolvedSettings resolved = resolveSettings(*library, settings);
    instances_.push_back(
        std::make_unique<PluginInstance>(std::move(library), *queue_, std::move(resolved)));
}

std::vector<std::string> PolicyChain::names() const
{
    std::vector<std::string> result;
    for (const auto &instance : instances_)
        result.push_back(instance->name());
    return result;
}

std::vector<PolicyChain::PluginSummary> PolicyChain::plugins() const
{
    std::vector<PluginSummary> result;
    for (const auto &instance : instances_) {
        const PluginDescriptor &info = instance->library().descriptor();
        result.push_back(
            {info.name, info.version, info.license, info.summary, info.path, instance->settings()});
    }
    return result;
}

void PolicyChain::plan(const migkit_plan_input &input, migkit_plan &plan)
{
    queue_->stage = ActionQueue::Stage::Planning;
    const uint32_t structSize = plan.struct_size;
    for (const auto &instance : instances_) {
        if (!instance->ops().plan)
            continue;
        migkit_error error{};
        int rc = instance->ops().plan(instance->policy(), &input, &plan, &error);
        plan.struct_size = structSize; /* not the plugin's to change */
        if (rc != 0) {
            std::string message = errorText(error);
            logFailure(*instance, "plan", message);
            throw PluginError(PluginError::Code::CallbackFailed,
                              "policy '" + instance->name() +
                                  "' could not plan the migration: " + message +
                                  "; nothing was started (fix the policy's settings or drop "
                                  "the policy)");
        }
    }
    queue_->plan = plan;
    queue_->stage = ActionQueue::Stage::Running;
}

std::vector<Action> PolicyChain::onIteration(const migkit_progress &progress)
{
    for (const auto &instance : instances_) {
        if (!instance->ops().on_iteration)
            continue;
        size_t before = queue_->pending.size();
        migkit_error error{};
        if (instance->ops().on_iteration(instance->policy(), &progress, &error) != 0) {
            queue_->pending.resize(before);
            logFailure(*instance, "on_iteration", errorText(error));
        }
    }
    return takeActions();
}

PolicyChain::SwitchoverResult PolicyChain::onSwitchover(const migkit_progress &progress)
{
    SwitchoverResult result;
    for (const auto &instance : instances_) {
        if (!instance->ops().on_switchover)
            continue;
        size_t before = queue_->pending.size();
        migkit_error error{};
        migkit_switchover_decision decision = MIGKIT_SWITCHOVER_PROCEED;
        int rc = instance->ops().on_switchover(instance->policy(), &progress, &decision, &error);
        if (rc != 0) {
            queue_->pending.resize(before);
            logFailure(*instance, "on_switchover", errorText(error));
            continue;
        }
        if (decision == MIGKIT_SWITCHOVER_CANCEL) {
            result.decision = MIGKIT_SWITCHOVER_CANCEL;
        } else if (decision != MIGKIT_SWITCHOVER_PROCEED) {
            queue_->pending.resize(before);
            logFailure(*instance, "on_switchover",
                       "answered " + std::to_string(static_cast<int>(decision)) +
                           ", which is neither PROCEED nor CANCEL");
        }
    }
    result.actions = takeActions();
    return result;
}

void PolicyChain::onComplete(const migkit_outcome &outcome)
{
    queue_->stage = ActionQueue::Stage::Finished;
    for (const auto &instance : instances_)
        if (instance->ops().on_complete)
            instance->ops().on_complete(instance->policy(), &outcome);
    queue_->pending.clear();
}

void PolicyChain::onFailure(const migkit_outcome &outcome)
{
    queue_->stage = ActionQueue::Stage::Finished;
    for (const auto &instance : instances_)
        if (instance->ops().on_failure)
            instance->ops().on_failure(instance->policy(), &outcome);
    queue_->pending.clear();
}

std::vector<PolicyChain::LogLine> PolicyChain::takeLog()
{
    std::vector<LogLine> lines = std::move(queue_->log);
    queue_->log.clear();
    if (queue_->droppedLogLines) {
        lines.push_back({"migkit", MIGKIT_LOG_WARNING,
                         std::to_string(queue_->droppedLogLines) +
                             " plugin log lines were dropped (more than the host keeps between "
                             "two reads)"});
        queue_->droppedLogLines = 0;
    }
    return lines;
}

std::vector<Action> PolicyChain::takeActions()
{
    std::vector<Action> actions = std::move(queue_->pending);
    queue_->pending.clear();
    return actions;
}

void PolicyChain::logFailure(const PluginInstance &instance, const char *callback,
                             const std::string &message)
{
    queue_->log.push_back({instance.name(), MIGKIT_LOG_ERROR,
                           std::string(callback) + " failed: " + message +
                               " (its requests of this call were dropped)"});
}

} // namespace migkit
