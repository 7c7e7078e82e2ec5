/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <migkit/plugin.h>

namespace migkit {

/**
 * hostApi: the migkit_host_api handed to every plugin instance.  Each call validates the
 * request against the context's queue (stage and plan) and queues it; nothing is applied
 * during the callback, and no C++ exception leaves these functions.
 */
const migkit_host_api &hostApi();

} // namespace migkit
