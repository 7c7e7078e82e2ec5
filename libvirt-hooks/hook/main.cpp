/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migkit-hook: libvirt's qemu hook (/etc/libvirt/hooks/qemu.d/), run as
 *   migkit-hook DOMAIN OPERATION SUB-OPERATION EXTRA   < domain XML
 * It gives the host's hook policies ([hook] policies) the destination-side points of a
 * migration: at `migrate begin` they may rewrite the XML (printed on stdout), at `prepare` and
 * `start` they may refuse (message on stderr, exit 1).  It never calls back into libvirt and
 * runs the plugins in a child process under [hook] timeout-ms. */
#include "hook_plugins.h"

#include "libvirt/hook_call.h"
#include "libvirt/host_config.h"
#include "json/value.h"
#include "json/writer.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace {

std::string readFile(const char *path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/* One JSON line per call in REPORT-DIR/hooks.log: what the hook decided and what it cost. */
void logCall(const std::string &reportDir, const std::string &domain, const std::string &operation,
             const std::string &detail, const migkit::HookVerdict &verdict, double milliseconds)
{
    migkit::json::Value line = migkit::json::Value::object();
    GDateTime *now = g_date_time_new_now_utc();
    gchar *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");
    line.set("time", stamp);
    g_free(stamp);
    g_date_time_unref(now);
    line.set("domain", domain);
    line.set("call", operation);
    line.set("detail", detail);
    line.set("verdict", !verdict.allow                    ? "refuse"
                        : !verdict.replacementXml.empty() ? "rewrite"
                                                          : "allow");
    line.set("ms", milliseconds);
    migkit::json::Value notes = migkit::json::Value::array();
    for (const std::string &n : verdict.notes)
        notes.push(n);
    line.set("notes", std::move(notes));
    g_mkdir_with_parents(reportDir.c_str(), 0755);
    std::string text = migkit::json::serialize(line) + "\n";
    /* O_NOFOLLOW and a regular file only: the hook runs as root, and a link or a device
     * planted as hooks.log must not have it append to whatever that names. */
    int fd = open((reportDir + "/hooks.log").c_str(),
                  O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0) {
        if (write(fd, text.data(), text.size()) < 0) {
            /* A hook log that cannot be written must not fail the VM. */
        }
        close(fd);
    }
}

} // namespace

int main(int argc, char **argv)
{
    const auto started = std::chrono::steady_clock::now();
    if (argc < 5) {
        std::fprintf(stderr, "usage: migkit-hook DOMAIN OPERATION SUB-OPERATION EXTRA < XML\n"
                             "(libvirt runs it from /etc/libvirt/hooks/qemu.d/; see "
                             "docs/operators.md)\n");
        return 2;
    }
    const std::string domain = argv[1], operation = argv[2], subOperation = argv[3],
                      extra = argv[4];
    std::optional<migkit_hook_point> point = migkit::hookPointFor(operation, subOperation);
    /* libvirt writes the XML on stdin and may block until it is read. */
    std::string xml((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (!point)
        return 0;

    migkit::HostConfig config;
    try {
        config = migkit::HostConfig::load(migkit::HostConfig::defaultPath());
    } catch (const std::exception &e) {
        /* A broken configuration must be seen, not silently ignored, but must not stop
         * every VM on the host either: refuse only where refusing is possible. */
        std::fprintf(stderr, "migkit hook: %s\n", e.what());
        return migkit::hookPointMayRefuse(*point) ? 1 : 0;
    }
    if (config.hookPolicies.empty())
        return 0;

    migkit::HookRequest request;
    request.point = *point;
    request.vmName = domain;
    request.detail = extra;
    request.domainXml = xml;
    request.sharedFilesystems = config.sharedFilesystems;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    migkit::addHostFacts(request.hostFacts, host, readFile("/proc/meminfo"));

    migkit::HookVerdict verdict = migkit::runHookPluginsIsolated(
        config.refs(config.hookPolicies), request, std::chrono::milliseconds(config.hookTimeoutMs),
        config.hookAllowOnTimeout);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    logCall(config.reportDir, domain, operation + " " + subOperation, extra, verdict, ms);
    if (!verdict.allow && migkit::hookPointMayRefuse(*point)) {
        std::fprintf(stderr, "%s\n", verdict.message.c_str());
        return 1;
    }
    if (!verdict.replacementXml.empty())
        std::fwrite(verdict.replacementXml.data(), 1, verdict.replacementXml.size(), stdout);
    return 0;
}
