/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "shaped_link.h"

#include "qmp/glib_ptr.h"

#include <glib.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace migkit::bench {

namespace {

/* Runs @argv and returns its standard output; throws with its standard error on failure. */
std::string runTool(const std::vector<std::string> &argv)
{
    std::vector<char *> raw;
    for (const auto &arg : argv) {
        raw.push_back(const_cast<char *>(arg.c_str()));
    }
    raw.push_back(nullptr);
    gchar *out = nullptr, *err = nullptr;
    gint status = 0;
    GError *rawError = nullptr;
    const bool spawned = g_spawn_sync(nullptr, raw.data(), nullptr, G_SPAWN_SEARCH_PATH, nullptr,
                                      nullptr, &out, &err, &status, &rawError);
    GErrorPtr error(rawError);
    const std::string output = out ? out : "", errors = err ? err : "";
    g_free(out);
    g_free(err);
    std::string command;
    for (const auto &arg : argv) {
        command += (command.empty() ? "" : " ") + arg;
    }
    if (!spawned) {
        throw std::runtime_error("--link: cannot run '" + command + "' (" + error->message +
                                 "): install iproute2");
    }
    if (!g_spawn_check_wait_status(status, nullptr)) {
        throw std::runtime_error("--link: '" + command + "' failed: " + errors +
                                 (errors.find("netem") != std::string::npos ||
                                          errors.find("Specified qdisc") != std::string::npos
                                      ? " (--link-rtt needs the kernel's sch_netem module)"
                                      : ""));
    }
    return output;
}

} // namespace

std::string enterShapedLink(uint64_t bytesPerSecond, uint64_t rttMs)
{
    if (::geteuid() != 0) {
        throw std::runtime_error("--link needs root: it makes a network namespace and shapes "
                                 "its loopback with tc; run migkit-bench as root or drop --link");
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        throw std::runtime_error(std::string("--link: cannot make a network namespace: ") +
                                 std::strerror(errno));
    }
    runTool({"ip", "link", "set", "lo", "up"});
    /*
     * tbf limits the rate (tc's "bps" is bytes per second); its bucket holds a few of lo's
     * 64 KiB packets and its queue 100 ms of traffic.  netem, under it, adds the delay.
     */
    const uint64_t burst = std::max<uint64_t>(256 * 1024, bytesPerSecond / 100);
    runTool({"tc", "qdisc", "replace", "dev", "lo", "root", "handle", "1:", "tbf", "rate",
             std::to_string(bytesPerSecond) + "bps", "burst", std::to_string(burst), "latency",
             "100ms"});
    if (rttMs) {
        runTool({"tc", "qdisc", "add", "dev", "lo", "parent", "1:1", "handle", "10:", "netem",
                 "delay", std::to_string(rttMs * 1000 / 2) + "us", "limit", "100000"});
    }
    std::string shown = runTool({"tc", "qdisc", "show", "dev", "lo"});
    while (!shown.empty() && (shown.back() == '\n' || shown.back() == ' ')) {
        shown.pop_back();
    }
    return shown;
}

} // namespace migkit::bench
