/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interrupts: an IDT, the PICs remapped to vectors 32..47 with only the timer unmasked, and
 * a tick counter the PIT interrupt advances.  Ticks wake the guest from `hlt` when it has
 * nothing to do, so an idle or throttled guest does not burn a host CPU under TCG. */
#pragma once

#include <stdint.h>

/* The register frame boot.S builds for interrupt_dispatch. */
struct interrupt_frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
};

/* interrupts_init: load the IDT and program the PICs (interrupts stay disabled). */
void interrupts_init(void);

/* timer_ticks: PIT interrupts taken since interrupts_init. */
uint32_t timer_ticks(void);

/* interrupt_dispatch: called by boot.S for every vector it has a stub for. */
void interrupt_dispatch(struct interrupt_frame *frame);
