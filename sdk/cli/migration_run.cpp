/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "migration_run.h"

#include "commands.h"
#include "progress_display.h"
#include "report_output.h"

#include "plugin/plugin_error.h"
#include "plugin/policy_chain.h"
#include "qmp/glib_ptr.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "json/writer.h"

#include <glib-unix.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace migkit::cli {

namespace {

/* A signal source in the engine's context: Ctrl-C cancels the migration cleanly. */
class InterruptWatch {
public:
    InterruptWatch(GMainContext *context, MigrationEngine &engine) : engine_(engine)
    {
        for (const int signal : {SIGINT, SIGTERM}) {
            GSourcePtr source(g_unix_signal_source_new(signal));
            g_source_set_callback(source.get(), G_SOURCE_FUNC(onSignal), this, nullptr);
            g_source_attach(source.get(), context);
            sources_.push_back(std::move(source));
        }
    }

private:
    static gboolean onSignal(gpointer self)
    {
        static_cast<InterruptWatch *>(self)->engine_.interrupt("interrupted by a signal "
                                                               "(Ctrl-C or SIGTERM)");
        return G_SOURCE_CONTINUE;
    }

    MigrationEngine &engine_;
    std::vector<GSourcePtr> sources_;
};

} // namespace

int runMigration(const RunSettings &settings, MigrationReport &report)
{
    const std::string prefix = "migkit " + settings.command + ": error: ";
    PolicyChain chain;
    for (const auto &policy : settings.policies) {
        try {
            chain.add(policy.nameOrPath, policy.settings);
        } catch (const PluginError &e) {
            std::fprintf(stderr, "%spolicy '%s': %s\n", prefix.c_str(), policy.nameOrPath.c_str(),
                         e.what());
            return kExitRefused;
        }
    }
    GMainContextPtr context(g_main_context_new());
    ProgressDisplay display(stdout, isatty(STDOUT_FILENO) != 0, settings.json);
    MigrationEngine engine(context.get(), settings.options, chain, &display);
    InterruptWatch interrupts(context.get(), engine);
    try {
        report = engine.run();
    } catch (const MigrationError &e) {
        display.finish();
        std::fprintf(stderr, "%s%s\n", prefix.c_str(), e.what());
        std::fprintf(stderr,
                     "migkit %s: nothing was migrated; the VM runs on the source as "
                     "before\n",
                     settings.command.c_str());
        return kExitRefused;
    } catch (const PluginError &e) {
        display.finish();
        std::fprintf(stderr, "%sa policy failed to plan: %s\n", prefix.c_str(), e.what());
        std::fprintf(stderr,
                     "migkit %s: nothing was migrated; the VM runs on the source as "
                     "before\n",
                     settings.command.c_str());
        return kExitRefused;
    }
    display.finish();
    return kExitOk;
}

int printOutcome(const RunSettings &settings, const MigrationReport &report)
{
    const bool completed = report.phase == MIGKIT_PHASE_COMPLETED;
    int status = completed ? kExitOk : kExitFailed;
    if (!settings.reportPath.empty()) {
        try {
            writeReportFile(report, settings.reportPath);
        } catch (const std::runtime_error &e) {
            /* The report is about the migration, not part of it: a completed migration
             * stays completed (the VM runs on the destination) and says so. */
            std::fprintf(stderr, "migkit %s: warning: %s\n", settings.command.c_str(), e.what());
            if (completed) {
                std::fprintf(stderr,
                             "migkit %s: the migration itself completed; the VM runs on the "
                             "destination (exit %d: report not written)\n",
                             settings.command.c_str(), kExitReportNotWritten);
                status = kExitReportNotWritten;
            }
        }
    }
    if (settings.json) {
        std::fputs(json::serialize(reportToJson(report), json::WriteStyle::Pretty).c_str(), stdout);
    } else {
        std::fputs(("\n" + reportToText(report)).c_str(), stdout);
    }
    std::fflush(stdout);
    if (report.phase != MIGKIT_PHASE_COMPLETED) {
        std::fprintf(stderr, "migkit %s: error: the migration %s: %s; the VM runs on: %s\n",
                     settings.command.c_str(),
                     report.phase == MIGKIT_PHASE_CANCELLED ? "was cancelled" : "failed",
                     report.error.c_str(), report.vmRunningOn.c_str());
    }
    return status;
}

} // namespace migkit::cli
