/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report_output.h"

#include "report/report_json.h"
#include "json/writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace migkit::cli {

void writeReportFile(const MigrationReport &report, const std::string &path)
{
    const std::string text = json::serialize(reportToJson(report), json::WriteStyle::Pretty);
    const std::string temporary = path + ".tmp";
    FILE *file = std::fopen(temporary.c_str(), "w");
    if (!file) {
        throw std::runtime_error("cannot write the report to " + path + ": " +
                                 std::strerror(errno) +
                                 " (check the folder exists and is "
                                 "writable)");
    }
    const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
    const bool closed = std::fclose(file) == 0;
    if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        std::remove(temporary.c_str());
        throw std::runtime_error("cannot write the report to " + path + ": " +
                                 std::strerror(error));
    }
}

} // namespace migkit::cli
