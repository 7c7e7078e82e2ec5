/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/MemoryLeakWarningPlugin.h>

int main(int argc, char **argv)
{
    /* Plugins are separate objects with their own allocator calls: memory crosses between
     * them and libmigkit, which CppUTest's per-test new/delete accounting cannot follow. */
    MemoryLeakWarningPlugin::turnOffNewDeleteOverloads();
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
