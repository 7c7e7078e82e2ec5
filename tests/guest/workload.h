/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which page to write next, by pattern.  Hotspot's hot pages are the first hot_percent of the
 * working set. */
#pragma once

#include "config.h"

#include <stdint.h>

struct workload {
    enum write_pattern pattern;
    uint32_t pages;
    uint32_t hot_pages;
    uint32_t hot_threshold; /* a random word below this picks a hot page */
    int always_hot;
    uint32_t random_state;
    uint32_t cursor;
};

/* workload_init: the chooser for @config over @pages pages. */
void workload_init(struct workload *workload, const struct guest_config *config, uint32_t pages);

/* workload_next_page: the page to write next (not for PATTERN_IDLE). */
uint32_t workload_next_page(struct workload *workload);
