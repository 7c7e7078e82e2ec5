/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report/migration_report.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "json/parser.h"
#include "json/writer.h"

#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using namespace migkit;

namespace {

const char completedReply[] = R"({"status": "completed", "setup-time": 12, "downtime": 87,
  "total-time": 5321, "cpu-throttle-percentage": 20,
  "ram": {"transferred": 300000000, "total": 268435456, "dirty-sync-count": 6, "mbps": 451.5,
          "remaining": 0}})";

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

MigrationReport sampleReport()
{
    MigrationReport report;
    report.sourceAddress = "unix:/run/src.sock";
    report.destinationAddress = "unix:/run/dst.sock";
    report.vmName = "vm1";
    report.phase = MIGKIT_PHASE_COMPLETED;
    report.vmRunningOn = "destination";
    report.plugins.push_back({"default", "0.1.0", "/x.so", {{"max-downtime-ms", "500"}}});
    report.decisions.push_back(
        {1500, "default", "set-downtime-limit", "downtime-limit=100 ms", "ramp step 2", true, ""});
    report.decisions.push_back({2500, "default", "set-parameter", "bogus=1", "try", false,
                                "Parameter 'bogus' is unexpected"});
    report.samples.push_back(
        {100, "active", 1, 268435456, 200000000, 68435456, 0, 90000000, 300, 0});
    applyFinalStatistics(report, json::parse(completedReply));
    return report;
}

} // namespace

TEST_GROUP(Report){};

TEST(Report, FinalFiguresComeFromQueryMigrate)
{
    const MigrationReport report = sampleReport();
    STRCMP_EQUAL("completed", report.status.c_str());
    UNSIGNED_LONGLONGS_EQUAL(5321, report.totalMs);
    UNSIGNED_LONGLONGS_EQUAL(87, report.downtimeMs);
    UNSIGNED_LONGLONGS_EQUAL(12, report.setupMs);
    UNSIGNED_LONGLONGS_EQUAL(300000000, report.transferredBytes);
    UNSIGNED_LONGLONGS_EQUAL(268435456, report.ramTotalBytes);
    UNSIGNED_LONGLONGS_EQUAL(6, report.iterations);
    UNSIGNED_LONGLONGS_EQUAL(20, report.finalThrottlePercent);
    DOUBLES_EQUAL(451.5, report.mbps, 0);
    CHECK(report.finalStatistics == json::parse(completedReply));
}

TEST(Report, MissingFiguresStayZero)
{
    MigrationReport report;
    applyFinalStatistics(report, json::parse(R"({"status": "failed", "error-desc": "x"})"));
    STRCMP_EQUAL("failed", report.status.c_str());
    UNSIGNED_LONGLONGS_EQUAL(0, report.totalMs);
    UNSIGNED_LONGLONGS_EQUAL(0, report.transferredBytes);
}

TEST(Report, JsonHoldsOutcomeFiguresDecisionsAndQemuNumbers)
{
    const json::Value j = json::parse(json::serialize(reportToJson(sampleReport())));
    STRCMP_EQUAL("completed", j.at("outcome").at("phase").asString().c_str());
    CHECK(j.at("outcome").at("error").isNull());
    STRCMP_EQUAL("destination", j.at("outcome").at("vm-running-on").asString().c_str());
    UNSIGNED_LONGLONGS_EQUAL(87, j.at("figures").at("downtime-ms").asUint64());
    UNSIGNED_LONGLONGS_EQUAL(5321, j.at("figures").at("total-time-ms").asUint64());
    UNSIGNED_LONGLONGS_EQUAL(300000000, j.at("figures").at("transferred-bytes").asUint64());
    UNSIGNED_LONGLONGS_EQUAL(6, j.at("figures").at("iterations").asUint64());
    const auto &decisions = j.at("decisions").asArray();
    LONGS_EQUAL(2, decisions.size());
    UNSIGNED_LONGLONGS_EQUAL(1500, decisions[0].at("elapsed-ms").asUint64());
    STRCMP_EQUAL("default", decisions[0].at("plugin").asString().c_str());
    STRCMP_EQUAL("ramp step 2", decisions[0].at("reason").asString().c_str());
    CHECK_FALSE(decisions[1].at("applied").asBool());
    CHECK(contains(decisions[1].at("error").asString(), "bogus"));
    LONGS_EQUAL(1, j.at("samples").size());
    UNSIGNED_LONGLONGS_EQUAL(5321, j.at("qemu-final-statistics").at("total-time").asUint64());
    STRCMP_EQUAL(
        "500",
        j.at("plugins").asArray()[0].at("settings").at("max-downtime-ms").asString().c_str());
}

TEST(Report, TextSummarySaysWhatHappened)
{
    const std::string text = reportToText(sampleReport());
    CHECK(contains(text, "Migration completed (VM vm1)"));
    CHECK(contains(text, "VM runs on:           destination"));
    CHECK(contains(text, "5.321 s"));
    CHECK(contains(text, "87 ms"));
    CHECK(contains(text, "iterations:           6"));
    CHECK(
        contains(text, "1.500 s  default: set-downtime-limit downtime-limit=100 ms (ramp step 2)"));
    CHECK(contains(text, "[not applied: Parameter 'bogus' is unexpected]"));
}

TEST(Report, FailureNamesTheError)
{
    MigrationReport report;
    report.phase = MIGKIT_PHASE_FAILED;
    report.error = "the destination QEMU went away";
    const std::string text = reportToText(report);
    CHECK(contains(text, "Migration failed"));
    CHECK(contains(text, "error:                the destination QEMU went away"));
    CHECK(contains(text, "VM runs on:           source"));
}

TEST(Report, FormatBytes)
{
    STRCMP_EQUAL("512 B", formatBytes(512).c_str());
    STRCMP_EQUAL("1.50 KiB", formatBytes(1536).c_str());
    STRCMP_EQUAL("256.0 MiB", formatBytes(256ULL << 20).c_str());
    STRCMP_EQUAL("2.00 GiB", formatBytes(2ULL << 30).c_str());
}
