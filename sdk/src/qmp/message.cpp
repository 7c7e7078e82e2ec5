/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qmp/message.h"

#include "json/writer.h"

namespace migkit {

namespace {

std::optional<uint64_t> messageId(const json::Value &message)
{
    const json::Value *id = message.find("id");
    if (!id) {
        return std::nullopt;
    }
    if (!id->isInteger() || (id->type() == json::Value::Type::Int64 && id->asInt64() < 0)) {
        /* Ours are always non-negative integers; anything else is not for us. */
        throw QmpProtocolError("reply with an id we never sent: " + json::serialize(*id));
    }
    return id->asUint64();
}

} // namespace

QmpMessage QmpMessage::classify(const json::Value &message)
{
    if (!message.isObject()) {
        throw QmpProtocolError("expected a JSON object, got a JSON " +
                               std::string(json::Value::typeName(message.type())));
    }
    QmpMessage result;
    try {
        if (const json::Value *greeting = message.find("QMP")) {
            result.kind = Kind::Greeting;
            result.value = *greeting;
            return result;
        }
        if (const json::Value *value = message.find("return")) {
            result.kind = Kind::Return;
            result.id = messageId(message);
            result.value = *value;
            return result;
        }
        if (const json::Value *error = message.find("error")) {
            result.kind = Kind::Error;
            result.id = messageId(message);
            result.errorClass = error->stringAt("class").value_or("GenericError");
            result.errorDescription = error->stringAt("desc").value_or("(no description)");
            return result;
        }
        if (const json::Value *name = message.find("event")) {
            result.kind = Kind::Event;
            result.event.name = name->asString();
            if (const json::Value *data = message.find("data")) {
                result.event.data = *data;
            }
            if (const json::Value *timestamp = message.find("timestamp")) {
                result.event.timestamp =
                    static_cast<double>(timestamp->int64At("seconds").value_or(0)) +
                    static_cast<double>(timestamp->int64At("microseconds").value_or(0)) / 1e6;
            }
            return result;
        }
    } catch (const json::TypeError &e) {
        throw QmpProtocolError(std::string("malformed QMP message: ") + e.what() + ": " +
                               json::serialize(message));
    }
    throw QmpProtocolError("not a QMP greeting, return, error or event: " +
                           json::serialize(message));
}

} // namespace migkit
