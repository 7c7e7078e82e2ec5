/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "report/migration_report.h"

#include <string>

namespace migkit::cli {

/**
 * writeReportFile: write @report as pretty JSON to @path with writeReportText (atomically
 * for a regular file; never through a link or onto a device).  Throws std::runtime_error
 * naming the path, the system's reason and what to do.
 */
void writeReportFile(const MigrationReport &report, const std::string &path);

} // namespace migkit::cli
