/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verifiable guest: reads its configuration, stamps every page of its working set once,
 * says `ready`, then writes pages in the configured pattern while it reports progress and
 * answers commands on COM1.  PROTOCOL.md describes the lines. */
#include "arith.h"
#include "clock.h"
#include "config.h"
#include "interrupts.h"
#include "io.h"
#include "memory.h"
#include "multiboot.h"
#include "pages.h"
#include "serial.h"
#include "workload.h"

#define PROTOCOL_VERSION 1
#define PROGRESS_INTERVAL_US 100000u
/* A throttled guest does not make up for more than this much lost time (a stun, a throttle):
 * the progress it lost must show in its write rate. */
#define THROTTLE_BACKLOG_US 10000u
/* Unthrottled: pages written between looks at the clock and the serial port. */
#define UNTHROTTLED_BATCH 256u
/* Throttled: at most this many pages at once, so that commands still get answered. */
#define THROTTLED_BATCH 4096u
#define COMMAND_MAX 32

extern char _end[];

struct guest {
    struct guest_config config;
    struct page_store store;
    struct workload workload;
    uint32_t ram_top;
    uint64_t boot_us;
    uint64_t progress_sequence;
    int paused;
    char command[COMMAND_MAX + 1];
    unsigned command_length;
    int command_overflow;
};

/* Pages written since the initial fill. */
static uint64_t workload_writes(const struct guest *guest)
{
    return guest->store.writes - guest->store.pages;
}

static void write_percent(const char *key, uint32_t percent)
{
    serial_write(key);
    serial_write_u64(percent);
    serial_write("%");
}

static void print_ready(const struct guest *guest)
{
    const struct guest_config *config = &guest->config;
    serial_write("ready version=");
    serial_write_u64(PROTOCOL_VERSION);
    serial_write(" ws=");
    serial_write_u64((uint64_t)guest->store.pages * PAGE_SIZE);
    serial_write(" pages=");
    serial_write_u64(guest->store.pages);
    serial_write(" base=");
    serial_write_hex((uint32_t)guest->store.base);
    serial_write(" ram=");
    serial_write_u64(guest->ram_top);
    serial_write(" pattern=");
    serial_write(config_pattern_name(config->pattern));
    write_percent(" hot=", config->hot_percent);
    write_percent(" hotshare=", config->hot_share_percent);
    serial_write(" rate=");
    serial_write_u64(config->rate);
    serial_write(" seed=");
    serial_write_u64(config->seed);
    serial_write(" fill=");
    serial_write(config_fill_name(config->fill));
    serial_write(" tsc_khz=");
    serial_write_u64(clock_tsc_khz());
    serial_write(" boot_us=");
    serial_write_u64(guest->boot_us);
    serial_write("\n");
}

static void print_progress(struct guest *guest)
{
    serial_write("progress seq=");
    serial_write_u64(++guest->progress_sequence);
    serial_write(" writes=");
    serial_write_u64(workload_writes(guest));
    serial_write(" t_us=");
    serial_write_u64(clock_now_us());
    serial_write(guest->paused ? " paused=1\n" : " paused=0\n");
}

static void run_verify(const struct guest *guest)
{
    struct verify_report report;
    pages_verify(&guest->store, &report);
    if (report.bad == 0 && report.table_ok) {
        serial_write("verify ok");
    } else {
        serial_write("verify bad=");
        serial_write_u64(report.bad);
        serial_write(" first=");
        serial_write_u64(report.first_bad);
        serial_write(" lost=");
        serial_write_u64(report.lost);
        serial_write(" corrupt=");
        serial_write_u64(report.corrupt);
        serial_write(" ahead=");
        serial_write_u64(report.ahead);
        serial_write(report.table_ok ? " table=ok" : " table=bad");
    }
    serial_write(" pages=");
    serial_write_u64(guest->store.pages);
    serial_write(" writes=");
    serial_write_u64(workload_writes(guest));
    serial_write(" t_us=");
    serial_write_u64(clock_now_us());
    serial_write("\n");
}

static int command_is(const struct guest *guest, const char *name)
{
    unsigned i = 0;
    for (; i < guest->command_length && name[i]; i++)
        if (guest->command[i] != name[i])
            return 0;
    return i == guest->command_length && name[i] == 0;
}

static void run_command(struct guest *guest)
{
    if (command_is(guest, "status")) {
        print_ready(guest);
    } else if (command_is(guest, "verify")) {
        run_verify(guest);
    } else if (command_is(guest, "pause") || command_is(guest, "resume")) {
        guest->paused = command_is(guest, "pause");
        serial_write(guest->paused ? "paused writes=" : "resumed writes=");
        serial_write_u64(workload_writes(guest));
        serial_write("\n");
    } else {
        guest->command[guest->command_length] = 0;
        serial_write("error unknown-command ");
        serial_write(guest->command_overflow ? "(too long)" : guest->command);
        serial_write(" (commands: status verify pause resume)\n");
    }
}

/* Read what the host sent; run each complete line.  Returns 1 if a command ran. */
static int poll_commands(struct guest *guest)
{
    int ran = 0;
    for (int c; (c = serial_read_char()) >= 0;) {
        if (c == '\n' || c == '\r') {
            if (guest->command_length || guest->command_overflow) {
                run_command(guest);
                ran = 1;
            }
            guest->command_length = 0;
            guest->command_overflow = 0;
        } else if (guest->command_length < COMMAND_MAX) {
            guest->command[guest->command_length++] = (char)c;
        } else {
            guest->command_overflow = 1;
        }
    }
    return ran;
}

/* After a fatal setup error: keep saying what is wrong whenever the host asks.  @parts ends
 * with a null pointer. */
static void __attribute__((noreturn)) fail(struct guest *guest, const char *const *parts)
{
    for (;;) {
        serial_write("error ");
        for (const char *const *part = parts; *part; part++)
            serial_write(*part);
        serial_write("\n");
        while (!poll_commands(guest))
            wait_for_interrupt();
    }
}

static void write_loop(struct guest *guest)
{
    const uint32_t rate = guest->config.rate;
    const uint64_t tsc_hz = (uint64_t)clock_tsc_khz() * 1000u;
    const uint64_t tsc_per_page = rate ? udiv64_32(tsc_hz, rate, 0) : 0;
    const uint64_t backlog = clock_tsc_for_us(THROTTLE_BACKLOG_US);
    const uint64_t progress_interval = clock_tsc_for_us(PROGRESS_INTERVAL_US);
    const int writing = guest->config.pattern != PATTERN_IDLE;
    uint64_t next_progress = rdtsc() + progress_interval;
    uint64_t next_due = rdtsc();

    for (;;) {
        int was_paused = guest->paused;
        poll_commands(guest);
        if (was_paused && !guest->paused)
            next_due = rdtsc(); /* no burst for the time spent paused */

        uint32_t written = 0;
        if (writing && !guest->paused) {
            if (!tsc_per_page) {
                for (; written < UNTHROTTLED_BATCH; written++)
                    pages_write(&guest->store, workload_next_page(&guest->workload));
            } else {
                uint64_t now = rdtsc();
                if ((int64_t)(now - next_due) > (int64_t)backlog)
                    next_due = now - backlog;
                while ((int64_t)(now - next_due) >= 0 && written < THROTTLED_BATCH) {
                    pages_write(&guest->store, workload_next_page(&guest->workload));
                    next_due += tsc_per_page;
                    written++;
                }
            }
        }

        uint64_t now = rdtsc();
        if ((int64_t)(now - next_progress) >= 0) {
            print_progress(guest);
            next_progress += progress_interval;
            if ((int64_t)(now - next_progress) >= 0)
                next_progress = now + progress_interval; /* after a stun: no catching up */
        }
        if (!written)
            wait_for_interrupt();
    }
}

void guest_main(uint32_t magic, const struct multiboot_info *info);

void guest_main(uint32_t magic, const struct multiboot_info *info)
{
    uint64_t entry_tsc = rdtsc();
    static struct guest guest;
    serial_init();
    serial_write("migkit-guest boot\n");
    /* Before anything can fail: fail() sleeps with `hlt` and needs the IDT and the timer. */
    interrupts_init();
    clock_init();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        fail(&guest, (const char *const[]){"boot: not started by a multiboot loader; ",
                                           "use QEMU -kernel", 0});

    const char *command_line =
        (info->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)info->cmdline : "";
    struct config_error error;
    if (config_parse(command_line, &guest.config, &error)) {
        static char word[64];
        unsigned length = error.word_length < sizeof(word) - 1 ? error.word_length
                                                                : sizeof(word) - 1;
        for (unsigned i = 0; i < length; i++)
            word[i] = error.word[i];
        word[length] = 0;
        fail(&guest, (const char *const[]){"config: bad word '", word, "'; expected ",
                                           error.expected, 0});
    }

    struct usable_memory memory;
    if (memory_find(info, (uint32_t)_end, &memory))
        fail(&guest, (const char *const[]){"memory: the loader gave no memory map", 0});
    guest.ram_top = memory.end;
    if (pages_layout(&guest.store, memory.start, memory.end, guest.config.working_set_bytes)) {
        static char fit_mib[24];
        serial_format_u64(fit_mib, guest.store.pages >> 8);
        fail(&guest, (const char *const[]){"config: ws does not fit: at most ", fit_mib,
                                           "M fits; give the VM more RAM or use a ",
                                           "smaller ws (ws=all takes what fits)", 0});
    }
    guest.store.seed = guest.config.seed;
    guest.store.fill = guest.config.fill;
    workload_init(&guest.workload, &guest.config, guest.store.pages);

    /* Every page gets generation 1, so that verify covers the whole working set. */
    for (uint32_t page = 0; page < guest.store.pages; page++)
        pages_write(&guest.store, page);

    guest.boot_us = clock_tsc_to_us(rdtsc() - entry_tsc);
    print_ready(&guest);
    write_loop(&guest);
}
