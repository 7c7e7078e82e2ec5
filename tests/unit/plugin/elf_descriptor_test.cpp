/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The descriptor check that runs before dlopen: real plugin files, broken ones, and copies of
 * a good one with single header fields changed. */
#include "plugin/elf_descriptor.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

#include <cstring>
#include <elf.h>
#include <migkit/plugin.h>

using namespace migkit;
using namespace migkit::test;

TEST_GROUP(ElfDescriptor)
{
    TemporaryFolder folder;

    /* A copy of the good scripted plugin with @size bytes at @offset replaced by @bytes. */
    std::string patchedCopy(size_t offset, const void *bytes, size_t size)
    {
        std::string content = readFile(testPlugin("scripted"));
        std::memcpy(content.data() + offset, bytes, size);
        std::string path = folder.path("patched.so");
        writeFile(path, content);
        return path;
    }

    CaughtError errorFor(const std::string &path)
    {
        auto error = catchPluginError([&] { readPluginDescriptor(path); });
        CHECK_TRUE_TEXT(error.has_value(), ("no error for " + path).c_str());
        return *error;
    }
};

TEST(ElfDescriptor, readsAValidPlugin)
{
    PluginDescriptor info = readPluginDescriptor(testPlugin("scripted"));
    STRCMP_EQUAL("scripted", info.name.c_str());
    STRCMP_EQUAL("1.2.3", info.version.c_str());
    STRCMP_EQUAL("LGPL-2.1-or-later", info.license.c_str());
    STRCMP_EQUAL("test plugin driven by its settings", info.summary.c_str());
    UNSIGNED_LONGS_EQUAL(MIGKIT_PLUGIN_ABI_VERSION, info.abiVersion);
}

TEST(ElfDescriptor, readsThePlainCPluginAndTheFirstPartyOnes)
{
    STRCMP_EQUAL("c-policy", readPluginDescriptor(testPlugin("c-policy")).name.c_str());
    STRCMP_EQUAL("default", readPluginDescriptor(firstPartyPlugin("default")).name.c_str());
    STRCMP_EQUAL("deadline", readPluginDescriptor(firstPartyPlugin("deadline")).name.c_str());
}

/* The abi-mismatch plugin aborts in its constructor: getting an error proves nothing ran. */
TEST(ElfDescriptor, refusesAnotherAbiVersionWithoutRunningIt)
{
    CaughtError error = errorFor(testPlugin("abi-mismatch"));
    CHECK(error.code == PluginError::Code::AbiMismatch);
    STRCMP_CONTAINS("ABI version 999", error.message.c_str());
    STRCMP_CONTAINS("this host speaks version 1", error.message.c_str());
    STRCMP_CONTAINS("test-abi-mismatch.so", error.message.c_str());
    STRCMP_CONTAINS("rebuild", error.message.c_str());
}

TEST(ElfDescriptor, refusesADescriptorWithoutEntry)
{
    CaughtError error = errorFor(testPlugin("no-entry"));
    CHECK(error.code == PluginError::Code::MissingEntry);
    STRCMP_CONTAINS("migkit_plugin_entry", error.message.c_str());
}

TEST(ElfDescriptor, refusesASharedObjectThatIsNoPlugin)
{
    CaughtError error = errorFor(testPlugin("not-a-plugin"));
    CHECK(error.code == PluginError::Code::NotPlugin);
    STRCMP_CONTAINS("not a migkit plugin", error.message.c_str());
    STRCMP_CONTAINS("MIGKIT_POLICY", error.message.c_str());
}

TEST(ElfDescriptor, refusesATextFileNamedSo)
{
    std::string path = folder.path("migkit-policy-text.so");
    writeFile(path, "this is not a shared object\n");
    CaughtError error = errorFor(path);
    CHECK(error.code == PluginError::Code::NotElf);
    STRCMP_CONTAINS("not an ELF file", error.message.c_str());
    STRCMP_CONTAINS(path.c_str(), error.message.c_str());
}

TEST(ElfDescriptor, refusesAnEmptyFile)
{
    std::string path = folder.path("empty.so");
    writeFile(path, "");
    CHECK(errorFor(path).code == PluginError::Code::NotElf);
}

TEST(ElfDescriptor, refusesAMissingFileAndAFolder)
{
    CHECK(errorFor(folder.path("nothing.so")).code == PluginError::Code::NotFound);
    CaughtError error = errorFor(folder.path());
    CHECK(error.code == PluginError::Code::Unreadable);
    STRCMP_CONTAINS("not a regular file", error.message.c_str());
}

TEST(ElfDescriptor, refusesAnExecutable)
{
    uint16_t type = ET_EXEC;
    CaughtError error = errorFor(patchedCopy(offsetof(Elf64_Ehdr, e_type), &type, sizeof(type)));
    CHECK(error.code == PluginError::Code::NotSharedObject);
    STRCMP_CONTAINS("an executable", error.message.c_str());
}

TEST(ElfDescriptor, refusesAnObjectFile)
{
    uint16_t type = ET_REL;
    CaughtError error = errorFor(patchedCopy(offsetof(Elf64_Ehdr, e_type), &type, sizeof(type)));
    CHECK(error.code == PluginError::Code::NotSharedObject);
    STRCMP_CONTAINS("relocatable object", error.message.c_str());
}

TEST(ElfDescriptor, refusesAnotherMachine)
{
    uint16_t machine = EM_ARM;
    CaughtError error =
        errorFor(patchedCopy(offsetof(Elf64_Ehdr, e_machine), &machine, sizeof(machine)));
    CHECK(error.code == PluginError::Code::WrongArchitecture);
    STRCMP_CONTAINS("machine 40", error.message.c_str());
}

TEST(ElfDescriptor, refuses32BitObjects)
{
    unsigned char elfClass = ELFCLASS32;
    CaughtError error = errorFor(patchedCopy(EI_CLASS, &elfClass, 1));
    CHECK(error.code == PluginError::Code::WrongArchitecture);
    STRCMP_CONTAINS("32-bit", error.message.c_str());
}

TEST(ElfDescriptor, refusesATruncatedPluginWithoutReadingPastItsEnd)
{
    std::string content = readFile(testPlugin("scripted"));
    for (size_t size : {size_t(20), sizeof(Elf64_Ehdr), size_t(4096), content.size() / 2}) {
        std::string path = folder.path("truncated.so");
        writeFile(path, content.substr(0, size));
        auto error = catchPluginError([&] { readPluginDescriptor(path); });
        CHECK_TRUE_TEXT(error.has_value(), ("truncated at " + std::to_string(size)).c_str());
    }
}

TEST(ElfDescriptor, refusesAMalformedName)
{
    CaughtError error = errorFor(testPlugin("bad-name"));
    CHECK(error.code == PluginError::Code::BadDescriptor);
    STRCMP_CONTAINS("'Bad Name'", error.message.c_str());
}

TEST(ElfDescriptor, validNames)
{
    CHECK_TRUE(isValidPluginName("default"));
    CHECK_TRUE(isValidPluginName("csv-logger_2"));
    CHECK_FALSE(isValidPluginName(""));
    CHECK_FALSE(isValidPluginName("Default"));
    CHECK_FALSE(isValidPluginName("a/b"));
    CHECK_FALSE(isValidPluginName(std::string(64, 'a')));
}
