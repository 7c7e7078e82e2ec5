/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "progress_display.h"

#include "report/report_text.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace migkit::cli {

ProgressDisplay::ProgressDisplay(FILE *out, bool terminal, bool quiet)
    : out_(out), terminal_(terminal), quiet_(quiet)
{}

ProgressDisplay::~ProgressDisplay()
{
    finish();
}

void ProgressDisplay::clearBar()
{
    if (barShown_) {
        std::fputs("\r\033[K", out_);
        barShown_ = false;
    }
}

void ProgressDisplay::finish()
{
    if (barShown_) {
        std::fputc('\n', out_);
        barShown_ = false;
        std::fflush(out_);
    }
}

void ProgressDisplay::started(const std::string &uri)
{
    if (!quiet_) {
        std::fprintf(out_, "migrating over %s\n", uri.c_str());
        std::fflush(out_);
    }
}

void ProgressDisplay::sample(const SampleRecord &s)
{
    if (quiet_) {
        return;
    }
    const double done =
        s.ramTotalBytes ? 100.0 *
                              static_cast<double>(s.ramTotalBytes -
                                                  std::min(s.ramTotalBytes, s.ramRemainingBytes)) /
                              static_cast<double>(s.ramTotalBytes)
                        : 0.0;
    char line[256];
    std::snprintf(
        line, sizeof(line),
        "%7.1f s  %-14s pass %-3llu sent %-10s left %-10s %8s/s  dirty %8s/s  "
        "throttle %u%%",
        static_cast<double>(s.elapsedMs) / 1000, s.status.c_str(),
        static_cast<unsigned long long>(s.iteration), formatBytes(s.ramTransferredBytes).c_str(),
        formatBytes(s.ramRemainingBytes).c_str(), formatBytes(s.bandwidthBytesPerSecond).c_str(),
        formatBytes(s.dirtyRateBytesPerSecond).c_str(), s.throttlePercent);
    if (terminal_) {
        constexpr int width = 20;
        const int filled = static_cast<int>(done / 100.0 * width);
        std::string bar(static_cast<size_t>(std::max(0, filled)), '#');
        bar.resize(width, '.');
        char full[320];
        std::snprintf(full, sizeof(full), "[%s] %3.0f%% %s", bar.c_str(), done, line);
        /* A line that wraps cannot be redrawn in place: cut it at the terminal's width. */
        std::string text = full;
        winsize size{};
        if (ioctl(fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col > 1 &&
            text.size() >= size.ws_col) {
            text.resize(size.ws_col - 1);
        }
        std::fprintf(out_, "\r\033[K%s", text.c_str());
        barShown_ = true;
    } else if (s.iteration != lastIteration_ || s.status != lastStatus_ ||
               s.elapsedMs >= lastPrintedMs_ + 5000) {
        std::fprintf(out_, "%s\n", line);
        lastPrintedMs_ = s.elapsedMs;
    }
    lastIteration_ = s.iteration;
    lastStatus_ = s.status;
    std::fflush(out_);
}

void ProgressDisplay::decision(const DecisionRecord &d)
{
    if (quiet_) {
        return;
    }
    clearBar();
    std::fprintf(out_, "%7.1f s  policy %s: %s %s%s%s%s\n", static_cast<double>(d.elapsedMs) / 1000,
                 d.plugin.c_str(), d.action.c_str(), d.detail.c_str(), d.reason.empty() ? "" : " (",
                 d.reason.c_str(), d.reason.empty() ? "" : ")");
    if (!d.applied) {
        std::fprintf(out_, "           not applied: %s\n", d.error.c_str());
    }
    std::fflush(out_);
}

void ProgressDisplay::log(const LogRecord &line)
{
    if (quiet_ || line.level == "debug") {
        return;
    }
    clearBar();
    std::fprintf(out_, "%7.1f s  %s [%s]: %s\n", static_cast<double>(line.elapsedMs) / 1000,
                 line.source.c_str(), line.level.c_str(), line.message.c_str());
    std::fflush(out_);
}

} // namespace migkit::cli
