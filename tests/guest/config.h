/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest's configuration, read from its multiboot command line (see PROTOCOL.md). */
#pragma once

#include <stdint.h>

enum write_pattern { PATTERN_UNIFORM, PATTERN_HOTSPOT, PATTERN_SEQUENTIAL, PATTERN_IDLE };
enum fill_mode { FILL_STAMP, FILL_FULL };

struct guest_config {
    uint64_t working_set_bytes; /* 0: all usable RAM */
    enum write_pattern pattern;
    uint32_t hot_percent;       /* hotspot: share of pages that are hot */
    uint32_t hot_share_percent; /* hotspot: share of writes that go to hot pages */
    uint32_t rate;              /* pages per second; 0: unthrottled */
    uint32_t seed;
    enum fill_mode fill;
};

/* What was wrong with the command line: the offending word and what would be accepted. */
struct config_error {
    const char *word;
    unsigned word_length;
    const char *expected;
};

/* config_parse: defaults, then the key=value words of @command_line.  Returns 0, or -1 with
 * @error filled in. */
int config_parse(const char *command_line, struct guest_config *config,
                 struct config_error *error);

/* config_pattern_name / config_fill_name: the spelling used on the command line. */
const char *config_pattern_name(enum write_pattern pattern);
const char *config_fill_name(enum fill_mode fill);
