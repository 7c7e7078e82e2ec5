/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "binary_stamp.h"

#include <sys/stat.h>

#include <ctime>

namespace migkit::bench {

BinaryStamp BinaryStamp::of(const std::string &path)
{
    BinaryStamp stamp;
    stamp.path = path;
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        stamp.size = static_cast<uint64_t>(info.st_size);
        stamp.modifiedNs =
            static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    }
    return stamp;
}

std::string BinaryStamp::modifiedUtc() const
{
    const std::time_t seconds = static_cast<std::time_t>(modifiedNs / 1000000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

} // namespace migkit::bench
