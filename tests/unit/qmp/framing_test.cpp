/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qmp/address.h"
#include "qmp/line_framer.h"
#include "qmp/message.h"
#include "json/parser.h"

#include <stdexcept>
#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::LineFramer;
using migkit::QmpAddress;
using migkit::QmpMessage;
using migkit::QmpProtocolError;
using migkit::json::parse;

TEST_GROUP(LineFramer){};

TEST(LineFramer, CompleteLinesComeOutWithoutTheirEnding)
{
    LineFramer framer;
    framer.feed("{\"a\": 1}\r\n{\"b\": 2}\n");
    STRCMP_EQUAL("{\"a\": 1}", framer.next()->c_str());
    STRCMP_EQUAL("{\"b\": 2}", framer.next()->c_str());
    CHECK_FALSE(framer.next().has_value());
    LONGS_EQUAL(0, framer.pending());
}

TEST(LineFramer, PartialReadsWaitForTheNewline)
{
    LineFramer framer;
    const std::string message = "{\"return\": {\"status\": \"running\"}, \"id\": 7}\r\n";
    /* One byte at a time: the worst a socket can do. */
    for (size_t i = 0; i + 1 < message.size(); ++i) {
        framer.feed(message.substr(i, 1));
        CHECK_FALSE(framer.next().has_value());
    }
    framer.feed(message.substr(message.size() - 1));
    const auto line = framer.next();
    CHECK(line.has_value());
    CHECK(parse(*line).at("return").at("status").asString() == "running");
}

TEST(LineFramer, AReadMayEndMidLineAfterCompleteOnes)
{
    LineFramer framer;
    framer.feed("{\"event\": \"STOP\"}\n{\"ret");
    STRCMP_EQUAL("{\"event\": \"STOP\"}", framer.next()->c_str());
    CHECK_FALSE(framer.next().has_value());
    LONGS_EQUAL(5, framer.pending());
    framer.feed("urn\": {}}\n");
    STRCMP_EQUAL("{\"return\": {}}", framer.next()->c_str());
}

TEST(LineFramer, BlankLinesAreSkipped)
{
    LineFramer framer;
    framer.feed("\r\n\n  \n{}\n");
    STRCMP_EQUAL("{}", framer.next()->c_str());
    CHECK_FALSE(framer.next().has_value());
}

TEST(LineFramer, OverlongLinesAreRefused)
{
    LineFramer framer(16);
    framer.feed("0123456789\n");
    CHECK_THROWS(LineFramer::LineTooLong, framer.feed(std::string(17, 'x')));
}

TEST_GROUP(QmpAddress){};

TEST(QmpAddress, Forms)
{
    const QmpAddress path = QmpAddress::parse("/run/qemu/src.sock");
    CHECK(path.kind == QmpAddress::Kind::Unix);
    STRCMP_EQUAL("/run/qemu/src.sock", path.path.c_str());
    STRCMP_EQUAL("src.sock", QmpAddress::parse("src.sock").path.c_str());
    STRCMP_EQUAL("rel/x:y", QmpAddress::parse("unix:rel/x:y").path.c_str());
    const QmpAddress tcp = QmpAddress::parse("10.0.0.2:4444");
    CHECK(tcp.kind == QmpAddress::Kind::Tcp);
    STRCMP_EQUAL("10.0.0.2", tcp.host.c_str());
    LONGS_EQUAL(4444, tcp.port);
    STRCMP_EQUAL("10.0.0.2:4444", tcp.toString().c_str());
    const QmpAddress v6 = QmpAddress::parse("[::1]:5555");
    STRCMP_EQUAL("::1", v6.host.c_str());
    STRCMP_EQUAL("[::1]:5555", v6.toString().c_str());
    STRCMP_EQUAL("localhost", QmpAddress::parse("tcp:localhost:1").host.c_str());
    STRCMP_EQUAL("unix:/a", QmpAddress::parse("/a").toString().c_str());
}

TEST(QmpAddress, BadFormsSayWhatWorks)
{
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse(""));
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse("unix:"));
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse("host:0"));
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse("host:65536"));
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse("host:12ab"));
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse(":4444"));
    CHECK_THROWS(std::invalid_argument, QmpAddress::parse("[::1:4444"));
    try {
        QmpAddress::parse("host:x");
        FAIL("parsed");
    } catch (const std::invalid_argument &e) {
        CHECK(std::string(e.what()).find("unix:PATH or HOST:PORT") != std::string::npos);
    }
}

TEST_GROUP(QmpMessage){};

TEST(QmpMessage, Greeting)
{
    const QmpMessage m = QmpMessage::classify(parse(
        R"({"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}}, "capabilities": []}})"));
    CHECK(m.kind == QmpMessage::Kind::Greeting);
    LONGLONGS_EQUAL(10, m.value.at("version").at("qemu").at("major").asInt64());
}

TEST(QmpMessage, ReturnAndErrorCarryTheirId)
{
    const QmpMessage ret = QmpMessage::classify(parse(R"({"return": {}, "id": 12})"));
    CHECK(ret.kind == QmpMessage::Kind::Return);
    UNSIGNED_LONGLONGS_EQUAL(12, *ret.id);
    const QmpMessage err = QmpMessage::classify(
        parse(R"({"id": 3, "error": {"class": "GenericError", "desc": "no such thing"}})"));
    CHECK(err.kind == QmpMessage::Kind::Error);
    UNSIGNED_LONGLONGS_EQUAL(3, *err.id);
    STRCMP_EQUAL("GenericError", err.errorClass.c_str());
    STRCMP_EQUAL("no such thing", err.errorDescription.c_str());
    CHECK_FALSE(QmpMessage::classify(parse(R"({"return": 1})")).id.has_value());
}

TEST(QmpMessage, Event)
{
    const QmpMessage m = QmpMessage::classify(parse(
        R"({"timestamp": {"seconds": 100, "microseconds": 500000}, "event": "MIGRATION", "data": {"status": "active"}})"));
    CHECK(m.kind == QmpMessage::Kind::Event);
    STRCMP_EQUAL("MIGRATION", m.event.name.c_str());
    STRCMP_EQUAL("active", m.event.data.at("status").asString().c_str());
    DOUBLES_EQUAL(100.5, m.event.timestamp, 1e-9);
    const QmpMessage bare = QmpMessage::classify(parse(R"({"event": "STOP"})"));
    CHECK(bare.event.data.isObject());
}

TEST(QmpMessage, NonQmpIsAProtocolError)
{
    CHECK_THROWS(QmpProtocolError, QmpMessage::classify(parse("[1]")));
    CHECK_THROWS(QmpProtocolError, QmpMessage::classify(parse(R"({"hello": 1})")));
    CHECK_THROWS(QmpProtocolError, QmpMessage::classify(parse(R"({"event": 5})")));
    CHECK_THROWS(QmpProtocolError, QmpMessage::classify(parse(R"({"return": {}, "id": "x"})")));
    CHECK_THROWS(QmpProtocolError, QmpMessage::classify(parse(R"({"return": {}, "id": -1})")));
}

/* Issue 18: only an unterminated line was limited; complete lines nobody took out piled up. */
TEST(LineFramer, UnreadLinesAreBoundedToo)
{
    LineFramer framer;
    std::string chunk;
    while (chunk.size() < 65536) {
        chunk += "{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": 1}}\r\n";
    }
    size_t fed = 0;
    std::string error;
    try {
        while (fed < (size_t(256) << 20)) {
            framer.feed(chunk);
            fed += chunk.size();
        }
    } catch (const std::runtime_error &e) {
        error = e.what();
    }
    CHECK_TEXT(error.find("unread") != std::string::npos, error.c_str());
    /* the default limit is a few times the longest line QEMU writes, not hundreds of MB */
    CHECK(fed <= size_t(64) << 20);
    /* what was taken out makes room again */
    LineFramer reader;
    for (size_t i = 0; i < 2 * fed / chunk.size(); i++) {
        reader.feed(chunk);
        while (reader.next()) {
        }
    }
    LONGS_EQUAL(0, reader.pending());
}
