/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "report/migration_report.h"

#include <string>

namespace migkit::cli {

/**
 * writeReportFile: write @report as pretty JSON to @path (through a temporary file renamed
 * into place, so a reader never sees half a report).  Throws std::runtime_error naming the
 * path and the system's reason.
 */
void writeReportFile(const MigrationReport &report, const std::string &path);

} // namespace migkit::cli
