/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "memory.h"

#define PAGE_SIZE 4096u
#define ONE_MIB 0x100000u
#define TOP_OF_32BIT 0xfffff000ull

static uint32_t string_end(uint32_t address)
{
    const char *text = (const char *)address;
    while (*text)
        text++;
    return (uint32_t)text + 1;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

int memory_find(const struct multiboot_info *info, uint32_t image_end,
                struct usable_memory *memory)
{
    /* The loader puts its information above the image: nothing below the highest of these
     * may be used. */
    uint32_t used_end = max_u32(image_end, (uint32_t)info + sizeof(*info));
    if (info->flags & MULTIBOOT_INFO_CMDLINE)
        used_end = max_u32(used_end, string_end(info->cmdline));
    if (info->flags & MULTIBOOT_INFO_MEM_MAP)
        used_end = max_u32(used_end, info->mmap_addr + info->mmap_length);

    uint64_t region_end = 0;
    if (info->flags & MULTIBOOT_INFO_MEM_MAP) {
        uint32_t offset = 0;
        while (offset + sizeof(struct multiboot_mmap_entry) <= info->mmap_length) {
            const struct multiboot_mmap_entry *entry =
                (const struct multiboot_mmap_entry *)(info->mmap_addr + offset);
            uint64_t start = entry->addr, end = entry->addr + entry->len;
            if (entry->type == MULTIBOOT_MEMORY_AVAILABLE && start <= ONE_MIB && end > ONE_MIB)
                region_end = end;
            offset += entry->size + sizeof(entry->size);
        }
    } else if (info->flags & 1u) {
        region_end = ONE_MIB + (uint64_t)info->mem_upper * 1024u;
    } else {
        return -1;
    }
    if (region_end > TOP_OF_32BIT)
        region_end = TOP_OF_32BIT;
    memory->start = (used_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    memory->end = (uint32_t)region_end & ~(PAGE_SIZE - 1);
    if (memory->end < memory->start)
        memory->end = memory->start;
    return 0;
}
