/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/qemu_process.h"

#include "qmp/glib_ptr.h"
#include "testbed/guest_image.h"
#include "testbed/testbed_error.h"

#include <glib.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace migkit::testbed {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kUnixPathMax = 107; /* sizeof(sockaddr_un::sun_path) - 1 */

/* QEMU's option parser splits at ',': a comma in a value is written twice. */
std::string escapeCommas(const std::string &value)
{
    std::string result;
    for (char c : value) {
        result += c;
        if (c == ',')
            result += ',';
    }
    return result;
}

bool isSocket(const std::string &path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

/* Runs in the child between fork and exec: die with the thread that started us, so that a
 * crashed test leaves no QEMU behind. */
void dieWithParent(gpointer)
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

} // namespace

std::string ExitStatus::toString() const
{
    if (signal != 0) {
        const char *name = ::sigabbrev_np(signal);
        return std::string("killed by signal ") +
               (name ? std::string("SIG") + name : std::to_string(signal));
    }
    return "exit code " + std::to_string(exitCode);
}

std::vector<std::string> QemuProcess::commandLine(const QemuOptions &options,
                                                  const std::string &guestImage,
                                                  const std::string &workDir)
{
    std::vector<std::string> argv = {
        options.binary,
        "-name",
        escapeCommas(options.name),
        "-machine",
        options.machine,
        "-accel",
        "tcg",
        "-m",
        std::to_string(options.memoryMiB) + "M",
        "-nodefaults",
        "-display",
        "none",
        "-kernel",
        guestImage,
        "-append",
        options.guest.toCommandLine(),
        "-chardev",
        "socket,id=migkit-qmp,server=on,wait=off,path=" + escapeCommas(workDir + "/qmp.sock"),
        "-mon",
        "chardev=migkit-qmp,mode=control",
        "-chardev",
        "socket,id=migkit-com1,server=on,wait=off,path=" + escapeCommas(workDir + "/serial.sock"),
        "-serial",
        "chardev:migkit-com1",
    };
    if (!options.incomingUri.empty()) {
        argv.push_back("-incoming");
        argv.push_back(options.incomingUri);
    } else if (options.incomingDefer) {
        argv.push_back("-incoming");
        argv.push_back("defer");
    }
    argv.insert(argv.end(), options.extraArgs.begin(), options.extraArgs.end());
    return argv;
}

QemuProcess::QemuProcess(QemuOptions options) : options_(std::move(options))
{
    if (::access(options_.binary.c_str(), X_OK) != 0)
        throw TestbedError("QEMU binary '" + options_.binary +
                           "' is not an executable file; give the path of "
                           "qemu-system-x86_64 (stock: /usr/bin/qemu-system-x86_64)");
    /* Absolute: QEMU runs in its work folder. */
    const std::string guestImage = std::filesystem::absolute(
        options_.guestImage.empty() ? locateGuestImage() : options_.guestImage);
    if (::access(guestImage.c_str(), R_OK) != 0)
        throw TestbedError("guest image '" + guestImage +
                           "' cannot be read; build it (meson compile tests/guest/guest.elf) "
                           "or set MIGKIT_GUEST_IMAGE");

    if (options_.workDir.empty()) {
        GError *rawError = nullptr;
        char *folder = g_dir_make_tmp("migkit-qemu-XXXXXX", &rawError);
        GErrorPtr error(rawError);
        if (!folder)
            throw TestbedError(std::string("cannot create a temporary folder for QEMU: ") +
                               error->message);
        workDir_ = folder;
        g_free(folder);
        ownsWorkDir_ = true;
    } else {
        workDir_ = options_.workDir;
        std::error_code ec;
        std::filesystem::create_directories(workDir_, ec);
        if (ec)
            throw TestbedError("cannot create QEMU's work folder '" + workDir_ +
                               "': " + ec.message());
    }
    qmpSocketPath_ = workDir_ + "/qmp.sock";
    serialSocketPath_ = workDir_ + "/serial.sock";
    logPath_ = workDir_ + "/qemu.log";

    try {
        if (serialSocketPath_.size() > kUnixPathMax)
            throw TestbedError("QEMU work folder '" + workDir_ +
                               "' is too long for UNIX socket paths; use a shorter one");
        /* Old sockets would make the wait below return before QEMU is listening. */
        ::unlink(qmpSocketPath_.c_str());
        ::unlink(serialSocketPath_.c_str());
        spawn(guestImage);
        waitForStart();
    } catch (...) {
        cleanup();
        throw;
    }
}

void QemuProcess::spawn(const std::string &guestImage)
{
    int logFd = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logFd < 0)
        throw TestbedError("cannot create QEMU's log '" + logPath_ + "': " + std::strerror(errno));
    std::vector<std::string> args = commandLine(options_, guestImage, workDir_);
    std::vector<char *> argv;
    for (std::string &arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    GError *rawError = nullptr;
    GPid child = 0;
    gboolean spawned = g_spawn_async_with_pipes_and_fds(
        workDir_.c_str(), argv.data(), nullptr,
        static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL),
        dieWithParent, nullptr, -1, logFd, logFd, nullptr, nullptr, 0, &child, nullptr, nullptr,
        nullptr, &rawError);
    ::close(logFd);
    GErrorPtr error(rawError);
    if (!spawned)
        throw TestbedError("cannot start QEMU '" + options_.binary + "': " + error->message);
    pid_ = child;
}

[[noreturn]] void QemuProcess::failStart(const std::string &problem)
{
    throw TestbedError("QEMU '" + options_.binary + "' for VM '" + options_.name + "' " + problem +
                       "; " + logPath_ + " says:\n" + logTail());
}

/* Ready means QEMU's main loop runs, i.e. it answers a QMP command.  Neither the sockets nor
 * the QMP greeting say that: QEMU creates them, and greets from its monitor thread, before it
 * loads the guest. */
void QemuProcess::waitForStart()
{
    const auto deadline = Clock::now() + options_.startTimeout;
    auto checkAlive = [&] {
        if (!running())
            failStart(exitStatus_->toString() + " while starting");
        if (Clock::now() >= deadline)
            failStart("did not start within " + std::to_string(options_.startTimeout.count()) +
                      " ms");
    };
    while (!isSocket(qmpSocketPath_) || !isSocket(serialSocketPath_)) {
        checkAlive();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, qmpSocketPath_.c_str(), qmpSocketPath_.size() + 1);
    const std::string probe = "{\"execute\":\"qmp_capabilities\"}\n"
                              "{\"execute\":\"query-status\",\"id\":\"migkit-start\"}\n";
    for (;;) {
        checkAlive();
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            failStart(std::string("could not be checked: socket(): ") + std::strerror(errno));
        std::string received;
        bool answered = false;
        /* One monitor client at a time: ask, read the answer, then let the real client in. */
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0 &&
            ::send(fd, probe.data(), probe.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(probe.size())) {
            while (!answered && Clock::now() < deadline && running()) {
                pollfd descriptor{fd, POLLIN, 0};
                if (::poll(&descriptor, 1, 100) <= 0)
                    continue;
                char buffer[4096];
                ssize_t count = ::read(fd, buffer, sizeof(buffer));
                if (count <= 0)
                    break;
                received.append(buffer, static_cast<size_t>(count));
                answered = received.find("\"migkit-start\"") != std::string::npos;
            }
        }
        ::close(fd);
        if (answered)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void QemuProcess::cleanup()
{
    if (pid_ > 0 && !exitStatus_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    if (ownsWorkDir_) {
        std::error_code ec;
        std::filesystem::remove_all(workDir_, ec);
        ownsWorkDir_ = false;
    }
}

QemuProcess::~QemuProcess()
{
    cleanup();
}

bool QemuProcess::reap(bool block)
{
    if (exitStatus_)
        return true;
    int status = 0;
    pid_t result;
    do {
        result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == 0)
        return false;
    ExitStatus exit;
    if (result == pid_ && WIFEXITED(status))
        exit.exitCode = WEXITSTATUS(status);
    else if (result == pid_ && WIFSIGNALED(status))
        exit.signal = WTERMSIG(status);
    /* result < 0 (ECHILD): someone else reaped it; the status is unknown. */
    exitStatus_ = exit;
    return true;
}

bool QemuProcess::running()
{
    return pid_ > 0 && !reap(false);
}

void QemuProcess::kill(int signal)
{
    if (running())
        ::kill(pid_, signal);
}

std::optional<ExitStatus> QemuProcess::waitExit(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (running() && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return exitStatus_;
}

std::string QemuProcess::logTail(size_t maxBytes) const
{
    std::ifstream log(logPath_, std::ios::binary | std::ios::ate);
    if (!log)
        return "(no log)";
    std::streamoff size = log.tellg();
    std::streamoff start = size > static_cast<std::streamoff>(maxBytes)
                               ? size - static_cast<std::streamoff>(maxBytes)
                               : 0;
    log.seekg(start);
    std::string tail(static_cast<size_t>(size - start), '\0');
    log.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    return tail.empty() ? "(empty log)" : tail;
}

} // namespace migkit::testbed
