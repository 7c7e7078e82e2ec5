/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/value_list.h"

namespace migkit {

void ValueList::add(const std::string &name, ParameterValue value)
{
    const auto [position, inserted] = index_.try_emplace(name, entries_.size());
    if (!inserted) {
        entries_[position->second].value = std::move(value);
        return;
    }
    try {
        entries_.push_back({name, std::move(value)});
    } catch (...) {
        index_.erase(position);
        throw;
    }
}

std::optional<ParameterValue> ValueList::find(const std::string &name) const
{
    const auto position = index_.find(name);
    if (position == index_.end())
        return std::nullopt;
    return entries_[position->second].value;
}

std::vector<std::string> ValueList::names() const
{
    std::vector<std::string> result;
    result.reserve(entries_.size());
    for (const Entry &entry : entries_)
        result.push_back(entry.name);
    return result;
}

migkit_values ValueList::values() const
{
    view_.clear();
    view_.reserve(entries_.size());
    for (const Entry &entry : entries_)
        view_.push_back(toCValue(entry.name.c_str(), entry.value));
    return {view_.data(), view_.size()};
}

ValueList ValueList::fromC(const migkit_values &values)
{
    ValueList list;
    for (size_t i = 0; i < values.count; i++)
        if (values.items[i].name)
            list.add(values.items[i].name, toParameterValue(values.items[i]));
    return list;
}

ParameterValue toParameterValue(const migkit_value &value)
{
    switch (value.type) {
    case MIGKIT_VALUE_INT64:
        return value.v.i64;
    case MIGKIT_VALUE_UINT64:
        return value.v.u64;
    case MIGKIT_VALUE_DOUBLE:
        return value.v.f64;
    case MIGKIT_VALUE_BOOL:
        return value.v.b;
    case MIGKIT_VALUE_STRING:
        return std::string(value.v.str ? value.v.str : "");
    }
    return std::string();
}

migkit_value toCValue(const char *name, const ParameterValue &value)
{
    migkit_value result{};
    result.name = name;
    if (auto i = std::get_if<int64_t>(&value)) {
        result.type = MIGKIT_VALUE_INT64;
        result.v.i64 = *i;
    } else if (auto u = std::get_if<uint64_t>(&value)) {
        result.type = MIGKIT_VALUE_UINT64;
        result.v.u64 = *u;
    } else if (auto d = std::get_if<double>(&value)) {
        result.type = MIGKIT_VALUE_DOUBLE;
        result.v.f64 = *d;
    } else if (auto b = std::get_if<bool>(&value)) {
        result.type = MIGKIT_VALUE_BOOL;
        result.v.b = *b;
    } else {
        result.type = MIGKIT_VALUE_STRING;
        result.v.str = std::get<std::string>(value).c_str();
    }
    return result;
}

const char *valueTypeName(migkit_value_type type)
{
    switch (type) {
    case MIGKIT_VALUE_INT64:
        return "int64";
    case MIGKIT_VALUE_UINT64:
        return "uint64";
    case MIGKIT_VALUE_DOUBLE:
        return "double";
    case MIGKIT_VALUE_BOOL:
        return "bool";
    case MIGKIT_VALUE_STRING:
        return "string";
    }
    return "unknown";
}

} // namespace migkit
