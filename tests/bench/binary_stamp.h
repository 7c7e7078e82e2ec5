/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <string>

namespace migkit::bench {

/**
 * BinaryStamp: size and modification time of a QEMU binary, taken at the start of the
 * benchmark, so that a binary rebuilt while the benchmark runs (a developer's tree) is noticed
 * instead of silently mixing two builds in one table.
 */
struct BinaryStamp {
    std::string path;
    uint64_t size = 0;
    int64_t modifiedNs = 0;

    /** of: the stamp of @path now (size 0 when it cannot be read). */
    static BinaryStamp of(const std::string &path);
    /** modifiedUtc: the modification time as "2026-11-26T09:10:00Z". */
    std::string modifiedUtc() const;
    /** operator==: same path, size and time. */
    bool operator==(const BinaryStamp &) const = default;
};

} // namespace migkit::bench
