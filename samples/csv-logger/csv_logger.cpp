// SPDX-License-Identifier: MIT
// csv-logger: writes every progress sample (the named fields and every extra statistic the
// host sends) as one row of a CSV file, for plotting a migration afterwards.
#include <migkit/policy.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace {

/* A CSV field: quoted when it holds a separator, a quote or a line break. */
std::string csvField(const std::string &text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string valueText(const migkit_value &value)
{
    switch (value.type) {
    case MIGKIT_VALUE_INT64:
        return std::to_string(value.v.i64);
    case MIGKIT_VALUE_UINT64:
        return std::to_string(value.v.u64);
    case MIGKIT_VALUE_DOUBLE:
        return std::to_string(value.v.f64);
    case MIGKIT_VALUE_BOOL:
        return value.v.b ? "true" : "false";
    case MIGKIT_VALUE_STRING:
        return csvField(value.v.str ? value.v.str : "");
    }
    return "";
}

const char *const kFixedColumns =
    "elapsed_ms,phase,iteration,ram_total_bytes,ram_remaining_bytes,ram_transferred_bytes,"
    "dirty_rate_bytes_per_second,bandwidth_bytes_per_second,expected_downtime_ms,"
    "throttle_percent";

} // namespace

/** CsvLogger: one row per progress sample; the extras of the first sample fix the columns. */
class CsvLogger : public migkit::Policy {
public:
    explicit CsvLogger(const migkit::Settings &settings)
        : path_(settings.get<std::string>("file")),
          out_(path_, settings.get<bool>("append") ? std::ios::app : std::ios::trunc)
    {
        if (!out_)
            throw std::runtime_error("cannot open CSV file '" + path_ +
                                     "': " + std::strerror(errno) +
                                     " (check --set file=PATH and that its folder exists)");
    }

    void onIteration(const migkit::Progress &progress) override
    {
        const migkit::Values extras = progress.extras();
        if (columns_.empty() && !headerWritten_) {
            out_ << kFixedColumns;
            for (size_t i = 0; i < extras.size(); i++) {
                columns_.push_back(extras.at(i).name);
                out_ << ',' << csvField(extras.at(i).name);
            }
            out_ << '\n';
            headerWritten_ = true;
        }
        const migkit_progress &p = progress.raw();
        out_ << p.elapsed_ms << ',' << p.phase << ',' << p.iteration << ',' << p.ram_total_bytes
             << ',' << p.ram_remaining_bytes << ',' << p.ram_transferred_bytes << ','
             << p.dirty_rate_bytes_per_second << ',' << p.bandwidth_bytes_per_second << ','
             << p.expected_downtime_ms << ',' << p.throttle_percent;
        for (const std::string &column : columns_) {
            out_ << ',';
            for (size_t i = 0; i < extras.size(); i++)
                if (column == extras.at(i).name)
                    out_ << valueText(extras.at(i));
        }
        out_ << '\n';
        out_.flush();
        rows_++;
        if (!warnedNewExtras_ && extras.size() > columns_.size()) {
            warnedNewExtras_ = true;
            actions().warning("statistics appeared after the first sample; the CSV keeps the "
                              "columns of the first one");
        }
        if (!out_)
            throw std::runtime_error("writing '" + path_ + "' failed: " + std::strerror(errno));
    }

    void onComplete(const migkit::Outcome &) override { finish(); }
    void onFailure(const migkit::Outcome &) override { finish(); }

private:
    void finish()
    {
        out_.flush();
        actions().info("wrote " + std::to_string(rows_) + " samples to " + path_);
    }

    std::string path_;
    std::ofstream out_;
    std::vector<std::string> columns_;
    bool headerWritten_ = false;
    bool warnedNewExtras_ = false;
    uint64_t rows_ = 0;
};

MIGKIT_POLICY(CsvLogger, "csv-logger", "1.0", "MIT",
              "Writes every progress sample, extras included, to a CSV file",
              migkit::Setting::string("file", nullptr, "CSV file to write"),
              migkit::Setting::boolean("append", "false", "append instead of truncating"))
