/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "report/migration_report.h"

#include <cstdint>
#include <string>

namespace migkit {

/**
 * reportToText: the human summary printed at the end of `migkit migrate` and `migkit demo`:
 * outcome and where the VM runs, time, downtime, setup, bytes, iterations, final throttle,
 * then every policy decision with its time, plugin and reason.
 */
std::string reportToText(const MigrationReport &report);

/** formatBytes: @bytes as "512 B", "1.5 KiB", "256.0 MiB", "1.20 GiB". */
std::string formatBytes(uint64_t bytes);

} // namespace migkit
