/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <CppUTest/CommandLineTestRunner.h>

int main(int argc, char **argv)
{
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
