/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest's time base: the TSC, calibrated against the PIT, which also ticks at 1 kHz to
 * wake the guest from `hlt`. */
#pragma once

#include <stdint.h>

/* clock_init: calibrate the TSC against the PIT over 50 ms, then start the PIT at 1 kHz and
 * enable interrupts.  Needs interrupts_init() first. */
void clock_init(void);

/* clock_tsc_khz: TSC ticks per millisecond. */
uint32_t clock_tsc_khz(void);

/* clock_now_us: microseconds since the calibration ended. */
uint64_t clock_now_us(void);

/* clock_tsc_to_us: @ticks of the TSC in microseconds. */
uint64_t clock_tsc_to_us(uint64_t ticks);

/* clock_tsc_for_us: TSC ticks in @us microseconds. */
uint64_t clock_tsc_for_us(uint32_t us);
