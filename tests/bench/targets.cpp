/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "targets.h"

#include "scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace migkit::bench {

namespace {

std::string format(const char *pattern, double a, double b, double c)
{
    char text[200];
    std::snprintf(text, sizeof(text), pattern, a, b, c);
    return text;
}

/* patched <= factor x stock on the medians, both cells complete. */
TargetCheck ratioTarget(const std::string &name, const CellSummary &patched,
                        const CellSummary &stock, Spread CellSummary::*figure, double factor,
                        const char *unit, double scale = 1)
{
    TargetCheck check;
    check.name = name;
    if (patched.runs == 0 || stock.runs == 0) {
        check.detail = "no runs to compare (benchmark errors)";
        return check;
    }
    const double p = (patched.*figure).median * scale;
    const double s = (stock.*figure).median * scale;
    check.pass = patched.allConverged() && p <= factor * s;
    check.detail =
        format("patched %.2f vs stock auto-converge %.2f (limit %.2f)", p, s, factor * s) + " " +
        unit;
    if (s > 0) {
        check.detail += format(", ratio %.2f", p / s, 0, 0);
    }
    if (!patched.allConverged()) {
        check.detail += "; patched did not converge in every run";
    }
    if (!stock.allConverged()) {
        check.detail += "; stock auto-converge did not converge in every run (its figures run "
                        "to the cancel)";
    }
    return check;
}

} // namespace

std::vector<TargetCheck> checkTargets(const std::vector<RunResult> &results,
                                      const std::vector<CellSummary> &cells,
                                      uint64_t downtimeLimitMs)
{
    std::vector<TargetCheck> checks;

    TargetCheck converges{"converges wherever stock pre-copy does not", true, ""};
    size_t hardScenarios = 0;
    for (const auto &cell : cells) {
        if (cell.configuration != kStockPlain || cell.allConverged()) {
            continue;
        }
        ++hardScenarios;
        const CellSummary *patched = findCell(cells, cell.scenario, kPatchedHeat);
        const bool ok = patched && patched->allConverged();
        converges.pass = converges.pass && ok;
        converges.detail +=
            (converges.detail.empty() ? "" : "; ") + cell.scenario + ": stock " +
            std::to_string(cell.converged) + "/" + std::to_string(cell.runs) + ", patched " +
            (patched ? std::to_string(patched->converged) + "/" + std::to_string(patched->runs)
                     : std::string("not run"));
    }
    if (hardScenarios == 0) {
        converges.detail = "stock pre-copy converged in every scenario that ran";
    }
    checks.push_back(converges);

    if (const CellSummary *p = findCell(cells, "uniform", kPatchedHeat),
        *s = findCell(cells, "uniform", kStockAutoConverge);
        p && s) {
        checks.push_back(ratioTarget("(a) total time <= 0.5x stock auto-converge", *p, *s,
                                     &CellSummary::totalSeconds, 0.5, "s"));
        checks.push_back(ratioTarget("(a) guest work lost <= 0.5x stock auto-converge", *p, *s,
                                     &CellSummary::lostSeconds, 0.5, "s"));
    }
    if (const CellSummary *p = findCell(cells, "hotspot", kPatchedHeat),
        *s = findCell(cells, "hotspot", kStockAutoConverge);
        p && s) {
        TargetCheck bytes = ratioTarget("(b) bytes sent <= 0.7x stock auto-converge", *p, *s,
                                        &CellSummary::bytesSent, 0.7, "MiB", 1.0 / (1 << 20));
        checks.push_back(bytes);
    }

    TargetCheck downtime{"downtime within the limit (" + std::to_string(downtimeLimitMs) +
                             " ms) in every patched run",
                         true, ""};
    TargetCheck prediction{"predicted downtime within 20% of the measured one", true, ""};
    size_t patchedRuns = 0, predictedRuns = 0, stockOver = 0, stockRuns = 0, withinRuns = 0;
    std::vector<double> errors; /* |predicted - measured| / measured, one per predicted run */
    for (const auto &run : results) {
        if (!run.converged || !run.benchError.empty()) {
            continue;
        }
        if (run.configuration != kPatchedHeat) {
            ++stockRuns;
            stockOver += run.downtimeMs > downtimeLimitMs;
            continue;
        }
        ++patchedRuns;
        if (run.downtimeMs > downtimeLimitMs) {
            downtime.pass = false;
            downtime.detail += run.scenario + " run " + std::to_string(run.run) + ": " +
                               std::to_string(run.downtimeMs) + " ms; ";
        }
        if (!run.predictedDowntimeMs) {
            prediction.pass = false;
            prediction.detail +=
                run.scenario + " run " + std::to_string(run.run) + ": no prediction; ";
            continue;
        }
        ++predictedRuns;
        const double measured = static_cast<double>(run.downtimeMs);
        const double predicted = static_cast<double>(*run.predictedDowntimeMs);
        const double error = std::fabs(predicted - measured);
        if (measured > 0) {
            errors.push_back(error / measured);
        }
        if (error <= 0.2 * measured) {
            ++withinRuns;
        } else {
            prediction.pass = false;
            prediction.detail +=
                run.scenario + " run " + std::to_string(run.run) + ": " +
                format("predicted %.0f vs measured %.0f ms", predicted, measured, 0) + "; ";
        }
    }
    downtime.detail += std::to_string(patchedRuns) +
                       " converged patched runs checked (stock: " + std::to_string(stockOver) +
                       " of " + std::to_string(stockRuns) + " converged runs over the limit)";
    prediction.detail += std::to_string(withinRuns) + " of " + std::to_string(predictedRuns) +
                         " patched runs with a prediction within 20%";
    if (!errors.empty()) {
        std::sort(errors.begin(), errors.end());
        prediction.detail += format(", error median %.0f%%, max %.0f%%",
                                    errors[errors.size() / 2] * 100, errors.back() * 100, 0);
    }
    if (patchedRuns == 0) {
        downtime.pass = prediction.pass = false;
    }
    checks.push_back(downtime);
    checks.push_back(prediction);
    return checks;
}

} // namespace migkit::bench
