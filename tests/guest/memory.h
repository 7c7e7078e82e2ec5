/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the RAM the guest may use: the available region of the multiboot memory map that
 * holds the guest image, above everything the loader left there. */
#pragma once

#include "multiboot.h"

#include <stdint.h>

struct usable_memory {
    uint32_t start; /* first free byte, 4 KiB aligned */
    uint32_t end;   /* end of the region (exclusive), 4 KiB aligned */
};

/* memory_find: the usable memory above @image_end and the loader's data.  Returns 0, or -1 if
 * the loader gave no memory information. */
int memory_find(const struct multiboot_info *info, uint32_t image_end,
                struct usable_memory *memory);
