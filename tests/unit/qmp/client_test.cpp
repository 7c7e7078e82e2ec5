/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fake_peer.h"

#include "qmp/client.h"
#include "qmp/glib_ptr.h"
#include "qmp/main_context_wait.h"
#include "json/parser.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using migkit::GMainContextPtr;
using migkit::QmpAddress;
using migkit::QmpClient;
using migkit::QmpError;
using migkit::QmpEvent;
using migkit::QmpReply;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_GROUP(QmpClient)
{
    GMainContextPtr context{g_main_context_new()};

    void setup() override
    {
        /* GLib and the peer thread allocate once per process: not leaks of the code under test. */
        MemoryLeakWarningPlugin::saveAndDisableNewDeleteOverloads();
    }
    void teardown() override
    {
        MemoryLeakWarningPlugin::restoreNewDeleteOverloads();
    }
};

TEST(QmpClient, CommandsGetTheirRepliesAndEventsArriveInBetween)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        const std::string first = c.readLine();
        const auto id = migkit::json::parse(first).at("id").asUint64();
        /* An event first, the reply split mid-JSON over two writes. */
        const std::string reply = R"({"return": {"status": "running", "running": true}, "id": )" +
                                  std::to_string(id) + "}\r\n";
        c.write(R"({"event": "STOP", "data": {}, "timestamp": {"seconds": 1, "microseconds": 0}})"
                "\r\n" +
                reply.substr(0, 12));
        std::this_thread::sleep_for(50ms);
        c.write(reply.substr(12));
        c.readLine(); /* wait for the client to go */
    });
    QmpClient client(context.get());
    std::vector<std::string> events;
    client.onEvent([&](const QmpEvent &e) { events.push_back(e.name); });
    client.connect(QmpAddress::parse(peer.path()), 5s);
    CHECK(client.connected());
    LONGLONGS_EQUAL(10, client.greeting().at("version").at("qemu").at("major").asInt64());
    const QmpReply reply = client.call("query-status", migkit::json::Value(), 5s);
    CHECK(reply.ok());
    STRCMP_EQUAL("running", reply.value().at("status").asString().c_str());
    LONGS_EQUAL(1, events.size());
    STRCMP_EQUAL("STOP", events[0].c_str());
    client.close("test done");
}

TEST(QmpClient, QemuErrorsCarryClassAndDescription)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        c.reply(
            c.readLine(),
            R"("error": {"class": "CommandNotFound", "desc": "The command nope has not been found"})");
        c.readLine();
    });
    QmpClient client(context.get());
    client.connect(QmpAddress::parse(peer.path()), 5s);
    const QmpReply reply = client.call("nope", migkit::json::Value(), 5s);
    CHECK_FALSE(reply.ok());
    CHECK(reply.error().kind() == QmpError::Kind::CommandFailed);
    STRCMP_EQUAL("CommandNotFound", reply.error().errorClass().c_str());
    CHECK(contains(reply.error().what(), "has not been found"));
    CHECK_THROWS(QmpError, reply.value());
    client.close("test done");
}

TEST(QmpClient, MalformedJsonDisconnectsWithAClearError)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        c.readLine();
        c.write("{\"return\": {\"status\": runn}}\r\n");
        c.readLine();
    });
    QmpClient client(context.get());
    std::vector<std::string> reasons;
    client.onDisconnect([&](const std::string &why) { reasons.push_back(why); });
    client.connect(QmpAddress::parse(peer.path()), 5s);
    const QmpReply reply = client.call("query-status", migkit::json::Value(), 5s);
    CHECK_FALSE(reply.ok());
    CHECK(reply.error().kind() == QmpError::Kind::Disconnected);
    CHECK(contains(reply.error().what(), "malformed JSON"));
    CHECK(contains(reply.error().what(), "query-status"));
    CHECK_FALSE(client.connected());
    LONGS_EQUAL(1, reasons.size());
    CHECK(contains(reasons[0], "offset"));
    /* Commands after the disconnect fail at once with the same reason. */
    const QmpReply late = client.call("query-status", migkit::json::Value(), 1s);
    CHECK(late.error().kind() == QmpError::Kind::Disconnected);
    CHECK(contains(late.error().what(), "malformed JSON"));
}

TEST(QmpClient, HangUpFailsEveryPendingCommand)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        c.readLine();
        c.readLine();
        /* Return without answering: the socket closes. */
    });
    QmpClient client(context.get());
    int disconnects = 0;
    client.onDisconnect([&](const std::string &) { ++disconnects; });
    client.connect(QmpAddress::parse(peer.path()), 5s);
    std::vector<QmpReply> replies;
    client.execute("query-status", migkit::json::Value(),
                   [&](const QmpReply &r) { replies.push_back(r); });
    client.execute("query-migrate", migkit::json::Value(),
                   [&](const QmpReply &r) { replies.push_back(r); });
    CHECK(migkit::iterateUntil(
        context.get(), [&] { return replies.size() == 2; }, 5s));
    for (const auto &reply : replies) {
        CHECK(reply.error().kind() == QmpError::Kind::Disconnected);
        CHECK(contains(reply.error().what(), "closed the QMP connection"));
    }
    CHECK(contains(replies[1].error().what(), "query-migrate"));
    LONGS_EQUAL(1, disconnects);
}

TEST(QmpClient, NoReplyIsATimeoutAndALateReplyIsDropped)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        const std::string slow = c.readLine();
        std::this_thread::sleep_for(300ms);
        c.reply(slow, R"("return": {"late": true})");
        c.reply(c.readLine(), R"("return": {"second": true})");
        c.readLine();
    });
    QmpClient client(context.get());
    client.connect(QmpAddress::parse(peer.path()), 5s);
    const QmpReply timedOut = client.call("query-status", migkit::json::Value(), 100ms);
    CHECK(timedOut.error().kind() == QmpError::Kind::Timeout);
    CHECK(contains(timedOut.error().what(), "no reply within 100 ms"));
    const QmpReply second = client.call("query-migrate", migkit::json::Value(), 5s);
    CHECK(second.ok());
    CHECK(second.value().contains("second"));
    client.close("test done");
}

TEST(QmpClient, NoGreetingFailsToConnect)
{
    FakePeer peer([](FakePeer::Connection &c) { c.readLine(); });
    QmpClient client(context.get());
    try {
        client.connect(QmpAddress::parse(peer.path()), 300ms);
        FAIL("connected without a greeting");
    } catch (const QmpError &e) {
        CHECK(e.kind() == QmpError::Kind::ConnectFailed);
        CHECK(contains(e.what(), "did not greet"));
    }
    CHECK_FALSE(client.connected());
}

TEST(QmpClient, UnreachableSocketNamesThePath)
{
    QmpClient client(context.get());
    try {
        client.connect(QmpAddress::parse("/nonexistent/migkit/qmp.sock"), 1s);
        FAIL("connected to nothing");
    } catch (const QmpError &e) {
        CHECK(e.kind() == QmpError::Kind::ConnectFailed);
        CHECK(contains(e.what(), "/nonexistent/migkit/qmp.sock"));
        CHECK(contains(e.what(), "-qmp unix:"));
    }
}
