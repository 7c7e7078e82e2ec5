/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json/writer.h"

#include <charconv>
#include <cmath>

namespace migkit::json {

namespace {

void writeString(std::string &out, const std::string &s)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (const char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += hex[(c >> 4) & 15];
                out += hex[c & 15];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void writeDouble(std::string &out, double d)
{
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), d);
    std::string text(buffer, result.ptr);
    /* Keep it a double when read back: "2" would come back as an integer. */
    if (text.find_first_of(".eE") == std::string::npos) {
        text += ".0";
    }
    out += text;
}

void newline(std::string &out, WriteStyle style, int depth)
{
    if (style == WriteStyle::Pretty) {
        out += '\n';
        out.append(static_cast<size_t>(depth) * 2, ' ');
    }
}

void write(std::string &out, const Value &value, WriteStyle style, int depth)
{
    switch (value.type()) {
    case Value::Type::Null:
        out += "null";
        break;
    case Value::Type::Bool:
        out += value.asBool() ? "true" : "false";
        break;
    case Value::Type::Int64:
        out += std::to_string(value.asInt64());
        break;
    case Value::Type::Uint64:
        out += std::to_string(value.asUint64());
        break;
    case Value::Type::Double:
        writeDouble(out, value.asDouble());
        break;
    case Value::Type::String:
        writeString(out, value.asString());
        break;
    case Value::Type::Array: {
        const auto &elements = value.asArray();
        out += '[';
        for (size_t i = 0; i < elements.size(); ++i) {
            if (i) {
                out += style == WriteStyle::Pretty ? "," : ", ";
            }
            newline(out, style, depth + 1);
            write(out, elements[i], style, depth + 1);
        }
        if (!elements.empty()) {
            newline(out, style, depth);
        }
        out += ']';
        break;
    }
    case Value::Type::Object: {
        const auto &members = value.asObject();
        out += '{';
        for (size_t i = 0; i < members.size(); ++i) {
            if (i) {
                out += style == WriteStyle::Pretty ? "," : ", ";
            }
            newline(out, style, depth + 1);
            writeString(out, members[i].first);
            out += ": ";
            write(out, members[i].second, style, depth + 1);
        }
        if (!members.empty()) {
            newline(out, style, depth);
        }
        out += '}';
        break;
    }
    }
}

} // namespace

std::string serialize(const Value &value, WriteStyle style)
{
    std::string out;
    write(out, value, style, 0);
    if (style == WriteStyle::Pretty) {
        out += '\n';
    }
    return out;
}

} // namespace migkit::json
