/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json/parser.h"

#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::json::parse;
using migkit::json::ParseError;
using migkit::json::Value;

namespace {

/* The ParseError for @text; fails the test when @text parses. */
ParseError parseFailure(const std::string &text)
{
    try {
        parse(text);
    } catch (const ParseError &e) {
        return e;
    }
    FAIL(("parsed but should not have: " + text).c_str());
    return ParseError(0, "unreachable");
}

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_GROUP(JsonParser){};

TEST(JsonParser, Literals)
{
    CHECK(parse("null").isNull());
    CHECK_TRUE(parse("true").asBool());
    CHECK_FALSE(parse(" false ").asBool());
}

TEST(JsonParser, IntegersPickTheNarrowestExactType)
{
    CHECK(parse("0").type() == Value::Type::Int64);
    CHECK(parse("-0").type() == Value::Type::Int64);
    LONGLONGS_EQUAL(-42, parse("-42").asInt64());
    LONGLONGS_EQUAL(INT64_MAX, parse("9223372036854775807").asInt64());
    LONGLONGS_EQUAL(INT64_MIN, parse("-9223372036854775808").asInt64());
    const Value big = parse("9223372036854775808");
    CHECK(big.type() == Value::Type::Uint64);
    UNSIGNED_LONGLONGS_EQUAL(9223372036854775808ULL, big.asUint64());
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, parse("18446744073709551615").asUint64());
}

TEST(JsonParser, IntegersBeyond64BitsBecomeDoubles)
{
    const Value huge = parse("18446744073709551616");
    CHECK(huge.type() == Value::Type::Double);
    DOUBLES_EQUAL(18446744073709551616.0, huge.asDouble(), 1e4);
    CHECK(parse("-9223372036854775809").type() == Value::Type::Double);
}

TEST(JsonParser, FractionsAndExponentsAreDoubles)
{
    CHECK(parse("1.0").type() == Value::Type::Double);
    DOUBLES_EQUAL(1.5, parse("1.5").asDouble(), 0);
    DOUBLES_EQUAL(-0.25, parse("-2.5e-1").asDouble(), 0);
    DOUBLES_EQUAL(1200, parse("1.2E+3").asDouble(), 0);
    DOUBLES_EQUAL(100, parse("1e2").asDouble(), 0);
    CHECK(parse("1e2").type() == Value::Type::Double);
}

TEST(JsonParser, MalformedNumbers)
{
    CHECK(contains(parseFailure("01").what(), "leading zero"));
    CHECK(contains(parseFailure("1.").what(), "digit after the decimal point"));
    CHECK(contains(parseFailure("1e").what(), "digit in the exponent"));
    CHECK(contains(parseFailure("-").what(), "expected a digit"));
    parseFailure("+1");
    parseFailure(".5");
    CHECK(contains(parseFailure("1e999").what(), "range"));
}

TEST(JsonParser, StringEscapes)
{
    STRCMP_EQUAL("a\"b\\c/d\b\f\n\r\t", parse(R"("a\"b\\c\/d\b\f\n\r\t")").asString().c_str());
    STRCMP_EQUAL("A", parse(R"("\u0041")").asString().c_str());
    STRCMP_EQUAL("\xc3\xa9", parse(R"("\u00e9")").asString().c_str());
    STRCMP_EQUAL("\xe2\x82\xac", parse(R"("\u20AC")").asString().c_str());
    /* Raw UTF-8 passes through unchanged. */
    STRCMP_EQUAL("\xe2\x82\xac", parse("\"\xe2\x82\xac\"").asString().c_str());
    const Value nul = parse(R"("a\u0000b")");
    LONGS_EQUAL(3, nul.asString().size());
}

TEST(JsonParser, SurrogatePairsJoin)
{
    /* U+1F600 */
    STRCMP_EQUAL("\xf0\x9f\x98\x80", parse(R"("\ud83d\ude00")").asString().c_str());
    /* U+10000, the first code point above the BMP */
    STRCMP_EQUAL("\xf0\x90\x80\x80", parse(R"("\uD800\uDC00")").asString().c_str());
}

TEST(JsonParser, BrokenSurrogatesAreRefused)
{
    CHECK(contains(parseFailure(R"("\ud83d")").what(), "low surrogate"));
    CHECK(contains(parseFailure(R"("\ud83dx")").what(), "low surrogate"));
    CHECK(contains(parseFailure(R"("\ud83d\u0041")").what(), "low surrogate"));
    CHECK(contains(parseFailure(R"("\ude00")").what(), "high surrogate"));
}

TEST(JsonParser, MalformedStrings)
{
    const ParseError unterminated = parseFailure("\"abc");
    CHECK(contains(unterminated.what(), "close the string"));
    LONGS_EQUAL(4, unterminated.offset());
    CHECK(contains(parseFailure("\"a\nb\"").what(), "control character"));
    CHECK(contains(parseFailure(R"("\x")").what(), "after a backslash"));
    CHECK(contains(parseFailure(R"("\u12G4")").what(), "hexadecimal"));
}

TEST(JsonParser, NestingKeepsOrder)
{
    const Value v = parse(R"({"z": 1, "a": [true, {"b": null}], "m": {"k": "v"}})");
    const auto &members = v.asObject();
    LONGS_EQUAL(3, members.size());
    STRCMP_EQUAL("z", members[0].first.c_str());
    STRCMP_EQUAL("a", members[1].first.c_str());
    STRCMP_EQUAL("m", members[2].first.c_str());
    CHECK(v.at("a").asArray()[1].at("b").isNull());
    STRCMP_EQUAL("v", v.at("m").at("k").asString().c_str());
    CHECK(parse("[]").asArray().empty());
    CHECK(parse("{}").asObject().empty());
    CHECK(parse(" [ [ [ ] ] ] ").asArray()[0].asArray()[0].asArray().empty());
}

TEST(JsonParser, MalformedStructures)
{
    const ParseError trailingComma = parseFailure(R"({"a": 1,})");
    CHECK(contains(trailingComma.what(), "member name"));
    LONGS_EQUAL(8, trailingComma.offset());
    CHECK(contains(parseFailure("[1,]").what(), "JSON value"));
    CHECK(contains(parseFailure("[1 2]").what(), "',' or ']'"));
    CHECK(contains(parseFailure(R"({"a" 1})").what(), "':'"));
    CHECK(contains(parseFailure(R"({"a": 1 "b": 2})").what(), "',' or '}'"));
    CHECK(contains(parseFailure("{a: 1}").what(), "double quotes"));
    CHECK(contains(parseFailure("[1").what(), "the end of the input"));
    CHECK(contains(parseFailure("").what(), "JSON value"));
    CHECK(contains(parseFailure("tru").what(), "'true'"));
    CHECK(contains(parseFailure("nul").what(), "'null'"));
}

TEST(JsonParser, TrailingGarbageIsRefused)
{
    const ParseError e = parseFailure(R"({"a": 1} x)");
    CHECK(contains(e.what(), "end of the input"));
    CHECK(contains(e.what(), "found 'x'"));
    LONGS_EQUAL(9, e.offset());
    parseFailure("1 2");
}

TEST(JsonParser, NonPrintableBytesAreShownInHex)
{
    CHECK(contains(parseFailure(std::string("\x01")).what(), "byte 0x01"));
}

TEST(JsonParser, DeepNestingIsRefused)
{
    const std::string deep = std::string(200, '[') + std::string(200, ']');
    CHECK(contains(parseFailure(deep).what(), "nesting deeper"));
    const std::string fine = std::string(100, '[') + std::string(100, ']');
    CHECK(parse(fine).isArray());
}

TEST(JsonParser, QmpMessages)
{
    const Value greeting = parse(
        R"({"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": ["oob"]}})");
    LONGLONGS_EQUAL(10, greeting.at("QMP").at("version").at("qemu").at("major").asInt64());
    const Value event = parse(
        R"({"timestamp": {"seconds": 1700000000, "microseconds": 12}, "event": "MIGRATION_PASS", "data": {"pass": 3}})");
    UNSIGNED_LONGLONGS_EQUAL(3, *event.at("data").uint64At("pass"));
}
