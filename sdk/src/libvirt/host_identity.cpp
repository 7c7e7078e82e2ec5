/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/host_identity.h"

#include "libvirt/xml_tree.h"

#include <cstdlib>
#include <memory>

namespace migkit {

std::string hostUuidOf(virConnectPtr connection)
{
    char *caps = virConnectGetCapabilities(connection);
    if (!caps)
        return "";
    std::string text = caps;
    free(caps);
    try {
        std::unique_ptr<XmlElement> root = XmlElement::parse(text);
        if (const XmlElement *host = root->child("host"))
            if (const XmlElement *uuid = host->child("uuid"))
                return uuid->text;
    } catch (const std::exception &) {
    }
    return "";
}

} // namespace migkit
