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
 * reads may end anywhere, so bytes wait here until their line is complete.  Both the line
 * being received and everything not yet taken out with next() are bounded, so that a peer
 * cannot grow the buffer without limit with one endless line or with a flood of short ones.
 */
class LineFramer {
public:
    /** LineTooLong: the peer sent more than the limit without a newline. */
    class LineTooLong : public std::runtime_error {
    public:
        using std::runtime_error::runtime_error;
    };

    /** TooMuchUnread: the peer sent more than the limit of lines nobody took out yet. */
    class TooMuchUnread : public std::runtime_error {
    public:
        using std::runtime_error::runtime_error;
    };

    /**
     * LineFramer: refuse lines longer than @maxLine bytes (QMP replies are far smaller) and
     * more than @maxUnread bytes waiting to be taken out (default: twice @maxLine).
     */
    explicit LineFramer(size_t maxLine = 16 * 1024 * 1024, size_t maxUnread = 0)
        : maxLine_(maxLine), maxUnread_(maxUnread ? maxUnread : 2 * maxLine)
    {}

    /**
     * feed: append received bytes; throws LineTooLong when a line grows past its limit and
     * TooMuchUnread when the bytes not taken out yet would pass theirs (nothing is appended).
     */
    void feed(std::string_view bytes);

    /** next: the next complete line without its line ending, skipping blank lines. */
    std::optional<std::string> next();

    /** pending: bytes received and not taken out yet (complete lines and a partial one). */
    size_t pending() const { return buffer_.size() - start_; }

    /** maxUnread: the most bytes pending() may reach. */
    size_t maxUnread() const { return maxUnread_; }

private:
    std::string buffer_;
    size_t start_ = 0;
    size_t maxLine_;
    size_t maxUnread_;
};

} // namespace migkit
