/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qmp/address.h"

#include <charconv>
#include <stdexcept>

namespace migkit {

namespace {

[[noreturn]] void badAddress(const std::string &text, const std::string &why)
{
    throw std::invalid_argument("invalid QMP address '" + text + "': " + why +
                                " (use a socket path, unix:PATH or HOST:PORT)");
}

QmpAddress tcpAddress(const std::string &original, const std::string &hostPort)
{
    std::string host, port;
    if (!hostPort.empty() && hostPort.front() == '[') {
        const auto close = hostPort.find(']');
        if (close == std::string::npos || close + 1 >= hostPort.size() ||
            hostPort[close + 1] != ':') {
            badAddress(original, "an IPv6 address needs the form [ADDRESS]:PORT");
        }
        host = hostPort.substr(1, close - 1);
        port = hostPort.substr(close + 2);
    } else {
        const auto colon = hostPort.rfind(':');
        if (colon == std::string::npos) {
            badAddress(original, "no port");
        }
        host = hostPort.substr(0, colon);
        port = hostPort.substr(colon + 1);
    }
    if (host.empty()) {
        badAddress(original, "no host before the port");
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
        badAddress(original, "the port '" + port + "' is not a number from 1 to 65535");
    }
    QmpAddress address;
    address.kind = QmpAddress::Kind::Tcp;
    address.host = host;
    address.port = static_cast<uint16_t>(value);
    return address;
}

} // namespace

QmpAddress QmpAddress::parse(const std::string &text)
{
    if (text.empty()) {
        badAddress(text, "it is empty");
    }
    QmpAddress address;
    if (text.rfind("unix:", 0) == 0) {
        address.path = text.substr(5);
        if (address.path.empty()) {
            badAddress(text, "no path after unix:");
        }
        return address;
    }
    if (text.rfind("tcp:", 0) == 0) {
        return tcpAddress(text, text.substr(4));
    }
    if (text.find('/') != std::string::npos || text.find(':') == std::string::npos) {
        address.path = text;
        return address;
    }
    return tcpAddress(text, text);
}

std::string QmpAddress::toString() const
{
    if (kind == Kind::Unix) {
        return "unix:" + path;
    }
    if (host.find(':') != std::string::npos) {
        return "[" + host + "]:" + std::to_string(port);
    }
    return host + ":" + std::to_string(port);
}

} // namespace migkit
