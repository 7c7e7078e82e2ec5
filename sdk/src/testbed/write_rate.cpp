/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed/write_rate.h"

namespace migkit::testbed {

std::optional<WriteRate> computeWriteRate(const std::deque<ProgressSample> &samples,
                                          std::chrono::microseconds window)
{
    if (samples.size() < 2)
        return std::nullopt;
    const ProgressSample &newest = samples.back();
    const uint64_t windowUs = static_cast<uint64_t>(window.count());
    /* Walk back while the samples belong to the same run of the guest and to the window. */
    size_t oldest = samples.size() - 1;
    while (oldest > 0) {
        const GuestProgress &earlier = samples[oldest - 1].progress;
        const GuestProgress &later = samples[oldest].progress;
        if (earlier.guestTimeUs > later.guestTimeUs || earlier.pagesWritten > later.pagesWritten)
            break; /* a new guest started */
        if (newest.progress.guestTimeUs - earlier.guestTimeUs > windowUs)
            break;
        oldest--;
    }
    const ProgressSample &first = samples[oldest];
    if (oldest == samples.size() - 1 || newest.progress.guestTimeUs <= first.progress.guestTimeUs)
        return std::nullopt;

    WriteRate rate;
    rate.pages = newest.progress.pagesWritten - first.progress.pagesWritten;
    rate.guestSeconds =
        static_cast<double>(newest.progress.guestTimeUs - first.progress.guestTimeUs) / 1e6;
    rate.hostSeconds = std::chrono::duration<double>(newest.hostTime - first.hostTime).count();
    rate.pagesPerGuestSecond = static_cast<double>(rate.pages) / rate.guestSeconds;
    rate.pagesPerHostSecond =
        rate.hostSeconds > 0 ? static_cast<double>(rate.pages) / rate.hostSeconds : 0;
    return rate;
}

} // namespace migkit::testbed
