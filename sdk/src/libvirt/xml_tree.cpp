/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/xml_tree.h"

#include <glib.h>

namespace migkit {

namespace {

struct ParseState {
    std::unique_ptr<XmlElement> root;
    std::vector<XmlElement *> open;
};

void onStart(GMarkupParseContext *, const gchar *name, const gchar **keys, const gchar **values,
             gpointer data, GError **)
{
    auto *state = static_cast<ParseState *>(data);
    auto element = std::make_unique<XmlElement>();
    element->name = name;
    for (size_t i = 0; keys[i]; i++)
        element->attributes[keys[i]] = values[i];
    XmlElement *raw = element.get();
    if (state->open.empty())
        state->root = std::move(element);
    else
        state->open.back()->children.push_back(std::move(element));
    state->open.push_back(raw);
}

void onEnd(GMarkupParseContext *, const gchar *, gpointer data, GError **)
{
    static_cast<ParseState *>(data)->open.pop_back();
}

void onText(GMarkupParseContext *, const gchar *text, gsize length, gpointer data, GError **)
{
    auto *state = static_cast<ParseState *>(data);
    if (!state->open.empty())
        state->open.back()->text.append(text, length);
}

} // namespace

std::unique_ptr<XmlElement> XmlElement::parse(const std::string &document)
{
    static const GMarkupParser parser = {onStart, onEnd, onText, nullptr, nullptr};
    ParseState state;
    GMarkupParseContext *context =
        g_markup_parse_context_new(&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &state, nullptr);
    GError *error = nullptr;
    bool ok = g_markup_parse_context_parse(context, document.data(),
                                           static_cast<gssize>(document.size()), &error) &&
              g_markup_parse_context_end_parse(context, &error);
    g_markup_parse_context_free(context);
    if (!ok) {
        std::string message = error ? error->message : "unknown error";
        if (error)
            g_error_free(error);
        throw XmlError("not well-formed XML: " + message);
    }
    if (!state.root)
        throw XmlError("not well-formed XML: the document has no element");
    return std::move(state.root);
}

std::string XmlElement::localName() const
{
    size_t colon = name.find(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
}

std::string XmlElement::attribute(const std::string &key, const std::string &fallback) const
{
    auto it = attributes.find(key);
    return it == attributes.end() ? fallback : it->second;
}

const XmlElement *XmlElement::child(const std::string &local) const
{
    for (const auto &c : children)
        if (c->localName() == local)
            return c.get();
    return nullptr;
}

std::vector<const XmlElement *> XmlElement::childrenNamed(const std::string &local) const
{
    std::vector<const XmlElement *> result;
    for (const auto &c : children)
        if (c->localName() == local)
            result.push_back(c.get());
    return result;
}

} // namespace migkit
