/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json/value.h"

#include "json/writer.h"

namespace migkit::json {

namespace {

[[noreturn]] void wrongType(const char *wanted, Value::Type found)
{
    throw TypeError(std::string("expected a JSON ") + wanted + ", found " + Value::typeName(found));
}

} // namespace

const char *Value::typeName(Type type)
{
    switch (type) {
    case Type::Null:
        return "null";
    case Type::Bool:
        return "boolean";
    case Type::Int64:
    case Type::Uint64:
        return "integer";
    case Type::Double:
        return "number";
    case Type::String:
        return "string";
    case Type::Array:
        return "array";
    case Type::Object:
        return "object";
    }
    return "unknown";
}

bool Value::asBool() const
{
    if (const auto *b = std::get_if<bool>(&data_)) {
        return *b;
    }
    wrongType("boolean", type());
}

int64_t Value::asInt64() const
{
    if (const auto *i = std::get_if<int64_t>(&data_)) {
        return *i;
    }
    if (std::holds_alternative<uint64_t>(data_)) {
        throw TypeError("integer " + std::to_string(std::get<uint64_t>(data_)) +
                        " does not fit a signed 64-bit integer");
    }
    wrongType("integer", type());
}

uint64_t Value::asUint64() const
{
    if (const auto *u = std::get_if<uint64_t>(&data_)) {
        return *u;
    }
    if (const auto *i = std::get_if<int64_t>(&data_)) {
        if (*i < 0) {
            throw TypeError("expected a non-negative integer, found " + std::to_string(*i));
        }
        return static_cast<uint64_t>(*i);
    }
    wrongType("non-negative integer", type());
}

double Value::asDouble() const
{
    switch (type()) {
    case Type::Int64:
        return static_cast<double>(std::get<int64_t>(data_));
    case Type::Uint64:
        return static_cast<double>(std::get<uint64_t>(data_));
    case Type::Double:
        return std::get<double>(data_);
    default:
        wrongType("number", type());
    }
}

const std::string &Value::asString() const
{
    if (const auto *s = std::get_if<std::string>(&data_)) {
        return *s;
    }
    wrongType("string", type());
}

const Value::Array &Value::asArray() const
{
    if (const auto *a = std::get_if<Array>(&data_)) {
        return *a;
    }
    wrongType("array", type());
}

Value::Array &Value::asArray()
{
    if (auto *a = std::get_if<Array>(&data_)) {
        return *a;
    }
    wrongType("array", type());
}

const Value::Object &Value::asObject() const
{
    if (const auto *o = std::get_if<Object>(&data_)) {
        return *o;
    }
    wrongType("object", type());
}

Value::Object &Value::asObject()
{
    if (auto *o = std::get_if<Object>(&data_)) {
        return *o;
    }
    wrongType("object", type());
}

const Value *Value::find(std::string_view name) const
{
    const auto *members = std::get_if<Object>(&data_);
    if (!members) {
        return nullptr;
    }
    for (const auto &[key, value] : *members) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

const Value &Value::at(std::string_view name) const
{
    if (!isObject()) {
        throw TypeError("cannot look up member '" + std::string(name) + "' in a JSON " +
                        typeName(type()));
    }
    if (const Value *v = find(name)) {
        return *v;
    }
    throw TypeError("missing member '" + std::string(name) + "'");
}

namespace {

/* Typed lookup shared by the *At helpers: absent is nullopt, a wrong type names the member. */
template <typename T, typename Read>
std::optional<T> typedMember(const Value &object, std::string_view name, Read read)
{
    const Value *v = object.find(name);
    if (!v) {
        return std::nullopt;
    }
    try {
        return read(*v);
    } catch (const TypeError &e) {
        /* The value as the peer sent it, cut short: the reader sees what was wrong. */
        std::string text = serialize(*v);
        if (text.size() > 64) {
            text = text.substr(0, 60) + " ...";
        }
        throw TypeError("member '" + std::string(name) + "' is " + text + ": " + e.what());
    }
}

} // namespace

std::optional<bool> Value::boolAt(std::string_view name) const
{
    return typedMember<bool>(*this, name, [](const Value &v) { return v.asBool(); });
}

std::optional<int64_t> Value::int64At(std::string_view name) const
{
    return typedMember<int64_t>(*this, name, [](const Value &v) { return v.asInt64(); });
}

std::optional<uint64_t> Value::uint64At(std::string_view name) const
{
    return typedMember<uint64_t>(*this, name, [](const Value &v) { return v.asUint64(); });
}

std::optional<double> Value::doubleAt(std::string_view name) const
{
    return typedMember<double>(*this, name, [](const Value &v) { return v.asDouble(); });
}

std::optional<std::string> Value::stringAt(std::string_view name) const
{
    return typedMember<std::string>(*this, name, [](const Value &v) { return v.asString(); });
}

Value &Value::set(std::string name, Value value)
{
    Object &members = asObject();
    for (auto &[key, existing] : members) {
        if (key == name) {
            existing = std::move(value);
            return existing;
        }
    }
    members.emplace_back(std::move(name), std::move(value));
    return members.back().second;
}

Value &Value::push(Value value)
{
    Array &elements = asArray();
    elements.push_back(std::move(value));
    return elements.back();
}

size_t Value::size() const
{
    if (const auto *a = std::get_if<Array>(&data_)) {
        return a->size();
    }
    if (const auto *o = std::get_if<Object>(&data_)) {
        return o->size();
    }
    return 0;
}

bool operator==(const Value &a, const Value &b)
{
    if (a.isInteger() && b.isInteger()) {
        /* Canonical storage keeps Uint64 for values above INT64_MAX only. */
        return a.type() == b.type() && a.data_ == b.data_;
    }
    return a.data_ == b.data_;
}

} // namespace migkit::json
