/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <glib.h>

#include <memory>

namespace migkit {

/** GObjectUnref: deleter that drops one GObject reference. */
struct GObjectUnref {
    void operator()(gpointer object) const { g_object_unref(object); }
};

/** GObjectPtr: owns one reference to a GObject (GSocketClient, GSocketConnection, ...). */
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

/** GSourceDestroy: deleter that detaches a GSource from its context and drops it. */
struct GSourceDestroy {
    void operator()(GSource *source) const
    {
        g_source_destroy(source);
        g_source_unref(source);
    }
};

/** GSourcePtr: owns a GSource attached to a context; detaches it when dropped. */
using GSourcePtr = std::unique_ptr<GSource, GSourceDestroy>;

/** GErrorFree: deleter for GError. */
struct GErrorFree {
    void operator()(GError *error) const { g_error_free(error); }
};

/** GErrorPtr: owns a GError. */
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

/** GMainContextUnref: deleter for a GMainContext. */
struct GMainContextUnref {
    void operator()(GMainContext *context) const { g_main_context_unref(context); }
};

/** GMainContextPtr: owns a GMainContext (g_main_context_new()). */
using GMainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;

} // namespace migkit
