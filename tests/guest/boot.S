/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entry from a Multiboot 1 loader (QEMU -kernel): own GDT, a stack, zeroed bss, then
 * guest_main(magic, info).  Also the interrupt stubs: each pushes its vector (and a dummy
 * error code where the CPU pushes none) so that one C dispatcher sees the same frame. */

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_FLAGS 0x00000003 /* page-aligned modules, memory information */

    .section .multiboot, "a"
    .align 4
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

    .section .bss
    .align 16
stack_bottom:
    .skip 16384
stack_top:

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF /* 0x08: code, flat 4 GiB */
    .quad 0x00CF92000000FFFF /* 0x10: data, flat 4 GiB */
gdt_end:
gdt_descriptor:
    .word gdt_end - gdt - 1
    .long gdt

    .section .text
    .global _start
_start:
    cli
    mov $stack_top, %esp
    mov %eax, %esi /* keep the loader's magic and info pointer across the setup */
    mov %ebx, %ebp
    lgdt gdt_descriptor
    ljmp $0x08, $1f
1:
    mov $0x10, %cx
    mov %cx, %ds
    mov %cx, %es
    mov %cx, %fs
    mov %cx, %gs
    mov %cx, %ss
    cld
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $stack_top, %esp
    push %ebp
    push %esi
    call guest_main
2:
    cli
    hlt
    jmp 2b

/* Interrupt stubs for vectors 0..47: CPU exceptions, then the 16 remapped PIC lines. */
    .altmacro
.macro interrupt_stub n
    .align 8
interrupt_stub_\n:
    .if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21)
    .else
    push $0
    .endif
    push $\n
    jmp interrupt_common
.endm

.macro interrupt_stub_address n
    .long interrupt_stub_\n
.endm

    .set vector, 0
    .rept 48
    interrupt_stub %vector
    .set vector, vector + 1
    .endr

interrupt_common:
    pusha
    push %esp
    call interrupt_dispatch
    add $4, %esp
    popa
    add $8, %esp
    iret

    .global interrupt_ignore
interrupt_ignore:
    iret

    .section .rodata
    .global interrupt_stubs
    .align 4
interrupt_stubs:
    .set vector, 0
    .rept 48
    interrupt_stub_address %vector
    .set vector, vector + 1
    .endr

    .section .note.GNU-stack, "", @progbits
