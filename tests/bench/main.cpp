/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migkit-bench: stock QEMU 10.0.2 against the migkit-patched QEMU, side by side on the
 * verifiable guest.  See docs/benchmarks.md.
 */
#include "bench_options.h"
#include "bench_run.h"
#include "binary_stamp.h"
#include "calibration.h"
#include "iteration_charts.h"
#include "results_json.h"
#include "results_reader.h"
#include "results_table.h"
#include "scenario.h"
#include "shaped_link.h"
#include "summary.h"
#include "svg_chart.h"
#include "targets.h"

#include "testbed/guest_image.h"
#include "testbed/testbed_error.h"
#include "json/parser.h"
#include "json/writer.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace {

using namespace migkit;
using namespace migkit::bench;

void writeFile(const std::filesystem::path &path, const std::string &text)
{
    std::ofstream file(path, std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
        throw std::runtime_error("cannot write " + path.string() +
                                 ": check that the folder is writable (--output DIR)");
    }
}

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

void requireExecutable(const std::string &what, const std::string &path, const std::string &fix)
{
    if (path.empty() || ::access(path.c_str(), X_OK) != 0) {
        throw UsageError(what + " '" + path + "' is not an executable file: " + fix);
    }
}

std::string runLine(const RunResult &run)
{
    char text[400];
    if (!run.benchError.empty()) {
        return "BENCHMARK ERROR: " + run.benchError;
    }
    std::snprintf(text, sizeof(text),
                  "%s in %.1f s, downtime %llu ms, %.0f MiB sent, %llu iterations, guest lost "
                  "%.1f s of %.1f s, verify %s on the %s",
                  run.converged ? "converged" : "NOT converged", run.totalSeconds,
                  static_cast<unsigned long long>(run.downtimeMs),
                  static_cast<double>(run.bytesSent) / 1048576.0,
                  static_cast<unsigned long long>(run.iterations), run.work.lostSeconds,
                  run.work.windowSeconds, run.verified ? "ok" : "FAILED", run.verifiedOn.c_str());
    std::string line = text;
    if (run.predictedDowntimeMs) {
        line += ", predicted downtime " + std::to_string(*run.predictedDowntimeMs) + " ms";
    }
    return line;
}

/* Summaries, targets, results.json, results.txt, the charts and the table on stdout. */
void writeReport(BenchRecord &record, const std::filesystem::path &output)
{
    record.cells = summarize(record.results);
    record.targets = checkTargets(record.results, record.cells, record.options.downtimeLimitMs);
    writeFile(output / "results.json",
              json::serialize(benchRecordToJson(record), json::WriteStyle::Pretty));
    size_t charts = 0;
    for (const auto &scenario : record.scenarios) {
        for (const auto &[file, chart] :
             iterationCharts(scenario, record.configurations, record.results)) {
            writeFile(output / file, renderSvg(chart));
            ++charts;
        }
    }
    const std::string table =
        formatResultsTable(record.scenarios, record.configurations, record.cells, record.targets);
    writeFile(output / "results.txt", record.command + "\n" + record.startedAt + "\n" + table);
    std::fputs(table.c_str(), stdout);
    std::printf("\nraw numbers: %s; %zu charts and results.txt in %s\n",
                (output / "results.json").c_str(), charts, output.c_str());
}

/* --replot: the report of an earlier run, written again from its results.json. */
int replot(const std::string &folder)
{
    const std::filesystem::path path = std::filesystem::path(folder) / "results.json";
    std::ifstream file(path);
    if (!file) {
        throw UsageError("--replot: cannot read " + path.string() +
                         ": give the output folder of an earlier run");
    }
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    BenchRecord record = benchRecordFromJson(json::parse(text));
    std::printf("%s\n%s\n", record.command.c_str(), record.startedAt.c_str());
    writeReport(record, folder);
    return 0;
}

int runBench(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    BenchOptions defaults;
    defaults.patchedBinary = std::string(MIGKIT_QEMU_BUILD_DIR).empty()
                                 ? std::string()
                                 : std::string(MIGKIT_QEMU_BUILD_DIR) + "/qemu-system-x86_64";
    const BenchOptions options = parseBenchOptions(args, defaults);
    if (options.help) {
        std::fputs(benchUsage(), stdout);
        return 0;
    }
    if (!options.replotDir.empty()) {
        return replot(options.replotDir);
    }
    requireExecutable("--stock", options.stockBinary,
                      "install qemu-system-x86 from bookworm-backports or give --stock PATH");
    requireExecutable("--patched", options.patchedBinary,
                      "build it with qemu-patches/build-qemu.sh (or tests/bench/run-bench) or "
                      "give --patched PATH");
    /* First, while this is the only thread: QEMUs started later inherit the namespace. */
    std::string link = "unshaped loopback";
    if (options.linkBytesPerSecond) {
        link = enterShapedLink(options.linkBytesPerSecond, options.linkRttMs);
    }
    const std::vector<Scenario> scenarios = selectScenarios(options);
    const std::vector<Configuration> configs = configurations(options.patchedPlain);

    BenchRecord record;
    record.command = "migkit-bench";
    for (const auto &arg : args) {
        record.command += " " + arg;
    }
    record.startedAt = utcNow();
    record.options = options;
    record.scenarios = scenarios;
    record.configurations = configs;

    const std::filesystem::path output = options.outputDir;
    std::filesystem::create_directories(output);
    const std::string guestImage = testbed::locateGuestImage();
    record.stockStamp = BinaryStamp::of(options.stockBinary);
    record.patchedStamp = BinaryStamp::of(options.patchedBinary);
    std::printf("migkit-bench %s\nstock:   %s (%s)\npatched: %s (%s)\nguest:   %s\n",
                record.startedAt.c_str(), options.stockBinary.c_str(),
                record.stockStamp.modifiedUtc().c_str(), options.patchedBinary.c_str(),
                record.patchedStamp.modifiedUtc().c_str(), guestImage.c_str());
    std::printf("cap %.1f MiB/s, downtime limit %llu ms, timeout %lld s, %u run(s) each\n",
                static_cast<double>(options.bandwidthBytesPerSecond) / 1048576.0,
                static_cast<unsigned long long>(options.downtimeLimitMs),
                static_cast<long long>(options.timeout.count()), options.runs);
    std::printf("link: %s", link.c_str());
    if (options.switchoverBandwidthBytesPerSecond) {
        std::printf(", avail-switchover-bandwidth %.1f MiB/s",
                    static_cast<double>(options.switchoverBandwidthBytesPerSecond) / 1048576.0);
    }
    std::printf("\n");

    record.calibration = measureUnthrottledRate(options.stockBinary, guestImage, options.ramMiB);
    std::printf("unthrottled guest under TCG (uniform, %llu MiB): %.0f page writes/s = %.0f MiB/s "
                "(%.0fx the cap)\n",
                static_cast<unsigned long long>(options.ramMiB), record.calibration.pagesPerSecond,
                record.calibration.bytesPerSecond / 1048576.0,
                record.calibration.bytesPerSecond /
                    static_cast<double>(options.bandwidthBytesPerSecond));
    for (const auto &scenario : scenarios) {
        if (static_cast<double>(scenario.guest.ratePagesPerSecond) * 2 >
            record.calibration.pagesPerSecond) {
            std::fprintf(stderr,
                         "migkit-bench: warning: scenario (%s) asks for %llu pages/s, more than "
                         "half of what the guest manages unthrottled: lower --bandwidth\n",
                         scenario.key.c_str(),
                         static_cast<unsigned long long>(scenario.guest.ratePagesPerSecond));
        }
    }
    std::fflush(stdout);

    const std::string planPolicy = MIGKIT_BENCH_PLAN_POLICY;
    const size_t total = options.runs * scenarios.size() * configs.size();
    size_t benchErrors = 0;
    for (unsigned run = 1; run <= options.runs; ++run) {
        for (const auto &scenario : scenarios) {
            for (const auto &configuration : configs) {
                RunSpec spec;
                spec.scenario = scenario;
                spec.configuration = configuration;
                spec.run = run;
                spec.binary = configuration.qemu == QemuKind::Stock ? options.stockBinary
                                                                    : options.patchedBinary;
                spec.guestImage = guestImage;
                spec.planPolicy = planPolicy;
                spec.bandwidthBytesPerSecond = options.bandwidthBytesPerSecond;
                spec.switchoverBandwidthBytesPerSecond = options.switchoverBandwidthBytesPerSecond;
                spec.downtimeLimitMs = options.downtimeLimitMs;
                spec.timeout = options.timeout;
                std::printf("[%2zu/%zu] (%s) %-10s %-20s run %u: ", record.results.size() + 1,
                            total, scenario.key.c_str(), scenario.name.c_str(),
                            configuration.name.c_str(), run);
                std::fflush(stdout);
                const BinaryStamp &expected =
                    configuration.qemu == QemuKind::Stock ? record.stockStamp : record.patchedStamp;
                if (BinaryStamp::of(spec.binary) == expected) {
                    record.results.push_back(runBenchMigration(spec));
                } else {
                    /* Not run: its numbers would belong to another build than the others. */
                    RunResult skipped;
                    skipped.scenario = scenario.name;
                    skipped.configuration = configuration.name;
                    skipped.run = run;
                    skipped.binary = spec.binary;
                    skipped.benchError = spec.binary + " changed since the benchmark started "
                                                       "(rebuilt?): run not done";
                    record.results.push_back(skipped);
                }
                const RunResult &result = record.results.back();
                std::printf("%s\n", runLine(result).c_str());
                if (!result.benchError.empty()) {
                    ++benchErrors;
                    std::fprintf(stderr, "migkit-bench: BENCHMARK ERROR in (%s) %s run %u: %s\n",
                                 scenario.key.c_str(), configuration.name.c_str(), run,
                                 result.benchError.c_str());
                }
                std::fflush(stdout);
                /* Written after every run, so that an interrupted benchmark keeps its data. */
                writeFile(output / "results.json",
                          json::serialize(benchRecordToJson(record), json::WriteStyle::Pretty));
            }
        }
    }

    writeReport(record, output);
    if (benchErrors) {
        std::fprintf(stderr,
                     "migkit-bench: %zu BENCHMARK ERROR(S): see the lines above and the "
                     "bench-error fields in results.json\n",
                     benchErrors);
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    try {
        return runBench(argc, argv);
    } catch (const UsageError &e) {
        std::fprintf(stderr, "migkit-bench: error: %s\n", e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "migkit-bench: error: %s\n", e.what());
        return 1;
    }
}
