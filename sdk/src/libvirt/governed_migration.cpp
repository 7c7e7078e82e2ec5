/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/governed_migration.h"

#include "libvirt/libvirt_call.h"
#include "plugin/plugin_error.h"

namespace migkit {

namespace {

std::string domainUuid(virDomainPtr domain)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(domain, uuid);
    return uuid;
}

std::string domainName(virDomainPtr domain)
{
    const char *name = virDomainGetName(domain);
    return name ? name : "";
}

} // namespace

GovernedMigration::GovernedMigration(Domain domain, std::unique_ptr<PolicyChain> chain,
                                     Options options)
    : domain_(std::move(domain)), name_(domainName(domain_.get())), chain_(std::move(chain)),
      options_(std::move(options)), report_(options_.governor, name_, domainUuid(domain_.get()))
{
    report_.policies(chain_->plugins());
}

GovernedMigration::~GovernedMigration() = default;

void GovernedMigration::planRunning(const PlanFacts &facts, const JobStatistics &firstStats,
                                    const std::string &how, bool pickedUp)
{
    const uint64_t elapsed = firstStats.number(VIR_DOMAIN_JOB_TIME_ELAPSED).value_or(0);
    report_.noticed(elapsed, how, pickedUp);
    for (const std::string &n : facts.notes)
        report_.note(n);
    const migkit_plan running = facts.runningPlan(domain_.get());
    migkit_plan plan = running;
    const migkit_plan_input input = facts.input();
    try {
        chain_->plan(input, plan);
    } catch (const PluginError &e) {
        collectLog();
        report_.note(std::string("plan failed, the migration goes on under libvirt's "
                                 "settings: ") +
                     e.what());
        report_.plan(running, {});
        return;
    }
    collectLog();
    PlanCalls calls = callsForRunningPlan(plan, running);
    report_.plan(plan, calls.notes);
    for (const LibvirtCall &call : calls.calls) {
        std::string error;
        try {
            invoke(domain_.get(), call, options_.allowQemuMonitor);
        } catch (const std::exception &e) {
            error = e.what();
        }
        report_.action(elapsed, "plan", "plan", "apply the plan to the running migration",
                       std::string(call.functionName()) + "(" + std::to_string(call.number) + ")",
                       error);
    }
    sample(firstStats);
}

void GovernedMigration::planned(const migkit_plan &plan, const std::vector<std::string> &notes)
{
    report_.noticed(0, "started-by-governor", false);
    report_.plan(plan, notes);
    collectLog();
}

void GovernedMigration::sample(const JobStatistics &stats)
{
    if (finished_ || stats.type != VIR_DOMAIN_JOB_UNBOUNDED)
        return;
    lastStats_ = stats;
    JobProgress progress = JobProgress::fromJob(stats, phase_);
    lastElapsedMs_ = progress.progress().elapsed_ms;
    report_.sample(progress.progress());
    apply(chain_->onIteration(progress.progress()));
    collectLog();
}

void GovernedMigration::switchover()
{
    if (finished_ || phase_ == MIGKIT_PHASE_SWITCHOVER)
        return;
    phase_ = MIGKIT_PHASE_SWITCHOVER;
    JobStatistics stats = lastStats_.value_or(JobStatistics{});
    stats.type = VIR_DOMAIN_JOB_UNBOUNDED;
    JobProgress progress = JobProgress::fromJob(stats, MIGKIT_PHASE_SWITCHOVER);
    /* libvirt drives the switchover itself: this is a notification, and a CANCEL can only
     * try to abort what may already be past the point of no return. */
    PolicyChain::SwitchoverResult result = chain_->onSwitchover(progress.progress());
    apply(result.actions);
    if (result.decision == MIGKIT_SWITCHOVER_CANCEL) {
        std::string error;
        if (virDomainAbortJob(domain_.get()) < 0)
            error = "too late: libvirt had already begun the switchover";
        report_.action(lastElapsedMs_, "chain", "cancel", "a policy refused the switchover",
                       "virDomainAbortJob", error);
    }
    collectLog();
}

std::string GovernedMigration::finish(const JobStatistics &finalStats,
                                      const std::string &vmRunningOn, const std::string &error)
{
    if (finished_)
        return "";
    finished_ = true;
    OutcomeRecord outcome = OutcomeRecord::fromJob(finalStats, error, vmRunningOn);
    if (outcome.outcome().phase == MIGKIT_PHASE_COMPLETED)
        chain_->onComplete(outcome.outcome());
    else
        chain_->onFailure(outcome.outcome());
    collectLog();
    report_.outcome(outcome.outcome(), finalStats.toJson());
    if (options_.reportDir.empty())
        return "";
    return report_.write(options_.reportDir);
}

void GovernedMigration::apply(const std::vector<Action> &actions)
{
    for (const Action &action : actions) {
        LibvirtCall call = callFor(action);
        std::string error;
        try {
            invoke(domain_.get(), call, options_.allowQemuMonitor);
        } catch (const std::exception &e) {
            error = e.what();
        }
        std::string via = call.functionName();
        if (call.api == LibvirtCall::Api::MonitorCommand)
            via += " " + call.monitorCommand;
        else if (call.api == LibvirtCall::Api::SetMaxDowntime ||
                 call.api == LibvirtCall::Api::SetMaxSpeed)
            via += "(" + std::to_string(call.number) + ")";
        report_.action(lastElapsedMs_, action.plugin, actionKindName(action.kind), action.reason,
                       via, error);
    }
}

void GovernedMigration::collectLog()
{
    report_.log(lastElapsedMs_, chain_->takeLog());
}

} // namespace migkit
