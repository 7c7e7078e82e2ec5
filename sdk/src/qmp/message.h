/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json/value.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace migkit {

/** QmpProtocolError: a message that is valid JSON but not a QMP message we understand. */
class QmpProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** QmpEvent: an asynchronous event from QEMU (MIGRATION, MIGRATION_PASS, STOP, RESUME, ...). */
struct QmpEvent {
    /** The event's name, e.g. "MIGRATION". */
    std::string name;
    /** Its "data" member (an empty object when QEMU sent none). */
    json::Value data = json::Value::object();
    /** QEMU's timestamp in seconds since the epoch (0 when absent). */
    double timestamp = 0;
};

/**
 * QmpMessage: one message from the server, sorted by what it is.  A return and an error carry
 * the id of the command they answer (the client always sends one).
 */
struct QmpMessage {
    /** Kind: which of the four QMP server messages this is. */
    enum class Kind { Greeting, Return, Error, Event };

    Kind kind = Kind::Return;
    /** Return and Error: the command's id, if QEMU echoed one. */
    std::optional<uint64_t> id;
    /** Greeting: the "QMP" member; Return: the "return" member. */
    json::Value value;
    /** Error: QEMU's error class ("GenericError", "CommandNotFound", ...). */
    std::string errorClass;
    /** Error: QEMU's human description. */
    std::string errorDescription;
    /** Event: the event. */
    QmpEvent event;

    /** classify: sort a parsed message; throws QmpProtocolError for anything else. */
    static QmpMessage classify(const json::Value &message);
};

} // namespace migkit
