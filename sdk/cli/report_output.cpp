/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report_output.h"

#include "report/report_file.h"
#include "report/report_json.h"
#include "json/writer.h"

namespace migkit::cli {

void writeReportFile(const MigrationReport &report, const std::string &path)
{
    writeReportText(path, json::serialize(reportToJson(report), json::WriteStyle::Pretty));
}

} // namespace migkit::cli
