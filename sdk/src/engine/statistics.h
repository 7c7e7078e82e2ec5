/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plugin/value_list.h"
#include "json/value.h"

#include <string>

namespace migkit {

/**
 * kMaxStatisticsValues: the most scalars flattenStatistics takes from one reply.  QEMU 10.0's
 * query-migrate has about 60 and the patched one's dirty-heat a few more; the limit keeps a
 * broken or hostile peer's 16 MB line from becoming millions of plugin values.
 */
constexpr size_t kMaxStatisticsValues = 100000;

/**
 * flattenStatistics: add every scalar in @value to @list under a dotted name: member "b" of
 * member "a" becomes "PREFIX.a.b", element 2 of an array "PREFIX.a.2" (PREFIX and its dot
 * left out when @prefix is empty).  This is how new QEMU statistics (the patched QEMU's
 * "dirty-heat" object, say) reach plugins without an ABI change.  Non-negative integers
 * become uint64 (QEMU's counters), negative ones int64; nulls are skipped.  A name met twice
 * keeps the later value.  Throws json::TypeError, adding nothing, when @value holds more than
 * kMaxStatisticsValues scalars.
 */
void flattenStatistics(ValueList &list, const json::Value &value, const std::string &prefix);

/** jsonToParameterValue: a JSON scalar as a plugin value (numbers as in flattenStatistics). */
ParameterValue jsonToParameterValue(const json::Value &value);

/** parameterValueToJson: a plugin value as JSON, for migrate-set-parameters. */
json::Value parameterValueToJson(const ParameterValue &value);

/** parameterValueToText: a plugin value as text, for reports ("500", "true", "predictive"). */
std::string parameterValueToText(const ParameterValue &value);

} // namespace migkit
