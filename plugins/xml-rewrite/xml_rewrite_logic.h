/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace migkit::policies {

/**
 * XmlRewriteRules: what differs between the source host and this one: bridge names (exact),
 * storage path prefixes (a whole leading path component sequence) and this host's
 * cluster-lease host-id (docs/lease-driver.md).
 */
struct XmlRewriteRules {
    std::map<std::string, std::string> bridges;
    std::map<std::string, std::string> pathPrefixes;
    /** This host's cluster-lease slot (1..64); 0 leaves host-ids as they are. */
    uint64_t leaseHostId = 0;
};

/** The highest cluster-lease host-id (the most slots a lease area has). */
constexpr uint64_t maxLeaseHostId = 64;

/**
 * parseMapping: "from=to,from2=to2" as a map; empty text gives an empty map.  Throws
 * std::invalid_argument naming @knob when an entry has no '=' or an empty side.
 */
std::map<std::string, std::string> parseMapping(const std::string &text, const std::string &knob);

/**
 * RewriteResult: the rewritten XML and how many values changed.
 */
struct RewriteResult {
    std::string xml;
    unsigned changes = 0;
};

/**
 * rewriteDomainXml: @xml with, inside every <source .../> tag, a `bridge` attribute in
 * @rules.bridges replaced, and a `file` or `dev` attribute under a prefix in
 * @rules.pathPrefixes moved to the new prefix; and, when @rules.leaseHostId is set, the
 * host-id of every cluster-lease blockdev in a <qemu:arg value=.../> (JSON `"host-id":N`,
 * entity-escaped or not, or dotted `host-id=N`) set to it.  Everything else is kept byte for byte,
 * so libvirt gets back its own document with only those values changed.
 */
RewriteResult rewriteDomainXml(const std::string &xml, const XmlRewriteRules &rules);

} // namespace migkit::policies
