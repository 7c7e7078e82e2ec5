/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/action.h"

#include <migkit/plugin.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace migkit {

/**
 * ValueList: named typed values owned on the host side (facts, progress extras, plugin
 * settings) that can be handed to a plugin as a migkit_values.  The list owns every name and
 * string; the view returned by values() stays valid until the list is changed or destroyed.
 * Names are indexed: add() and find() take constant time on average, so a list built from one
 * large QMP reply costs time in proportion to its size.
 */
class ValueList {
public:
    /** add: append @name = @value; a second value of the same name replaces the first. */
    void add(const std::string &name, ParameterValue value);

    /** find: the value called @name, if any. */
    std::optional<ParameterValue> find(const std::string &name) const;

    /** size: how many values the list holds. */
    size_t size() const { return entries_.size(); }

    /** empty: whether the list holds no value. */
    bool empty() const { return entries_.empty(); }

    /** names: every name, in the order added. */
    std::vector<std::string> names() const;

    /** values: the C view for the plugin ABI; valid until the list changes. */
    migkit_values values() const;

    /** fromC: copy a C value array (what a plugin passed) into an owning list. */
    static ValueList fromC(const migkit_values &values);

private:
    struct Entry {
        std::string name;
        ParameterValue value;
    };
    std::vector<Entry> entries_;
    /* Position in entries_ of each name. */
    std::unordered_map<std::string, size_t> index_;
    /* Rebuilt by values(); points into entries_. */
    mutable std::vector<migkit_value> view_;
};

/** toParameterValue: the C++ value of @value (copies its string). */
ParameterValue toParameterValue(const migkit_value &value);

/** toCValue: the C view of @value under @name; both must outlive the result. */
migkit_value toCValue(const char *name, const ParameterValue &value);

/** valueTypeName: "int64", "uint64", "double", "bool" or "string". */
const char *valueTypeName(migkit_value_type type);

} // namespace migkit
