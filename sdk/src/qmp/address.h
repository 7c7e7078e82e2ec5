/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <string>

namespace migkit {

/**
 * QmpAddress: where a QMP monitor listens: a UNIX socket or a TCP host and port, as an
 * operator writes it on the command line.
 */
struct QmpAddress {
    /** Kind: the socket family. */
    enum class Kind { Unix, Tcp };

    Kind kind = Kind::Unix;
    /** Unix: the socket's path. */
    std::string path;
    /** Tcp: host name or address (IPv6 without brackets). */
    std::string host;
    /** Tcp: port. */
    uint16_t port = 0;

    /**
     * parse: "unix:PATH", "tcp:HOST:PORT", "HOST:PORT", "[V6]:PORT", or a plain path (anything
     * with a '/' or without a ':').  Throws std::invalid_argument saying which forms work.
     */
    static QmpAddress parse(const std::string &text);

    /** toString: "unix:PATH" or "HOST:PORT", for messages. */
    std::string toString() const;
};

} // namespace migkit
