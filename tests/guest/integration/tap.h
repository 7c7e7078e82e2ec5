/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdio>
#include <string>

namespace migkit::testbed {

/**
 * Tap: prints Test Anything Protocol results (meson's `protocol: 'tap'`), the plan at the end,
 * so that every check of a run is counted by the test runner.
 */
class Tap {
public:
    /** check: one result line; @detail goes on a comment line when the check failed. */
    bool check(bool passed, const std::string &name, const std::string &detail = {})
    {
        ++count_;
        std::printf("%s %d - %s\n", passed ? "ok" : "not ok", count_, name.c_str());
        if (!passed) {
            ++failed_;
            if (!detail.empty())
                comment(detail);
        }
        std::fflush(stdout);
        return passed;
    }

    /** comment: a "# " line (measurements, context); multi-line text is split. */
    void comment(const std::string &text)
    {
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos)
                end = text.size();
            std::printf("# %s\n", text.substr(start, end - start).c_str());
            start = end + 1;
        }
        std::fflush(stdout);
    }

    /** finish: print the plan; the exit status is 1 if any check failed. */
    int finish()
    {
        std::printf("1..%d\n", count_);
        return failed_ ? 1 : 0;
    }

private:
    int count_ = 0;
    int failed_ = 0;
};

} // namespace migkit::testbed
