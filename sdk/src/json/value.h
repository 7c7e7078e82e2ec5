/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace migkit::json {

/**
 * TypeError: a JSON value was read as a type it does not hold (a string read as a number, a
 * member looked up in an array, a missing member asked for with at()).  The message names the
 * member or the types involved.
 */
class TypeError : public std::runtime_error {
public:
    /** TypeError: @message says what was expected and what was found. */
    explicit TypeError(const std::string &message) : std::runtime_error(message) {}
};

/**
 * Value: one JSON value, made for QMP.  Integers keep their exact value: a whole number that
 * fits int64 is an Int64, a larger positive one a Uint64 (QEMU's byte counters are uint64),
 * anything with a fraction or an exponent a Double.  Objects keep the order of their members
 * so that what we print reads like what QEMU sent.
 */
class Value {
public:
    /** Type: what a Value holds. */
    enum class Type { Null, Bool, Int64, Uint64, Double, String, Array, Object };

    /** Array: the elements of a JSON array. */
    using Array = std::vector<Value>;
    /** Member: one name/value pair of an object. */
    using Member = std::pair<std::string, Value>;
    /** Object: the members of a JSON object, in order. */
    using Object = std::vector<Member>;

    /** Value: null. */
    Value() = default;
    /** Value: null. */
    Value(std::nullptr_t) {}
    /** Value: a boolean. */
    Value(bool b) : data_(b) {}
    /** Value: a signed integer. */
    template <std::signed_integral T>
    Value(T i) : data_(static_cast<int64_t>(i))
    {}
    /** Value: an unsigned integer; stored as Int64 when it fits, so equal numbers compare equal. */
    template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>) Value(T u) : data_(unsignedData(static_cast<uint64_t>(u))) {}
    /** Value: a floating-point number. */
    Value(double d) : data_(d) {}
    /** Value: a string. */
    Value(const char *s) : data_(std::string(s)) {}
    /** Value: a string. */
    Value(std::string s) : data_(std::move(s)) {}
    /** Value: a string. */
    Value(std::string_view s) : data_(std::string(s)) {}
    /** Value: an array. */
    Value(Array a) : data_(std::move(a)) {}
    /** Value: an object. */
    Value(Object o) : data_(std::move(o)) {}

    /** object: an empty object, ready for set(). */
    static Value object() { return Value(Object{}); }
    /** array: an empty array, ready for push(). */
    static Value array() { return Value(Array{}); }

    /** type: what this value holds. */
    Type type() const { return static_cast<Type>(data_.index()); }

    /** isNull, isBool, ...: whether the value holds that type. */
    bool isNull() const { return type() == Type::Null; }
    bool isBool() const { return type() == Type::Bool; }
    bool isString() const { return type() == Type::String; }
    bool isArray() const { return type() == Type::Array; }
    bool isObject() const { return type() == Type::Object; }
    /** isInteger: Int64 or Uint64. */
    bool isInteger() const { return type() == Type::Int64 || type() == Type::Uint64; }
    /** isNumber: any of the three number types. */
    bool isNumber() const { return isInteger() || type() == Type::Double; }

    /** asBool: the boolean; throws TypeError for any other type. */
    bool asBool() const;
    /** asInt64: an integer that fits int64; throws TypeError otherwise. */
    int64_t asInt64() const;
    /** asUint64: a non-negative integer; throws TypeError otherwise. */
    uint64_t asUint64() const;
    /** asDouble: any number, converted. */
    double asDouble() const;
    /** asString: the string; throws TypeError for any other type. */
    const std::string &asString() const;
    /** asArray: the elements; throws TypeError for any other type. */
    const Array &asArray() const;
    /** asArray: the elements, to change them. */
    Array &asArray();
    /** asObject: the members; throws TypeError for any other type. */
    const Object &asObject() const;
    /** asObject: the members, to change them. */
    Object &asObject();

    /** find: the member called @name, or nullptr when absent or this is not an object. */
    const Value *find(std::string_view name) const;
    /** at: the member called @name; throws TypeError naming it when absent. */
    const Value &at(std::string_view name) const;
    /** contains: whether this is an object with a member called @name. */
    bool contains(std::string_view name) const { return find(name) != nullptr; }

    /**
     * Typed lookups of an object member: the value when the member exists and has that type
     * (integers convert where exact), std::nullopt when it is absent; TypeError when it exists
     * with another type, since a peer that sends the wrong type is a bug worth seeing.
     */
    std::optional<bool> boolAt(std::string_view name) const;
    std::optional<int64_t> int64At(std::string_view name) const;
    std::optional<uint64_t> uint64At(std::string_view name) const;
    std::optional<double> doubleAt(std::string_view name) const;
    std::optional<std::string> stringAt(std::string_view name) const;

    /** set: replace the member called @name, or append it; this must be an object. */
    Value &set(std::string name, Value value);
    /** push: append @value; this must be an array. */
    Value &push(Value value);

    /** size: elements of an array or members of an object; 0 for anything else. */
    size_t size() const;

    /** typeName: "null", "boolean", "integer", "number", "string", "array" or "object". */
    static const char *typeName(Type type);

    /** operator==: same type class and value; integers compare by value, objects in order. */
    friend bool operator==(const Value &a, const Value &b);

private:
    using Data =
        std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, Array, Object>;

    /* Built in the initializer: assigning in the body trips GCC 12's maybe-uninitialized. */
    static Data unsignedData(uint64_t u)
    {
        if (u <= static_cast<uint64_t>(INT64_MAX)) {
            return Data(std::in_place_type<int64_t>, static_cast<int64_t>(u));
        }
        return Data(std::in_place_type<uint64_t>, u);
    }

    Data data_;
};

} // namespace migkit::json
