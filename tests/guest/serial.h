/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* COM1 (0x3f8) at 115200 8N1, polled.  Output never stalls the guest for long: when the host
 * stops reading and QEMU's chardev backs up, the rest of the line is dropped. */
#pragma once

#include <stdint.h>

/* serial_init: program COM1 for 115200 8N1 with FIFOs, no interrupts. */
void serial_init(void);

/* serial_write: send a NUL-terminated string. */
void serial_write(const char *text);

/* serial_write_u64: send @value in decimal. */
void serial_write_u64(uint64_t value);

/* serial_format_u64: write @value in decimal into @buffer (at least 21 bytes); returns it. */
char *serial_format_u64(char *buffer, uint64_t value);

/* serial_write_hex: send @value as 0x followed by 8 hex digits. */
void serial_write_hex(uint32_t value);

/* serial_read_char: the next received byte, or -1 if none is waiting. */
int serial_read_char(void);
