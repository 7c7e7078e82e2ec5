/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The descriptor check that runs before dlopen: real plugin files, broken ones, and copies of
 * a good one with single header fields changed. */
#include "plugin/elf_descriptor.h"
#include "plugin/plugin_library.h"
#include "test_files.h"

#include <CppUTest/TestHarness.h>

#include <cstddef>
#include <cstring>
#include <elf.h>
#include <migkit/plugin.h>
#include <sys/stat.h>

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

/* ---- program headers: what dlopen maps before it checks anything itself ---------------- */

TEST_GROUP(ElfSegments)
{
    TemporaryFolder folder;
    std::string content = readFile(testPlugin("scripted"));

    Elf64_Ehdr header() const
    {
        if (content.size() < sizeof(Elf64_Ehdr))
            FAIL("the scripted test plugin is missing or truncated");
        Elf64_Ehdr h;
        std::memcpy(&h, content.data(), sizeof h);
        return h;
    }

    /* The offset in the file of the program header of the @nth segment of @type. */
    size_t segmentAt(uint32_t type, int nth = 0)
    {
        const Elf64_Ehdr h = header();
        for (size_t i = 0; i < h.e_phnum; i++) {
            const size_t at = h.e_phoff + i * sizeof(Elf64_Phdr);
            Elf64_Phdr segment;
            std::memcpy(&segment, content.data() + at, sizeof segment);
            if (segment.p_type == type && nth-- == 0)
                return at;
        }
        FAIL("the scripted plugin has no such segment");
        return 0;
    }

    /* A copy with the @field of the @nth @type segment set to @value. */
    std::string withSegmentField(uint32_t type, int nth, size_t field, uint64_t value)
    {
        std::string copy = content;
        std::memcpy(copy.data() + segmentAt(type, nth) + field, &value, sizeof value);
        std::string path = folder.path("broken-segments.so");
        writeFile(path, copy);
        return path;
    }

    void refused(const std::string &path, const char *why)
    {
        auto error = catchPluginError([&] { readPluginDescriptor(path); });
        CHECK_TRUE_TEXT(error.has_value(), (std::string("accepted: ") + why).c_str());
        CHECK(error->code == PluginError::Code::NotSharedObject);
        STRCMP_CONTAINS("broken-segments.so' has broken program headers", error->message.c_str());
        STRCMP_CONTAINS(why, error->message.c_str());
        STRCMP_CONTAINS("rebuild it", error->message.c_str());
    }
};

TEST(ElfSegments, aLoadSegmentPastTheEndOfTheFile)
{
    refused(withSegmentField(PT_LOAD, 1, offsetof(Elf64_Phdr, p_filesz), content.size() * 4),
            "PT_LOAD #1 ends past the end of the file");
    refused(withSegmentField(PT_LOAD, 0, offsetof(Elf64_Phdr, p_offset), ~uint64_t(0) - 8),
            "PT_LOAD #0 ends past the end of the file");
}

TEST(ElfSegments, aLoadSegmentWithABadAlignment)
{
    refused(withSegmentField(PT_LOAD, 0, offsetof(Elf64_Phdr, p_align), 3),
            "PT_LOAD #0 has alignment 3");
    refused(withSegmentField(PT_LOAD, 1, offsetof(Elf64_Phdr, p_offset), 1),
            "PT_LOAD #1 has an address and a file offset not congruent");
}

TEST(ElfSegments, aLoadSegmentLargerInTheFileThanInMemory)
{
    refused(withSegmentField(PT_LOAD, 0, offsetof(Elf64_Phdr, p_memsz), 1),
            "more bytes in the file than in memory");
}

TEST(ElfSegments, aDynamicSectionOutsideTheSegments)
{
    refused(withSegmentField(PT_DYNAMIC, 0, offsetof(Elf64_Phdr, p_vaddr), uint64_t(1) << 40),
            "the dynamic section lies outside the loadable segments");
}

TEST(ElfSegments, programHeadersOutsideTheFile)
{
    std::string copy = content;
    const uint64_t outside = content.size() - 8;
    std::memcpy(copy.data() + offsetof(Elf64_Ehdr, e_phoff), &outside, sizeof outside);
    writeFile(folder.path("broken-segments.so"), copy);
    refused(folder.path("broken-segments.so"), "program headers outside the file");
}

/* The crash of issue 18: refused by the loader before dlopen, not a SIGSEGV inside it. */
TEST(ElfSegments, theLoaderRefusesWhatDlopenWouldCrashOn)
{
    const std::string path =
        withSegmentField(PT_DYNAMIC, 0, offsetof(Elf64_Phdr, p_vaddr), uint64_t(1) << 40);
    auto error = catchPluginError([&] { PluginLibrary::load(path); });
    CHECK_TRUE(error.has_value());
    STRCMP_CONTAINS("broken program headers", error->message.c_str());
}

/* A FIFO is refused at once: opened blocking, it waited for a writer for ever. */
TEST(ElfSegments, aFifoIsRefusedWithoutBlocking)
{
    const std::string fifo = folder.path("fifo.so");
    LONGS_EQUAL(0, mkfifo(fifo.c_str(), 0600));
    auto error = catchPluginError([&] { readPluginDescriptor(fifo); });
    CHECK_TRUE(error.has_value());
    CHECK(error->code == PluginError::Code::Unreadable);
    STRCMP_CONTAINS("fifo.so' is not a regular file", error->message.c_str());
}
