/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <functional>
#include <string>
#include <thread>

/**
 * FakePeer: a scripted QMP server on a UNIX socket in a private folder, running on its own
 * thread, to test the client's framing and error handling without QEMU.  The script gets a
 * connected socket and uses readLine()/write(); when it returns, the socket closes (a hang-up).
 */
class FakePeer {
public:
    /** Connection: the script's end of the accepted socket. */
    class Connection {
    public:
        explicit Connection(int fd) : fd_(fd) {}
        /** readLine: the next line from the client (without newline); "" on EOF. */
        std::string readLine();
        /** write: send @bytes as they are (no newline added). */
        void write(const std::string &bytes);
        /**
         * flood: send @line (newline included) again and again until the client hangs up or
         * @limit bytes went out; returns the bytes sent.
         */
        size_t flood(const std::string &line, size_t limit);
        /** greet: send a QEMU-like greeting and answer qmp_capabilities. */
        void greet();
        /** reply: answer the command in @line (its id echoed) with @body, e.g. "\"return\": {}". */
        void reply(const std::string &line, const std::string &body);

    private:
        int fd_;
        std::string buffer_;
    };

    /** FakePeer: listen, and run @script for the first client. */
    explicit FakePeer(std::function<void(Connection &)> script);
    ~FakePeer();

    /** path: the socket's path. */
    const std::string &path() const { return path_; }

private:
    std::string folder_, path_;
    int listenFd_ = -1;
    std::thread thread_;
};
