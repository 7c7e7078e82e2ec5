/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hook_plugins.h"

#include "libvirt/domain_facts.h"
#include "os/file_descriptor.h"
#include "plugin/action_queue.h"
#include "plugin/plugin_instance.h"
#include "plugin/plugin_library.h"
#include "plugin/plugin_locator.h"
#include "plugin/plugin_settings.h"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace migkit {

namespace {

constexpr size_t kHookOpsSize =
    offsetof(migkit_policy_ops, on_host_hook) + sizeof(migkit_policy_ops::on_host_hook);

/** ChildProcess: a forked child, killed and reaped when dropped before it exited. */
class ChildProcess {
public:
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    ~ChildProcess()
    {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    /** reap: wait for the child; its wait status. */
    int reap()
    {
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_;
};

HookVerdict failed(bool allowOnFailure, const std::string &what)
{
    HookVerdict verdict;
    verdict.allow = allowOnFailure;
    verdict.notes.push_back(what + "; applying the configured default: " +
                            (allowOnFailure ? "allow" : "refuse") + " ([hook] on-timeout)");
    if (!allowOnFailure)
        verdict.message = "migkit hook: " + what +
                          "; this host refuses the VM ([hook] "
                          "on-timeout=refuse)";
    return verdict;
}

} // namespace

HookVerdict runHookPlugins(const std::vector<PolicyRef> &policies, const HookRequest &request)
{
    HookVerdict verdict;
    std::string xml = request.domainXml;
    const PluginLocator locator = PluginLocator::fromEnvironment();
    ActionQueue queue; /* stays in Creating: actions make no sense in a hook */
    for (const PolicyRef &ref : policies) {
        std::shared_ptr<const PluginLibrary> library = PluginLibrary::find(locator, ref.name);
        if (library->ops().struct_size < kHookOpsSize || !library->ops().on_host_hook)
            continue;
        PluginInstance instance(library, queue, resolveSettings(*library, ref.settings));

        ValueList facts = request.hostFacts;
        DomainFacts::fromXml(xml, request.sharedFilesystems).addTo(facts);
        migkit_hook_call call{};
        call.struct_size = sizeof(migkit_hook_call);
        call.point = request.point;
        call.vm_name = request.vmName.c_str();
        call.detail = request.detail.c_str();
        call.domain_xml = xml.c_str();
        call.facts = facts.values();
        const char *replacement = nullptr;
        migkit_error error{};
        int rc = library->ops().on_host_hook(instance.policy(), &call, &replacement, &error);
        if (rc != 0) {
            std::string why = errorText(error);
            if (hookPointMayRefuse(request.point)) {
                verdict.allow = false;
                verdict.message = "migkit policy '" + instance.name() + "' refused domain '" +
                                  request.vmName + "' at " + hookPointName(request.point) + ": " +
                                  why;
                verdict.notes.push_back(instance.name() + ": refused: " + why);
                return verdict;
            }
            verdict.notes.push_back(instance.name() + ": failed (ignored at " +
                                    hookPointName(request.point) + "): " + why);
            continue;
        }
        if (replacement && request.point == MIGKIT_HOOK_MIGRATE_BEGIN) {
            xml = replacement; /* copied before the instance is destroyed */
            verdict.replacementXml = xml;
            verdict.notes.push_back(instance.name() + ": rewrote the domain XML");
        } else {
            verdict.notes.push_back(instance.name() + ": allowed");
        }
    }
    return verdict;
}

HookVerdict runHookPluginsIsolated(const std::vector<PolicyRef> &policies,
                                   const HookRequest &request, std::chrono::milliseconds limit,
                                   bool allowOnFailure)
{
    /* Nothing the parent buffered may be written twice by the child. */
    std::fflush(stdout);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return failed(allowOnFailure, std::string("cannot create a pipe: ") + std::strerror(errno));
    FileDescriptor readEnd(fds[0]), writeEnd(fds[1]);
    pid_t pid = fork();
    if (pid < 0)
        return failed(allowOnFailure, std::string("cannot fork: ") + std::strerror(errno));
    if (pid == 0) {
        readEnd.reset();
        /* The hook's stdout is what libvirt takes as the domain XML at `migrate begin`: only
         * the verdict, validated by the parent, may reach it.  Whatever a plugin prints goes
         * to stderr, which libvirt logs. */
        if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
            writeAll(writeEnd.get(),
                     std::string("Ecannot redirect the plugins' stdout: ") + std::strerror(errno));
            _exit(3);
        }
        HookVerdict verdict;
        try {
            verdict = runHookPlugins(policies, request);
        } catch (const std::exception &e) {
            std::fflush(stdout);
            writeAll(writeEnd.get(), std::string("E") + e.what());
            _exit(3);
        }
        std::fflush(stdout); /* what plugins left in stdio's buffer, to stderr */
        writeAll(writeEnd.get(), "V" + verdict.toJson());
        _exit(0);
    }
    ChildProcess child(pid);
    writeEnd.reset();

    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string answer;
    char buffer[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return failed(allowOnFailure, "the policy plugins did not answer within " +
                                              std::to_string(limit.count()) +
                                              " ms and were stopped");
        pollfd p{readEnd.get(), POLLIN, 0};
        int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        ssize_t n = read(readEnd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        answer.append(buffer, static_cast<size_t>(n));
    }
    int status = child.reap();
    if (WIFSIGNALED(status))
        return failed(allowOnFailure,
                      std::string("a policy plugin crashed (") + strsignal(WTERMSIG(status)) + ")");
    if (answer.size() > 1 && answer[0] == 'E')
        return failed(allowOnFailure, "the policy plugins could not run: " + answer.substr(1));
    if (answer.empty() || answer[0] != 'V')
        return failed(allowOnFailure, "the policy plugins exited without an answer (status " +
                                          std::to_string(WEXITSTATUS(status)) + ")");
    try {
        return HookVerdict::fromJson(answer.substr(1));
    } catch (const std::exception &e) {
        return failed(allowOnFailure,
                      std::string("unreadable answer from the plugins: ") + e.what());
    }
}

} // namespace migkit
