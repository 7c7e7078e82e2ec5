/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/libvirt_error.h"

#include <libvirt/virterror.h>

namespace migkit {

LibvirtError lastLibvirtError(const std::string &doing)
{
    const virError *error = virGetLastError();
    if (!error || !error->message)
        return LibvirtError(0, doing + ": libvirt gave no reason");
    return LibvirtError(error->code, doing + ": " + error->message);
}

} // namespace migkit
