/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "testbed/guest_config.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace migkit::testbed {

/**
 * GuestReady: the guest's `ready` line: its configuration and the memory it works on.  Sent
 * once at boot and again in reply to `status`.
 */
struct GuestReady {
    /** config: the configuration the guest runs with (after its defaults). */
    GuestConfig config;
    /** pages: 4 KiB pages in the working set. */
    uint64_t pages = 0;
    /** baseAddress: guest-physical address of page 0 of the working set. */
    uint64_t baseAddress = 0;
    /** ramBytes: end of the usable RAM region the guest runs in (about the RAM below 4G). */
    uint64_t ramBytes = 0;
    /** tscKhz: the guest's TSC frequency, calibrated against the PIT. */
    uint64_t tscKhz = 0;
    /** bootUs: guest time from entry to ready (calibration and initial fill included). */
    uint64_t bootUs = 0;
};

/** GuestProgress: one periodic `progress` line (about every 100 ms of guest time). */
struct GuestProgress {
    /** sequence: counts progress lines since boot. */
    uint64_t sequence = 0;
    /** pagesWritten: pages written since the initial fill ended. */
    uint64_t pagesWritten = 0;
    /** guestTimeUs: the guest's clock (TSC) in microseconds since its calibration. */
    uint64_t guestTimeUs = 0;
    /** paused: whether writing is paused (`pause` command). */
    bool paused = false;
};

/**
 * VerifyResult: the answer to `verify`.  ok when every page carries the generation the
 * guest's table expects and a valid checksum, and the table agrees with the write counter.
 */
struct VerifyResult {
    /** ok: nothing bad found. */
    bool ok = false;
    /** pages: pages checked. */
    uint64_t pages = 0;
    /** bad: pages that failed. */
    uint64_t bad = 0;
    /** firstBad: lowest failing page index (meaningful when bad > 0). */
    uint64_t firstBad = 0;
    /** lost: pages older than expected or without a stamp (a write did not arrive). */
    uint64_t lost = 0;
    /** corrupt: pages with the expected generation whose checksum does not match. */
    uint64_t corrupt = 0;
    /** ahead: pages newer than the table says (the table itself was lost). */
    uint64_t ahead = 0;
    /** tableOk: the table's generations add up to the write counter. */
    bool tableOk = true;
    /** pagesWritten: pages written since the initial fill ended, at verify time. */
    uint64_t pagesWritten = 0;
    /** line: the line as the guest sent it, for reports. */
    std::string line;
};

/** GuestAck: the reply to `pause` or `resume`. */
struct GuestAck {
    /** paused: true after `pause`, false after `resume`. */
    bool paused = false;
    /** pagesWritten: pages written since the initial fill ended. */
    uint64_t pagesWritten = 0;
};

/** GuestErrorLine: an `error ...` line (bad configuration, unknown command, CPU fault). */
struct GuestErrorLine {
    /** message: the text after "error ". */
    std::string message;
};

/** OtherLine: a line the parser does not know (boot banner, future lines). */
struct OtherLine {
    /** text: the whole line. */
    std::string text;
};

/** GuestMessage: one line from the guest, parsed. */
using GuestMessage =
    std::variant<GuestReady, GuestProgress, VerifyResult, GuestAck, GuestErrorLine, OtherLine>;

/**
 * parseGuestLine: parse one line (without its line ending) from the guest's serial port.
 * A known line kind with a malformed field throws std::invalid_argument naming the field and
 * quoting the line; unknown line kinds come back as OtherLine.
 */
GuestMessage parseGuestLine(std::string_view line);

} // namespace migkit::testbed
