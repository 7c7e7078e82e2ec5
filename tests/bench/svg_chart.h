/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace migkit::bench {

/** ChartSeries: one line of a chart: a legend label, a colour and (x, y) points. */
struct ChartSeries {
    std::string label;
    /** color: an SVG colour ("#1f77b4"). */
    std::string color;
    /** dashed: draw the line dashed (to tell two configurations of one binary apart). */
    bool dashed = false;
    std::vector<std::pair<double, double>> points;
};

/** LineChart: a titled chart with axis labels and several series. */
struct LineChart {
    std::string title;
    std::string xLabel;
    std::string yLabel;
    std::vector<ChartSeries> series;
};

/**
 * renderSvg: @chart as a self-contained SVG document (hand-written, no libraries): axes
 * from 0 to a rounded maximum with tick labels, one polyline with point markers per series,
 * a legend.  A chart without points still renders (axes and "no data").
 */
std::string renderSvg(const LineChart &chart);

/** niceCeiling: the smallest 1, 2 or 5 x 10^n that is >= @value (1 for @value <= 0). */
double niceCeiling(double value);

} // namespace migkit::bench
