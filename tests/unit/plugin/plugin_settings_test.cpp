/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `--set key=value` against a plugin's declared knobs. */
#include "plugin/plugin_library.h"
#include "plugin/plugin_settings.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;
using namespace migkit::test;

TEST_GROUP(PluginSettings)
{
    std::shared_ptr<const PluginLibrary> scripted = PluginLibrary::load(testPlugin("scripted"));

    CaughtError errorFor(const std::map<std::string, std::string> &given)
    {
        auto error = catchPluginError([&] { resolveSettings(*scripted, given); });
        CHECK_TRUE(error.has_value());
        return *error;
    }
};

TEST(PluginSettings, parsesEachType)
{
    CHECK(parseSettingValue(MIGKIT_VALUE_INT64, "-5") == ParameterValue(int64_t(-5)));
    CHECK(parseSettingValue(MIGKIT_VALUE_UINT64, "18446744073709551615") ==
          ParameterValue(uint64_t(18446744073709551615ULL)));
    CHECK(parseSettingValue(MIGKIT_VALUE_DOUBLE, "0.25") == ParameterValue(0.25));
    CHECK(parseSettingValue(MIGKIT_VALUE_BOOL, "Yes") == ParameterValue(true));
    CHECK(parseSettingValue(MIGKIT_VALUE_BOOL, "off") == ParameterValue(false));
    CHECK(parseSettingValue(MIGKIT_VALUE_STRING, "") == ParameterValue(std::string()));

    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_UINT64, "-1"));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_UINT64, "18446744073709551616"));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_UINT64, "12abc"));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_INT64, ""));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_INT64, " 5"));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_DOUBLE, "1e999"));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_DOUBLE, "nan"));
    CHECK_FALSE(parseSettingValue(MIGKIT_VALUE_BOOL, "maybe"));
}

TEST(PluginSettings, formatsWhatItParses)
{
    for (auto value : {ParameterValue(int64_t(-7)), ParameterValue(uint64_t(7)),
                       ParameterValue(0.1), ParameterValue(true), ParameterValue("x y")}) {
        migkit_value_type type = toCValue("n", value).type;
        CHECK(parseSettingValue(type, formatSettingValue(value)) == value);
    }
}

TEST(PluginSettings, splitsSetArguments)
{
    auto [key, value] = parseSetArgument("file=/tmp/a=b.csv");
    STRCMP_EQUAL("file", key.c_str());
    STRCMP_EQUAL("/tmp/a=b.csv", value.c_str());
    STRCMP_EQUAL("", parseSetArgument("label=").second.c_str());
    auto error = catchPluginError([] { parseSetArgument("no-equals"); });
    CHECK_TRUE(error.has_value());
    STRCMP_CONTAINS("KEY=VALUE", error->message.c_str());
    CHECK_TRUE(catchPluginError([] { parseSetArgument("=5"); }).has_value());
}

TEST(PluginSettings, fillsDefaultsInDeclarationOrder)
{
    ResolvedSettings resolved = resolveSettings(*scripted, {{"ratio", "2.5"}});
    UNSIGNED_LONGS_EQUAL(8, resolved.values.size());
    STRCMP_EQUAL("on-iteration", resolved.values.names().front().c_str());
    CHECK(resolved.values.find("ratio") == ParameterValue(2.5));
    CHECK(resolved.values.find("downtime-ms") == ParameterValue(uint64_t(300)));
    CHECK(resolved.values.find("offset") == ParameterValue(int64_t(-1)));
    CHECK(resolved.values.find("allow-post-copy") == ParameterValue(false));
    STRCMP_EQUAL("2.5", resolved.text.at("ratio").c_str());
}

TEST(PluginSettings, refusesAnUnknownKeyListingTheValidOnes)
{
    CaughtError error = errorFor({{"max-downtime", "5"}});
    CHECK(error.code == PluginError::Code::UnknownSetting);
    STRCMP_CONTAINS("policy 'scripted' has no setting 'max-downtime'", error.message.c_str());
    STRCMP_CONTAINS("downtime-ms (uint64, default 300): plan downtime", error.message.c_str());
    STRCMP_CONTAINS("ratio (double", error.message.c_str());
}

TEST(PluginSettings, refusesValuesOfTheWrongType)
{
    CaughtError error = errorFor({{"downtime-ms", "fast"}});
    CHECK(error.code == PluginError::Code::BadSettingValue);
    STRCMP_CONTAINS("downtime-ms='fast' is not a uint64", error.message.c_str());
    STRCMP_CONTAINS("whole number >= 0", error.message.c_str());
    CHECK(errorFor({{"downtime-ms", "-3"}}).code == PluginError::Code::BadSettingValue);
    CHECK(errorFor({{"allow-post-copy", "sure"}}).code == PluginError::Code::BadSettingValue);
    CHECK(errorFor({{"ratio", "half"}}).code == PluginError::Code::BadSettingValue);
}

TEST(PluginSettings, refusesAMissingRequiredKnob)
{
    auto plugin = PluginLibrary::load(testPlugin("c-policy"));
    auto error = catchPluginError([&] { resolveSettings(*plugin, {}); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::MissingSetting);
    STRCMP_CONTAINS("--set label=VALUE", error->message.c_str());
    ResolvedSettings resolved = resolveSettings(*plugin, {{"label", "x"}});
    CHECK(resolved.values.find("label") == ParameterValue(std::string("x")));
}
