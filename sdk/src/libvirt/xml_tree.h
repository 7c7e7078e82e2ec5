/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace migkit {

/** XmlError: a document is not well-formed XML; the message says where. */
class XmlError : public std::runtime_error {
public:
    /** XmlError: with a complete message. */
    explicit XmlError(const std::string &message) : std::runtime_error(message) {}
};

/**
 * XmlElement: a read-only element tree of a small XML document (a domain XML, a metadata
 * element), enough to read facts out of it.  Namespace prefixes are kept as written
 * ("migkit:set"); localName() strips them.
 */
struct XmlElement {
    std::string name;
    std::map<std::string, std::string> attributes;
    /** text: the character data directly inside this element, concatenated. */
    std::string text;
    std::vector<std::unique_ptr<XmlElement>> children;

    /** parse: the root element of @document; throws XmlError. */
    static std::unique_ptr<XmlElement> parse(const std::string &document);

    /** localName: name without its namespace prefix. */
    std::string localName() const;

    /** attribute: the attribute @key, or @fallback. */
    std::string attribute(const std::string &key, const std::string &fallback = "") const;

    /** child: the first child whose local name is @local, or nullptr. */
    const XmlElement *child(const std::string &local) const;

    /** childrenNamed: every child whose local name is @local. */
    std::vector<const XmlElement *> childrenNamed(const std::string &local) const;
};

} // namespace migkit
