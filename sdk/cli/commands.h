/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string>
#include <vector>

namespace migkit::cli {

/** ExitCode: what `migkit` returns, so scripts can tell failures apart. */
enum ExitCode {
    kExitOk = 0,      ///< the migration completed (and, for demo, the guest verified)
    kExitFailed = 1,  ///< the migration failed or was cancelled; the VM runs on the source
    kExitUsage = 2,   ///< wrong command line
    kExitRefused = 3, ///< refused before starting: QMP, destination state, plugin, plan
    /** The migration completed (the VM runs on the destination), but --report could not be
     * written: a warning, not a failure. */
    kExitReportNotWritten = 4,
};

/** runMigrate: `migkit migrate ...` (@args after the subcommand); returns the exit code. */
int runMigrate(const std::vector<std::string> &args);

/** runDemo: `migkit demo ...`; returns the exit code. */
int runDemo(const std::vector<std::string> &args);

/** runPlugins: `migkit plugins list|show NAME`; returns the exit code. */
int runPlugins(const std::vector<std::string> &args);

} // namespace migkit::cli
