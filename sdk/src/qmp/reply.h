/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "qmp/qmp_error.h"
#include "json/value.h"

#include <optional>
#include <string>

namespace migkit {

/**
 * QmpReply: the outcome of one command: QEMU's "return" value, or why it failed (QEMU's error
 * class and description, or a connection failure).  value() throws the failure as a QmpError
 * so that blocking callers can write `client.call(...).value()`.
 */
class QmpReply {
public:
    /** success: QEMU returned @value. */
    static QmpReply success(json::Value value)
    {
        QmpReply reply;
        reply.value_ = std::move(value);
        return reply;
    }

    /** failure: the command failed with @error. */
    static QmpReply failure(QmpError error)
    {
        QmpReply reply;
        reply.error_.emplace(std::move(error));
        return reply;
    }

    /** ok: whether QEMU returned a value. */
    bool ok() const { return !error_.has_value(); }

    /** value: the returned value; throws the QmpError when the command failed. */
    const json::Value &value() const
    {
        if (error_) {
            throw *error_;
        }
        return value_;
    }

    /** error: why it failed; only when !ok(). */
    const QmpError &error() const { return *error_; }

private:
    QmpReply() = default;

    json::Value value_;
    std::optional<QmpError> error_;
};

} // namespace migkit
