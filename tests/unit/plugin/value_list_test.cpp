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

/* One query-migrate reply can carry this many values (issue 18: a 320 KB line of 160k values
 * took a minute when each add searched the list); the unit suite's 30 s timeout is the guard. */
TEST(ValueList, takesTwoHundredThousandNamesAndStillReplacesDuplicates)
{
    constexpr uint64_t kCount = 200000;
    ValueList list;
    for (uint64_t i = 0; i < kCount; i++)
        list.add("dirty-heat.page." + std::to_string(i), i);
    for (uint64_t i = 0; i < kCount; i += 1000)
        list.add("dirty-heat.page." + std::to_string(i), i + 1);

    UNSIGNED_LONGS_EQUAL(kCount, list.size());
    UNSIGNED_LONGS_EQUAL(kCount, list.values().count);
    CHECK(list.find("dirty-heat.page.199000") == ParameterValue(uint64_t(199001)));
    CHECK(list.find("dirty-heat.page.199999") == ParameterValue(uint64_t(199999)));
    CHECK_FALSE(list.find("dirty-heat.page.200000"));
    const std::vector<std::string> names = list.names();
    STRCMP_EQUAL("dirty-heat.page.0", names.front().c_str());
    STRCMP_EQUAL("dirty-heat.page.199999", names.back().c_str());
}

TEST(ValueList, aCopyKeepsItsOwnIndex)
{
    ValueList list;
    list.add("a", uint64_t(1));
    ValueList copy = list;
    copy.add("a", uint64_t(2));
    copy.add("b", uint64_t(3));
    CHECK(list.find("a") == ParameterValue(uint64_t(1)));
    CHECK_FALSE(list.find("b"));
    CHECK(copy.find("a") == ParameterValue(uint64_t(2)));
    UNSIGNED_LONGS_EQUAL(2, copy.size());
}
