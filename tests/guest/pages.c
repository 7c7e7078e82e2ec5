/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pages.h"

/* Stamp words at the start of a page. */
#define WORD_MAGIC 0
#define WORD_INDEX 1
#define WORD_GENERATION 2
#define WORD_CHECKSUM 3
#define STAMP_WORDS 4

/* In stamp mode a write touches these words besides the stamp: spread over the page so that
 * damage anywhere in a quarter of it has a chance to show. */
static const uint32_t sparse_words[] = {256, 512, 768, 1023};
#define SPARSE_COUNT (sizeof(sparse_words) / sizeof(sparse_words[0]))

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

static uint32_t checksum_step(uint32_t sum, uint32_t word)
{
    return (sum ^ word) * 0x01000193u;
}

static uint32_t *page_words(const struct page_store *store, uint32_t page)
{
    return (uint32_t *)(store->base + (uint64_t)page * PAGE_SIZE);
}

/* The checksum covers the index, the generation and the data words the fill mode writes. */
static uint32_t page_checksum(const struct page_store *store, const uint32_t *words)
{
    uint32_t sum = checksum_step(checksum_step(0x811c9dc5u, words[WORD_INDEX]),
                                 words[WORD_GENERATION]);
    if (store->fill == FILL_FULL) {
        for (uint32_t i = STAMP_WORDS; i < PAGE_WORDS; i++)
            sum = checksum_step(sum, words[i]);
    } else {
        for (uint32_t i = 0; i < SPARSE_COUNT; i++)
            sum = checksum_step(sum, words[sparse_words[i]]);
    }
    return sum;
}

int pages_layout(struct page_store *store, uint32_t start, uint32_t end,
                 uint64_t working_set_bytes)
{
    /* Each page costs 4 KiB plus its 4-byte table entry; the table is rounded up to pages. */
    uint32_t available = end - start;
    uint32_t fit = available / (PAGE_SIZE + 4u);
    while (fit && (((uint64_t)fit * 4u + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) +
                          (uint64_t)fit * PAGE_SIZE > available)
        fit--;
    uint64_t wanted = working_set_bytes ? working_set_bytes >> 12 : fit;
    if (wanted > fit || wanted == 0) {
        store->pages = fit;
        return -1;
    }
    store->pages = (uint32_t)wanted;
    store->generations = (uint32_t *)start;
    uint32_t table_bytes = (store->pages * 4u + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    store->base = (uint8_t *)(start + table_bytes);
    for (uint32_t i = 0; i < store->pages; i++)
        store->generations[i] = 0;
    store->writes = 0;
    return 0;
}

/* Data word @i of a stamp-mode page: cheap, and different for every page, generation, seed. */
static uint32_t sparse_data(uint32_t state, uint32_t i)
{
    return (state ^ (i * 0x9e3779b9u)) * 0x85ebca6bu;
}

void pages_write(struct page_store *store, uint32_t page)
{
    uint32_t *words = page_words(store, page);
    uint32_t generation = ++store->generations[page];
    uint32_t state = mix(page ^ (generation * 0x9e3779b1u) ^ store->seed) | 1u;
    uint32_t sum = checksum_step(checksum_step(0x811c9dc5u, page), generation);
    if (store->fill == FILL_FULL) {
        for (uint32_t i = STAMP_WORDS; i < PAGE_WORDS; i++) {
            /* xorshift32 */
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            words[i] = state;
            sum = checksum_step(sum, state);
        }
    } else {
        /* The hot path under TCG: a few stores, the checksum kept in registers. */
#pragma GCC unroll 4
        for (uint32_t i = 0; i < SPARSE_COUNT; i++) {
            uint32_t data = sparse_data(state, i);
            words[sparse_words[i]] = data;
            sum = checksum_step(sum, data);
        }
    }
    words[WORD_MAGIC] = STAMP_MAGIC;
    words[WORD_INDEX] = page;
    words[WORD_GENERATION] = generation;
    words[WORD_CHECKSUM] = sum;
    store->writes++;
}

void pages_verify(const struct page_store *store, struct verify_report *report)
{
    report->bad = report->lost = report->corrupt = report->ahead = 0;
    report->first_bad = 0;
    uint64_t generation_sum = 0;
    for (uint32_t page = 0; page < store->pages; page++) {
        const uint32_t *words = page_words(store, page);
        uint32_t expected = store->generations[page];
        generation_sum += expected;
        int bad = 1;
        if (expected == 0)
            bad = 0; /* never written: nothing to lose */
        else if (words[WORD_MAGIC] != STAMP_MAGIC || words[WORD_INDEX] != page ||
                 words[WORD_GENERATION] < expected)
            report->lost++;
        else if (words[WORD_GENERATION] > expected)
            report->ahead++;
        else if (words[WORD_CHECKSUM] != page_checksum(store, words))
            report->corrupt++;
        else
            bad = 0;
        if (bad && report->bad++ == 0)
            report->first_bad = page;
    }
    report->table_ok = generation_sum == store->writes;
}
