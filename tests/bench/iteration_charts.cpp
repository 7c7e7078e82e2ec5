/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "iteration_charts.h"

#include <algorithm>
#include <functional>

namespace migkit::bench {

namespace {

/* Stock in blues, patched in reds; plain pre-copy dashed. */
void styleFor(const Configuration &configuration, ChartSeries &series)
{
    if (configuration.name == kStockPlain) {
        series.color = "#1f77b4";
        series.dashed = true;
    } else if (configuration.name == kStockAutoConverge) {
        series.color = "#17becf";
    } else if (configuration.name == kPatchedHeat) {
        series.color = "#d62728";
    } else {
        series.color = "#ff7f0e";
        series.dashed = true;
    }
}

} // namespace

std::vector<IterationFigures> perIteration(const std::vector<SampleRecord> &samples)
{
    std::vector<IterationFigures> passes;
    for (const auto &sample : samples) {
        /* Pre-copy passes only: the final sample (completed, cancelled) has no pass. */
        if (sample.iteration == 0 || sample.status != "active") {
            continue;
        }
        if (passes.empty() || passes.back().iteration != sample.iteration) {
            passes.push_back({sample.iteration, 0, 0, 0});
        }
        IterationFigures &pass = passes.back();
        pass.remainingBytes = std::max(pass.remainingBytes, sample.ramRemainingBytes);
        pass.dirtyRateBytesPerSecond = sample.dirtyRateBytesPerSecond;
        pass.throttlePercent = sample.throttlePercent;
    }
    return passes;
}

const RunResult *representativeRun(const std::vector<RunResult> &results,
                                   const std::string &scenario, const std::string &configuration)
{
    std::vector<const RunResult *> runs;
    for (const auto &run : results) {
        if (run.scenario == scenario && run.configuration == configuration &&
            run.benchError.empty()) {
            runs.push_back(&run);
        }
    }
    if (runs.empty()) {
        return nullptr;
    }
    std::sort(runs.begin(), runs.end(), [](const RunResult *a, const RunResult *b) {
        return a->totalSeconds < b->totalSeconds;
    });
    return runs[(runs.size() - 1) / 2];
}

std::vector<std::pair<std::string, LineChart>>
iterationCharts(const Scenario &scenario, const std::vector<Configuration> &configurations,
                const std::vector<RunResult> &results)
{
    struct Metric {
        std::string file, title, unit;
        std::function<double(const IterationFigures &)> value;
    };
    const std::vector<Metric> metrics = {
        {"remaining", "RAM remaining at the start of each pass", "MiB",
         [](const IterationFigures &f) {
             return f.remainingBytes / 1048576.0;
         }},
        {"dirty-rate", "dirty rate", "MiB/s",
         [](const IterationFigures &f) {
             return f.dirtyRateBytesPerSecond / 1048576.0;
         }},
        {"throttle", "vCPU throttle", "%",
         [](const IterationFigures &f) {
             return static_cast<double>(f.throttlePercent);
         }},
    };
    std::vector<std::pair<std::string, LineChart>> charts;
    for (const auto &metric : metrics) {
        LineChart chart;
        chart.title = "(" + scenario.key + ") " + scenario.name + ": " + metric.title;
        chart.xLabel = "iteration (dirty bitmap sync)";
        chart.yLabel = metric.title + " (" + metric.unit + ")";
        for (const auto &configuration : configurations) {
            const RunResult *run = representativeRun(results, scenario.name, configuration.name);
            if (!run) {
                continue;
            }
            ChartSeries series;
            series.label = configuration.label + (run->converged ? "" : " (no conv.)");
            styleFor(configuration, series);
            for (const auto &pass : perIteration(run->samples)) {
                series.points.emplace_back(static_cast<double>(pass.iteration), metric.value(pass));
            }
            chart.series.push_back(series);
        }
        charts.emplace_back(scenario.key + "-" + scenario.name + "-" + metric.file + ".svg", chart);
    }
    return charts;
}

} // namespace migkit::bench
