/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/domain_facts.h"

#include "libvirt/xml_tree.h"

#include <migkit/checked.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>

namespace migkit {

uint64_t memoryUnitBytes(const std::string &unit)
{
    static const std::pair<const char *, uint64_t> units[] = {
        {"b", 1},           {"bytes", 1},        {"KB", 1000},        {"k", 1024},
        {"KiB", 1024},      {"MB", 1000000},     {"M", 1 << 20},      {"MiB", 1 << 20},
        {"GB", 1000000000}, {"G", 1ull << 30},   {"GiB", 1ull << 30}, {"TB", 1000000000000},
        {"T", 1ull << 40},  {"TiB", 1ull << 40},
    };
    for (const auto &[name, bytes] : units)
        if (unit == name)
            return bytes;
    return 0;
}

namespace {

/* <memory>: digits only (libvirt writes no sign), and a size in bytes that fits 64 bits. */
uint64_t parseMemoryBytes(const std::string &domain, const std::string &text,
                          const std::string &unit, uint64_t scale)
{
    const size_t first = text.find_first_not_of(" \t\n");
    const size_t last = text.find_last_not_of(" \t\n");
    const std::string digits =
        first == std::string::npos ? "" : text.substr(first, last - first + 1);
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    std::optional<uint64_t> bytes;
    if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size())
        bytes = checkedMultiply(value, scale);
    if (!bytes)
        throw std::invalid_argument("domain '" + domain + "': memory '" + text + "' " + unit +
                                    " is not a size: allowed 0 to " +
                                    std::to_string(UINT64_MAX / scale) + " " + unit +
                                    " (less than 2^64 bytes)");
    return *bytes;
}

} // namespace

bool isInsideFolder(const std::string &path, const std::string &folder)
{
    std::string base = folder;
    while (base.size() > 1 && base.back() == '/')
        base.pop_back();
    if (base.empty() || path.compare(0, base.size(), base) != 0)
        return false;
    return path.size() == base.size() || base == "/" || path[base.size()] == '/';
}

DomainFacts DomainFacts::fromXml(const std::string &domainXml,
                                 const std::vector<std::string> &sharedFilesystems)
{
    std::unique_ptr<XmlElement> root = XmlElement::parse(domainXml);
    if (root->localName() != "domain")
        throw XmlError("not a domain XML: the root element is <" + root->name + ">");
    DomainFacts facts;
    if (const XmlElement *name = root->child("name"))
        facts.name = name->text;
    if (const XmlElement *memory = root->child("memory")) {
        std::string unit = memory->attribute("unit", "KiB");
        uint64_t scale = memoryUnitBytes(unit);
        if (!scale)
            throw std::invalid_argument("domain '" + facts.name + "': unknown memory unit '" +
                                        unit + "'");
        facts.memoryBytes = parseMemoryBytes(facts.name, memory->text, unit, scale);
    }
    const XmlElement *devices = root->child("devices");
    if (!devices)
        return facts;
    if (const XmlElement *emulator = devices->child("emulator"))
        facts.emulator = emulator->text;
    for (const XmlElement *disk : devices->childrenNamed("disk")) {
        Disk fact;
        if (const XmlElement *target = disk->child("target"))
            fact.target = target->attribute("dev");
        fact.readOnly = disk->child("readonly") != nullptr;
        if (const XmlElement *source = disk->child("source")) {
            fact.path = source->attribute("file", source->attribute("dev"));
            if (disk->attribute("type") == "network")
                fact.protocol = source->attribute("protocol");
        }
        fact.shared = !fact.protocol.empty();
        for (const std::string &folder : sharedFilesystems)
            if (!fact.path.empty() && isInsideFolder(fact.path, folder))
                fact.shared = true;
        facts.disks.push_back(std::move(fact));
    }
    for (const XmlElement *nic : devices->childrenNamed("interface")) {
        Interface fact;
        fact.type = nic->attribute("type");
        if (const XmlElement *mac = nic->child("mac"))
            fact.mac = mac->attribute("address");
        if (const XmlElement *source = nic->child("source"))
            fact.source = source->attribute(fact.type == "network" ? "network" : "bridge",
                                            source->attribute("dev"));
        facts.interfaces.push_back(std::move(fact));
    }
    return facts;
}

void DomainFacts::addTo(ValueList &facts) const
{
    facts.add("domain.name", name);
    facts.add("domain.memory-bytes", memoryBytes);
    if (!emulator.empty())
        facts.add("domain.emulator", emulator);
    facts.add("disk.count", static_cast<uint64_t>(disks.size()));
    for (size_t i = 0; i < disks.size(); i++) {
        const std::string key = "disk." + std::to_string(i) + ".";
        facts.add(key + "target", disks[i].target);
        facts.add(key + "path", disks[i].path);
        if (!disks[i].protocol.empty())
            facts.add(key + "protocol", disks[i].protocol);
        facts.add(key + "read-only", disks[i].readOnly);
        facts.add(key + "shared", disks[i].shared);
    }
    facts.add("interface.count", static_cast<uint64_t>(interfaces.size()));
    for (size_t i = 0; i < interfaces.size(); i++) {
        const std::string key = "interface." + std::to_string(i) + ".";
        facts.add(key + "mac", interfaces[i].mac);
        facts.add(key + "type", interfaces[i].type);
        facts.add(key + "source", interfaces[i].source);
    }
}

} // namespace migkit
