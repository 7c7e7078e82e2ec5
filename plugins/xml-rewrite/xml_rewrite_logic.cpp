/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "xml_rewrite_logic.h"

#include <optional>

namespace migkit::policies {

namespace {

std::string trimmed(const std::string &text)
{
    size_t first = text.find_first_not_of(" \t\n");
    if (first == std::string::npos)
        return "";
    return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

bool underPrefix(const std::string &path, const std::string &prefix)
{
    if (path.compare(0, prefix.size(), prefix) != 0)
        return false;
    return path.size() == prefix.size() || prefix.back() == '/' || path[prefix.size()] == '/';
}

std::optional<std::string> newValue(const std::string &attribute, const std::string &value,
                                    const XmlRewriteRules &rules)
{
    if (attribute == "bridge") {
        auto it = rules.bridges.find(value);
        if (it != rules.bridges.end())
            return it->second;
    } else if (attribute == "file" || attribute == "dev") {
        /* The longest matching prefix wins. */
        const std::pair<const std::string, std::string> *best = nullptr;
        for (const auto &entry : rules.pathPrefixes)
            if (underPrefix(value, entry.first) &&
                (!best || entry.first.size() > best->first.size()))
                best = &entry;
        if (best)
            return best->second + value.substr(best->first.size());
    }
    return std::nullopt;
}

/* Rewrite the attributes of one tag's text (between "<source" and its '>'). */
std::string rewriteTag(const std::string &tag, const XmlRewriteRules &rules, unsigned &changes)
{
    std::string out;
    size_t i = 0;
    while (i < tag.size()) {
        size_t eq = tag.find('=', i);
        if (eq == std::string::npos)
            break;
        size_t quote = tag.find_first_of("'\"", eq);
        if (quote == std::string::npos)
            break;
        size_t end = tag.find(tag[quote], quote + 1);
        if (end == std::string::npos)
            break;
        size_t nameStart = tag.find_last_of(" \t\n", eq);
        std::string name =
            trimmed(tag.substr(nameStart == std::string::npos ? i : nameStart + 1,
                               eq - (nameStart == std::string::npos ? i : nameStart + 1)));
        std::string value = tag.substr(quote + 1, end - quote - 1);
        out += tag.substr(i, quote + 1 - i);
        /* Values in libvirt's XML are entity-escaped; our mappings are plain names and paths,
         * which only match values without entities. */
        std::optional<std::string> replacement = newValue(name, value, rules);
        if (replacement) {
            out += *replacement;
            changes++;
        } else {
            out += value;
        }
        i = end;
    }
    out += tag.substr(i);
    return out;
}

/* The cluster-lease host-id keys as they appear in an argument: JSON, JSON as libvirt escapes
 * it in an attribute, and QEMU's dotted key=value syntax. */
const char *const leaseHostIdKeys[] = {"\"host-id\":", "&quot;host-id&quot;:", "host-id="};

/* Set every host-id in one <qemu:arg ...> tag's text that also names the cluster-lease driver. */
std::string rewriteLeaseHostIds(const std::string &tag, uint64_t hostId, unsigned &changes)
{
    if (tag.find("cluster-lease") == std::string::npos)
        return tag;
    std::string out = tag;
    for (const char *key : leaseHostIdKeys) {
        const std::string k = key;
        for (size_t at = out.find(k); at != std::string::npos; at = out.find(k, at + 1)) {
            /* Dotted syntax: a whole key ("owner-host-id=" is another option). */
            if (k == "host-id=" && at > 0 &&
                std::string(",'\"").find(out[at - 1]) == std::string::npos)
                continue;
            size_t digits = out.find_first_not_of(" \t", at + k.size());
            size_t end = out.find_first_not_of("0123456789", digits);
            if (digits == std::string::npos || end == digits)
                continue;
            const std::string id = std::to_string(hostId);
            if (out.compare(digits, end - digits, id) != 0) {
                out.replace(digits, end - digits, id);
                changes++;
            }
        }
    }
    return out;
}

/* Apply @edit to the text of every tag called @element (from '<' to its '>'). */
template <typename Edit>
std::string editTags(const std::string &xml, const std::string &element, Edit edit)
{
    std::string result;
    size_t i = 0;
    const std::string open = "<" + element;
    while (i < xml.size()) {
        size_t at = xml.find(open, i);
        /* The whole element name, not "<sourcefoo". */
        while (at != std::string::npos && at + open.size() < xml.size() &&
               std::string(" \t\n/>").find(xml[at + open.size()]) == std::string::npos)
            at = xml.find(open, at + 1);
        if (at == std::string::npos) {
            result += xml.substr(i);
            break;
        }
        size_t close = xml.find('>', at);
        if (close == std::string::npos) {
            result += xml.substr(i);
            break;
        }
        result += xml.substr(i, at - i);
        result += edit(xml.substr(at, close - at));
        i = close;
    }
    return result;
}

} // namespace

std::map<std::string, std::string> parseMapping(const std::string &text, const std::string &knob)
{
    std::map<std::string, std::string> result;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string entry = trimmed(
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!entry.empty()) {
            size_t eq = entry.find('=');
            std::string from = eq == std::string::npos ? "" : trimmed(entry.substr(0, eq));
            std::string to = eq == std::string::npos ? "" : trimmed(entry.substr(eq + 1));
            if (from.empty() || to.empty())
                throw std::invalid_argument(knob + ": '" + entry +
                                            "' is not FROM=TO (write e.g. br0=br-prod,"
                                            "/old=/new)");
            result[from] = to;
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return result;
}

RewriteResult rewriteDomainXml(const std::string &xml, const XmlRewriteRules &rules)
{
    RewriteResult result;
    result.xml = editTags(xml, "source", [&](const std::string &tag) {
        return rewriteTag(tag, rules, result.changes);
    });
    if (rules.leaseHostId != 0) {
        result.xml = editTags(result.xml, "qemu:arg", [&](const std::string &tag) {
            return rewriteLeaseHostIds(tag, rules.leaseHostId, result.changes);
        });
    }
    return result;
}

} // namespace migkit::policies
