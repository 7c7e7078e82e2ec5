/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdexcept>
#include <string>

namespace migkit {

/**
 * QmpError: a QMP command or connection that failed.  kind() tells whether QEMU answered with
 * an error (errorClass() is QEMU's class then) or the connection failed, timed out or carried
 * something that is not QMP.  The message names the command and the monitor.
 */
class QmpError : public std::runtime_error {
public:
    /** Kind: who failed. */
    enum class Kind {
        CommandFailed, ///< QEMU answered with an error
        ConnectFailed, ///< could not connect, or no QMP greeting
        Disconnected,  ///< the connection closed (QEMU exited) before the reply
        Timeout,       ///< no reply in time
        Protocol,      ///< QEMU sent something that is not QMP (malformed JSON, ...)
        Interrupted,   ///< the caller stopped waiting (QmpClient::abandonWaits, e.g. Ctrl-C)
    };

    /** QmpError: a failure of @kind; @errorClass is QEMU's class for CommandFailed. */
    QmpError(Kind kind, const std::string &message, std::string errorClass = {})
        : std::runtime_error(message), kind_(kind), errorClass_(std::move(errorClass))
    {}

    /** kind: who failed. */
    Kind kind() const noexcept { return kind_; }
    /** errorClass: QEMU's error class ("GenericError", ...); empty unless CommandFailed. */
    const std::string &errorClass() const noexcept { return errorClass_; }

private:
    Kind kind_;
    std::string errorClass_;
};

} // namespace migkit
