/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stddef.h>

struct word {
    const char *start;
    unsigned length;
};

static int word_is(struct word word, const char *text)
{
    unsigned i = 0;
    for (; i < word.length && text[i]; i++)
        if (word.start[i] != text[i])
            return 0;
    return i == word.length && text[i] == 0;
}

/* parse_number: decimal or 0x-hex, at most @max; no trailing characters. */
static int parse_number(struct word word, uint64_t max, uint64_t *value)
{
    uint64_t result = 0;
    unsigned i = 0, base = 10;
    if (word.length > 2 && word.start[0] == '0' && (word.start[1] == 'x' || word.start[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == word.length)
        return -1;
    for (; i < word.length; i++) {
        char c = word.start[i];
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = (unsigned)(c - 'A' + 10);
        else
            return -1;
        /* Every max used here is at most 2^32, so this cannot overflow before the check. */
        result = result * base + digit;
        if (result > max)
            return -1;
    }
    *value = result;
    return 0;
}

static int parse_size(struct word word, uint64_t *bytes)
{
    if (word_is(word, "all")) {
        *bytes = 0;
        return 0;
    }
    unsigned shift = 0;
    if (word.length > 1) {
        switch (word.start[word.length - 1]) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: break;
        }
    }
    if (shift)
        word.length--;
    uint64_t value;
    if (parse_number(word, (1ull << 32) >> shift, &value) || value == 0)
        return -1;
    *bytes = value << shift;
    return 0;
}

static int parse_percent(struct word word, uint32_t min, uint32_t *percent)
{
    if (word.length > 1 && word.start[word.length - 1] == '%')
        word.length--;
    uint64_t value;
    if (parse_number(word, 100, &value) || value < min)
        return -1;
    *percent = (uint32_t)value;
    return 0;
}

static int parse_value(struct word key, struct word value, struct guest_config *config,
                       const char **expected)
{
    uint64_t number;
    if (word_is(key, "ws")) {
        *expected = "ws=SIZE with K, M or G, or ws=all";
        return parse_size(value, &config->working_set_bytes);
    }
    if (word_is(key, "pattern")) {
        *expected = "pattern=uniform|hotspot|sequential|idle";
        if (word_is(value, "uniform"))
            config->pattern = PATTERN_UNIFORM;
        else if (word_is(value, "hotspot"))
            config->pattern = PATTERN_HOTSPOT;
        else if (word_is(value, "sequential"))
            config->pattern = PATTERN_SEQUENTIAL;
        else if (word_is(value, "idle"))
            config->pattern = PATTERN_IDLE;
        else
            return -1;
        return 0;
    }
    if (word_is(key, "hot")) {
        *expected = "hot=1%..100%";
        return parse_percent(value, 1, &config->hot_percent);
    }
    if (word_is(key, "hotshare")) {
        *expected = "hotshare=0%..100%";
        return parse_percent(value, 0, &config->hot_share_percent);
    }
    if (word_is(key, "rate")) {
        *expected = "rate=PAGES_PER_SECOND (0 or unthrottled: as fast as possible)";
        if (word_is(value, "unthrottled")) {
            config->rate = 0;
            return 0;
        }
        if (parse_number(value, 0xffffffffu, &number))
            return -1;
        config->rate = (uint32_t)number;
        return 0;
    }
    if (word_is(key, "seed")) {
        *expected = "seed=32-bit number";
        if (parse_number(value, 0xffffffffu, &number))
            return -1;
        config->seed = (uint32_t)number;
        return 0;
    }
    if (word_is(key, "fill")) {
        *expected = "fill=stamp|full";
        if (word_is(value, "stamp"))
            config->fill = FILL_STAMP;
        else if (word_is(value, "full"))
            config->fill = FILL_FULL;
        else
            return -1;
        return 0;
    }
    *expected = "one of ws, pattern, hot, hotshare, rate, seed, fill";
    return -1;
}

int config_parse(const char *command_line, struct guest_config *config,
                 struct config_error *error)
{
    config->working_set_bytes = 0;
    config->pattern = PATTERN_UNIFORM;
    config->hot_percent = 10;
    config->hot_share_percent = 90;
    config->rate = 0;
    config->seed = 1;
    config->fill = FILL_STAMP;

    const char *p = command_line;
    while (p && *p) {
        while (*p == ' ')
            p++;
        struct word word = {p, 0};
        while (p[word.length] && p[word.length] != ' ')
            word.length++;
        p += word.length;
        if (!word.length)
            continue;
        unsigned equals = 0;
        while (equals < word.length && word.start[equals] != '=')
            equals++;
        /* Words without '=' are not ours: QEMU puts the kernel's path first. */
        if (equals == word.length)
            continue;
        struct word key = {word.start, equals};
        struct word value = {word.start + equals + 1, word.length - equals - 1};
        if (parse_value(key, value, config, &error->expected)) {
            error->word = word.start;
            error->word_length = word.length;
            return -1;
        }
    }
    return 0;
}

const char *config_pattern_name(enum write_pattern pattern)
{
    switch (pattern) {
    case PATTERN_UNIFORM: return "uniform";
    case PATTERN_HOTSPOT: return "hotspot";
    case PATTERN_SEQUENTIAL: return "sequential";
    case PATTERN_IDLE: return "idle";
    }
    return "?";
}

const char *config_fill_name(enum fill_mode fill)
{
    return fill == FILL_FULL ? "full" : "stamp";
}
