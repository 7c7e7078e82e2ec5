/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of migkit-bench's pure logic: options, scenarios, summaries, targets, charts. */
#include "bench_options.h"
#include "iteration_charts.h"
#include "results_json.h"
#include "results_reader.h"
#include "scenario.h"
#include "summary.h"
#include "svg_chart.h"
#include "targets.h"

#include "json/parser.h"
#include "json/writer.h"

#include <string>
#include <vector>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using namespace migkit;
using namespace migkit::bench;

namespace {

BenchOptions parse(const std::vector<std::string> &args)
{
    return parseBenchOptions(args, BenchOptions{});
}

RunResult makeRun(const std::string &scenario, const std::string &configuration, bool converged,
                  double totalSeconds, uint64_t bytes, double lostSeconds, uint64_t downtimeMs = 10)
{
    RunResult result;
    result.scenario = scenario;
    result.configuration = configuration;
    result.run = 1;
    result.converged = converged;
    result.totalSeconds = totalSeconds;
    result.bytesSent = bytes;
    result.work.lostSeconds = lostSeconds;
    result.downtimeMs = converged ? downtimeMs : 0;
    return result;
}

SampleRecord sample(uint64_t iteration, const char *status, uint64_t remaining, uint32_t throttle)
{
    SampleRecord record;
    record.iteration = iteration;
    record.status = status;
    record.ramRemainingBytes = remaining;
    record.throttlePercent = throttle;
    return record;
}

const TargetCheck &target(const std::vector<TargetCheck> &checks, const std::string &prefix)
{
    for (const auto &check : checks) {
        if (check.name.rfind(prefix, 0) == 0) {
            return check;
        }
    }
    FAIL(("no target named " + prefix).c_str());
    return checks.front();
}

} // namespace

TEST_GROUP(BenchOptions){};

TEST(BenchOptions, Defaults)
{
    const BenchOptions options = parse({});
    LONGS_EQUAL(3, options.runs);
    CHECK(options.bandwidthBytesPerSecond == (32ULL << 20));
    LONGS_EQUAL(300, options.downtimeLimitMs);
    STRCMP_EQUAL("bench-results", options.outputDir.c_str());
    CHECK_FALSE(options.patchedPlain);
}

TEST(BenchOptions, ValuesSeparateOrInline)
{
    const BenchOptions options =
        parse({"--quick", "--bandwidth=48M", "--timeout", "60", "--scenario", "a",
               "--scenario=hotspot", "--patched-plain", "--output", "out"});
    LONGS_EQUAL(1, options.runs);
    CHECK(options.bandwidthBytesPerSecond == (48ULL << 20));
    LONGS_EQUAL(60, options.timeout.count());
    LONGS_EQUAL(2, options.scenarios.size());
    CHECK(options.patchedPlain);
    STRCMP_EQUAL("out", options.outputDir.c_str());
}

TEST(BenchOptions, RefusesBadInput)
{
    CHECK_THROWS(UsageError, parse({"--runs", "0"}));
    CHECK_THROWS(UsageError, parse({"--runs", "-1"}));
    CHECK_THROWS(UsageError, parse({"--bogus"}));
    CHECK_THROWS(UsageError, parse({"--timeout"}));
    CHECK_THROWS(UsageError, parse({"--quick=1"}));
    CHECK_THROWS(UsageError, parse({"--bandwidth", "fast"}));
    CHECK_THROWS(UsageError, parse({"--ram", "64M"}));
    CHECK_THROWS(UsageError, parse({"--working-set", "120M"}));
    CHECK_THROWS(UsageError, parse({"stray"}));
}

TEST(BenchOptions, ShapedLink)
{
    const BenchOptions plain = parse({});
    CHECK(plain.linkBytesPerSecond == 0);
    CHECK(plain.switchoverBandwidthBytesPerSecond == 0);
    const BenchOptions options =
        parse({"--link", "32M", "--link-rtt=150", "--switchover-bandwidth", "30M"});
    CHECK(options.linkBytesPerSecond == (32ULL << 20));
    LONGS_EQUAL(150, options.linkRttMs);
    CHECK(options.switchoverBandwidthBytesPerSecond == (30ULL << 20));
    CHECK_THROWS(UsageError, parse({"--link", "100K"}));
    CHECK_THROWS(UsageError, parse({"--switchover-bandwidth", "fast"}));
    try {
        parse({"--link-rtt", "150"});
        FAIL("no error");
    } catch (const UsageError &e) {
        CHECK(std::string(e.what()).find("--link RATE") != std::string::npos);
    }
}

TEST(BenchOptions, UnknownScenarioNamed)
{
    BenchOptions options = parse({"--scenario", "nope"});
    try {
        selectScenarios(options);
        FAIL("no error");
    } catch (const UsageError &e) {
        CHECK(std::string(e.what()).find("'nope'") != std::string::npos);
    }
}

TEST_GROUP(Scenarios){};

TEST(Scenarios, RatesFollowTheCap)
{
    const std::vector<Scenario> scenarios = standardScenarios(parse({"--bandwidth", "16M"}));
    LONGS_EQUAL(4, scenarios.size());
    /* 16 MiB/s = 4096 pages/s. */
    CHECK(scenarios[0].guest.ratePagesPerSecond == 3 * 4096);
    CHECK(scenarios[0].guest.pattern == testbed::WritePattern::Uniform);
    CHECK(scenarios[1].guest.pattern == testbed::WritePattern::Hotspot);
    CHECK(scenarios[2].guest.ratePagesPerSecond == 4096 / 3);
    CHECK(scenarios[3].guest.pattern == testbed::WritePattern::Sequential);
    CHECK(scenarios[3].guest.ratePagesPerSecond == 2 * 4096);
}

TEST(Scenarios, SelectedByKeyOrNameInStandardOrder)
{
    const std::vector<Scenario> chosen =
        selectScenarios(parse({"--scenario", "sequential", "--scenario", "a"}));
    LONGS_EQUAL(2, chosen.size());
    STRCMP_EQUAL("uniform", chosen[0].name.c_str());
    STRCMP_EQUAL("sequential", chosen[1].name.c_str());
}

TEST(Scenarios, ConfigurationsAlternateBinaries)
{
    const std::vector<Configuration> list = configurations(true);
    LONGS_EQUAL(4, list.size());
    for (size_t i = 0; i < list.size(); ++i) {
        CHECK((list[i].qemu == QemuKind::Stock) == (i % 2 == 0));
    }
    STRCMP_EQUAL(kPatchedHeat, list[1].name.c_str());
    CHECK(list[1].dirtyHeat);
    STRCMP_EQUAL("predictive", list[1].autoConverge.c_str());
    STRCMP_EQUAL("classic", list[2].autoConverge.c_str());
}

TEST_GROUP(Summary){};

TEST(Summary, SpreadMedianMinMax)
{
    const Spread odd = spreadOf({5, 1, 3});
    DOUBLES_EQUAL(3, odd.median, 1e-9);
    DOUBLES_EQUAL(1, odd.min, 1e-9);
    DOUBLES_EQUAL(5, odd.max, 1e-9);
    DOUBLES_EQUAL(2.5, spreadOf({4, 1, 2, 3}).median, 1e-9);
    LONGS_EQUAL(0, spreadOf({}).count);
}

TEST(Summary, DowntimeOverConvergedRunsOnlyAndErrorsApart)
{
    std::vector<RunResult> results = {makeRun("uniform", kStockPlain, false, 40, 100, 1),
                                      makeRun("uniform", kStockPlain, true, 20, 50, 1, 30),
                                      makeRun("uniform", kStockPlain, true, 10, 60, 1, 10)};
    RunResult broken = makeRun("uniform", kStockPlain, true, 1, 1, 1);
    broken.benchError = "verify failed";
    results.push_back(broken);
    const std::vector<CellSummary> cells = summarize(results);
    LONGS_EQUAL(1, cells.size());
    LONGS_EQUAL(3, cells[0].runs);
    LONGS_EQUAL(2, cells[0].converged);
    LONGS_EQUAL(1, cells[0].benchErrors);
    DOUBLES_EQUAL(20, cells[0].totalSeconds.median, 1e-9);
    DOUBLES_EQUAL(20, cells[0].downtimeMs.median, 1e-9);
    LONGS_EQUAL(2, cells[0].downtimeMs.count);
}

TEST_GROUP(Targets){};

TEST(Targets, PassAndMiss)
{
    std::vector<RunResult> results = {
        makeRun("uniform", kStockPlain, false, 40, 1000, 0),
        makeRun("uniform", kPatchedHeat, true, 5, 150, 2, 350),
        makeRun("uniform", kStockAutoConverge, true, 25, 800, 3),
        makeRun("hotspot", kStockPlain, true, 10, 400, 0),
        makeRun("hotspot", kPatchedHeat, true, 8, 300, 0),
        makeRun("hotspot", kStockAutoConverge, true, 9, 400, 0),
    };
    results[1].predictedDowntimeMs = 300; /* within 20 % of 350 */
    results[4].predictedDowntimeMs = 20;  /* 100 % off of 10 */
    const std::vector<CellSummary> cells = summarize(results);
    const std::vector<TargetCheck> checks = checkTargets(results, cells, 300);
    CHECK(target(checks, "converges").pass);
    CHECK(target(checks, "(a) total time").pass);
    CHECK_FALSE(target(checks, "(a) guest work lost").pass); /* 2 > 0.5 x 3 */
    CHECK_FALSE(target(checks, "(b) bytes").pass);           /* 300 > 0.7 x 400 */
    CHECK_FALSE(target(checks, "downtime").pass);            /* 350 ms > 300 ms */
    const TargetCheck &prediction = target(checks, "predicted");
    CHECK_FALSE(prediction.pass);
    CHECK(prediction.detail.find("hotspot") != std::string::npos);
    CHECK(prediction.detail.find("uniform") == std::string::npos);
    STRCMP_CONTAINS("1 of 2 patched runs with a prediction within 20%", prediction.detail.c_str());
    STRCMP_CONTAINS("max 100%", prediction.detail.c_str());
}

TEST(Targets, PatchedNotConvergingMisses)
{
    const std::vector<RunResult> results = {makeRun("uniform", kStockPlain, false, 40, 1000, 0),
                                            makeRun("uniform", kPatchedHeat, false, 40, 900, 0)};
    const std::vector<CellSummary> cells = summarize(results);
    CHECK_FALSE(target(checkTargets(results, cells, 300), "converges").pass);
}

TEST_GROUP(Charts){};

TEST(Charts, NiceCeiling)
{
    DOUBLES_EQUAL(1, niceCeiling(0), 1e-9);
    DOUBLES_EQUAL(5, niceCeiling(3), 1e-9);
    DOUBLES_EQUAL(50, niceCeiling(21.4), 1e-9);
    DOUBLES_EQUAL(100, niceCeiling(100), 1e-9);
    DOUBLES_EQUAL(0.2, niceCeiling(0.15), 1e-9);
}

TEST(Charts, PerIterationKeepsPreCopyPasses)
{
    const std::vector<SampleRecord> samples = {
        sample(0, "setup", 0, 0),    sample(1, "active", 100, 0), sample(1, "active", 80, 0),
        sample(2, "active", 60, 20), sample(2, "active", 40, 30), sample(3, "completed", 0, 0)};
    const std::vector<IterationFigures> passes = perIteration(samples);
    LONGS_EQUAL(2, passes.size());
    CHECK(passes[0].remainingBytes == 100);
    CHECK(passes[1].remainingBytes == 60);
    LONGS_EQUAL(30, passes[1].throttlePercent);
}

TEST(Charts, SvgHasOneLinePerSeriesWithPointsAndEscapes)
{
    LineChart chart;
    chart.title = "a <b> & c";
    chart.series.push_back({"one", "#000", false, {{1, 2}, {2, 3}}});
    chart.series.push_back({"two", "#111", true, {}});
    const std::string svg = renderSvg(chart);
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("a &lt;b&gt; &amp; c") != std::string::npos);
    size_t polylines = 0;
    for (size_t at = svg.find("<polyline"); at != std::string::npos;
         at = svg.find("<polyline", at + 1)) {
        ++polylines;
    }
    LONGS_EQUAL(1, polylines);
    CHECK(svg.find("</svg>") != std::string::npos);
}

TEST(Charts, EmptyChartSaysNoData)
{
    CHECK(renderSvg(LineChart{}).find("no data") != std::string::npos);
}

TEST_GROUP(ResultsJson){};

TEST(ResultsJson, ReadsBackWhatItWrites)
{
    BenchRecord record;
    record.command = "migkit-bench --quick";
    record.startedAt = "2026-11-26T09:00:00Z";
    record.options.runs = 1;
    record.options.downtimeLimitMs = 250;
    record.options.linkBytesPerSecond = 32ULL << 20;
    record.options.linkRttMs = 150;
    record.options.switchoverBandwidthBytesPerSecond = 30ULL << 20;
    record.scenarios = standardScenarios(record.options);
    record.configurations = configurations(false);
    RunResult converged = makeRun("uniform", kPatchedHeat, true, 4.5, 1234, 0.5, 12);
    converged.predictedDowntimeMs = 20;
    converged.guestStopMs = 15.5;
    converged.samples = {sample(1, "active", 100, 0), sample(2, "active", 50, 60)};
    record.results = {converged, makeRun("uniform", kStockPlain, false, 40, 999, 0.1)};

    const BenchRecord back =
        benchRecordFromJson(json::parse(json::serialize(benchRecordToJson(record))));
    STRCMP_EQUAL(record.command.c_str(), back.command.c_str());
    LONGS_EQUAL(250, back.options.downtimeLimitMs);
    CHECK(back.options.linkBytesPerSecond == (32ULL << 20));
    LONGS_EQUAL(150, back.options.linkRttMs);
    CHECK(back.options.switchoverBandwidthBytesPerSecond == (30ULL << 20));
    LONGS_EQUAL(record.scenarios.size(), back.scenarios.size());
    CHECK(back.scenarios[1].guest == record.scenarios[1].guest);
    LONGS_EQUAL(3, back.configurations.size());
    CHECK(back.configurations[1].dirtyHeat);
    LONGS_EQUAL(2, back.results.size());
    const RunResult &run = back.results[0];
    CHECK(run.converged);
    DOUBLES_EQUAL(4.5, run.totalSeconds, 1e-9);
    CHECK(run.bytesSent == 1234);
    CHECK(run.predictedDowntimeMs == std::optional<uint64_t>(20));
    DOUBLES_EQUAL(15.5, *run.guestStopMs, 1e-9);
    LONGS_EQUAL(2, run.samples.size());
    LONGS_EQUAL(60, run.samples[1].throttlePercent);
    CHECK_FALSE(back.results[1].predictedDowntimeMs.has_value());
}

TEST(ResultsJson, MissingMemberNamed)
{
    try {
        benchRecordFromJson(json::parse("{\"options\": {}}"));
        FAIL("no error");
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()).find("'runs'") != std::string::npos);
    }
}
