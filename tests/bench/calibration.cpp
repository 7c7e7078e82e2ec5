/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "calibration.h"

#include "testbed/guest_console.h"
#include "testbed/qemu_process.h"

namespace migkit::bench {

Calibration measureUnthrottledRate(const std::string &binary, const std::string &guestImage,
                                   uint64_t ramMiB)
{
    testbed::QemuOptions qemu;
    qemu.binary = binary;
    qemu.guestImage = guestImage;
    qemu.memoryMiB = ramMiB;
    qemu.name = "bench-calibration";
    qemu.guest.pattern = testbed::WritePattern::Uniform;
    qemu.guest.ratePagesPerSecond = 0;
    testbed::QemuProcess process(qemu);
    testbed::GuestConsole console(process.serialSocketPath(), std::chrono::seconds(30));
    console.waitReady();
    /* Skip the first second: the guest has just finished its initial fill. */
    for (int i = 0; i < 10; ++i) {
        console.waitProgress();
    }
    const testbed::ProgressSample first = console.progressHistory().back();
    for (int i = 0; i < 20; ++i) {
        console.waitProgress();
    }
    const testbed::ProgressSample last = console.progressHistory().back();
    const double seconds = std::chrono::duration<double>(last.hostTime - first.hostTime).count();
    Calibration calibration;
    calibration.binary = binary;
    calibration.ramMiB = ramMiB;
    calibration.pagesPerSecond =
        static_cast<double>(last.progress.pagesWritten - first.progress.pagesWritten) / seconds;
    calibration.bytesPerSecond = calibration.pagesPerSecond * 4096.0;
    return calibration;
}

} // namespace migkit::bench
