/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/libvirt_report.h"

#include "report/report_file.h"
#include "report/report_json.h"
#include "json/writer.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace migkit {

namespace {

std::string utcNow(const char *format)
{
    char text[64];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, format, &tm);
    return text;
}

} // namespace

LibvirtReport::LibvirtReport(const std::string &governor, const std::string &name,
                             const std::string &uuid)
    : libvirt_(json::Value::object()), fileStem_(name + "-" + utcNow("%Y%m%dT%H%M%SZ"))
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    report_.vmName = name;
    report_.sourceAddress = host;
    libvirt_.set("governor", governor);
    libvirt_.set("uuid", uuid);
    libvirt_.set("host", host);
    libvirt_.set("started", utcNow("%Y-%m-%dT%H:%M:%SZ"));
}

void LibvirtReport::noticed(uint64_t elapsedMs, const std::string &how, bool pickedUpAfterRestart)
{
    libvirt_.set("noticed-after-ms", elapsedMs);
    libvirt_.set("noticed-by", how);
    libvirt_.set("picked-up-after-restart", pickedUpAfterRestart);
}

void LibvirtReport::policies(const std::vector<PolicyChain::PluginSummary> &plugins)
{
    report_.plugins.clear();
    for (const auto &plugin : plugins)
        report_.plugins.push_back({plugin.name, plugin.version, plugin.path, plugin.settings});
}

void LibvirtReport::plan(const migkit_plan &plan, const std::vector<std::string> &notes)
{
    report_.plan = plan;
    report_.planNotes.insert(report_.planNotes.end(), notes.begin(), notes.end());
}

void LibvirtReport::sample(const migkit_progress &progress)
{
    SampleRecord record = sampleRecordOf(progress, phaseName(progress.phase));
    /* One sample a pass is what an operator reads; the latest replaces others of its pass. */
    if (!report_.samples.empty() && report_.samples.back().iteration == record.iteration)
        report_.samples.back() = record;
    else
        report_.samples.push_back(record);
}

void LibvirtReport::action(uint64_t atMs, const std::string &plugin, const std::string &kind,
                           const std::string &reason, const std::string &via,
                           const std::string &error)
{
    DecisionRecord record;
    record.elapsedMs = atMs;
    record.plugin = plugin;
    record.action = kind;
    record.detail = via;
    record.reason = reason;
    record.applied = error.empty();
    record.error = error;
    report_.decisions.push_back(record);
}

void LibvirtReport::log(uint64_t atMs, const std::vector<PolicyChain::LogLine> &lines)
{
    for (const auto &line : lines)
        report_.log.push_back({atMs, line.plugin, logLevelName(line.level), line.message});
}

void LibvirtReport::note(const std::string &text)
{
    notes_.push(text);
}

void LibvirtReport::outcome(const migkit_outcome &outcome, json::Value finalStatistics)
{
    report_.phase = outcome.phase;
    report_.status = phaseName(outcome.phase);
    report_.error = outcome.error ? outcome.error : "";
    report_.vmRunningOn = outcome.vm_running_on ? outcome.vm_running_on : "source";
    report_.totalMs = outcome.total_ms;
    report_.downtimeMs = outcome.downtime_ms;
    report_.setupMs = outcome.setup_ms;
    report_.iterations = outcome.iterations;
    report_.transferredBytes = outcome.transferred_bytes;
    if (!report_.samples.empty())
        report_.ramTotalBytes = report_.samples.back().ramTotalBytes;
    if (outcome.total_ms)
        report_.mbps = static_cast<double>(outcome.transferred_bytes) * 8.0 / 1e6 /
                       (static_cast<double>(outcome.total_ms) / 1000.0);
    report_.finalStatistics = std::move(finalStatistics);
    libvirt_.set("finished", utcNow("%Y-%m-%dT%H:%M:%SZ"));
}

json::Value LibvirtReport::json() const
{
    json::Value root = reportToJson(report_);
    json::Value libvirt = libvirt_;
    libvirt.set("notes", notes_);
    root.set("libvirt", std::move(libvirt));
    return root;
}

std::string LibvirtReport::write(const std::string &dir) const
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create the report folder " + dir + ": " + ec.message());
    std::string path = dir + "/" + fileStem_ + "-migration.json";
    writeFile(path);
    return path;
}

void LibvirtReport::writeFile(const std::string &path) const
{
    writeReportText(path, json::serialize(json(), json::WriteStyle::Pretty) + "\n");
}

} // namespace migkit
