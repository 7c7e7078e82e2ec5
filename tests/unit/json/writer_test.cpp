/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json/parser.h"
#include "json/writer.h"

#include <cmath>
#include <limits>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::json::parse;
using migkit::json::serialize;
using migkit::json::Value;
using migkit::json::WriteStyle;

TEST_GROUP(JsonWriter){};

TEST(JsonWriter, Scalars)
{
    STRCMP_EQUAL("null", serialize(Value()).c_str());
    STRCMP_EQUAL("true", serialize(Value(true)).c_str());
    STRCMP_EQUAL("-12", serialize(Value(-12)).c_str());
    STRCMP_EQUAL("18446744073709551615", serialize(Value(UINT64_MAX)).c_str());
    STRCMP_EQUAL("0.5", serialize(Value(0.5)).c_str());
    STRCMP_EQUAL("2.0", serialize(Value(2.0)).c_str());
    STRCMP_EQUAL("null", serialize(Value(std::nan(""))).c_str());
    STRCMP_EQUAL("null", serialize(Value(std::numeric_limits<double>::infinity())).c_str());
}

TEST(JsonWriter, EscapesStrings)
{
    STRCMP_EQUAL(R"("a\"b\\c\n\r\t\b\f\u0001")", serialize(Value("a\"b\\c\n\r\t\b\f\x01")).c_str());
    STRCMP_EQUAL("\"\xe2\x82\xac\"", serialize(Value("\xe2\x82\xac")).c_str());
}

TEST(JsonWriter, CompactIsOneLineInOrder)
{
    Value v = Value::object();
    v.set("execute", "migrate");
    Value args = Value::object();
    args.set("uri", "tcp:127.0.0.1:4444");
    v.set("arguments", args);
    v.set("id", 1);
    const std::string text = serialize(v);
    STRCMP_EQUAL(R"({"execute": "migrate", "arguments": {"uri": "tcp:127.0.0.1:4444"}, "id": 1})",
                 text.c_str());
}

TEST(JsonWriter, PrettyIndents)
{
    const std::string text = serialize(parse(R"({"a": [1, 2], "b": {}})"), WriteStyle::Pretty);
    STRCMP_EQUAL("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}\n", text.c_str());
}

TEST(JsonWriter, RoundTrips)
{
    const char *inputs[] = {
        R"({"s": "\u0000x\ud83d\ude00", "n": [0, -1, 9223372036854775808, 1.25, 1e+300]})",
        R"([[], {}, [null, true, false]])",
        R"({"nested": {"deeper": {"deepest": "yes"}}})",
    };
    for (const char *input : inputs) {
        const Value once = parse(input);
        CHECK(once == parse(serialize(once)));
        CHECK(once == parse(serialize(once, WriteStyle::Pretty)));
    }
    const double tricky = 0.1 + 0.2;
    DOUBLES_EQUAL(tricky, parse(serialize(Value(tricky))).asDouble(), 0);
}
