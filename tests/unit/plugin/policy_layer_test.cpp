/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The header-only C++ layer's views: typed lookups and conversions. */
#include <migkit/policy.hpp>

#include <CppUTest/TestHarness.h>

TEST_GROUP(PolicyLayer){};

TEST(PolicyLayer, readsExtrasWithExactConversions)
{
    migkit_value items[4] = {};
    items[0] = {"heat.hot-pages", MIGKIT_VALUE_UINT64, {}};
    items[0].v.u64 = 1200;
    items[1] = {"delta", MIGKIT_VALUE_INT64, {}};
    items[1].v.i64 = -4;
    items[2] = {"ratio", MIGKIT_VALUE_DOUBLE, {}};
    items[2].v.f64 = 2.0;
    items[3] = {"name", MIGKIT_VALUE_STRING, {}};
    items[3].v.str = "src";
    migkit_progress raw{};
    raw.struct_size = sizeof(raw);
    raw.iteration = 3;
    raw.elapsed_ms = 4500;
    raw.extra = {items, 4};
    migkit::Progress progress(raw);

    LONGS_EQUAL(3, progress.iteration());
    LONGS_EQUAL(4500, progress.elapsed().count());
    LONGS_EQUAL(1200, progress.extra<uint64_t>("heat.hot-pages").value());
    LONGS_EQUAL(1200, progress.extra<int64_t>("heat.hot-pages").value());
    DOUBLES_EQUAL(1200.0, progress.extra<double>("heat.hot-pages").value(), 0);
    CHECK_FALSE(progress.extra<uint64_t>("delta")); /* negative: not a uint64 */
    LONGS_EQUAL(2, progress.extra<uint64_t>("ratio").value());
    CHECK_FALSE(progress.extra<bool>("ratio"));
    STRCMP_EQUAL("src", progress.extra<std::string>("name")->c_str());
    CHECK_FALSE(progress.extra<uint64_t>("missing"));
    CHECK_TRUE(progress.extras().has("delta"));
}

TEST(PolicyLayer, settingsAreTypedAndOwned)
{
    std::string text = "csv";
    migkit_value items[2] = {};
    items[0] = {"file", MIGKIT_VALUE_STRING, {}};
    items[0].v.str = text.c_str();
    items[1] = {"every", MIGKIT_VALUE_UINT64, {}};
    items[1].v.u64 = 2;
    migkit::Settings settings({items, 2});
    text = "overwritten";
    STRCMP_EQUAL("csv", settings.get<std::string>("file").c_str());
    LONGS_EQUAL(2, settings.get<uint64_t>("every"));
    CHECK_THROWS(std::invalid_argument, settings.get<int64_t>("every"));
    CHECK_THROWS(std::invalid_argument, settings.get<bool>("undeclared"));
}

TEST(PolicyLayer, planViewEditsTheCStruct)
{
    migkit_plan raw{};
    migkit::Plan plan(raw);
    plan.setDowntimeLimit(std::chrono::seconds(2));
    plan.setAutoConverge(migkit::AutoConverge::Predictive);
    plan.setDirtyHeat(true);
    LONGS_EQUAL(2000, raw.downtime_limit_ms);
    LONGS_EQUAL(MIGKIT_AUTO_CONVERGE_PREDICTIVE, raw.auto_converge);
    CHECK_TRUE(raw.dirty_heat);
}
