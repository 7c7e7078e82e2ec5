/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "testbed/guest_messages.h"
#include "testbed/write_rate.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace migkit::testbed {

/**
 * GuestConsole: the host end of the verifiable guest's serial port (COM1 as a UNIX socket
 * chardev, see QemuProcess::serialSocketPath()).
 *
 * A reader thread owned by the console drains the socket all the time and stamps each line
 * with the host time it arrived.  That matters: QEMU's 16550 writes one byte per chardev
 * write, so a few hundred unread bytes fill the socket, the UART then waits for the chardev
 * with its transmitter busy, and if the VM migrates in that state a destination whose serial
 * socket has no client yet never resumes transmitting (QEMU 10.0 re-arms the retry only on a
 * connected chardev).  So: keep a console open on the source while it migrates, or none at
 * all, and connect the destination's console before the migration starts.
 *
 * The API is blocking with timeouts (waitReady, verify, pause, resume, waitProgress) plus a
 * non-blocking poll() for callers that run a GLib main loop (call it from a timeout source)
 * and then read latestProgress() / writeRate().  Lines are parsed on the caller's thread, in
 * poll() or a blocking call; replies wait in a queue until a blocking call takes them, so
 * poll() never loses a verify result.  Use one console from one thread.
 *
 * A console may connect at any time (also to a migration's destination): waitReady() sends
 * `status` so the guest repeats its ready line.
 */
class GuestConsole {
public:
    /** kDefaultTimeout: generous for a loaded 2-core TCG host. */
    static constexpr std::chrono::milliseconds kDefaultTimeout{60000};

    /**
     * GuestConsole: connect to the socket at @socketPath, retrying until @timeout (QEMU may
     * not have created it yet).  Throws TestbedError naming the path.
     */
    GuestConsole(const std::string &socketPath, std::chrono::milliseconds timeout);
    ~GuestConsole();
    GuestConsole(const GuestConsole &) = delete;
    GuestConsole &operator=(const GuestConsole &) = delete;

    /** socketPath: where the console is connected, for messages. */
    const std::string &socketPath() const { return socketPath_; }

    /**
     * poll: parse the lines that have arrived, without blocking: update the progress history
     * and queue replies.  Returns the number of lines parsed.  Throws TestbedError when the
     * guest's socket closed (QEMU exited) and every line before that has been parsed.
     */
    size_t poll();

    /** waitReady: send `status` and wait for the ready line. */
    GuestReady waitReady(std::chrono::milliseconds timeout = kDefaultTimeout);

    /** waitProgress: wait for the next progress line. */
    GuestProgress waitProgress(std::chrono::milliseconds timeout = kDefaultTimeout);

    /** verify: send `verify` and wait for the result (writing pauses during the check). */
    VerifyResult verify(std::chrono::milliseconds timeout = kDefaultTimeout);

    /** pause: stop writing; returns the guest's acknowledgement. */
    GuestAck pause(std::chrono::milliseconds timeout = kDefaultTimeout);

    /** resume: start writing again; returns the guest's acknowledgement. */
    GuestAck resume(std::chrono::milliseconds timeout = kDefaultTimeout);

    /** send: send one command line (without newline) to the guest. */
    void send(const std::string &command);

    /** ready: the last ready line seen, if any. */
    const std::optional<GuestReady> &ready() const { return ready_; }

    /** latestProgress: the newest progress line seen, if any. */
    std::optional<GuestProgress> latestProgress() const;

    /** progressHistory: progress lines seen, oldest first (bounded; old ones drop off). */
    const std::deque<ProgressSample> &progressHistory() const { return history_; }

    /** writeRate: the guest's write rate over the last @window of guest time. */
    std::optional<WriteRate> writeRate(std::chrono::microseconds window) const;

    /** errors: `error` lines the guest sent and lines that did not parse, oldest first
     *  (bounded). */
    const std::deque<std::string> &errors() const { return errors_; }

private:
    /* A line as the reader thread received it. */
    struct ReceivedLine {
        std::string text;
        std::chrono::steady_clock::time_point time;
    };

    void readerLoop();
    bool takeLines(std::chrono::steady_clock::time_point deadline);
    void handleLine(const ReceivedLine &line);
    void request(const std::string &command);
    template <typename T>
    T waitFor(const char *command, std::chrono::milliseconds timeout);

    std::string socketPath_;
    int fd_ = -1;
    /* Written by the destructor to stop the reader thread. */
    int stopFd_ = -1;

    /* Shared with the reader thread, under mutex_. */
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<ReceivedLine> received_;
    std::string readerError_;

    std::thread reader_;

    /* Caller's thread only. */
    std::optional<GuestReady> ready_;
    std::deque<ProgressSample> history_;
    std::deque<GuestMessage> replies_;
    std::deque<std::string> errors_;
    uint64_t linesRead_ = 0;
    uint64_t progressCount_ = 0;
};

} // namespace migkit::testbed
