/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "results_table.h"

#include <cstdio>

namespace migkit::bench {

namespace {

std::string formatNumbers(const char *pattern, double a, double b = 0, double c = 0)
{
    char text[128];
    std::snprintf(text, sizeof(text), pattern, a, b, c);
    return text;
}

/* "12.3 [10.1-14.0]" with @scale applied, or "-" without values. */
std::string spreadText(const Spread &spread, double scale, const char *number)
{
    if (spread.count == 0) {
        return "-";
    }
    const std::string pattern = std::string(number) + " [" + number + "-" + number + "]";
    if (spread.count == 1) {
        return formatNumbers(number, spread.median * scale);
    }
    return formatNumbers(pattern.c_str(), spread.median * scale, spread.min * scale,
                         spread.max * scale);
}

std::string pad(const std::string &text, size_t width)
{
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string ratioText(const CellSummary &patched, const CellSummary &stock,
                      Spread CellSummary::*figure)
{
    const Spread &p = patched.*figure;
    const Spread &s = stock.*figure;
    if (p.count == 0 || s.count == 0 || s.median <= 0) {
        return "-";
    }
    return formatNumbers("%.2f", p.median / s.median);
}

} // namespace

std::string formatResultsTable(const std::vector<Scenario> &scenarios,
                               const std::vector<Configuration> &configurations,
                               const std::vector<CellSummary> &cells,
                               const std::vector<TargetCheck> &targets)
{
    const std::vector<std::pair<std::string, size_t>> columns = {
        {"configuration", 31}, {"conv", 6},    {"total s", 20}, {"downtime ms", 18},
        {"sent MiB", 20},      {"iter", 12},   {"lost s", 20},  {"pred ms", 14},
        {"exp ms", 14},        {"stop ms", 14}};
    std::string out;
    for (const auto &scenario : scenarios) {
        out += "\n(" + scenario.key + ") " + scenario.name + ": " + scenario.description + ", " +
               std::to_string(scenario.ramMiB) +
               " MiB RAM, guest: " + scenario.guest.toCommandLine() + "\n";
        for (const auto &[title, width] : columns) {
            out += pad(title, width);
        }
        out += "\n";
        for (const auto &configuration : configurations) {
            const CellSummary *cell = findCell(cells, scenario.name, configuration.name);
            if (!cell) {
                continue;
            }
            std::string conv = std::to_string(cell->converged) + "/" + std::to_string(cell->runs);
            if (cell->benchErrors) {
                conv += "!" + std::to_string(cell->benchErrors);
            }
            const std::vector<std::string> row = {
                configuration.label,
                conv,
                spreadText(cell->totalSeconds, 1, "%.1f"),
                spreadText(cell->downtimeMs, 1, "%.0f"),
                spreadText(cell->bytesSent, 1.0 / (1 << 20), "%.0f"),
                spreadText(cell->iterations, 1, "%.0f"),
                spreadText(cell->lostSeconds, 1, "%.1f"),
                spreadText(cell->predictedDowntimeMs, 1, "%.0f"),
                spreadText(cell->expectedDowntimeMs, 1, "%.0f"),
                spreadText(cell->guestStopMs, 1, "%.0f")};
            for (size_t i = 0; i < row.size(); ++i) {
                out += pad(row[i], columns[i].second);
            }
            out += "\n";
        }
    }

    out += "\nRatios patched (heat+defer+predictive) / stock auto-converge, medians:\n";
    out += pad("scenario", 14) + pad("total", 8) + pad("downtime", 10) + pad("sent", 8) +
           pad("iter", 8) + pad("lost", 8) + "\n";
    for (const auto &scenario : scenarios) {
        const CellSummary *p = findCell(cells, scenario.name, kPatchedHeat);
        const CellSummary *s = findCell(cells, scenario.name, kStockAutoConverge);
        if (!p || !s) {
            continue;
        }
        out += pad("(" + scenario.key + ") " + scenario.name, 14) +
               pad(ratioText(*p, *s, &CellSummary::totalSeconds), 8) +
               pad(ratioText(*p, *s, &CellSummary::downtimeMs), 10) +
               pad(ratioText(*p, *s, &CellSummary::bytesSent), 8) +
               pad(ratioText(*p, *s, &CellSummary::iterations), 8) +
               pad(ratioText(*p, *s, &CellSummary::lostSeconds), 8) + "\n";
    }

    out += "\nTargets (a report, not a pass/fail test):\n";
    for (const auto &target : targets) {
        out += std::string(target.pass ? "  PASS  " : "  MISS  ") + target.name + ": " +
               target.detail + "\n";
    }
    return out;
}

} // namespace migkit::bench
