/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"

#include <cstdint>
#include <string>
#include <vector>

namespace migkit {

/**
 * DomainFacts: what a domain XML says that a policy may care about: its name, memory, disks
 * (and whether each sits on storage both hosts share) and network interfaces.
 */
struct DomainFacts {
    /** DiskFact: one disk of the domain. */
    struct Disk {
        std::string target;   ///< the guest's name for it ("vda")
        std::string path;     ///< file or block device on the host; empty for network disks
        std::string protocol; ///< network disks: "rbd", "nbd", ...; empty otherwise
        bool readOnly = false;
        bool shared = false; ///< under one of the host's shared filesystems (or a network disk)
    };
    /** Interface: one NIC of the domain. */
    struct Interface {
        std::string mac;
        std::string type;   ///< "bridge", "network", ...
        std::string source; ///< the bridge or network name
    };

    std::string name;
    uint64_t memoryBytes = 0;
    std::string emulator;
    std::vector<Disk> disks;
    std::vector<Interface> interfaces;

    /**
     * fromXml: the facts of @domainXml; a disk is shared when its path is inside one of
     * @sharedFilesystems (qemu.conf's shared_filesystems) or it is a network disk.  Throws
     * XmlError, or std::invalid_argument for a memory size libvirt would not write.
     */
    static DomainFacts fromXml(const std::string &domainXml,
                               const std::vector<std::string> &sharedFilesystems);

    /**
     * addTo: the facts as named values: "domain.name", "domain.memory-bytes",
     * "domain.emulator", "disk.count", "disk.N.target|path|protocol|read-only|shared",
     * "interface.count", "interface.N.mac|type|source".
     */
    void addTo(ValueList &facts) const;
};

/** memoryUnitBytes: bytes in one libvirt memory @unit ("KiB", "M", "bytes", ...), 0 if unknown. */
uint64_t memoryUnitBytes(const std::string &unit);

/** isInsideFolder: whether @path is @folder itself or below it (textually, after trimming '/'). */
bool isInsideFolder(const std::string &path, const std::string &folder);

} // namespace migkit
