/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "report/migration_report.h"
#include "json/value.h"

namespace migkit {

/**
 * reportToJson: the report as a JSON document (`migkit migrate --report FILE`): "outcome",
 * "figures" (QEMU's final numbers), "plan", "plugins", "samples", "decisions", "log" and
 * "qemu-final-statistics" (QEMU's last query-migrate reply, verbatim).  The layout is described
 * in docs/cli.md.
 */
json::Value reportToJson(const MigrationReport &report);

/** sampleRecordToJson: one progress sample as the report's "samples" entries hold it. */
json::Value sampleRecordToJson(const SampleRecord &sample);

} // namespace migkit
