/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json/parser.h"
#include "json/value.h"

#include <functional>
#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::json::parse;
using migkit::json::TypeError;
using migkit::json::Value;

namespace {

std::string typeErrorOf(const std::function<void()> &read)
{
    try {
        read();
    } catch (const TypeError &e) {
        return e.what();
    }
    FAIL("no TypeError");
    return {};
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_GROUP(JsonValue){};

TEST(JsonValue, ConstructorsPickTypes)
{
    CHECK(Value().isNull());
    CHECK(Value(nullptr).isNull());
    CHECK(Value(true).isBool());
    CHECK(Value(1).type() == Value::Type::Int64);
    CHECK(Value(uint64_t{1}).type() == Value::Type::Int64);
    CHECK(Value(UINT64_MAX).type() == Value::Type::Uint64);
    CHECK(Value(1.0).type() == Value::Type::Double);
    CHECK(Value("s").isString());
    CHECK(Value(std::string("s")).isString());
    CHECK(Value::object().isObject());
    CHECK(Value::array().isArray());
}

TEST(JsonValue, IntegerConversions)
{
    LONGLONGS_EQUAL(-5, Value(-5).asInt64());
    UNSIGNED_LONGLONGS_EQUAL(5, Value(5).asUint64());
    CHECK(contains(typeErrorOf([] { Value(-5).asUint64(); }), "non-negative"));
    CHECK(contains(typeErrorOf([] { Value(UINT64_MAX).asInt64(); }), "does not fit"));
    DOUBLES_EQUAL(3.0, Value(3).asDouble(), 0);
    DOUBLES_EQUAL(1.8446744073709552e19, Value(UINT64_MAX).asDouble(), 1e4);
    CHECK(contains(typeErrorOf([] { Value(1.5).asInt64(); }), "found number"));
}

TEST(JsonValue, WrongTypesSayWhatTheyFound)
{
    CHECK(contains(typeErrorOf([] { Value("x").asBool(); }),
                   "expected a JSON boolean, found string"));
    CHECK(contains(typeErrorOf([] { Value(1).asString(); }), "found integer"));
    CHECK(contains(typeErrorOf([] { Value().asArray(); }), "found null"));
    CHECK(contains(typeErrorOf([] { Value::array().asObject(); }), "found array"));
}

TEST(JsonValue, MemberLookups)
{
    const Value v = parse(R"({"n": 7, "s": "text", "b": true, "d": 0.5, "neg": -1})");
    CHECK(v.contains("n"));
    CHECK_FALSE(v.contains("missing"));
    CHECK(v.find("missing") == nullptr);
    UNSIGNED_LONGLONGS_EQUAL(7, *v.uint64At("n"));
    LONGLONGS_EQUAL(7, *v.int64At("n"));
    DOUBLES_EQUAL(7.0, *v.doubleAt("n"), 0);
    DOUBLES_EQUAL(0.5, *v.doubleAt("d"), 0);
    STRCMP_EQUAL("text", v.stringAt("s")->c_str());
    CHECK_TRUE(*v.boolAt("b"));
    CHECK_FALSE(v.uint64At("missing").has_value());
    CHECK(contains(typeErrorOf([&] { (void)v.uint64At("s"); }), "member 's'"));
    CHECK(contains(typeErrorOf([&] { (void)v.uint64At("neg"); }), "member 'neg'"));
    CHECK(contains(typeErrorOf([&] { (void)v.at("missing"); }), "missing member 'missing'"));
    CHECK(contains(typeErrorOf([] { (void)Value(1).at("x"); }), "in a JSON integer"));
    /* find on a non-object is simply absent. */
    CHECK(Value(1).find("x") == nullptr);
}

TEST(JsonValue, SetReplacesOrAppendsInOrder)
{
    Value v = Value::object();
    v.set("b", 1);
    v.set("a", 2);
    v.set("b", 3);
    LONGS_EQUAL(2, v.size());
    STRCMP_EQUAL("b", v.asObject()[0].first.c_str());
    LONGLONGS_EQUAL(3, v.at("b").asInt64());
    Value a = Value::array();
    a.push(1);
    a.push("two");
    LONGS_EQUAL(2, a.size());
    CHECK(contains(typeErrorOf([] { Value(1).set("x", 1); }), "expected a JSON object"));
    CHECK(contains(typeErrorOf([] { Value(1).push(1); }), "expected a JSON array"));
}

TEST(JsonValue, Equality)
{
    CHECK(parse("5") == Value(uint64_t{5}));
    CHECK(parse("18446744073709551615") == Value(UINT64_MAX));
    CHECK_FALSE(parse("5") == parse("5.0"));
    CHECK(parse(R"({"a": [1, "x", null]})") == parse(R"({ "a" : [ 1 , "x" , null ] })"));
    CHECK_FALSE(parse(R"({"a": 1, "b": 2})") == parse(R"({"b": 2, "a": 1})"));
}
