/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/statistics.h"

#include <algorithm>
#include <cstdio>

namespace migkit {

ParameterValue jsonToParameterValue(const json::Value &value)
{
    switch (value.type()) {
    case json::Value::Type::Bool:
        return value.asBool();
    case json::Value::Type::Int64:
        if (value.asInt64() < 0) {
            return value.asInt64();
        }
        return value.asUint64();
    case json::Value::Type::Uint64:
        return value.asUint64();
    case json::Value::Type::Double:
        return value.asDouble();
    case json::Value::Type::String:
        return value.asString();
    default:
        throw json::TypeError(std::string("expected a JSON scalar, found ") +
                              json::Value::typeName(value.type()));
    }
}

namespace {

/* The scalars in @value, counted up to @limit + 1: enough to tell "too many". */
size_t countScalars(const json::Value &value, size_t limit)
{
    switch (value.type()) {
    case json::Value::Type::Null:
        return 0;
    case json::Value::Type::Object: {
        size_t count = 0;
        for (const auto &member : value.asObject()) {
            count += countScalars(member.second, limit - std::min(count, limit));
            if (count > limit) {
                break;
            }
        }
        return count;
    }
    case json::Value::Type::Array: {
        size_t count = 0;
        for (const json::Value &element : value.asArray()) {
            count += countScalars(element, limit - std::min(count, limit));
            if (count > limit) {
                break;
            }
        }
        return count;
    }
    default:
        return 1;
    }
}

void flattenInto(ValueList &list, const json::Value &value, const std::string &prefix)
{
    const auto child = [&prefix](const std::string &name) {
        return prefix.empty() ? name : prefix + "." + name;
    };
    switch (value.type()) {
    case json::Value::Type::Null:
        return;
    case json::Value::Type::Object:
        for (const auto &[name, member] : value.asObject()) {
            flattenInto(list, member, child(name));
        }
        return;
    case json::Value::Type::Array: {
        const auto &elements = value.asArray();
        for (size_t i = 0; i < elements.size(); ++i) {
            flattenInto(list, elements[i], child(std::to_string(i)));
        }
        return;
    }
    default:
        if (!prefix.empty()) {
            list.add(prefix, jsonToParameterValue(value));
        }
    }
}

} // namespace

void flattenStatistics(ValueList &list, const json::Value &value, const std::string &prefix)
{
    /* Counted first, so that a reply over the limit leaves @list as it was. */
    if (countScalars(value, kMaxStatisticsValues) > kMaxStatisticsValues) {
        throw json::TypeError("more than " + std::to_string(kMaxStatisticsValues) +
                              " values in one reply (migkit takes at most that many statistics "
                              "from a QMP reply; QEMU sends fewer than a hundred)");
    }
    flattenInto(list, value, prefix);
}

json::Value parameterValueToJson(const ParameterValue &value)
{
    return std::visit([](const auto &v) { return json::Value(v); }, value);
}

std::string parameterValueToText(const ParameterValue &value)
{
    if (const auto *s = std::get_if<std::string>(&value)) {
        return *s;
    }
    if (const auto *b = std::get_if<bool>(&value)) {
        return *b ? "true" : "false";
    }
    if (const auto *d = std::get_if<double>(&value)) {
        char text[32];
        std::snprintf(text, sizeof(text), "%g", *d);
        return text;
    }
    if (const auto *i = std::get_if<int64_t>(&value)) {
        return std::to_string(*i);
    }
    return std::to_string(std::get<uint64_t>(value));
}

} // namespace migkit
