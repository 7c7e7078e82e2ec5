/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading after validation: dlopen failures and broken ops. */
#include "plugin/plugin_library.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

using namespace migkit;
using namespace migkit::test;

TEST_GROUP(PluginLibrary){};

TEST(PluginLibrary, loadsAValidPluginAndItsSettings)
{
    auto library = PluginLibrary::load(testPlugin("scripted"));
    STRCMP_EQUAL("scripted", library->descriptor().name.c_str());
    UNSIGNED_LONGS_EQUAL(8, library->ops().settings_count);
    STRCMP_EQUAL("on-iteration", library->ops().settings[0].name);
    CHECK(library->ops().create != nullptr);
}

TEST(PluginLibrary, reportsDlopenFailuresWithDlerrorText)
{
    auto error = catchPluginError([] { PluginLibrary::load(testPlugin("undefined-symbol")); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::LoadFailed);
    STRCMP_CONTAINS("migkit_test_function_nobody_defines", error->message.c_str());
    STRCMP_CONTAINS("ldd", error->message.c_str());
}

TEST(PluginLibrary, refusesAnEntryThatReturnsNull)
{
    auto error = catchPluginError([] { PluginLibrary::load(testPlugin("null-ops")); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::BadOps);
    STRCMP_CONTAINS("returned NULL", error->message.c_str());
}

TEST(PluginLibrary, refusesOpsShorterThanAbiVersion1)
{
    auto error = catchPluginError([] { PluginLibrary::load(testPlugin("short-ops")); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::BadOps);
    STRCMP_CONTAINS("is 8 bytes", error->message.c_str());
}

TEST(PluginLibrary, validatesBeforeLoading)
{
    /* abort()s in its constructor if it were loaded */
    auto error = catchPluginError([] { PluginLibrary::load(testPlugin("abi-mismatch")); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::AbiMismatch);
}
