/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migkit::testbed {

/**
 * MigrationFile: a migration stream saved with `migrate file:PATH`, read into memory so that a
 * test can find the guest's stamped pages in it and damage them (tests/guest/PROTOCOL.md
 * describes the stamp).  A plain stream (no mapped-ram, no compression) of a stopped VM holds
 * each page's 4 KiB once, as they are.
 */
class MigrationFile {
public:
    /** MigrationFile: read @path; throws std::runtime_error naming it. */
    explicit MigrationFile(std::string path);

    /** findPage: offsets in the file of every copy of working-set page @page's stamp. */
    std::vector<size_t> findPage(uint32_t page) const;

    /** word: the 32-bit little-endian word at @offset. */
    uint32_t word(size_t offset) const;

    /** setWord: overwrite the 32-bit little-endian word at @offset. */
    void setWord(size_t offset, uint32_t value);

    /** save: write the (changed) contents to @path. */
    void save(const std::string &path) const;

private:
    std::string path_;
    std::vector<uint8_t> bytes_;
};

} // namespace migkit::testbed
