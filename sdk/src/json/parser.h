/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json/value.h"

#include <stdexcept>
#include <string>
#include <string_view>

namespace migkit::json {

/**
 * ParseError: the text is not valid JSON.  what() reads like "invalid JSON at offset 12:
 * expected ',' or '}' after an object member, found 'x'"; offset() is the byte where parsing
 * stopped, so a caller can point at it.
 */
class ParseError : public std::runtime_error {
public:
    /** ParseError: at byte @offset, @problem (what was expected and what was found). */
    ParseError(size_t offset, const std::string &problem);

    /** offset: the byte offset in the input where the problem is. */
    size_t offset() const noexcept { return offset_; }

private:
    size_t offset_;
};

/**
 * parse: the single JSON value in @text (RFC 8259, strict: no comments, no trailing commas,
 * no leading zeros, no control characters in strings, nothing but white space after the
 * value).  Nesting deeper than 128 levels is refused so that hostile input cannot exhaust
 * the stack.  Throws ParseError.
 */
Value parse(std::string_view text);

} // namespace migkit::json
