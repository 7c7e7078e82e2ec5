/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "serial.h"

#include "arith.h"
#include "io.h"

#define COM1 0x3f8
#define UART_DATA (COM1 + 0)
#define UART_INTERRUPT_ENABLE (COM1 + 1)
#define UART_FIFO_CONTROL (COM1 + 2)
#define UART_LINE_CONTROL (COM1 + 3)
#define UART_MODEM_CONTROL (COM1 + 4)
#define UART_LINE_STATUS (COM1 + 5)
#define UART_DIVISOR_LOW (COM1 + 0)
#define UART_DIVISOR_HIGH (COM1 + 1)
#define LINE_STATUS_DATA_READY 0x01
#define LINE_STATUS_TX_EMPTY 0x20
/* How long to wait for room in the transmitter before giving up on the current line. */
#define TX_SPIN_LIMIT 20000

static int dropping_line;
/* Set when a line was dropped: until the transmitter is free again, later lines are dropped
 * after one look instead of a full wait, so a host that does not read costs the writes little. */
static int transmitter_stalled;
static int at_line_start = 1;

void serial_init(void)
{
    outb(UART_INTERRUPT_ENABLE, 0x00);
    outb(UART_LINE_CONTROL, 0x80); /* divisor latch */
    outb(UART_DIVISOR_LOW, 0x01);  /* 115200 baud */
    outb(UART_DIVISOR_HIGH, 0x00);
    outb(UART_LINE_CONTROL, 0x03); /* 8 data bits, no parity, 1 stop bit */
    outb(UART_FIFO_CONTROL, 0xc7); /* enable and clear FIFOs */
    outb(UART_MODEM_CONTROL, 0x03);
}

static void write_char(char c)
{
    if (at_line_start && transmitter_stalled) {
        if (inb(UART_LINE_STATUS) & LINE_STATUS_TX_EMPTY)
            transmitter_stalled = 0;
        else
            dropping_line = 1;
    }
    at_line_start = c == '\n';
    if (!dropping_line) {
        unsigned spins = 0;
        while (!(inb(UART_LINE_STATUS) & LINE_STATUS_TX_EMPTY)) {
            if (++spins > TX_SPIN_LIMIT) {
                dropping_line = 1;
                transmitter_stalled = 1;
                break;
            }
        }
        if (!dropping_line)
            outb(UART_DATA, (uint8_t)c);
    }
    if (c == '\n')
        dropping_line = 0;
}

void serial_write(const char *text)
{
    while (*text)
        write_char(*text++);
}

char *serial_format_u64(char *buffer, uint64_t value)
{
    char digits[20];
    int count = 0;
    do {
        uint32_t digit;
        value = udiv64_32(value, 10, &digit);
        digits[count++] = (char)('0' + digit);
    } while (value);
    char *out = buffer;
    while (count)
        *out++ = digits[--count];
    *out = 0;
    return buffer;
}

void serial_write_u64(uint64_t value)
{
    char text[21];
    serial_write(serial_format_u64(text, value));
}

void serial_write_hex(uint32_t value)
{
    static const char hex[] = "0123456789abcdef";
    serial_write("0x");
    for (int shift = 28; shift >= 0; shift -= 4)
        write_char(hex[(value >> shift) & 0xf]);
}

int serial_read_char(void)
{
    if (!(inb(UART_LINE_STATUS) & LINE_STATUS_DATA_READY))
        return -1;
    return inb(UART_DATA);
}
