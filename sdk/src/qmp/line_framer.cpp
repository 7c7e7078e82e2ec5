/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qmp/line_framer.h"

namespace migkit {

void LineFramer::feed(std::string_view bytes)
{
    /* Drop consumed bytes before growing, so the buffer stays as large as one line. */
    if (start_ > 0) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    if (buffer_.size() + bytes.size() > maxUnread_) {
        throw TooMuchUnread("more than " + std::to_string(maxUnread_) +
                            " bytes of QMP messages unread (a flood faster than they are handled)");
    }
    buffer_.append(bytes);
    const auto newline = buffer_.rfind('\n');
    const size_t unterminated =
        newline == std::string::npos ? buffer_.size() : buffer_.size() - newline - 1;
    if (unterminated > maxLine_) {
        throw LineTooLong("a QMP message longer than " + std::to_string(maxLine_) +
                          " bytes without a newline");
    }
}

std::optional<std::string> LineFramer::next()
{
    for (;;) {
        const auto newline = buffer_.find('\n', start_);
        if (newline == std::string::npos) {
            return std::nullopt;
        }
        size_t end = newline;
        if (end > start_ && buffer_[end - 1] == '\r') {
            --end;
        }
        std::string line = buffer_.substr(start_, end - start_);
        start_ = newline + 1;
        if (line.find_first_not_of(" \t\r") != std::string::npos) {
            return line;
        }
    }
}

} // namespace migkit
