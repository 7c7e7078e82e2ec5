/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host_admission_logic.h"

#include <migkit/checked.hpp>

#include <cstring>

namespace migkit::policies {

namespace {

const migkit_value *find(const migkit_values &facts, const std::string &name)
{
    for (size_t i = 0; i < facts.count; i++)
        if (name == facts.items[i].name)
            return &facts.items[i];
    return nullptr;
}

std::optional<uint64_t> number(const migkit_values &facts, const std::string &name)
{
    const migkit_value *v = find(facts, name);
    if (!v)
        return std::nullopt;
    if (v->type == MIGKIT_VALUE_UINT64)
        return v->v.u64;
    if (v->type == MIGKIT_VALUE_INT64 && v->v.i64 >= 0)
        return static_cast<uint64_t>(v->v.i64);
    return std::nullopt;
}

std::optional<bool> boolean(const migkit_values &facts, const std::string &name)
{
    const migkit_value *v = find(facts, name);
    if (!v || v->type != MIGKIT_VALUE_BOOL)
        return std::nullopt;
    return v->v.b;
}

std::string text(const migkit_values &facts, const std::string &name)
{
    const migkit_value *v = find(facts, name);
    return v && v->type == MIGKIT_VALUE_STRING && v->v.str ? v->v.str : "";
}

std::string mib(uint64_t bytes)
{
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

} // namespace

std::optional<std::string> admissionRefusal(migkit_hook_point point, const migkit_values &facts,
                                            const HostAdmissionConfig &config)
{
    if (point == MIGKIT_HOOK_MIGRATE_BEGIN && config.requireSharedDisks) {
        const uint64_t disks = number(facts, "disk.count").value_or(0);
        for (uint64_t i = 0; i < disks; i++) {
            const std::string key = "disk." + std::to_string(i) + ".";
            if (boolean(facts, key + "read-only").value_or(false) ||
                boolean(facts, key + "shared").value_or(true))
                continue;
            return "disk " + text(facts, key + "target") + " (" + text(facts, key + "path") +
                   ") is not on storage this host shares with the source; list its folder in "
                   "[host] shared-filesystems, or move the disk to shared storage";
        }
    }
    if (point == MIGKIT_HOOK_PREPARE) {
        std::optional<uint64_t> available = number(facts, "host.memory.available-bytes");
        std::optional<uint64_t> guest = number(facts, "domain.memory-bytes");
        /* Saturating: a guest plus reserve beyond 2^64 bytes needs more than any host has. */
        const uint64_t reserve = saturatingMultiply(config.memoryReserveMiB, 1024 * 1024);
        if (available && guest && *available < saturatingAdd(*guest, reserve))
            return "this host has " + mib(*available) + " of memory available, the guest needs " +
                   mib(*guest) + " plus the host's reserve of " + mib(reserve) +
                   " (memory-reserve-mib); free memory here or choose another host";
    }
    return std::nullopt;
}

} // namespace migkit::policies
