/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/elf_descriptor.h"

#include "plugin/plugin_error.h"

#include <migkit/plugin.h>

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace migkit {

namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#else
#error "migkit's plugin loader knows the ELF machine of x86_64 and aarch64 hosts only"
#endif
static_assert(sizeof(void *) == 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the plugin loader reads 64-bit little-endian ELF files");

/* The file, read with bounds-checked pread: a truncated or hostile file must give an error,
 * never a read past its end. */
class ElfFile {
public:
    explicit ElfFile(const std::string &path) : path_(path)
    {
        /* O_NONBLOCK: a FIFO named as a plugin must give an error, not block the open until
         * a writer comes (fstat refuses it below); it changes nothing for a regular file. */
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_ < 0) {
            int err = errno;
            throw PluginError(err == ENOENT ? PluginError::Code::NotFound
                                            : PluginError::Code::Unreadable,
                              "cannot open plugin '" + path + "': " + std::strerror(err) +
                                  (err == EACCES ? " (check the file's permissions)" : ""));
        }
        struct stat st;
        if (::fstat(fd_, &st) < 0 || !S_ISREG(st.st_mode)) {
            ::close(fd_);
            throw PluginError(PluginError::Code::Unreadable,
                              "plugin '" + path + "' is not a regular file: give the .so file");
        }
        size_ = static_cast<uint64_t>(st.st_size);
    }
    ~ElfFile() { ::close(fd_); }
    ElfFile(const ElfFile &) = delete;
    ElfFile &operator=(const ElfFile &) = delete;

    uint64_t size() const { return size_; }

    /* read: @length bytes at @offset; false when they are not all inside the file. */
    bool read(uint64_t offset, void *out, uint64_t length) const
    {
        if (offset > size_ || length > size_ - offset)
            return false;
        auto *dst = static_cast<char *>(out);
        while (length > 0) {
            ssize_t n = ::pread(fd_, dst, length, static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            dst += n;
            offset += static_cast<uint64_t>(n);
            length -= static_cast<uint64_t>(n);
        }
        return true;
    }

    template <typename T>
    T readStruct(uint64_t offset, const char *what) const
    {
        T value;
        if (!read(offset, &value, sizeof(value)))
            throw PluginError(PluginError::Code::NotSharedObject,
                              "plugin '" + path_ + "' is a truncated or corrupt ELF file (" + what +
                                  " lies outside the file): rebuild it");
        return value;
    }

private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
};

const char *elfTypeName(uint16_t type)
{
    switch (type) {
    case ET_REL:
        return "a relocatable object (.o)";
    case ET_EXEC:
        return "an executable";
    case ET_CORE:
        return "a core dump";
    default:
        return "not a shared object";
    }
}

/* The defined dynamic symbols the loader cares about. */
struct ExportedSymbols {
    std::optional<Elf64_Sym> info, entry;
};

ExportedSymbols findExports(const ElfFile &file, const Elf64_Ehdr &header, const std::string &path)
{
    auto corrupt = [&](const std::string &what) {
        return PluginError(PluginError::Code::NotSharedObject, "plugin '" + path +
                                                                   "' is a corrupt ELF file (" +
                                                                   what + "): rebuild it");
    };
    if (header.e_shoff == 0)
        throw PluginError(PluginError::Code::NotPlugin,
                          "plugin '" + path +
                              "' has no section headers, so its exported symbols cannot be "
                              "checked: do not strip it with sstrip-like tools");
    if (header.e_shentsize != sizeof(Elf64_Shdr))
        throw corrupt("unexpected section header size");
    uint64_t count = header.e_shnum;
    if (count == 0) /* more than SHN_LORESERVE sections: the real count is in section 0 */
        count = file.readStruct<Elf64_Shdr>(header.e_shoff, "section header 0").sh_size;
    if (count > file.size() / sizeof(Elf64_Shdr))
        throw corrupt("section count larger than the file");

    std::vector<Elf64_Shdr> sections(count);
    if (!file.read(header.e_shoff, sections.data(), count * sizeof(Elf64_Shdr)))
        throw corrupt("section headers outside the file");

    ExportedSymbols exports;
    for (const Elf64_Shdr &dynsym : sections) {
        if (dynsym.sh_type != SHT_DYNSYM)
            continue;
        if (dynsym.sh_entsize != sizeof(Elf64_Sym) || dynsym.sh_link >= sections.size())
            throw corrupt("malformed .dynsym");
        const Elf64_Shdr &strtab = sections[dynsym.sh_link];
        if (strtab.sh_type != SHT_STRTAB || strtab.sh_size > file.size())
            throw corrupt("malformed .dynstr");
        std::vector<char> names(strtab.sh_size + 1, '\0');
        if (!file.read(strtab.sh_offset, names.data(), strtab.sh_size))
            throw corrupt(".dynstr outside the file");

        uint64_t symbols = dynsym.sh_size / sizeof(Elf64_Sym);
        if (symbols > file.size() / sizeof(Elf64_Sym))
            throw corrupt(".dynsym larger than the file");
        std::vector<Elf64_Sym> table(symbols);
        if (!file.read(dynsym.sh_offset, table.data(), symbols * sizeof(Elf64_Sym)))
            throw corrupt(".dynsym outside the file");
        for (const Elf64_Sym &symbol : table) {
            if (symbol.st_name >= strtab.sh_size || symbol.st_shndx == SHN_UNDEF)
                continue;
            unsigned char binding = ELF64_ST_BIND(symbol.st_info);
            if (binding != STB_GLOBAL && binding != STB_WEAK)
                continue;
            const char *name = names.data() + symbol.st_name;
            if (std::strcmp(name, MIGKIT_PLUGIN_INFO_SYMBOL) == 0)
                exports.info = symbol;
            else if (std::strcmp(name, MIGKIT_PLUGIN_ENTRY_SYMBOL) == 0)
                exports.entry = symbol;
        }
    }
    return exports;
}

/* The file offset of the bytes at virtual address @address (@size long), from the loadable
 * segments: what the dynamic loader would map there. */
std::optional<uint64_t> fileOffsetOf(const ElfFile &file, const Elf64_Ehdr &header,
                                     uint64_t address, uint64_t size)
{
    if (header.e_phentsize != sizeof(Elf64_Phdr))
        return std::nullopt;
    for (uint16_t i = 0; i < header.e_phnum; i++) {
        auto segment =
            file.readStruct<Elf64_Phdr>(header.e_phoff + i * sizeof(Elf64_Phdr), "program header");
        if (segment.p_type != PT_LOAD || address < segment.p_vaddr)
            continue;
        uint64_t offsetInSegment = address - segment.p_vaddr;
        if (offsetInSegment > segment.p_filesz || size > segment.p_filesz - offsetInSegment)
            continue;
        return segment.p_offset + offsetInSegment;
    }
    return std::nullopt;
}

/* Whether @a + @b overflows, else their sum in @sum. */
bool addOverflows(uint64_t a, uint64_t b, uint64_t &sum)
{
    return __builtin_add_overflow(a, b, &sum);
}

bool isPowerOfTwo(uint64_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

/* The address-valued entries of the dynamic section that the dynamic loader dereferences. */
bool isAddressTag(int64_t tag)
{
    switch (tag) {
    case DT_PLTGOT:
    case DT_HASH:
    case DT_STRTAB:
    case DT_SYMTAB:
    case DT_RELA:
    case DT_REL:
    case DT_JMPREL:
    case DT_INIT:
    case DT_FINI:
    case DT_INIT_ARRAY:
    case DT_FINI_ARRAY:
    case DT_GNU_HASH:
    case DT_VERSYM:
    case DT_VERDEF:
    case DT_VERNEED:
        return true;
    default:
        return false;
    }
}

/*
 * checkLoadSegments: what dlopen() maps and then reads before any check of its own, checked
 * against the file first, so that a file with a valid descriptor but broken program headers
 * gives an error instead of a crash inside the dynamic loader: the program headers inside
 * the file, PT_LOAD segments inside the file, in address order, not overlapping, with a
 * power-of-two alignment of at least a page and offset and address congruent to it, and the
 * dynamic section and the tables it names inside the mapped segments.
 */
void checkLoadSegments(const ElfFile &file, const Elf64_Ehdr &header, const std::string &path)
{
    auto broken = [&](const std::string &what) {
        return PluginError(PluginError::Code::NotSharedObject,
                           "plugin '" + path + "' has broken program headers (" + what +
                               "), so it cannot be loaded safely: rebuild it");
    };
    if (header.e_phentsize != sizeof(Elf64_Phdr))
        throw broken("program header size " + std::to_string(header.e_phentsize) + ", expected " +
                     std::to_string(sizeof(Elf64_Phdr)));
    if (header.e_phnum == 0 || header.e_phnum == PN_XNUM)
        throw broken("no program headers");
    std::vector<Elf64_Phdr> segments(header.e_phnum);
    if (!file.read(header.e_phoff, segments.data(), segments.size() * sizeof(Elf64_Phdr)))
        throw broken("program headers outside the file");

    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    std::vector<const Elf64_Phdr *> loads;
    const Elf64_Phdr *dynamic = nullptr;
    for (const Elf64_Phdr &segment : segments) {
        if (segment.p_type == PT_DYNAMIC)
            dynamic = &segment;
        if (segment.p_type != PT_LOAD)
            continue;
        const std::string which = "PT_LOAD #" + std::to_string(loads.size());
        uint64_t fileEnd = 0, memoryEnd = 0;
        if (addOverflows(segment.p_offset, segment.p_filesz, fileEnd) || fileEnd > file.size())
            throw broken(which + " ends past the end of the file");
        if (segment.p_filesz > segment.p_memsz)
            throw broken(which + " has more bytes in the file than in memory");
        if (addOverflows(segment.p_vaddr, segment.p_memsz, memoryEnd))
            throw broken(which + " wraps around the address space");
        if (!isPowerOfTwo(segment.p_align) || segment.p_align < page)
            throw broken(which + " has alignment " + std::to_string(segment.p_align) +
                         ", not a power of two of at least the page size " + std::to_string(page));
        if (segment.p_vaddr % segment.p_align != segment.p_offset % segment.p_align)
            throw broken(which + " has an address and a file offset not congruent modulo its "
                                 "alignment");
        if (!loads.empty() && segment.p_vaddr < loads.back()->p_vaddr + loads.back()->p_memsz)
            throw broken(which + " overlaps the one before it or is out of address order");
        loads.push_back(&segment);
    }
    if (loads.empty())
        throw broken("no PT_LOAD segment");

    /* [address, address + size) inside the file-backed part of one loadable segment. */
    auto mapped = [&](uint64_t address, uint64_t size) -> std::optional<uint64_t> {
        for (const Elf64_Phdr *load : loads) {
            if (address < load->p_vaddr)
                continue;
            const uint64_t inside = address - load->p_vaddr;
            if (inside <= load->p_filesz && size <= load->p_filesz - inside)
                return load->p_offset + inside;
        }
        return std::nullopt;
    };
    auto inMemory = [&](uint64_t address) {
        for (const Elf64_Phdr *load : loads)
            if (address >= load->p_vaddr && address - load->p_vaddr < load->p_memsz)
                return true;
        return false;
    };
    if (!dynamic)
        throw broken("no PT_DYNAMIC segment");
    std::optional<uint64_t> dynamicOffset = mapped(dynamic->p_vaddr, dynamic->p_filesz);
    if (!dynamicOffset || dynamic->p_filesz % sizeof(Elf64_Dyn) != 0)
        throw broken("the dynamic section lies outside the loadable segments");
    std::vector<Elf64_Dyn> entries(dynamic->p_filesz / sizeof(Elf64_Dyn));
    if (!file.read(*dynamicOffset, entries.data(), entries.size() * sizeof(Elf64_Dyn)))
        throw broken("the dynamic section lies outside the file");
    for (const Elf64_Dyn &entry : entries) {
        if (entry.d_tag == DT_NULL)
            break;
        if (isAddressTag(entry.d_tag) && !inMemory(entry.d_un.d_ptr))
            throw broken("dynamic entry " + std::to_string(entry.d_tag) +
                         " points outside the loadable segments");
    }
}

/* The NUL-terminated text of a fixed-size field, or nullopt when it has no NUL. */
template <size_t N>
std::optional<std::string> fieldText(const char (&field)[N])
{
    const void *nul = std::memchr(field, '\0', N);
    if (!nul)
        return std::nullopt;
    return std::string(field, static_cast<const char *>(nul));
}

} // namespace

bool isValidPluginName(const std::string &name)
{
    if (name.empty() || name.size() >= sizeof(migkit_plugin_descriptor::name))
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

PluginDescriptor readPluginDescriptor(const std::string &path)
{
    ElfFile file(path);

    unsigned char ident[EI_NIDENT] = {};
    if (!file.read(0, ident, sizeof(ident)) || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
        throw PluginError(PluginError::Code::NotElf,
                          "plugin '" + path +
                              "' is not an ELF file: a migkit plugin is a shared object built "
                              "with shared_module() or 'c++ -shared' (see docs/sdk.md)");
    if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB)
        throw PluginError(PluginError::Code::WrongArchitecture,
                          "plugin '" + path + "' is a " +
                              (ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "non-64-bit") +
                              " or big-endian ELF file; this host loads 64-bit little-endian "
                              "plugins: rebuild it for this machine");

    auto header = file.readStruct<Elf64_Ehdr>(0, "ELF header");
    if (header.e_type != ET_DYN)
        throw PluginError(PluginError::Code::NotSharedObject,
                          "plugin '" + path + "' is " + elfTypeName(header.e_type) +
                              ", not a shared object: link it with shared_module() or '-shared'");
    if (header.e_machine != kHostMachine)
        throw PluginError(PluginError::Code::WrongArchitecture,
                          "plugin '" + path + "' is built for ELF machine " +
                              std::to_string(header.e_machine) + ", this host is machine " +
                              std::to_string(kHostMachine) + ": rebuild it for this machine");

    checkLoadSegments(file, header, path);
    ExportedSymbols exports = findExports(file, header, path);
    if (!exports.info || ELF64_ST_TYPE(exports.info->st_info) != STT_OBJECT)
        throw PluginError(PluginError::Code::NotPlugin,
                          "'" + path +
                              "' is a shared object but not a migkit plugin: it exports "
                              "no '" MIGKIT_PLUGIN_INFO_SYMBOL
                              "' descriptor (C++: use MIGKIT_POLICY(...) from "
                              "<migkit/policy.hpp>; C: see docs/sdk.md)");

    /* Read the ABI version first: the rest of the layout depends on it. */
    uint32_t abiVersion = 0;
    auto abiOffset = fileOffsetOf(file, header, exports.info->st_value, sizeof(abiVersion));
    if (exports.info->st_size < sizeof(abiVersion) || !abiOffset ||
        !file.read(*abiOffset, &abiVersion, sizeof(abiVersion)))
        throw PluginError(PluginError::Code::BadDescriptor,
                          "plugin '" + path +
                              "': its " MIGKIT_PLUGIN_INFO_SYMBOL
                              " is not initialised data in the file (declare "
                              "it const and initialise it): rebuild it");
    if (abiVersion != MIGKIT_PLUGIN_ABI_VERSION)
        throw PluginError(PluginError::Code::AbiMismatch,
                          "plugin '" + path + "' was built for migkit plugin ABI version " +
                              std::to_string(abiVersion) + ", this host speaks version " +
                              std::to_string(MIGKIT_PLUGIN_ABI_VERSION) +
                              ": rebuild the plugin against this migkit's headers "
                              "(pkg-config --cflags migkit)");

    migkit_plugin_descriptor raw;
    auto offset = fileOffsetOf(file, header, exports.info->st_value, sizeof(raw));
    if (exports.info->st_size != sizeof(raw) || !offset || !file.read(*offset, &raw, sizeof(raw)))
        throw PluginError(PluginError::Code::BadDescriptor,
                          "plugin '" + path + "': its " MIGKIT_PLUGIN_INFO_SYMBOL " is " +
                              std::to_string(exports.info->st_size) + " bytes, ABI version " +
                              std::to_string(MIGKIT_PLUGIN_ABI_VERSION) + " needs " +
                              std::to_string(sizeof(raw)) +
                              ": declare it as migkit_plugin_descriptor and rebuild");

    auto name = fieldText(raw.name), version = fieldText(raw.version),
         license = fieldText(raw.license), summary = fieldText(raw.summary);
    auto bad = [&](const std::string &what) {
        return PluginError(PluginError::Code::BadDescriptor,
                           "plugin '" + path + "': descriptor " + what + ": fix the plugin's " +
                               MIGKIT_PLUGIN_INFO_SYMBOL + " and rebuild");
    };
    if (!name || !version || !license || !summary)
        throw bad("has a field without terminating NUL (name, version, license or summary)");
    if (!isValidPluginName(*name))
        throw bad("name '" + *name + "' is not made of [a-z0-9_-] only");
    if (version->empty())
        throw bad("version is empty");
    if (license->empty())
        throw bad("license is empty (give an SPDX identifier such as LGPL-2.1-or-later)");

    if (!exports.entry || (ELF64_ST_TYPE(exports.entry->st_info) != STT_FUNC &&
                           ELF64_ST_TYPE(exports.entry->st_info) != STT_GNU_IFUNC))
        throw PluginError(PluginError::Code::MissingEntry,
                          "plugin '" + path + "' (" + *name +
                              ") has a descriptor but does not "
                              "export the function '" MIGKIT_PLUGIN_ENTRY_SYMBOL
                              "': define it (MIGKIT_POLICY does) with default visibility and "
                              "extern \"C\" linkage");

    return {path, abiVersion, *name, *version, *license, *summary};
}

} // namespace migkit
