/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_console.h"

#include "testbed/testbed_error.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

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
            return;
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
}

GuestConsole::~GuestConsole()
{
    if (fd_ >= 0)
        ::close(fd_);
}

size_t GuestConsole::poll()
{
    size_t before = linesRead_;
    readLines(0);
    return linesRead_ - before;
}

void GuestConsole::readLines(int timeoutMs)
{
    pollfd descriptor{fd_, POLLIN, 0};
    int ready = ::poll(&descriptor, 1, timeoutMs);
    if (ready < 0 && errno != EINTR)
        throw TestbedError("guest console '" + socketPath_ + "': poll: " + std::strerror(errno));
    if (ready <= 0)
        return;
    for (;;) {
        char buffer[16384];
        ssize_t count = ::read(fd_, buffer, sizeof(buffer));
        if (count > 0) {
            try {
                framer_.feed(std::string_view(buffer, static_cast<size_t>(count)));
            } catch (const LineFramer::LineTooLong &) {
                throw TestbedError("guest console '" + socketPath_ +
                                   "': a line longer than 64 KiB; is this the migkit guest?");
            }
            while (std::optional<std::string> line = framer_.next())
                handleLine(*line);
            continue;
        }
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        throw TestbedError("guest console '" + socketPath_ + "': " +
                           (count == 0 ? std::string("closed by QEMU (did it exit?)")
                                       : std::string(std::strerror(errno))));
    }
}

void GuestConsole::handleLine(const std::string &rawLine)
{
    linesRead_++;
    /* A guest line may end with \r; a partial line may precede the guest's boot banner. */
    std::string line = rawLine;
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
        history_.push_back(ProgressSample{*progress, Clock::now()});
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
        readLines(remainingMs(deadline));
    }
}

/* Replies already queued belong to earlier commands: drop them before asking again. */
void GuestConsole::request(const std::string &command)
{
    readLines(0);
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
        readLines(remainingMs(deadline));
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
