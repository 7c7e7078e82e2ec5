/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json/value.h"

#include <string>

namespace migkit::json {

/** WriteStyle: one line (QMP's framing needs it) or indented for people and files. */
enum class WriteStyle { Compact, Pretty };

/**
 * serialize: @value as JSON text.  Compact output holds no newline, so it can be sent as one
 * QMP line.  Strings are escaped (control characters as \u00XX; other bytes pass through as
 * UTF-8); doubles are written with the fewest digits that read back to the same value, and a
 * NaN or infinity (which JSON cannot express) is written as null.
 */
std::string serialize(const Value &value, WriteStyle style = WriteStyle::Compact);

} // namespace migkit::json
