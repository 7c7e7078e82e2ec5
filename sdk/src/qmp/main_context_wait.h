/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>

namespace migkit {

/**
 * iterateUntil: run @context's sources until @done returns true or @timeout passes, for code
 * that wants to wait in a blocking style (the CLI, tests) on top of the asynchronous QMP
 * client.  Returns whether @done became true.  @done is checked before every iteration, so a
 * condition that already holds returns at once.
 */
bool iterateUntil(GMainContext *context, const std::function<bool()> &done,
                  std::chrono::milliseconds timeout);

} // namespace migkit
