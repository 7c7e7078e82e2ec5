/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing a report file (`migkit --report PATH`, migkitd's report folder): what is at PATH
 * decides how, and nothing outside it is ever written or replaced. */
#include "libvirt/libvirt_report.h"

#include <CppUTest/TestHarness.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

using namespace migkit;

namespace {

std::string contentOf(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void putFile(const std::string &path, const std::string &text)
{
    std::ofstream(path, std::ios::binary) << text;
}

/* The names in @folder, sorted, space-separated. */
std::string namesIn(const std::string &folder)
{
    std::vector<std::string> names;
    for (const auto &entry : std::filesystem::directory_iterator(folder))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    std::string result;
    for (const std::string &name : names)
        result += (result.empty() ? "" : " ") + name;
    return result;
}

} // namespace

TEST_GROUP(ReportFile)
{
    std::string folder;
    LibvirtReport report{"test", "vm1", "e8384b47-6179-48a3-8eb1-c48836e4140f"};

    void setup() override
    {
        std::string pattern = std::filesystem::temp_directory_path() / "migkit-report-XXXXXX";
        CHECK_TRUE(mkdtemp(pattern.data()) != nullptr);
        folder = pattern;
    }
    void teardown() override
    {
        std::filesystem::remove_all(folder);
    }

    std::string path(const std::string &name) const
    {
        return folder + "/" + name;
    }

    /* The message writeFile threw for @target, or "" when it threw none. */
    std::string errorWriting(const std::string &target)
    {
        try {
            report.writeFile(target);
        } catch (const std::runtime_error &e) {
            return e.what();
        }
        return "";
    }
};

TEST(ReportFile, replacesARegularFileAndLeavesNothingElse)
{
    putFile(path("report.json"), "old");
    report.writeFile(path("report.json"));
    STRCMP_CONTAINS("\"vm1\"", contentOf(path("report.json")).c_str());
    STRCMP_EQUAL("report.json", namesIn(folder).c_str());
}

/* A link planted where the temporary file used to be (PATH.tmp) was followed, as root too. */
TEST(ReportFile, doesNotFollowALinkPlantedBesideTheReport)
{
    putFile(path("victim"), "precious");
    std::filesystem::create_symlink(path("victim"), path("report.json.tmp"));
    report.writeFile(path("report.json"));
    STRCMP_EQUAL("precious", contentOf(path("victim")).c_str());
    STRCMP_CONTAINS("\"vm1\"", contentOf(path("report.json")).c_str());
}

TEST(ReportFile, refusesALinkAsTheTargetAndLeavesIt)
{
    putFile(path("victim"), "precious");
    std::filesystem::create_symlink(path("victim"), path("report.json"));
    const std::string error = errorWriting(path("report.json"));
    STRCMP_CONTAINS(("cannot write the report to " + path("report.json")).c_str(), error.c_str());
    STRCMP_CONTAINS("it is a symbolic link", error.c_str());
    STRCMP_CONTAINS("give the file itself", error.c_str());
    CHECK_TRUE(std::filesystem::is_symlink(path("report.json")));
    STRCMP_EQUAL("precious", contentOf(path("victim")).c_str());
    STRCMP_EQUAL("report.json victim", namesIn(folder).c_str());
}

/* `--report /dev/null` as root replaced the device node: a node of our own stands in for it. */
TEST(ReportFile, refusesADeviceAndLeavesTheNode)
{
    const std::string node = path("null");
    if (mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0)
        return; /* not allowed to make device nodes here (not root): nothing to check */
    const std::string error = errorWriting(node);
    STRCMP_CONTAINS("it is a device, not a file", error.c_str());
    STRCMP_CONTAINS("leave the report out", error.c_str());
    struct stat st;
    LONGS_EQUAL(0, lstat(node.c_str(), &st));
    CHECK_TRUE(S_ISCHR(st.st_mode));
    STRCMP_EQUAL("null", namesIn(folder).c_str());
}

TEST(ReportFile, writesIntoAFifoItsReaderReads)
{
    const std::string fifo = path("pipe");
    LONGS_EQUAL(0, mkfifo(fifo.c_str(), 0600));
    int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    CHECK_TRUE(reader >= 0);
    report.writeFile(fifo);
    char buffer[65536];
    const ssize_t n = read(reader, buffer, sizeof buffer);
    close(reader);
    CHECK_TRUE(n > 0);
    STRCMP_CONTAINS("\"vm1\"", std::string(buffer, static_cast<size_t>(n)).c_str());
    struct stat st;
    LONGS_EQUAL(0, lstat(fifo.c_str(), &st));
    CHECK_TRUE(S_ISFIFO(st.st_mode));
}

TEST(ReportFile, aFifoWithoutReaderIsAnErrorNotAHang)
{
    LONGS_EQUAL(0, mkfifo(path("pipe").c_str(), 0600));
    STRCMP_CONTAINS("nothing reads from it", errorWriting(path("pipe")).c_str());
}

/* A full disk left a 0-byte .tmp file; RLIMIT_FSIZE fails the write the same way. */
TEST(ReportFile, aFailedWriteLeavesNoTemporaryFile)
{
    putFile(path("report.json"), "old");
    struct rlimit saved;
    LONGS_EQUAL(0, getrlimit(RLIMIT_FSIZE, &saved));
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 16;
    LONGS_EQUAL(0, setrlimit(RLIMIT_FSIZE, &small));
    const std::string error = errorWriting(path("report.json"));
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    STRCMP_EQUAL("report.json", namesIn(folder).c_str());
    STRCMP_EQUAL("old", contentOf(path("report.json")).c_str());
    STRCMP_CONTAINS(("cannot write the report to " + path("report.json")).c_str(), error.c_str());
    STRCMP_CONTAINS("File too large", error.c_str());
}
