/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "migration_file.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace migkit::testbed {

namespace {

/* "MKPG", the guest's stamp magic (tests/guest/pages.h). */
constexpr uint32_t kStampMagic = 0x47504b4d;

void putWord(uint8_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = static_cast<uint8_t>(value >> (8 * i));
}

} // namespace

MigrationFile::MigrationFile(std::string path) : path_(std::move(path))
{
    std::ifstream file(path_, std::ios::binary);
    if (!file)
        throw std::runtime_error("cannot read migration file '" + path_ + "'");
    bytes_.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::vector<size_t> MigrationFile::findPage(uint32_t page) const
{
    uint8_t stamp[8];
    putWord(stamp, kStampMagic);
    putWord(stamp + 4, page);
    std::vector<size_t> offsets;
    auto at = bytes_.begin();
    for (;;) {
        at = std::search(at, bytes_.end(), std::begin(stamp), std::end(stamp));
        if (at == bytes_.end())
            return offsets;
        offsets.push_back(static_cast<size_t>(at - bytes_.begin()));
        ++at;
    }
}

uint32_t MigrationFile::word(size_t offset) const
{
    if (offset + 4 > bytes_.size())
        throw std::out_of_range("offset past the end of '" + path_ + "'");
    uint32_t value = 0;
    for (int i = 3; i >= 0; i--)
        value = (value << 8) | bytes_[offset + static_cast<size_t>(i)];
    return value;
}

void MigrationFile::setWord(size_t offset, uint32_t value)
{
    if (offset + 4 > bytes_.size())
        throw std::out_of_range("offset past the end of '" + path_ + "'");
    putWord(bytes_.data() + offset, value);
}

void MigrationFile::save(const std::string &path) const
{
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char *>(bytes_.data()),
               static_cast<std::streamsize>(bytes_.size()));
    if (!file)
        throw std::runtime_error("cannot write migration file '" + path + "'");
}

} // namespace migkit::testbed
