/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `--policy NAME|PATH`: paths as given, names in the search folders in order. */
#include "plugin/plugin_locator.h"
#include "plugin/policy_chain.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

#include <cstdlib>
#include <filesystem>
#include <sys/stat.h>

using namespace migkit;
using namespace migkit::test;

TEST_GROUP(PluginLocator)
{
    /* In the build tree: a root test run must find what it installs trusted. */
    TemporaryFolder folder{testBuildFolder()};

    std::string install(const std::string &subfolder, const std::string &name)
    {
        std::filesystem::create_directories(folder.path(subfolder));
        std::string path = folder.path(subfolder + "/" + PluginLocator::fileName(name));
        std::filesystem::copy_file(testPlugin("scripted"), path);
        return path;
    }
};

TEST(PluginLocator, tellsPathsFromNames)
{
    CHECK_TRUE(PluginLocator::isPath("./x"));
    CHECK_TRUE(PluginLocator::isPath("/usr/lib/x"));
    CHECK_TRUE(PluginLocator::isPath("my-policy.so"));
    CHECK_FALSE(PluginLocator::isPath("default"));
    CHECK_FALSE(PluginLocator::isPath("so"));
    STRCMP_EQUAL("migkit-policy-default.so", PluginLocator::fileName("default").c_str());
}

TEST(PluginLocator, usesPathsAsGiven)
{
    PluginLocator locator({folder.path("empty")});
    std::string path = testPlugin("scripted");
    STRCMP_EQUAL(path.c_str(), locator.locate(path).c_str());
    auto error = catchPluginError([&] { locator.locate(folder.path("missing.so")); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::NotFound);
    STRCMP_CONTAINS("missing.so' does not exist", error->message.c_str());
}

TEST(PluginLocator, findsNamesInFolderOrder)
{
    std::string first = install("a", "mine");
    install("b", "mine");
    std::string nested = install("b/other", "other");
    PluginLocator locator({folder.path("a"), folder.path("b")});
    STRCMP_EQUAL(first.c_str(), locator.locate("mine").c_str());
    STRCMP_EQUAL(nested.c_str(), locator.locate("other").c_str());
    UNSIGNED_LONGS_EQUAL(2, locator.available().size());
}

TEST(PluginLocator, listsWhereItLookedWhenNotFound)
{
    PluginLocator locator({folder.path("a"), folder.path("b")});
    auto error = catchPluginError([&] { locator.locate("nope"); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::NotFound);
    STRCMP_CONTAINS("no policy plugin 'nope'", error->message.c_str());
    STRCMP_CONTAINS("migkit-policy-nope.so", error->message.c_str());
    STRCMP_CONTAINS(folder.path("a").c_str(), error->message.c_str());
    STRCMP_CONTAINS(folder.path("b").c_str(), error->message.c_str());
    STRCMP_CONTAINS("MIGKIT_PLUGIN_PATH", error->message.c_str());
}

TEST(PluginLocator, refusesNamesThatAreNeitherNameNorPath)
{
    PluginLocator locator({folder.path()});
    auto error = catchPluginError([&] { locator.locate("Big Policy"); });
    CHECK_TRUE(error.has_value());
    STRCMP_CONTAINS("not a plugin name", error->message.c_str());
}

TEST(PluginLocator, environmentFoldersComeFirstThenTheBuildTree)
{
    std::string mine = install("env", "default");
    setenv("MIGKIT_PLUGIN_PATH", (folder.path("env") + "::" + folder.path("more")).c_str(), 1);
    PluginLocator locator = PluginLocator::fromEnvironment();
    unsetenv("MIGKIT_PLUGIN_PATH");
    STRCMP_EQUAL(folder.path("env").c_str(), locator.folders().at(0).c_str());
    STRCMP_EQUAL(folder.path("more").c_str(), locator.folders().at(1).c_str());
    STRCMP_EQUAL(MIGKIT_TEST_FIRST_PARTY_DIR, locator.folders().at(2).c_str());
    STRCMP_EQUAL(mine.c_str(), locator.locate("default").c_str());

    PluginLocator standard = PluginLocator::fromEnvironment();
    STRCMP_EQUAL(firstPartyPlugin("default").c_str(), standard.locate("default").c_str());
    STRCMP_EQUAL(firstPartyPlugin("deadline").c_str(), standard.locate("deadline").c_str());
}

/* `--policy default` must never run a file whose descriptor says it is another plugin. */
TEST(PluginLocator, refusesAFileWhoseDescriptorNamesAnotherPlugin)
{
    const std::string impostor = install("a", "default"); /* a copy of 'scripted' */
    PolicyChain chain{PluginLocator({folder.path("a")})};
    auto error = catchPluginError([&] { chain.add("default", {}); });
    CHECK_TRUE_TEXT(error.has_value(), "a file describing 'scripted' was loaded as 'default'");
    STRCMP_CONTAINS(("plugin file '" + impostor + "' was found for the name 'default'").c_str(),
                    error->message.c_str());
    STRCMP_CONTAINS("its descriptor names it 'scripted'", error->message.c_str());
    STRCMP_CONTAINS("rename the file to migkit-policy-scripted.so", error->message.c_str());
    CHECK_TRUE(chain.names().empty());
    /* By path the file is what it says it is. */
    chain.add(impostor, {});
    STRCMP_EQUAL("scripted", chain.names().at(0).c_str());
}

/* `--policy ./fifo` is refused by a stat() before anything opens it. */
TEST(PluginLocator, refusesAPathThatIsNoRegularFile)
{
    const std::string fifo = folder.path("policy.so");
    LONGS_EQUAL(0, mkfifo(fifo.c_str(), 0600));
    PluginLocator locator({});
    auto error = catchPluginError([&] { locator.locate(fifo); });
    CHECK_TRUE_TEXT(error.has_value(), "a FIFO was handed out as a plugin file");
    STRCMP_CONTAINS("policy.so' is not a regular file", error->message.c_str());
    STRCMP_CONTAINS("give the .so file", error->message.c_str());
    error = catchPluginError([&] { locator.locate(folder.path()); });
    CHECK_TRUE_TEXT(error.has_value(), "a folder was handed out as a plugin file");
}
