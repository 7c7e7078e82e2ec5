/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/qemu_process.h"

#include <algorithm>
#include <string>
#include <vector>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::testbed::QemuOptions;
using migkit::testbed::QemuProcess;

namespace {

/* The value after @option in @argv, or "(absent)". */
std::string valueOf(const std::vector<std::string> &argv, const std::string &option)
{
    auto found = std::find(argv.begin(), argv.end(), option);
    if (found == argv.end() || found + 1 == argv.end())
        return "(absent)";
    return *(found + 1);
}

} // namespace

TEST_GROUP(QemuCommandLine){};

TEST(QemuCommandLine, GuestSocketsAndMachine)
{
    QemuOptions options;
    options.binary = "/opt/qemu/qemu-system-x86_64";
    options.memoryMiB = 1024;
    options.machine = "pc";
    options.guest.workingSetBytes = 64ull << 20;
    std::vector<std::string> argv = QemuProcess::commandLine(options, "/g/guest.elf", "/w");
    STRCMP_EQUAL("/opt/qemu/qemu-system-x86_64", argv.front().c_str());
    STRCMP_EQUAL("pc", valueOf(argv, "-machine").c_str());
    STRCMP_EQUAL("1024M", valueOf(argv, "-m").c_str());
    STRCMP_EQUAL("tcg", valueOf(argv, "-accel").c_str());
    STRCMP_EQUAL("/g/guest.elf", valueOf(argv, "-kernel").c_str());
    STRCMP_EQUAL(options.guest.toCommandLine().c_str(), valueOf(argv, "-append").c_str());
    STRCMP_EQUAL("chardev=migkit-qmp,mode=control", valueOf(argv, "-mon").c_str());
    STRCMP_EQUAL("chardev:migkit-com1", valueOf(argv, "-serial").c_str());
    CHECK(std::find(argv.begin(), argv.end(),
                    "socket,id=migkit-qmp,server=on,wait=off,path=/w/qmp.sock") != argv.end());
    CHECK(std::find(argv.begin(), argv.end(),
                    "socket,id=migkit-com1,server=on,wait=off,path=/w/serial.sock") != argv.end());
    STRCMP_EQUAL("(absent)", valueOf(argv, "-incoming").c_str());
}

TEST(QemuCommandLine, IncomingAndExtraArguments)
{
    QemuOptions options;
    options.incomingDefer = true;
    options.extraArgs = {"-smp", "2"};
    std::vector<std::string> argv = QemuProcess::commandLine(options, "g.elf", "/w");
    STRCMP_EQUAL("defer", valueOf(argv, "-incoming").c_str());
    STRCMP_EQUAL("2", argv.back().c_str());
    STRCMP_EQUAL("-smp", argv[argv.size() - 2].c_str());

    options.incomingUri = "file:/tmp/vm.mig";
    argv = QemuProcess::commandLine(options, "g.elf", "/w");
    STRCMP_EQUAL("file:/tmp/vm.mig", valueOf(argv, "-incoming").c_str());
}

TEST(QemuCommandLine, CommasInNamesAndPathsAreEscaped)
{
    QemuOptions options;
    options.name = "a,b";
    std::vector<std::string> argv = QemuProcess::commandLine(options, "g.elf", "/tmp/x,y");
    STRCMP_EQUAL("a,,b", valueOf(argv, "-name").c_str());
    CHECK(std::find(argv.begin(), argv.end(),
                    "socket,id=migkit-com1,server=on,wait=off,path=/tmp/x,,y/serial.sock") !=
          argv.end());
}
