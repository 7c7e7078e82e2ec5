/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "summary.h"

#include <algorithm>

namespace migkit::bench {

Spread spreadOf(std::vector<double> values)
{
    Spread spread;
    spread.count = values.size();
    if (values.empty()) {
        return spread;
    }
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    spread.median = values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    spread.min = values.front();
    spread.max = values.back();
    return spread;
}

std::vector<CellSummary> summarize(const std::vector<RunResult> &results)
{
    std::vector<CellSummary> cells;
    for (const auto &first : results) {
        if (findCell(cells, first.scenario, first.configuration)) {
            continue;
        }
        CellSummary cell;
        cell.scenario = first.scenario;
        cell.configuration = first.configuration;
        std::vector<double> total, bytes, iterations, lost, downtime, predicted, expected, stop;
        for (const auto &run : results) {
            if (run.scenario != cell.scenario || run.configuration != cell.configuration) {
                continue;
            }
            if (!run.benchError.empty()) {
                ++cell.benchErrors;
                continue;
            }
            ++cell.runs;
            total.push_back(run.totalSeconds);
            bytes.push_back(static_cast<double>(run.bytesSent));
            iterations.push_back(static_cast<double>(run.iterations));
            lost.push_back(run.work.lostSeconds);
            if (!run.converged) {
                continue;
            }
            ++cell.converged;
            downtime.push_back(static_cast<double>(run.downtimeMs));
            if (run.predictedDowntimeMs) {
                predicted.push_back(static_cast<double>(*run.predictedDowntimeMs));
            }
            if (run.expectedDowntimeMs) {
                expected.push_back(static_cast<double>(*run.expectedDowntimeMs));
            }
            if (run.guestStopMs) {
                stop.push_back(*run.guestStopMs);
            }
        }
        cell.totalSeconds = spreadOf(total);
        cell.bytesSent = spreadOf(bytes);
        cell.iterations = spreadOf(iterations);
        cell.lostSeconds = spreadOf(lost);
        cell.downtimeMs = spreadOf(downtime);
        cell.predictedDowntimeMs = spreadOf(predicted);
        cell.expectedDowntimeMs = spreadOf(expected);
        cell.guestStopMs = spreadOf(stop);
        cells.push_back(cell);
    }
    return cells;
}

const CellSummary *findCell(const std::vector<CellSummary> &cells, const std::string &scenario,
                            const std::string &configuration)
{
    for (const auto &cell : cells) {
        if (cell.scenario == scenario && cell.configuration == configuration) {
            return &cell;
        }
    }
    return nullptr;
}

} // namespace migkit::bench
