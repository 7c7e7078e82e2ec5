/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qmp/main_context_wait.h"

#include "qmp/glib_ptr.h"

namespace migkit {

bool iterateUntil(GMainContext *context, const std::function<bool()> &done,
                  std::chrono::milliseconds timeout)
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (done()) {
            return true;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return false;
        }
        /* A timer in the same context wakes the blocking iteration at the deadline. */
        GSourcePtr timer(g_timeout_source_new(static_cast<guint>(left.count()) + 1));
        g_source_set_callback(
            timer.get(), [](gpointer) -> gboolean { return G_SOURCE_REMOVE; }, nullptr, nullptr);
        g_source_attach(timer.get(), context);
        g_main_context_iteration(context, TRUE);
    }
}

} // namespace migkit
