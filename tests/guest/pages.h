/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The working set: 4 KiB pages that each carry a stamp, and the table of the generation each
 * page should have.  See PROTOCOL.md for the stamp's layout. */
#pragma once

#include "config.h"

#include <stdint.h>

#define PAGE_SIZE 4096u
#define PAGE_WORDS (PAGE_SIZE / 4u)
/* "MKPG" in memory: lets host tools find stamped pages in a migration stream. */
#define STAMP_MAGIC 0x47504b4du

struct page_store {
    uint32_t *generations; /* expected generation of each page; 0: never written */
    uint8_t *base;         /* page 0 of the working set */
    uint32_t pages;
    uint32_t seed;
    enum fill_mode fill;
    uint64_t writes; /* page writes since boot, the initial fill included */
};

struct verify_report {
    uint32_t bad;
    uint32_t first_bad;
    uint32_t lost;    /* no stamp, another page's stamp, or an older generation */
    uint32_t corrupt; /* expected generation, wrong checksum */
    uint32_t ahead;   /* newer than the table: the table itself is wrong */
    int table_ok;     /* the generations add up to the write counter */
};

/* pages_layout: put the table and then the pages between @start and @end; @working_set_bytes
 * 0 takes all that fits.  Returns 0, or -1 if the working set does not fit (then @store->pages
 * says how many pages would). */
int pages_layout(struct page_store *store, uint32_t start, uint32_t end,
                 uint64_t working_set_bytes);

/* pages_write: give @page its next generation and write its contents and stamp. */
void pages_write(struct page_store *store, uint32_t page);

/* pages_verify: check every page against the table, and the table against the counter. */
void pages_verify(const struct page_store *store, struct verify_report *report);
