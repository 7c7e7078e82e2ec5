/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "testbed/guest_config.h"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migkit::testbed {

/** QemuOptions: how to start one QEMU that runs the verifiable guest. */
struct QemuOptions {
    /** binary: path of qemu-system-x86_64 (stock or patched). */
    std::string binary = "/usr/bin/qemu-system-x86_64";
    /** guestImage: the guest's ELF; empty: locateGuestImage(). */
    std::string guestImage;
    /** guest: the guest's configuration, passed with -append. */
    GuestConfig guest;
    /** machine: QEMU machine type ("q35", "pc", "pc-q35-10.0", ...). */
    std::string machine = "q35";
    /** memoryMiB: guest RAM (128 to 2048 MiB work with the guest). */
    uint64_t memoryMiB = 512;
    /** incomingDefer: start as a migration destination (`-incoming defer`). */
    bool incomingDefer = false;
    /** incomingUri: start as a destination of this URI (e.g. "file:/tmp/vm.mig"); wins over
     *  incomingDefer. */
    std::string incomingUri;
    /** name: the VM's name (-name), also in messages. */
    std::string name = "migkit-guest";
    /** extraArgs: appended to QEMU's command line as they are. */
    std::vector<std::string> extraArgs;
    /** workDir: folder for sockets and the log; empty: a private temporary folder that is
     *  removed with the process. */
    std::string workDir;
    /** startTimeout: how long QEMU may take to come up (answer QMP). */
    std::chrono::milliseconds startTimeout{30000};
};

/** ExitStatus: how a QEMU process ended. */
struct ExitStatus {
    /** exitCode: the exit code when it exited, else -1. */
    int exitCode = -1;
    /** signal: the signal that killed it, else 0. */
    int signal = 0;
    /** toString: "exit code N" or "killed by signal NAME". */
    std::string toString() const;
};

/**
 * QemuProcess: one QEMU running the verifiable guest, as a child process that lives as long
 * as this object (killed with SIGKILL and reaped by the destructor; the child also gets
 * SIGKILL if the spawning thread dies first).
 *
 * QMP and COM1 are UNIX server sockets in the work folder (server=on,wait=off), stderr and
 * stdout go to qemu.log there.  The constructor returns once QEMU is up: it answered a QMP
 * query-status (the check connects and disconnects, so the monitor is free afterwards).  It
 * throws TestbedError with the log's tail if QEMU exits or does not come up in time.
 */
class QemuProcess {
public:
    /** QemuProcess: start QEMU as @options says. */
    explicit QemuProcess(QemuOptions options);
    ~QemuProcess();
    QemuProcess(const QemuProcess &) = delete;
    QemuProcess &operator=(const QemuProcess &) = delete;

    /** commandLine: QEMU's argv for @options and the work folder @workDir (pure). */
    static std::vector<std::string> commandLine(const QemuOptions &options,
                                                const std::string &guestImage,
                                                const std::string &workDir);

    /** qmpSocketPath: the QMP monitor's UNIX socket. */
    const std::string &qmpSocketPath() const { return qmpSocketPath_; }
    /** serialSocketPath: COM1's UNIX socket (for GuestConsole). */
    const std::string &serialSocketPath() const { return serialSocketPath_; }
    /** logPath: QEMU's stdout and stderr. */
    const std::string &logPath() const { return logPath_; }
    /** workDir: the folder holding the sockets and the log. */
    const std::string &workDir() const { return workDir_; }
    /** pid: the child's process id. */
    pid_t pid() const { return pid_; }
    /** options: what the process was started with. */
    const QemuOptions &options() const { return options_; }

    /** running: whether the child has not exited yet (reaps it if it has). */
    bool running();

    /** kill: send @signal to the child (no-op once it exited). */
    void kill(int signal);

    /** waitExit: wait up to @timeout for the child to exit; its status, or nothing. */
    std::optional<ExitStatus> waitExit(std::chrono::milliseconds timeout);

    /** exitStatus: how the child ended, once it did. */
    const std::optional<ExitStatus> &exitStatus() const { return exitStatus_; }

    /** logTail: the last @maxBytes of the log, for error messages. */
    std::string logTail(size_t maxBytes = 2000) const;

private:
    void spawn(const std::string &guestImage);
    void waitForStart();
    [[noreturn]] void failStart(const std::string &problem);
    void cleanup();
    bool reap(bool block);

    QemuOptions options_;
    std::string workDir_;
    bool ownsWorkDir_ = false;
    std::string qmpSocketPath_;
    std::string serialSocketPath_;
    std::string logPath_;
    pid_t pid_ = -1;
    std::optional<ExitStatus> exitStatus_;
};

} // namespace migkit::testbed
