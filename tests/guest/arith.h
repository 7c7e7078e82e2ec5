/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 64-bit arithmetic without libgcc: a freestanding -m32 build has no __udivdi3, so 64-bit
 * division by a 32-bit divisor is done with two 32-bit `divl` steps. */
#pragma once

#include <stdint.h>

/* udiv64_32: @n / @d; @remainder (if not null) gets @n % @d.  @d must not be 0. */
static inline uint64_t udiv64_32(uint64_t n, uint32_t d, uint32_t *remainder)
{
    uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
    uint32_t q_hi = hi / d, r = hi % d, q_lo;
    /* r < d, so the quotient of r:lo / d fits 32 bits and divl cannot fault. */
    __asm__("divl %4" : "=a"(q_lo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
    if (remainder)
        *remainder = r;
    return ((uint64_t)q_hi << 32) | q_lo;
}

/* scale_to_range: map a uniform 32-bit random @r onto [0, @range) without division. */
static inline uint32_t scale_to_range(uint32_t r, uint32_t range)
{
    return (uint32_t)(((uint64_t)r * range) >> 32);
}
