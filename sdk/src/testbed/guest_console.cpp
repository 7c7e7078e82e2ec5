/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_console.h"

#include "testbed/testbed_error.h"

#include "qmp/line_framer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

namespace migkit::testbed {

namespace {

using Clock = std::chrono::steady_clock;

/* Progress lines kept: at 10 a second, the last quarter of an hour. */
constexpr size_t kHistoryLimit = 9000;
constexpr size_t kErrorLimit = 100;

int remainingMs(Clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

std::string seconds(std::chrono::milliseconds timeout)
{
    return std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
}

template <typename T>
constexpr const char *replyName()
{
    if constexpr (std::is_same_v<T, GuestReady>)
        return "ready line";
    else if constexpr (std::is_same_v<T, VerifyResult>)
        return "verify result";
    else
        return "pause/resume acknowledgement";
}

} // namespace

GuestConsole::GuestConsole(const std::string &socketPath, std::chrono::milliseconds timeout)
    : socketPath_(socketPath)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socketPath.size() >= sizeof(address.sun_path))
        throw TestbedError("guest console: socket path '" + socketPath + "' is longer than " +
                           std::to_string(sizeof(address.sun_path) - 1) +
                           " bytes; use a shorter work folder");
    std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size() + 1);

    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            throw TestbedError(std::string("guest console: socket(): ") + std::strerror(errno));
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0) {
            fd_ = fd;
            break;
        }
        int error = errno;
        ::close(fd);
        /* QEMU may not have created or opened its listening socket yet. */
        bool retry = error == ENOENT || error == ECONNREFUSED || error == EAGAIN;
        if (!retry || Clock::now() >= deadline)
            throw TestbedError("guest console: cannot connect to '" + socketPath +
                               "': " + std::strerror(error) +
                               "; is QEMU running with this serial socket "
                               "(-chardev socket,server=on)?");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stopFd_ = ::eventfd(0, EFD_CLOEXEC);
    if (stopFd_ < 0) {
        int error = errno;
        ::close(fd_);
        throw TestbedError(std::string("guest console: eventfd(): ") + std::strerror(error));
    }
    reader_ = std::thread([this] { readerLoop(); });
}

GuestConsole::~GuestConsole()
{
    uint64_t stop = 1;
    if (::write(stopFd_, &stop, sizeof(stop)) != sizeof(stop))
        ::shutdown(fd_, SHUT_RDWR); /* wakes the reader's poll() as well */
    reader_.join();
    ::close(stopFd_);
    ::close(fd_);
}

/* The reader thread: read until the socket closes or the destructor says stop. */
void GuestConsole::readerLoop()
{
    LineFramer framer(64 * 1024);
    std::string failure;
    while (failure.empty()) {
        pollfd descriptors[2] = {{fd_, POLLIN, 0}, {stopFd_, POLLIN, 0}};
        if (::poll(descriptors, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            failure = std::string("poll: ") + std::strerror(errno);
            break;
        }
        if (descriptors[1].revents)
            return;
        char buffer[16384];
        ssize_t count = ::read(fd_, buffer, sizeof(buffer));
        if (count < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (count <= 0) {
            failure =
                (count == 0 ? std::string("closed by QEMU") : std::string(std::strerror(errno))) +
                " (did QEMU exit? see its log)";
            break;
        }
        const auto now = Clock::now();
        std::vector<ReceivedLine> lines;
        try {
            framer.feed(std::string_view(buffer, static_cast<size_t>(count)));
            while (std::optional<std::string> line = framer.next())
                lines.push_back(ReceivedLine{std::move(*line), now});
        } catch (const LineFramer::LineTooLong &) {
            failure = "a line longer than 64 KiB; is this the migkit guest?";
        }
        std::lock_guard<std::mutex> lock(mutex_);
        for (ReceivedLine &line : lines)
            received_.push_back(std::move(line));
        arrived_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    readerError_ = "guest console '" + socketPath_ + "': " + failure;
    arrived_.notify_all();
}

/* Parse what the reader received, waiting until @deadline for something to arrive.  Throws
 * once the reader stopped and nothing is left. */
bool GuestConsole::takeLines(Clock::time_point deadline)
{
    std::deque<ReceivedLine> lines;
    std::string error;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        arrived_.wait_until(lock, deadline,
                            [this] { return !received_.empty() || !readerError_.empty(); });
        lines.swap(received_);
        error = readerError_;
    }
    if (lines.empty() && !error.empty())
        throw TestbedError(error);
    for (const ReceivedLine &line : lines)
        handleLine(line);
    return !lines.empty();
}

size_t GuestConsole::poll()
{
    size_t before = linesRead_;
    takeLines(Clock::now());
    return linesRead_ - before;
}

void GuestConsole::handleLine(const ReceivedLine &received)
{
    linesRead_++;
    /* A guest line may end with \r; a partial line may precede the guest's boot banner. */
    std::string line = received.text;
    while (!line.empty() && (line.back() == '\r' || line.back() == '\0'))
        line.pop_back();
    GuestMessage message;
    try {
        message = parseGuestLine(line);
    } catch (const std::invalid_argument &error) {
        errors_.push_back(std::string("unparsed line: ") + error.what());
        if (errors_.size() > kErrorLimit)
            errors_.pop_front();
        return;
    }
    if (auto *progress = std::get_if<GuestProgress>(&message)) {
        history_.push_back(ProgressSample{*progress, received.time});
        if (history_.size() > kHistoryLimit)
            history_.pop_front();
        progressCount_++;
        return;
    }
    if (auto *ready = std::get_if<GuestReady>(&message))
        ready_ = *ready;
    if (auto *error = std::get_if<GuestErrorLine>(&message)) {
        errors_.push_back(error->message);
        if (errors_.size() > kErrorLimit)
            errors_.pop_front();
    }
    if (!std::holds_alternative<OtherLine>(message))
        replies_.push_back(std::move(message));
}

void GuestConsole::send(const std::string &command)
{
    std::string bytes = command + "\n";
    size_t sent = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (sent < bytes.size()) {
        ssize_t count = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (count > 0) {
            sent += static_cast<size_t>(count);
            continue;
        }
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && Clock::now() < deadline) {
            pollfd descriptor{fd_, POLLOUT, 0};
            ::poll(&descriptor, 1, remainingMs(deadline));
            continue;
        }
        throw TestbedError("guest console '" + socketPath_ + "': cannot send '" + command +
                           "': " + (count < 0 ? std::strerror(errno) : "nothing written"));
    }
}

template <typename T>
T GuestConsole::waitFor(const char *command, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        while (!replies_.empty()) {
            GuestMessage reply = std::move(replies_.front());
            replies_.pop_front();
            if (auto *wanted = std::get_if<T>(&reply))
                return std::move(*wanted);
            if (auto *error = std::get_if<GuestErrorLine>(&reply))
                throw TestbedError("guest on '" + socketPath_ + "' answered '" + command +
                                   "' with an error: " + error->message);
            /* Anything else is a stale reply to an earlier command. */
        }
        if (Clock::now() >= deadline)
            throw TestbedError("guest console '" + socketPath_ + "': no " + replyName<T>() +
                               " within " + seconds(timeout) + " after '" + command +
                               "'; is the VM running (QMP query-status) and the migkit guest "
                               "booted (its QEMU log)?");
        takeLines(deadline);
    }
}

/* Replies already queued belong to earlier commands: drop them before asking again. */
void GuestConsole::request(const std::string &command)
{
    takeLines(Clock::now());
    replies_.clear();
    send(command);
}

GuestReady GuestConsole::waitReady(std::chrono::milliseconds timeout)
{
    request("status");
    return waitFor<GuestReady>("status", timeout);
}

GuestProgress GuestConsole::waitProgress(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    const uint64_t seen = progressCount_;
    while (progressCount_ == seen) {
        if (Clock::now() >= deadline)
            throw TestbedError("guest console '" + socketPath_ + "': no progress line within " +
                               seconds(timeout) +
                               "; is the VM running (QMP query-status) and the migkit guest "
                               "booted (its QEMU log)?");
        takeLines(deadline);
    }
    return history_.back().progress;
}

VerifyResult GuestConsole::verify(std::chrono::milliseconds timeout)
{
    request("verify");
    return waitFor<VerifyResult>("verify", timeout);
}

GuestAck GuestConsole::pause(std::chrono::milliseconds timeout)
{
    request("pause");
    return waitFor<GuestAck>("pause", timeout);
}

GuestAck GuestConsole::resume(std::chrono::milliseconds timeout)
{
    request("resume");
    return waitFor<GuestAck>("resume", timeout);
}

std::optional<GuestProgress> GuestConsole::latestProgress() const
{
    if (history_.empty())
        return std::nullopt;
    return history_.back().progress;
}

std::optional<WriteRate> GuestConsole::writeRate(std::chrono::microseconds window) const
{
    return computeWriteRate(history_, window);
}

} // namespace migkit::testbed
