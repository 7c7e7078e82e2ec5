/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json/parser.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace migkit::json {

ParseError::ParseError(size_t offset, const std::string &problem)
    : std::runtime_error("invalid JSON at offset " + std::to_string(offset) + ": " + problem),
      offset_(offset)
{}

namespace {

constexpr int maxDepth = 128;

/* A recursive-descent parser over one input; pos_ always points at the next unread byte. */
class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    Value document()
    {
        skipSpace();
        Value v = value(0);
        skipSpace();
        if (pos_ != text_.size()) {
            fail("expected the end of the input after the value");
        }
        return v;
    }

private:
    [[noreturn]] void fail(const std::string &expected) const
    {
        std::string found;
        if (pos_ >= text_.size()) {
            found = "the end of the input";
        } else {
            const auto c = static_cast<unsigned char>(text_[pos_]);
            if (c >= 0x20 && c < 0x7f) {
                found = std::string("'") + static_cast<char>(c) + "'";
            } else {
                static const char hex[] = "0123456789abcdef";
                found = std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
            }
        }
        throw ParseError(pos_, expected + ", found " + found);
    }

    bool atEnd() const { return pos_ >= text_.size(); }
    char peek() const { return atEnd() ? '\0' : text_[pos_]; }

    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
            ++pos_;
        }
    }

    void expectWord(std::string_view word)
    {
        if (text_.substr(pos_, word.size()) != word) {
            fail("expected '" + std::string(word) + "'");
        }
        pos_ += word.size();
    }

    Value value(int depth)
    {
        if (depth > maxDepth) {
            fail("nesting deeper than " + std::to_string(maxDepth) + " levels");
        }
        switch (peek()) {
        case '{':
            return object(depth);
        case '[':
            return array(depth);
        case '"':
            return Value(string());
        case 't':
            expectWord("true");
            return Value(true);
        case 'f':
            expectWord("false");
            return Value(false);
        case 'n':
            expectWord("null");
            return Value();
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                return number();
            }
            fail("expected a JSON value (object, array, string, number, true, false or null)");
        }
    }

    Value object(int depth)
    {
        ++pos_; /* '{' */
        Value result = Value::object();
        Value::Object &members = result.asObject();
        skipSpace();
        if (peek() == '}') {
            ++pos_;
            return result;
        }
        for (;;) {
            skipSpace();
            if (peek() != '"') {
                fail("expected a member name in double quotes");
            }
            std::string name = string();
            skipSpace();
            if (peek() != ':') {
                fail("expected ':' after the member name");
            }
            ++pos_;
            skipSpace();
            members.emplace_back(std::move(name), value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return result;
            }
            fail("expected ',' or '}' after an object member");
        }
    }

    Value array(int depth)
    {
        ++pos_; /* '[' */
        Value result = Value::array();
        skipSpace();
        if (peek() == ']') {
            ++pos_;
            return result;
        }
        for (;;) {
            skipSpace();
            result.push(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return result;
            }
            fail("expected ',' or ']' after an array element");
        }
    }

    unsigned hex4()
    {
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = peek();
            unsigned digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else {
                fail("expected 4 hexadecimal digits after \\u");
            }
            code = code * 16 + digit;
            ++pos_;
        }
        return code;
    }

    static void appendUtf8(std::string &out, unsigned code)
    {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        }
    }

    /* \uXXXX, with a surrogate pair joined into one code point; pos_ is after the 'u'. */
    unsigned unicodeEscape()
    {
        const size_t start = pos_ - 2;
        unsigned code = hex4();
        if (code >= 0xdc00 && code <= 0xdfff) {
            pos_ = start;
            fail("expected a high surrogate before a low surrogate \\u escape");
        }
        if (code >= 0xd800 && code <= 0xdbff) {
            if (text_.substr(pos_, 2) != "\\u") {
                fail("expected a \\u low surrogate after the high surrogate");
            }
            pos_ += 2;
            const unsigned low = hex4();
            if (low < 0xdc00 || low > 0xdfff) {
                pos_ -= 6;
                fail("expected a low surrogate (\\udc00-\\udfff) after the high surrogate");
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        }
        return code;
    }

    std::string string()
    {
        ++pos_; /* opening quote */
        std::string out;
        for (;;) {
            if (atEnd()) {
                fail("expected '\"' to close the string");
            }
            const char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("expected an escaped control character (\\n, \\u00XX) in the string");
            }
            if (c != '\\') {
                out += c;
                ++pos_;
                continue;
            }
            ++pos_;
            const char e = peek();
            ++pos_;
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u':
                appendUtf8(out, unicodeEscape());
                break;
            default:
                --pos_;
                fail("expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after a backslash");
            }
        }
    }

    Value number()
    {
        const size_t start = pos_;
        bool negative = false, integral = true;
        if (peek() == '-') {
            negative = true;
            ++pos_;
        }
        if (peek() == '0') {
            ++pos_;
            if (peek() >= '0' && peek() <= '9') {
                fail("expected no leading zero in a number");
            }
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                ++pos_;
            }
        } else {
            fail("expected a digit");
        }
        if (peek() == '.') {
            integral = false;
            ++pos_;
            if (!(peek() >= '0' && peek() <= '9')) {
                fail("expected a digit after the decimal point");
            }
            while (peek() >= '0' && peek() <= '9') {
                ++pos_;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            ++pos_;
            if (peek() == '+' || peek() == '-') {
                ++pos_;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                fail("expected a digit in the exponent");
            }
            while (peek() >= '0' && peek() <= '9') {
                ++pos_;
            }
        }
        const char *first = text_.data() + start;
        const char *last = text_.data() + pos_;
        if (integral) {
            int64_t i;
            if (std::from_chars(first, last, i).ec == std::errc()) {
                return Value(i);
            }
            uint64_t u;
            if (!negative && std::from_chars(first, last, u).ec == std::errc()) {
                return Value(u);
            }
            /* Too large for 64 bits: keep it as a double, as most JSON readers do. */
        }
        /* strtod needs a terminated string; numbers are short. */
        const std::string copy(first, last);
        errno = 0;
        const double d = std::strtod(copy.c_str(), nullptr);
        if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) {
            pos_ = start;
            fail("expected a number within the range of a double");
        }
        return Value(d);
    }

    std::string_view text_;
    size_t pos_ = 0;
};

} // namespace

Value parse(std::string_view text)
{
    return Parser(text).document();
}

} // namespace migkit::json
