/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fake_peer.h"

#include "json/parser.h"
#include "json/writer.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

FakePeer::FakePeer(std::function<void(Connection &)> script)
{
    char templ[] = "/tmp/migkit-fake-qmp-XXXXXX";
    if (!mkdtemp(templ)) {
        throw std::runtime_error("mkdtemp failed");
    }
    folder_ = templ;
    path_ = folder_ + "/qmp.sock";
    listenFd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    if (bind(listenFd_, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0 ||
        listen(listenFd_, 1) != 0) {
        throw std::runtime_error("cannot listen on " + path_);
    }
    thread_ = std::thread([this, script = std::move(script)] {
        const int fd = accept(listenFd_, nullptr, nullptr);
        if (fd < 0) {
            return;
        }
        Connection connection(fd);
        script(connection);
        close(fd);
    });
}

FakePeer::~FakePeer()
{
    /* Wake a thread still blocked in accept(). */
    shutdown(listenFd_, SHUT_RDWR);
    thread_.join();
    close(listenFd_);
    unlink(path_.c_str());
    rmdir(folder_.c_str());
}

std::string FakePeer::Connection::readLine()
{
    for (;;) {
        const auto newline = buffer_.find('\n');
        if (newline != std::string::npos) {
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return line;
        }
        char chunk[4096];
        const ssize_t n = read(fd_, chunk, sizeof(chunk));
        if (n <= 0) {
            return "";
        }
        buffer_.append(chunk, static_cast<size_t>(n));
    }
}

void FakePeer::Connection::write(const std::string &bytes)
{
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + sent, bytes.size() - sent);
        if (n <= 0) {
            return;
        }
        sent += static_cast<size_t>(n);
    }
}

size_t FakePeer::Connection::flood(const std::string &line, size_t limit)
{
    std::string chunk;
    while (chunk.size() < 65536) {
        chunk += line;
    }
    size_t sent = 0;
    while (sent < limit) {
        /* MSG_NOSIGNAL: the client hanging up is what the test waits for, not a SIGPIPE. */
        const ssize_t n = ::send(fd_, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        sent += static_cast<size_t>(n);
    }
    return sent;
}

void FakePeer::Connection::greet()
{
    write(
        R"({"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}})"
        "\r\n");
    reply(readLine(), R"("return": {})");
}

void FakePeer::Connection::reply(const std::string &line, const std::string &body)
{
    const auto command = migkit::json::parse(line);
    write("{" + body + ", \"id\": " + migkit::json::serialize(command.at("id")) + "}\r\n");
}
