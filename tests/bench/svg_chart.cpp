/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace migkit::bench {

namespace {

constexpr double kWidth = 780, kHeight = 420;
constexpr double kLeft = 80, kRight = 260, kTop = 40, kBottom = 60;

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f", value);
    return text;
}

/* Tick labels without needless decimals: 0, 2.5, 10, 1500. */
std::string tickLabel(double value)
{
    char text[32];
    if (std::fabs(value - std::round(value)) < 1e-9) {
        std::snprintf(text, sizeof(text), "%.0f", value);
    } else {
        std::snprintf(text, sizeof(text), "%g", value);
    }
    return text;
}

std::string escape(const std::string &text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

double niceCeiling(double value)
{
    if (!(value > 0)) {
        return 1;
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= value * (1 - 1e-12)) {
            return step * magnitude;
        }
    }
    return 10 * magnitude;
}

std::string renderSvg(const LineChart &chart)
{
    double xMax = 0, yMax = 0;
    bool any = false;
    for (const auto &series : chart.series) {
        for (const auto &[x, y] : series.points) {
            xMax = std::max(xMax, x);
            yMax = std::max(yMax, y);
            any = true;
        }
    }
    /* Ticks at a 1-2-5 step, about five of them, the axis ending on the first tick at or
     * above the largest value. */
    const double xStep = niceCeiling(xMax / 5), yStep = niceCeiling(yMax / 5);
    const int xTicks = std::max(1, static_cast<int>(std::ceil(xMax / xStep - 1e-9)));
    const int yTicks = std::max(1, static_cast<int>(std::ceil(yMax / yStep - 1e-9)));
    xMax = xStep * xTicks;
    yMax = yStep * yTicks;
    const double plotW = kWidth - kLeft - kRight, plotH = kHeight - kTop - kBottom;
    const auto px = [&](double x) {
        return kLeft + x / xMax * plotW;
    };
    const auto py = [&](double y) {
        return kTop + plotH - y / yMax * plotH;
    };

    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      number(kWidth) + "\" height=\"" + number(kHeight) + "\" viewBox=\"0 0 " +
                      number(kWidth) + " " + number(kHeight) +
                      "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text x=\"" + number(kWidth / 2) +
           "\" y=\"22\" text-anchor=\"middle\" "
           "font-size=\"15\">" +
           escape(chart.title) + "</text>\n";

    for (int i = 0; i <= yTicks; ++i) {
        const double y = yStep * i;
        svg += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(py(y)) + "\" x2=\"" +
               number(kLeft + plotW) + "\" y2=\"" + number(py(y)) + "\" stroke=\"#ddd\"/>\n";
        svg += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(py(y) + 4) +
               "\" text-anchor=\"end\">" + tickLabel(y) + "</text>\n";
    }
    for (int i = 0; i <= xTicks; ++i) {
        const double x = xStep * i;
        svg += "<line x1=\"" + number(px(x)) + "\" y1=\"" + number(kTop + plotH) + "\" x2=\"" +
               number(px(x)) + "\" y2=\"" + number(kTop + plotH + 5) + "\" stroke=\"black\"/>\n";
        svg += "<text x=\"" + number(px(x)) + "\" y=\"" + number(kTop + plotH + 18) +
               "\" text-anchor=\"middle\">" + tickLabel(x) + "</text>\n";
    }
    svg += "<rect x=\"" + number(kLeft) + "\" y=\"" + number(kTop) + "\" width=\"" + number(plotW) +
           "\" height=\"" + number(plotH) + "\" fill=\"none\" stroke=\"black\"/>\n";
    svg += "<text x=\"" + number(kLeft + plotW / 2) + "\" y=\"" + number(kHeight - 15) +
           "\" text-anchor=\"middle\">" + escape(chart.xLabel) + "</text>\n";
    svg += "<text transform=\"translate(18," + number(kTop + plotH / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">" + escape(chart.yLabel) + "</text>\n";
    if (!any) {
        svg += "<text x=\"" + number(kLeft + plotW / 2) + "\" y=\"" + number(kTop + plotH / 2) +
               "\" text-anchor=\"middle\">no data</text>\n";
    }

    double legendY = kTop + 10;
    for (const auto &series : chart.series) {
        const std::string dash = series.dashed ? " stroke-dasharray=\"6 4\"" : "";
        if (!series.points.empty()) {
            std::string points;
            for (const auto &[x, y] : series.points) {
                points += number(px(x)) + "," + number(py(y)) + " ";
            }
            svg += "<polyline fill=\"none\" stroke=\"" + series.color + "\" stroke-width=\"2\"" +
                   dash + " points=\"" + points + "\"/>\n";
            for (const auto &[x, y] : series.points) {
                svg += "<circle cx=\"" + number(px(x)) + "\" cy=\"" + number(py(y)) +
                       "\" r=\"3\" fill=\"" + series.color + "\"/>\n";
            }
        }
        const double lx = kLeft + plotW + 15;
        svg += "<line x1=\"" + number(lx) + "\" y1=\"" + number(legendY) + "\" x2=\"" +
               number(lx + 24) + "\" y2=\"" + number(legendY) + "\" stroke=\"" + series.color +
               "\" stroke-width=\"2\"" + dash + "/>\n";
        svg += "<text x=\"" + number(lx + 30) + "\" y=\"" + number(legendY + 4) + "\">" +
               escape(series.label) + "</text>\n";
        legendY += 20;
    }
    svg += "</svg>\n";
    return svg;
}

} // namespace migkit::bench
