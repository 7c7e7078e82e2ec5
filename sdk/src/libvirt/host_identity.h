/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>

#include <string>

namespace migkit {

/**
 * hostUuidOf: the host UUID libvirt reports for @connection (capabilities <host><uuid>), which
 * tells two hosts apart even when they share a hostname; "" when libvirt does not say.
 */
std::string hostUuidOf(virConnectPtr connection);

} // namespace migkit
