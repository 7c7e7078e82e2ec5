/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_messages.h"

#include <charconv>
#include <map>
#include <stdexcept>
#include <vector>

namespace migkit::testbed {

namespace {

/* The words after the line's kind: key=value pairs, and bare words in order. */
struct LineFields {
    std::string_view line;
    std::map<std::string_view, std::string_view> values;
    std::vector<std::string_view> bare;

    [[noreturn]] void fail(std::string_view key, const char *problem) const
    {
        throw std::invalid_argument("guest line: field '" + std::string(key) + "' " + problem +
                                    " in \"" + std::string(line) + "\"");
    }

    std::string_view text(std::string_view key) const
    {
        auto found = values.find(key);
        if (found == values.end())
            fail(key, "is missing");
        return found->second;
    }

    uint64_t number(std::string_view key) const
    {
        std::string_view value = text(key);
        int base = 10;
        if (value.size() > 2 && value[0] == '0' && value[1] == 'x') {
            base = 16;
            value.remove_prefix(2);
        }
        uint64_t result = 0;
        auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), result, base);
        if (value.empty() || error != std::errc() || end != value.data() + value.size())
            fail(key, "is not a number");
        return result;
    }

    bool flag(std::string_view key) const
    {
        std::string_view value = text(key);
        if (value == "1" || value == "ok")
            return true;
        if (value == "0" || value == "bad")
            return false;
        fail(key, "is not 0/1 or ok/bad");
    }
};

LineFields splitFields(std::string_view line, std::string_view rest)
{
    LineFields fields{line, {}, {}};
    size_t position = 0;
    while (position < rest.size()) {
        size_t end = rest.find(' ', position);
        if (end == std::string_view::npos)
            end = rest.size();
        std::string_view word = rest.substr(position, end - position);
        position = end + 1;
        if (word.empty())
            continue;
        size_t equals = word.find('=');
        if (equals == std::string_view::npos)
            fields.bare.push_back(word);
        else
            fields.values[word.substr(0, equals)] = word.substr(equals + 1);
    }
    return fields;
}

GuestReady parseReady(const LineFields &fields)
{
    GuestReady ready;
    std::string configLine;
    for (const char *key : {"ws", "pattern", "hot", "hotshare", "rate", "seed", "fill"})
        configLine += std::string(key) + "=" + std::string(fields.text(key)) + " ";
    try {
        ready.config = GuestConfig::parse(configLine);
    } catch (const std::invalid_argument &error) {
        throw std::invalid_argument(std::string(error.what()) + " in \"" +
                                    std::string(fields.line) + "\"");
    }
    ready.pages = fields.number("pages");
    ready.baseAddress = fields.number("base");
    ready.ramBytes = fields.number("ram");
    ready.tscKhz = fields.number("tsc_khz");
    ready.bootUs = fields.number("boot_us");
    return ready;
}

GuestProgress parseProgress(const LineFields &fields)
{
    GuestProgress progress;
    progress.sequence = fields.number("seq");
    progress.pagesWritten = fields.number("writes");
    progress.guestTimeUs = fields.number("t_us");
    progress.paused = fields.flag("paused");
    return progress;
}

VerifyResult parseVerify(const LineFields &fields)
{
    VerifyResult result;
    result.line = std::string(fields.line);
    result.pages = fields.number("pages");
    result.pagesWritten = fields.number("writes");
    if (!fields.bare.empty() && fields.bare.front() == "ok") {
        result.ok = true;
        return result;
    }
    result.bad = fields.number("bad");
    result.firstBad = fields.number("first");
    result.lost = fields.number("lost");
    result.corrupt = fields.number("corrupt");
    result.ahead = fields.number("ahead");
    result.tableOk = fields.flag("table");
    return result;
}

} // namespace

GuestMessage parseGuestLine(std::string_view line)
{
    size_t space = line.find(' ');
    std::string_view kind = line.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (kind == "error")
        return GuestErrorLine{std::string(rest)};

    LineFields fields = splitFields(line, rest);
    if (kind == "ready")
        return parseReady(fields);
    if (kind == "progress")
        return parseProgress(fields);
    if (kind == "verify")
        return parseVerify(fields);
    if (kind == "paused" || kind == "resumed")
        return GuestAck{kind == "paused", fields.number("writes")};
    return OtherLine{std::string(line)};
}

} // namespace migkit::testbed
