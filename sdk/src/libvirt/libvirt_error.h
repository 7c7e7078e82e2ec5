/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdexcept>
#include <string>

namespace migkit {

/**
 * LibvirtError: a libvirt call failed.  The message says what migkit was doing and what
 * libvirt said; code() is libvirt's virErrorNumber (VIR_ERR_*), so callers can tell a lost
 * connection (VIR_ERR_SYSTEM_ERROR, VIR_ERR_INTERNAL_ERROR on close) from a refused request.
 */
class LibvirtError : public std::runtime_error {
public:
    /** LibvirtError: @code (virErrorNumber) and a complete message. */
    LibvirtError(int code, const std::string &message) : std::runtime_error(message), code_(code) {}

    /** code: libvirt's error number, 0 when libvirt recorded none. */
    int code() const noexcept { return code_; }

private:
    int code_;
};

/**
 * lastLibvirtError: a LibvirtError for the calling thread's last libvirt error, its message
 * prefixed with @doing ("cannot read the job statistics of 'vm1'").
 */
LibvirtError lastLibvirtError(const std::string &doing);

} // namespace migkit
