/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "workload.h"

#include "arith.h"

static uint32_t next_random(struct workload *workload)
{
    uint32_t x = workload->random_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    workload->random_state = x;
    return x;
}

void workload_init(struct workload *workload, const struct guest_config *config, uint32_t pages)
{
    workload->pattern = config->pattern;
    workload->pages = pages;
    workload->random_state = config->seed ? config->seed : 0x9e3779b9u;
    workload->cursor = 0;
    uint32_t hot = (uint32_t)udiv64_32((uint64_t)pages * config->hot_percent, 100, 0);
    workload->hot_pages = hot ? hot : 1;
    workload->always_hot = config->hot_share_percent >= 100 || workload->hot_pages >= pages;
    workload->hot_threshold =
        (uint32_t)udiv64_32((uint64_t)config->hot_share_percent << 32, 100, 0);
}

uint32_t workload_next_page(struct workload *workload)
{
    switch (workload->pattern) {
    case PATTERN_SEQUENTIAL: {
        uint32_t page = workload->cursor;
        workload->cursor = page + 1 == workload->pages ? 0 : page + 1;
        return page;
    }
    case PATTERN_HOTSPOT: {
        uint32_t pick = next_random(workload);
        if (workload->always_hot || next_random(workload) < workload->hot_threshold)
            return scale_to_range(pick, workload->hot_pages);
        return workload->hot_pages +
               scale_to_range(pick, workload->pages - workload->hot_pages);
    }
    case PATTERN_UNIFORM:
    case PATTERN_IDLE:
    default:
        return scale_to_range(next_random(workload), workload->pages);
    }
}
