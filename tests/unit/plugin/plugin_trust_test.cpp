/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a root process loads: files and folders only root (here: the test's own user) can
 * write, absolute search folders only. */
#include "plugin/plugin_locator.h"
#include "plugin/plugin_trust.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

using namespace migkit;
using namespace migkit::test;

TEST_GROUP(PluginTrust)
{
    /* In the build tree: its folders up to '/' are the test user's or root's, mode 755. */
    TemporaryFolder folder{testBuildFolder()};
    const PluginTrust trust = PluginTrust::ownedBy(geteuid());

    std::string install(const std::string &subfolder, const std::string &name)
    {
        std::filesystem::create_directories(folder.path(subfolder));
        chmod(folder.path(subfolder).c_str(), 0755);
        std::string path = folder.path(subfolder + "/" + PluginLocator::fileName(name));
        std::filesystem::copy_file(testPlugin("scripted"), path);
        chmod(path.c_str(), 0644);
        return path;
    }

    std::string refusal(const PluginLocator &locator, const std::string &nameOrPath)
    {
        auto error = catchPluginError([&] { locator.locate(nameOrPath); });
        CHECK_TRUE_TEXT(error.has_value(), ("'" + nameOrPath + "' was handed out").c_str());
        CHECK(error->code == PluginError::Code::Untrusted);
        STRCMP_CONTAINS("is not safe to load as root", error->message.c_str());
        STRCMP_CONTAINS("chmod go-w", error->message.c_str());
        return error->message;
    }
};

TEST(PluginTrust, acceptsAFileOnlyItsOwnerCanWrite)
{
    const std::string path = install("ok", "scripted");
    CHECK_FALSE(trust.whyUntrusted(path).has_value());
    PluginLocator locator({folder.path("ok")}, trust);
    STRCMP_EQUAL(path.c_str(), locator.locate("scripted").c_str());
    STRCMP_EQUAL(path.c_str(), locator.locate(path).c_str());
}

TEST(PluginTrust, refusesAWorldWritableFolderByNameAndByPath)
{
    const std::string path = install("open", "scripted");
    chmod(folder.path("open").c_str(), 0777);
    PluginLocator locator({folder.path("open")}, trust);
    const std::string expected =
        "its folder '" + folder.path("open") + "' is writable by group or others (mode 0777)";
    STRCMP_CONTAINS(expected.c_str(), refusal(locator, "scripted").c_str());
    STRCMP_CONTAINS(expected.c_str(), refusal(locator, path).c_str());
    /* Not checked (a process that is not root): the same file is found. */
    STRCMP_EQUAL(
        path.c_str(),
        PluginLocator({folder.path("open")}, PluginTrust::unchecked()).locate(path).c_str());
}

TEST(PluginTrust, refusesAGroupWritableFile)
{
    const std::string path = install("ok", "scripted");
    chmod(path.c_str(), 0664);
    PluginLocator locator({folder.path("ok")}, trust);
    STRCMP_CONTAINS(("the file '" + path + "' is writable by group or others (mode 0664)").c_str(),
                    refusal(locator, "scripted").c_str());
}

/* A link does not launder a file: what counts is the file it leads to. */
TEST(PluginTrust, followsLinksToTheRealFile)
{
    const std::string real = install("open", "scripted");
    chmod(folder.path("open").c_str(), 0777);
    std::filesystem::create_directories(folder.path("ok"));
    std::filesystem::create_symlink(real, folder.path("ok/" + PluginLocator::fileName("scripted")));
    PluginLocator locator({folder.path("ok")}, trust);
    STRCMP_CONTAINS(("its folder '" + folder.path("open") + "'").c_str(),
                    refusal(locator, "scripted").c_str());
}

/* A sticky folder that everyone can write (/tmp): only what is in a folder of root's below it
 * loads, since nobody else can rename or remove that folder; a file put straight into it by
 * someone else does not. */
TEST(PluginTrust, aStickyFolderProtectsOnlyWhatRootOwnsInIt)
{
    std::filesystem::create_directories(folder.path("sticky"));
    chmod(folder.path("sticky").c_str(), 01777);
    const std::string path = install("sticky/mine", "scripted");
    CHECK_FALSE(trust.whyUntrusted(path).has_value());

    chmod(folder.path("sticky").c_str(), 0777);
    STRCMP_CONTAINS("is writable by group or others (mode 0777)",
                    trust.whyUntrusted(path).value_or("").c_str());

    if (geteuid() != 0)
        return; /* only root can give a folder away */
    chmod(folder.path("sticky").c_str(), 01777);
    LONGS_EQUAL(0, chown(folder.path("sticky/mine").c_str(), 65534, 65534));
    STRCMP_CONTAINS("owned by uid 65534", trust.whyUntrusted(path).value_or("").c_str());
}

TEST(PluginTrust, refusesAFileOwnedBySomeoneElse)
{
    if (geteuid() != 0)
        return; /* only root can give a file away */
    const std::string path = install("ok", "scripted");
    LONGS_EQUAL(0, chown(path.c_str(), 65534, 65534));
    PluginLocator locator({folder.path("ok")}, PluginTrust::ownedBy(0));
    STRCMP_CONTAINS(("the file '" + path + "' is owned by uid 65534, not by root").c_str(),
                    refusal(locator, "scripted").c_str());
}

TEST(PluginTrust, relativeSearchFoldersAreIgnoredAndSaid)
{
    install("abs", "scripted");
    setenv("MIGKIT_PLUGIN_PATH", ("relative/plugins:" + folder.path("abs")).c_str(), 1);
    PluginLocator checked = PluginLocator::fromEnvironment(trust);
    PluginLocator unchecked = PluginLocator::fromEnvironment(PluginTrust::unchecked());
    unsetenv("MIGKIT_PLUGIN_PATH");
    STRCMP_EQUAL(folder.path("abs").c_str(), checked.folders().at(0).c_str());
    LONGS_EQUAL(1, checked.ignoredFolders().size());
    STRCMP_CONTAINS("MIGKIT_PLUGIN_PATH entry 'relative/plugins' is ignored: it is relative",
                    checked.ignoredFolders().at(0).c_str());
    auto error = catchPluginError([&] { checked.locate("nope"); });
    CHECK_TRUE(error.has_value());
    STRCMP_CONTAINS("entry 'relative/plugins' is ignored", error->message.c_str());
    STRCMP_CONTAINS("give the full path", error->message.c_str());
    /* Without the trust rule a relative entry is still searched, as before. */
    STRCMP_EQUAL("relative/plugins", unchecked.folders().at(0).c_str());
    CHECK_TRUE(unchecked.ignoredFolders().empty());
}
