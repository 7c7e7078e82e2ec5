/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace migkit {

/**
 * LineFramer: cuts a byte stream into QMP messages.  QEMU ends every JSON message with a
 * newline ("\r\n" or "\n") and never puts a raw newline inside one, so a line is a message;
 * reads may end anywhere, so bytes wait here until their line is complete.
 */
class LineFramer {
public:
    /** LineTooLong: the peer sent more than the limit without a newline. */
    class LineTooLong : public std::runtime_error {
    public:
        using std::runtime_error::runtime_error;
    };

    /** LineFramer: refuse lines longer than @maxLine bytes (QMP replies are far smaller). */
    explicit LineFramer(size_t maxLine = 16 * 1024 * 1024) : maxLine_(maxLine) {}

    /** feed: append received bytes; throws LineTooLong when a line grows past the limit. */
    void feed(std::string_view bytes);

    /** next: the next complete line without its line ending, skipping blank lines. */
    std::optional<std::string> next();

    /** pending: bytes received that do not form a complete line yet. */
    size_t pending() const { return buffer_.size() - start_; }

private:
    std::string buffer_;
    size_t start_ = 0;
    size_t maxLine_;
};

} // namespace migkit
