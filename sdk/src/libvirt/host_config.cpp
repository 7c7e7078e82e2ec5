/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/host_config.h"

#include <glib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace migkit {

namespace {

constexpr const char *kPolicyGroupPrefix = "policy ";

/** KeyFile: owns a GKeyFile and reads typed keys with errors that name group and key. */
class KeyFile {
public:
    KeyFile(const std::string &text, const std::string &origin)
        : file_(g_key_file_new()), origin_(origin)
    {
        GError *error = nullptr;
        if (!g_key_file_load_from_data(file_, text.data(), text.size(), G_KEY_FILE_NONE, &error)) {
            std::string message = error->message;
            g_error_free(error);
            throw ConfigError(origin_ + ": " + message +
                              " (the file uses the key-file format: "
                              "[group] lines, then key=value lines)");
        }
    }
    ~KeyFile() { g_key_file_free(file_); }
    KeyFile(const KeyFile &) = delete;
    KeyFile &operator=(const KeyFile &) = delete;

    bool has(const char *group, const char *key) const
    {
        return g_key_file_has_key(file_, group, key, nullptr);
    }

    std::string text(const char *group, const char *key) const
    {
        gchar *value = g_key_file_get_string(file_, group, key, nullptr);
        std::string result = value ? value : "";
        g_free(value);
        return result;
    }

    std::vector<std::string> list(const char *group, const char *key) const
    {
        std::vector<std::string> result;
        gsize count = 0;
        gchar **items = g_key_file_get_string_list(file_, group, key, &count, nullptr);
        for (gsize i = 0; i < count; i++) {
            std::string item = items[i];
            item.erase(0, item.find_first_not_of(" \t"));
            item.erase(item.find_last_not_of(" \t") + 1);
            if (!item.empty())
                result.push_back(item);
        }
        g_strfreev(items);
        return result;
    }

    uint64_t number(const char *group, const char *key) const
    {
        std::string value = text(group, key);
        char *end = nullptr;
        unsigned long long n =
            value.empty() || value[0] == '-' ? 0 : std::strtoull(value.c_str(), &end, 10);
        if (value.empty() || value[0] == '-' || !end || *end)
            throw ConfigError(origin_ + ": [" + group + "] " + key + "=" + value +
                              " is not a whole number of milliseconds");
        return n;
    }

    bool boolean(const char *group, const char *key) const
    {
        std::string value = text(group, key);
        if (value == "true" || value == "yes" || value == "1")
            return true;
        if (value == "false" || value == "no" || value == "0")
            return false;
        throw ConfigError(origin_ + ": [" + group + "] " + key + "=" + value +
                          " is not a boolean (write true or false)");
    }

    std::vector<std::string> groups() const
    {
        std::vector<std::string> result;
        gchar **names = g_key_file_get_groups(file_, nullptr);
        for (gchar **n = names; n && *n; n++)
            result.push_back(*n);
        g_strfreev(names);
        return result;
    }

    std::map<std::string, std::string> group(const std::string &name) const
    {
        std::map<std::string, std::string> result;
        gchar **keys = g_key_file_get_keys(file_, name.c_str(), nullptr, nullptr);
        for (gchar **k = keys; k && *k; k++)
            result[*k] = text(name.c_str(), *k);
        g_strfreev(keys);
        return result;
    }

    void expectKeys(const char *group, std::initializer_list<const char *> known) const
    {
        for (const auto &[key, value] : this->group(group)) {
            bool ok = false;
            for (const char *k : known)
                ok = ok || key == k;
            if (!ok) {
                std::string list;
                for (const char *k : known)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                throw ConfigError(origin_ + ": [" + group + "] has no key '" + key +
                                  "' (known: " + list + ")");
            }
        }
    }

private:
    GKeyFile *file_;
    std::string origin_;
};

} // namespace

std::string HostConfig::defaultPath()
{
    const char *env = std::getenv("MIGKIT_CONFIG");
    return env && *env ? env : "/etc/migkit/migkitd.conf";
}

HostConfig HostConfig::load(const std::string &path, bool mustExist)
{
    std::ifstream in(path);
    if (!in) {
        if (!mustExist)
            return HostConfig{};
        throw ConfigError(path + ": cannot read the migkit host configuration (create it, see "
                                 "docs/operators.md, or pass another path)");
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

HostConfig HostConfig::parse(const std::string &text, const std::string &origin)
{
    KeyFile file(text, origin);
    HostConfig config;
    for (const std::string &group : file.groups()) {
        if (group.rfind(kPolicyGroupPrefix, 0) == 0) {
            std::string name = group.substr(std::string(kPolicyGroupPrefix).size());
            config.policySettings[name] = file.group(group);
        } else if (group != "daemon" && group != "hook" && group != "host") {
            throw ConfigError(origin + ": unknown group [" + group +
                              "] (known: [daemon], [hook], [host], [policy NAME])");
        }
    }
    file.expectKeys("daemon",
                    {"policies", "report-dir", "poll-interval-ms", "qemu-monitor", "libvirt-uri"});
    file.expectKeys("hook", {"policies", "timeout-ms", "on-timeout"});
    file.expectKeys("host", {"shared-filesystems"});
    if (file.has("daemon", "policies"))
        config.daemonPolicies = file.list("daemon", "policies");
    if (file.has("daemon", "report-dir"))
        config.reportDir = file.text("daemon", "report-dir");
    if (file.has("daemon", "poll-interval-ms"))
        config.pollIntervalMs = file.number("daemon", "poll-interval-ms");
    if (config.pollIntervalMs < 10 || config.pollIntervalMs > 60000)
        throw ConfigError(origin + ": [daemon] poll-interval-ms=" +
                          std::to_string(config.pollIntervalMs) + " is out of range (10 to 60000)");
    if (file.has("daemon", "qemu-monitor"))
        config.allowQemuMonitor = file.boolean("daemon", "qemu-monitor");
    if (file.has("daemon", "libvirt-uri"))
        config.libvirtUri = file.text("daemon", "libvirt-uri");
    if (file.has("hook", "policies"))
        config.hookPolicies = file.list("hook", "policies");
    if (file.has("hook", "timeout-ms"))
        config.hookTimeoutMs = file.number("hook", "timeout-ms");
    if (config.hookTimeoutMs < 10 || config.hookTimeoutMs > 600000)
        throw ConfigError(origin + ": [hook] timeout-ms=" + std::to_string(config.hookTimeoutMs) +
                          " is out of range (10 to 600000)");
    if (file.has("hook", "on-timeout")) {
        std::string value = file.text("hook", "on-timeout");
        if (value != "allow" && value != "refuse")
            throw ConfigError(origin + ": [hook] on-timeout=" + value +
                              " is neither allow nor refuse");
        config.hookAllowOnTimeout = value == "allow";
    }
    if (file.has("host", "shared-filesystems"))
        config.sharedFilesystems = file.list("host", "shared-filesystems");
    return config;
}

std::vector<PolicyRef> HostConfig::refs(const std::vector<std::string> &names) const
{
    std::vector<PolicyRef> result;
    for (const std::string &name : names) {
        auto it = policySettings.find(name);
        result.push_back(
            {name, it == policySettings.end() ? std::map<std::string, std::string>{} : it->second});
    }
    return result;
}

std::vector<PolicyRef> HostConfig::withHostSettings(const std::vector<PolicyRef> &policies) const
{
    std::vector<PolicyRef> result;
    for (const PolicyRef &ref : policies) {
        auto it = policySettings.find(ref.name);
        result.push_back({ref.name, it == policySettings.end()
                                        ? ref.settings
                                        : mergeSettings(it->second, ref.settings)});
    }
    return result;
}

} // namespace migkit
