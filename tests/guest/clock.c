/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clock.h"

#include "arith.h"
#include "io.h"

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182u
#define PIT_DIVISOR 1193u /* about 1 kHz */
#define CALIBRATION_COUNTS 59659u /* 50 ms */

static uint32_t tsc_khz;
static uint64_t tsc_origin;

/* Latch and read channel 0's counter. */
static uint16_t read_counter(void)
{
    outb(PIT_COMMAND, 0x00);
    uint8_t low = inb(PIT_CHANNEL0);
    uint8_t high = inb(PIT_CHANNEL0);
    return (uint16_t)(low | (high << 8));
}

/* Count TSC ticks over CALIBRATION_COUNTS of the PIT's 1.193182 MHz counter.  Reading the
 * counter itself (not counting interrupts) keeps the result exact even when the host is busy
 * and timer interrupts arrive late or merge. */
static void calibrate_tsc(void)
{
    outb(PIT_COMMAND, 0x34); /* channel 0, low then high byte, mode 2 */
    outb(PIT_CHANNEL0, 0x00); /* divisor 65536: wraps every 55 ms */
    outb(PIT_CHANNEL0, 0x00);
    uint16_t previous = read_counter();
    uint64_t tsc_start = rdtsc();
    uint32_t elapsed = 0;
    while (elapsed < CALIBRATION_COUNTS) {
        uint16_t now = read_counter();
        elapsed += (uint16_t)(previous - now); /* counts down, wrapping */
        previous = now;
    }
    uint64_t tsc_end = rdtsc();
    uint64_t khz = udiv64_32((tsc_end - tsc_start) * PIT_HZ, elapsed * 1000u, 0);
    tsc_khz = khz ? (uint32_t)khz : 1;
    tsc_origin = tsc_end;
}

void clock_init(void)
{
    calibrate_tsc();
    outb(PIT_COMMAND, 0x34);
    outb(PIT_CHANNEL0, PIT_DIVISOR & 0xff);
    outb(PIT_CHANNEL0, PIT_DIVISOR >> 8);
    __asm__ volatile("sti");
}

uint32_t clock_tsc_khz(void)
{
    return tsc_khz;
}

uint64_t clock_now_us(void)
{
    return clock_tsc_to_us(rdtsc() - tsc_origin);
}

uint64_t clock_tsc_to_us(uint64_t ticks)
{
    return udiv64_32(ticks * 1000u, tsc_khz, 0);
}

uint64_t clock_tsc_for_us(uint32_t us)
{
    return udiv64_32((uint64_t)us * tsc_khz, 1000u, 0);
}
