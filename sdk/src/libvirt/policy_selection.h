/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace migkit {

/** The XML namespace of migkit's domain metadata. */
inline constexpr const char *kPolicyMetadataNamespace = "https://migkit.dev/xmlns/1";
/** The prefix migkit writes its metadata with. */
inline constexpr const char *kPolicyMetadataPrefix = "migkit";
/**
 * The namespace of the marker `migkit migrate --libvirt` puts on a domain while it governs its
 * migration itself, so that migkitd stands aside.
 */
inline constexpr const char *kRunMarkerNamespace = "https://migkit.dev/xmlns/1/run";

/** PolicyRef: one policy plugin to run and the settings given to it (`key=value` as text). */
struct PolicyRef {
    std::string name;
    std::map<std::string, std::string> settings;

    bool operator==(const PolicyRef &) const = default;
};

/**
 * parsePolicyMetadata: the policies a domain's metadata element names, in order.  The
 * element (what virDomainGetMetadata returns for kPolicyMetadataNamespace) is
 *
 *     <migkit:policy xmlns:migkit="https://migkit.dev/xmlns/1" name="default">
 *       <migkit:set key="max-downtime-ms" value="300"/>
 *       <migkit:policy name="deadline"><migkit:set key="deadline" value="60"/></migkit:policy>
 *     </migkit:policy>
 *
 * (nested <policy> elements chain further plugins).  name="none" means: no policy, observe
 * only (an empty list).  A name must be a plugin name ([a-z0-9_-]): whoever may edit a
 * domain's metadata must not choose a file for the root daemon to load.  Throws
 * std::invalid_argument naming the problem (a <set> without key, a policy without name, a
 * path as name, ...), or XmlError.
 */
std::vector<PolicyRef> parsePolicyMetadata(const std::string &element);

/** formatPolicyMetadata: the metadata element (without xmlns) for @policies. */
std::string formatPolicyMetadata(const std::vector<PolicyRef> &policies);

/**
 * mergeSettings: @base (the host's [policy NAME] group) with @overrides (the domain's or the
 * command line's) on top.
 */
std::map<std::string, std::string>
mergeSettings(const std::map<std::string, std::string> &base,
              const std::map<std::string, std::string> &overrides);

/**
 * RunMarker: what `migkit migrate --libvirt` writes into the domain's live metadata while it
 * governs the migration: the host (libvirt host UUID) and process.  migkitd stands aside only
 * for a marker of its own host, so a marker that travelled to the destination with the
 * domain's XML is ignored there.
 */
struct RunMarker {
    std::string hostUuid;
    long pid = 0;

    /** format: the metadata element (without xmlns). */
    std::string format() const;
    /** parse: the marker in @element, or nullopt when it is not one. */
    static std::optional<RunMarker> parse(const std::string &element);
};

} // namespace migkit
