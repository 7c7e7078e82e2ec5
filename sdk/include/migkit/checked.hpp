/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * migkit/checked.hpp: arithmetic on sizes and times that cannot wrap.
 *
 * Sizes (bytes, pages, MiB) and times (seconds, milliseconds) come from operators, domain XML
 * and QMP replies, and get multiplied into other units.  An unsigned product that wraps turns
 * "a week" into "half a second" and "16 EiB" into "0": every such multiplication goes through
 * these helpers, which either refuse (checked*) or stop at the largest value (saturating*,
 * where "too large to count" rightly means "never" or "more than anything").
 *
 * Header-only; used by libmigkit, the CLI and the first-party plugins alike.
 */
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace migkit {

/** checkedMultiply: @a x @b, or nullopt when the product does not fit a uint64_t. */
inline std::optional<uint64_t> checkedMultiply(uint64_t a, uint64_t b)
{
    uint64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product))
        return std::nullopt;
    return product;
}

/** checkedAdd: @a + @b, or nullopt when the sum does not fit a uint64_t. */
inline std::optional<uint64_t> checkedAdd(uint64_t a, uint64_t b)
{
    uint64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum))
        return std::nullopt;
    return sum;
}

/** saturatingMultiply: @a x @b, or UINT64_MAX when the product does not fit. */
inline uint64_t saturatingMultiply(uint64_t a, uint64_t b)
{
    return checkedMultiply(a, b).value_or(std::numeric_limits<uint64_t>::max());
}

/** saturatingAdd: @a + @b, or UINT64_MAX when the sum does not fit. */
inline uint64_t saturatingAdd(uint64_t a, uint64_t b)
{
    return checkedAdd(a, b).value_or(std::numeric_limits<uint64_t>::max());
}

/**
 * saturatingFromDouble: a non-negative finite @value rounded down to a uint64_t, UINT64_MAX
 * when it is larger; nullopt for a negative value, NaN or infinity (converting those, or a
 * double beyond 2^64, to an integer is undefined behaviour in C++).
 */
inline std::optional<uint64_t> saturatingFromDouble(double value)
{
    if (!(value >= 0.0) || value == std::numeric_limits<double>::infinity())
        return std::nullopt;
    /* 2^64 exactly: every double below it converts. */
    if (value >= 18446744073709551616.0)
        return std::numeric_limits<uint64_t>::max();
    return static_cast<uint64_t>(value);
}

/**
 * requireInRange: @value when it lies in [@min, @max]; else std::invalid_argument naming the
 * setting @name, the value, and the range with its @unit, e.g.
 * "progress-timeout=18446744073709552 is out of range: allowed 1 to 604800 (seconds)".
 */
inline uint64_t requireInRange(const std::string &name, uint64_t value, uint64_t min, uint64_t max,
                               const std::string &unit)
{
    if (value < min || value > max)
        throw std::invalid_argument(name + "=" + std::to_string(value) +
                                    " is out of range: allowed " + std::to_string(min) + " to " +
                                    std::to_string(max) + " (" + unit + ")");
    return value;
}

} // namespace migkit
