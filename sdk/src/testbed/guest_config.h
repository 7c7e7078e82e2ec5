/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace migkit::testbed {

/** WritePattern: which pages the guest writes, in which order. */
enum class WritePattern {
    Uniform,    ///< every page of the working set equally likely
    Hotspot,    ///< hotPercent of the pages take hotSharePercent of the writes
    Sequential, ///< page 0, 1, 2, ... wrapping around
    Idle,       ///< writes nothing after the initial fill
};

/** FillMode: how much of a page one write touches. */
enum class FillMode {
    Stamp, ///< the stamp and a few words per page: fast under TCG
    Full,  ///< all 4 KiB of the page
};

/** toString: the guest's spelling of @pattern ("uniform", "hotspot", ...). */
std::string toString(WritePattern pattern);
/** toString: the guest's spelling of @fill ("stamp", "full"). */
std::string toString(FillMode fill);
/** parseWritePattern: the pattern named @text, or nothing if no pattern has that name. */
std::optional<WritePattern> parseWritePattern(std::string_view text);
/** parseFillMode: the fill mode named @text, or nothing if no mode has that name. */
std::optional<FillMode> parseFillMode(std::string_view text);

/**
 * GuestConfig: what the verifiable guest does, given to it on its multiboot command line
 * (`-append`).  The format is documented in tests/guest/PROTOCOL.md; toCommandLine() and
 * parse() are inverse of each other.
 */
struct GuestConfig {
    /** workingSetBytes: bytes of RAM the guest writes; 0: all RAM above its own tables. */
    uint64_t workingSetBytes = 0;
    /** pattern: the order of writes. */
    WritePattern pattern = WritePattern::Uniform;
    /** hotPercent: share of the working set's pages that are hot (Hotspot only), 1..100. */
    unsigned hotPercent = 10;
    /** hotSharePercent: share of the writes that go to hot pages (Hotspot only), 0..100. */
    unsigned hotSharePercent = 90;
    /** ratePagesPerSecond: pages written per second of guest time; 0: as fast as it can. */
    uint64_t ratePagesPerSecond = 0;
    /** seed: seed of the guest's random page choice and page contents. */
    uint32_t seed = 1;
    /** fill: how much of each page a write touches. */
    FillMode fill = FillMode::Stamp;

    /**
     * toCommandLine: "ws=256M pattern=hotspot hot=10% hotshare=90% rate=0 seed=1 fill=stamp"
     * (ws=all when workingSetBytes is 0), ready for QEMU's -append.
     */
    std::string toCommandLine() const;

    /**
     * parse: read a command line in toCommandLine()'s format; keys may be missing (defaults
     * apply), words without '=' are skipped (QEMU puts the kernel's path first).  Throws
     * std::invalid_argument naming the key, the bad value and the accepted forms.
     */
    static GuestConfig parse(std::string_view commandLine);

    /** operator==: all fields equal. */
    bool operator==(const GuestConfig &) const = default;
};

/** formatSize: @bytes as the guest reads them: "2G", "256M", "64K" or plain bytes. */
std::string formatSize(uint64_t bytes);

/**
 * parseSize: "256M", "1G", "512K", "4096" (binary units, upper or lower case).  Throws
 * std::invalid_argument naming @text.
 */
uint64_t parseSize(std::string_view text);

} // namespace migkit::testbed
