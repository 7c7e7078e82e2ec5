/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/policy_selection.h"

#include "libvirt/xml_tree.h"
#include "plugin/elf_descriptor.h"
#include "plugin/plugin_locator.h"
#include "plugin/plugin_paths.h"

#include <glib.h>

#include <stdexcept>

namespace migkit {

namespace {

std::string escaped(const std::string &text)
{
    gchar *raw = g_markup_escape_text(text.c_str(), -1);
    std::string result = raw;
    g_free(raw);
    return result;
}

void collect(const XmlElement &element, std::vector<PolicyRef> &out)
{
    PolicyRef ref;
    ref.name = element.attribute("name");
    if (ref.name.empty())
        throw std::invalid_argument("migkit domain metadata: a <policy> element has no name "
                                    "attribute (write name=\"default\", or name=\"none\" to "
                                    "run no policy)");
    /* Whoever can edit a domain's metadata names the code the root daemon runs: a name of
     * an installed plugin, never a file. */
    if (ref.name != "none" && !isValidPluginName(ref.name))
        throw std::invalid_argument(
            "migkit domain metadata: policy '" + ref.name + "' is " +
            (PluginLocator::isPath(ref.name) ? "a path" : "not a plugin name") +
            "; domain metadata may name installed plugins only ([a-z0-9_-], e.g. "
            "name=\"default\"): install the plugin in " MIGKIT_PLUGIN_INSTALL_DIR
            " and write its name in <migkit:policy name=\"...\"/>");
    for (const XmlElement *set : element.childrenNamed("set")) {
        std::string key = set->attribute("key");
        if (key.empty())
            throw std::invalid_argument("migkit domain metadata: a <set> of policy '" + ref.name +
                                        "' has no key attribute (write <set key=\"KNOB\" "
                                        "value=\"VALUE\"/>)");
        if (!set->attributes.count("value"))
            throw std::invalid_argument("migkit domain metadata: <set key=\"" + key +
                                        "\"> of policy '" + ref.name + "' has no value attribute");
        ref.settings[key] = set->attribute("value");
    }
    if (ref.name != "none")
        out.push_back(std::move(ref));
    for (const XmlElement *nested : element.childrenNamed("policy"))
        collect(*nested, out);
}

} // namespace

std::vector<PolicyRef> parsePolicyMetadata(const std::string &element)
{
    std::unique_ptr<XmlElement> root = XmlElement::parse(element);
    if (root->localName() != "policy")
        throw std::invalid_argument("migkit domain metadata: expected a <policy> element, found <" +
                                    root->name + ">");
    std::vector<PolicyRef> result;
    collect(*root, result);
    return result;
}

std::string formatPolicyMetadata(const std::vector<PolicyRef> &policies)
{
    const std::string p = std::string(kPolicyMetadataPrefix) + ":";
    if (policies.empty())
        return "<" + p + "policy name=\"none\"/>";
    std::string xml;
    for (size_t i = 0; i < policies.size(); i++) {
        xml += "<" + p + "policy name=\"" + escaped(policies[i].name) + "\">";
        for (const auto &[key, value] : policies[i].settings)
            xml += "<" + p + "set key=\"" + escaped(key) + "\" value=\"" + escaped(value) + "\"/>";
    }
    for (size_t i = 0; i < policies.size(); i++)
        xml += "</" + p + "policy>";
    return xml;
}

std::map<std::string, std::string>
mergeSettings(const std::map<std::string, std::string> &base,
              const std::map<std::string, std::string> &overrides)
{
    std::map<std::string, std::string> result = base;
    for (const auto &[key, value] : overrides)
        result[key] = value;
    return result;
}

std::string RunMarker::format() const
{
    return "<run host-uuid=\"" + escaped(hostUuid) + "\" pid=\"" + std::to_string(pid) + "\"/>";
}

std::optional<RunMarker> RunMarker::parse(const std::string &element)
{
    try {
        std::unique_ptr<XmlElement> root = XmlElement::parse(element);
        if (root->localName() != "run")
            return std::nullopt;
        RunMarker marker;
        marker.hostUuid = root->attribute("host-uuid");
        marker.pid = std::stol(root->attribute("pid", "0"));
        return marker;
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

} // namespace migkit
