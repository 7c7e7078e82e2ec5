/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/value_list.h"

#include <CppUTest/TestHarness.h>

#include <cstring>

using namespace migkit;

TEST_GROUP(ValueList){};

TEST(ValueList, buildsTheCViewAndOwnsItsStrings)
{
    ValueList list;
    list.add("source.qemu-version", std::string("10.0.2"));
    list.add("source.capability.dirty-heat", true);
    list.add("ram.duplicate", uint64_t(12));
    list.add("delta", int64_t(-3));
    list.add("ratio", 0.5);
    list.add("ram.duplicate", uint64_t(13)); /* replaces */

    migkit_values view = list.values();
    UNSIGNED_LONGS_EQUAL(5, view.count);
    STRCMP_EQUAL("source.qemu-version", view.items[0].name);
    LONGS_EQUAL(MIGKIT_VALUE_STRING, view.items[0].type);
    STRCMP_EQUAL("10.0.2", view.items[0].v.str);
    LONGS_EQUAL(MIGKIT_VALUE_BOOL, view.items[1].type);
    CHECK_TRUE(view.items[1].v.b);
    UNSIGNED_LONGS_EQUAL(13, view.items[2].v.u64);
    LONGS_EQUAL(-3, view.items[3].v.i64);
    DOUBLES_EQUAL(0.5, view.items[4].v.f64, 0);
    CHECK_FALSE(list.find("missing"));
}

TEST(ValueList, copiesACArray)
{
    migkit_value items[2] = {};
    items[0].name = "a";
    items[0].type = MIGKIT_VALUE_STRING;
    items[0].v.str = "text";
    items[1].name = "b";
    items[1].type = MIGKIT_VALUE_INT64;
    items[1].v.i64 = 4;
    ValueList list = ValueList::fromC({items, 2});
    CHECK(list.find("a") == ParameterValue(std::string("text")));
    CHECK(list.find("b") == ParameterValue(int64_t(4)));
    STRCMP_EQUAL("uint64", valueTypeName(MIGKIT_VALUE_UINT64));
}
