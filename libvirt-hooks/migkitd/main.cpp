/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migkitd: runs beside libvirtd and puts every outgoing live migration of this host under the
 * host's migkit policies (docs/operators.md). */
#include "migration_watcher.h"

#include "libvirt/host_config.h"
#include "plugin/plugin_locator.h"

#include <glib-unix.h>
#include <glib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr const char *kUsage =
    "usage: migkitd [--config FILE] [--connect URI] [--check-config]\n"
    "\n"
    "Watches libvirt for outgoing live migrations and runs this host's migkit policies on\n"
    "each (progress from libvirt's job statistics, actions through libvirt's migration\n"
    "calls), writing a JSON report per migration.  Runs in the foreground; logs to stderr.\n"
    "\n"
    "  --config FILE    host configuration (default /etc/migkit/migkitd.conf, or\n"
    "                   $MIGKIT_CONFIG); a missing default file means built-in defaults\n"
    "  --connect URI    libvirt URI (default: [daemon] libvirt-uri, qemu:///system)\n"
    "  --check-config   read the configuration, report problems, exit\n";

gboolean quit(gpointer loop)
{
    g_main_loop_quit(static_cast<GMainLoop *>(loop));
    return G_SOURCE_REMOVE;
}

} // namespace

int main(int argc, char **argv)
{
    std::string configPath = migkit::HostConfig::defaultPath(), uri;
    bool explicitConfig = false, checkOnly = false;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if ((arg == "--config" || arg == "--connect") && i + 1 < argc) {
            (arg == "--config" ? configPath : uri) = argv[++i];
            explicitConfig = explicitConfig || arg == "--config";
        } else if (arg == "--check-config") {
            checkOnly = true;
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "migkitd: error: unknown or incomplete option '%s'\n\n%s",
                         arg.c_str(), kUsage);
            return 2;
        }
    }
    migkit::HostConfig config;
    try {
        config = migkit::HostConfig::load(configPath, explicitConfig);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "migkitd: error: %s\n", e.what());
        return 1;
    }
    if (!uri.empty())
        config.libvirtUri = uri;
    if (checkOnly) {
        std::printf("migkitd: %s is valid\n", configPath.c_str());
        return 0;
    }

    /* Errors are handled where they happen (and logged with context): keep libvirt from
     * printing each one on stderr as well. */
    virSetErrorFunc(nullptr, [](void *, virErrorPtr) {});
    /* libvirt's events run on the GLib main loop; must precede the first connection. */
    gvir_event_register();
    GMainLoop *loop = g_main_loop_new(nullptr, FALSE);
    g_unix_signal_add(SIGTERM, quit, loop);
    g_unix_signal_add(SIGINT, quit, loop);
    {
        migkit::MigrationWatcher watcher(config);
        migkit::logLine("info", "started with configuration " + configPath + ", polling every " +
                                    std::to_string(config.pollIntervalMs) + " ms, reports in " +
                                    config.reportDir);
        /* What the loader leaves out must be seen where the operator looks. */
        const migkit::PluginLocator locator = migkit::PluginLocator::fromEnvironment();
        for (const std::string &note : locator.ignoredFolders())
            migkit::logLine("warning", note);
        watcher.start();
        g_main_loop_run(loop);
        migkit::logLine("info", "stopping");
    }
    g_main_loop_unref(loop);
    return 0;
}
