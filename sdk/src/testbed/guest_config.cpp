/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/guest_config.h"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace migkit::testbed {

namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;

std::string quoted(std::string_view text)
{
    return "'" + std::string(text) + "'";
}

/* parseNumber: decimal or 0x-hex, nothing else, at most @max. */
std::optional<uint64_t> parseNumber(std::string_view text, uint64_t max)
{
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty())
        return std::nullopt;
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (error != std::errc() || end != text.data() + text.size() || value > max)
        return std::nullopt;
    return value;
}

unsigned parsePercent(std::string_view key, std::string_view text, unsigned min)
{
    std::string_view digits = text;
    if (!digits.empty() && digits.back() == '%')
        digits.remove_suffix(1);
    std::optional<uint64_t> value = parseNumber(digits, 100);
    if (!value || *value < min)
        throw std::invalid_argument("guest config: " + std::string(key) + "=" + std::string(text) +
                                    " is not a percentage; use " + std::string(key) + "=" +
                                    std::to_string(min) + "%..100%");
    return static_cast<unsigned>(*value);
}

} // namespace

std::string toString(WritePattern pattern)
{
    switch (pattern) {
    case WritePattern::Uniform:
        return "uniform";
    case WritePattern::Hotspot:
        return "hotspot";
    case WritePattern::Sequential:
        return "sequential";
    case WritePattern::Idle:
        return "idle";
    }
    return "uniform";
}

std::string toString(FillMode fill)
{
    return fill == FillMode::Full ? "full" : "stamp";
}

std::optional<WritePattern> parseWritePattern(std::string_view text)
{
    for (WritePattern pattern : {WritePattern::Uniform, WritePattern::Hotspot,
                                 WritePattern::Sequential, WritePattern::Idle})
        if (text == toString(pattern))
            return pattern;
    return std::nullopt;
}

std::optional<FillMode> parseFillMode(std::string_view text)
{
    for (FillMode fill : {FillMode::Stamp, FillMode::Full})
        if (text == toString(fill))
            return fill;
    return std::nullopt;
}

std::string formatSize(uint64_t bytes)
{
    if (bytes != 0 && bytes % kGiB == 0)
        return std::to_string(bytes / kGiB) + "G";
    if (bytes != 0 && bytes % kMiB == 0)
        return std::to_string(bytes / kMiB) + "M";
    if (bytes != 0 && bytes % kKiB == 0)
        return std::to_string(bytes / kKiB) + "K";
    return std::to_string(bytes);
}

uint64_t parseSize(std::string_view text)
{
    uint64_t unit = 1;
    std::string_view digits = text;
    if (!digits.empty()) {
        switch (digits.back()) {
        case 'k':
        case 'K':
            unit = kKiB;
            break;
        case 'm':
        case 'M':
            unit = kMiB;
            break;
        case 'g':
        case 'G':
            unit = kGiB;
            break;
        default:
            break;
        }
    }
    if (unit != 1)
        digits.remove_suffix(1);
    std::optional<uint64_t> value =
        parseNumber(digits, std::numeric_limits<uint64_t>::max() / unit);
    if (!value)
        throw std::invalid_argument("size " + quoted(text) +
                                    " is not a number of bytes with an optional K, M or G "
                                    "(e.g. 256M)");
    return *value * unit;
}

std::string GuestConfig::toCommandLine() const
{
    std::string line = "ws=" + (workingSetBytes ? formatSize(workingSetBytes) : "all");
    line += " pattern=" + toString(pattern);
    line += " hot=" + std::to_string(hotPercent) + "%";
    line += " hotshare=" + std::to_string(hotSharePercent) + "%";
    line += " rate=" + std::to_string(ratePagesPerSecond);
    line += " seed=" + std::to_string(seed);
    line += " fill=" + toString(fill);
    return line;
}

GuestConfig GuestConfig::parse(std::string_view commandLine)
{
    GuestConfig config;
    size_t position = 0;
    while (position < commandLine.size()) {
        size_t end = commandLine.find(' ', position);
        if (end == std::string_view::npos)
            end = commandLine.size();
        std::string_view word = commandLine.substr(position, end - position);
        position = end + 1;
        size_t equals = word.find('=');
        if (equals == std::string_view::npos)
            continue; /* QEMU's kernel path, or an empty word */
        std::string_view key = word.substr(0, equals);
        std::string_view value = word.substr(equals + 1);
        if (key == "ws") {
            if (value == "all") {
                config.workingSetBytes = 0;
                continue;
            }
            try {
                config.workingSetBytes = parseSize(value);
            } catch (const std::invalid_argument &error) {
                throw std::invalid_argument("guest config: ws: " + std::string(error.what()) +
                                            ", or ws=all");
            }
            /* The guest runs without paging in 32-bit mode. */
            if (config.workingSetBytes > 4 * kGiB)
                throw std::invalid_argument("guest config: ws=" + std::string(value) +
                                            " is more than a 32-bit guest can address (at "
                                            "most 4G; less than the VM's RAM below 4G)");
            if (config.workingSetBytes == 0 || config.workingSetBytes % 4096 != 0)
                throw std::invalid_argument("guest config: ws=" + std::string(value) +
                                            " must be a non-zero multiple of 4K");
        } else if (key == "pattern") {
            std::optional<WritePattern> pattern = parseWritePattern(value);
            if (!pattern)
                throw std::invalid_argument("guest config: pattern=" + std::string(value) +
                                            " is unknown; use uniform, hotspot, sequential "
                                            "or idle");
            config.pattern = *pattern;
        } else if (key == "hot") {
            config.hotPercent = parsePercent(key, value, 1);
        } else if (key == "hotshare") {
            config.hotSharePercent = parsePercent(key, value, 0);
        } else if (key == "rate") {
            std::optional<uint64_t> rate =
                value == "unthrottled" ? 0 : parseNumber(value, 0xffffffffu);
            if (!rate)
                throw std::invalid_argument("guest config: rate=" + std::string(value) +
                                            " is not a number of pages per second (0 or "
                                            "unthrottled: as fast as it can)");
            config.ratePagesPerSecond = *rate;
        } else if (key == "seed") {
            std::optional<uint64_t> seed = parseNumber(value, 0xffffffffu);
            if (!seed)
                throw std::invalid_argument("guest config: seed=" + std::string(value) +
                                            " is not a 32-bit number");
            config.seed = static_cast<uint32_t>(*seed);
        } else if (key == "fill") {
            std::optional<FillMode> fill = parseFillMode(value);
            if (!fill)
                throw std::invalid_argument("guest config: fill=" + std::string(value) +
                                            " is unknown; use stamp or full");
            config.fill = *fill;
        } else {
            throw std::invalid_argument("guest config: unknown key " + quoted(key) +
                                        "; keys are ws, pattern, hot, hotshare, rate, seed, "
                                        "fill");
        }
    }
    return config;
}

} // namespace migkit::testbed
