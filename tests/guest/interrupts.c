/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "interrupts.h"

#include "io.h"
#include "serial.h"

#define PIC_MASTER_COMMAND 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_COMMAND 0xa0
#define PIC_SLAVE_DATA 0xa1
#define PIC_END_OF_INTERRUPT 0x20
#define IRQ_BASE_VECTOR 32
#define IDT_ENTRIES 256
#define KERNEL_CODE_SELECTOR 0x08

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attributes;
    uint16_t offset_high;
} __attribute__((packed));

struct idt_descriptor {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const uint32_t interrupt_stubs[48];
extern void interrupt_ignore(void);

static struct idt_entry idt[IDT_ENTRIES];
static volatile uint32_t ticks;

static void set_gate(unsigned vector, uint32_t handler)
{
    idt[vector].offset_low = (uint16_t)handler;
    idt[vector].selector = KERNEL_CODE_SELECTOR;
    idt[vector].zero = 0;
    idt[vector].type_attributes = 0x8e; /* present, ring 0, 32-bit interrupt gate */
    idt[vector].offset_high = (uint16_t)(handler >> 16);
}

/* Both PICs start at IRQ_BASE_VECTOR so that IRQs do not collide with CPU exceptions. */
static void remap_pics(void)
{
    outb(PIC_MASTER_COMMAND, 0x11); /* init, cascade, expect ICW4 */
    outb(PIC_SLAVE_COMMAND, 0x11);
    outb(PIC_MASTER_DATA, IRQ_BASE_VECTOR);
    outb(PIC_SLAVE_DATA, IRQ_BASE_VECTOR + 8);
    outb(PIC_MASTER_DATA, 0x04); /* slave on IRQ2 */
    outb(PIC_SLAVE_DATA, 0x02);
    outb(PIC_MASTER_DATA, 0x01); /* 8086 mode */
    outb(PIC_SLAVE_DATA, 0x01);
    outb(PIC_MASTER_DATA, 0xfe); /* only IRQ0, the PIT */
    outb(PIC_SLAVE_DATA, 0xff);
}

void interrupts_init(void)
{
    for (unsigned vector = 0; vector < IDT_ENTRIES; vector++)
        set_gate(vector, (uint32_t)interrupt_ignore);
    for (unsigned vector = 0; vector < 48; vector++)
        set_gate(vector, interrupt_stubs[vector]);
    static struct idt_descriptor descriptor;
    descriptor.limit = sizeof(idt) - 1;
    descriptor.base = (uint32_t)idt;
    __asm__ volatile("lidt %0" : : "m"(descriptor));
    remap_pics();
}

uint32_t timer_ticks(void)
{
    return ticks;
}

void interrupt_dispatch(struct interrupt_frame *frame)
{
    if (frame->vector < IRQ_BASE_VECTOR) {
        /* A CPU exception is a guest bug: say where, then stop. */
        serial_write("error fault vector=");
        serial_write_u64(frame->vector);
        serial_write(" error_code=");
        serial_write_hex(frame->error_code);
        serial_write(" eip=");
        serial_write_hex(frame->eip);
        serial_write("\n");
        halt_forever();
    }
    unsigned irq = frame->vector - IRQ_BASE_VECTOR;
    if (irq == 0)
        ticks++;
    if (irq >= 8)
        outb(PIC_SLAVE_COMMAND, PIC_END_OF_INTERRUPT);
    outb(PIC_MASTER_COMMAND, PIC_END_OF_INTERRUPT);
}
