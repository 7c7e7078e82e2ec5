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
using migkit::GSourcePtr;
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

/* Issue 18: short lines nobody asked for (events, replies to no command) grew memory without
 * bound (932 MB in 10 s) and starved the caller.  A flood ends the connection with a reason. */
TEST(QmpClient, AFloodOfEventsEndsTheConnectionWithAClearError)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        c.flood(R"({"event": "MIGRATION_PASS", "data": {"pass": 1}, )"
                R"("timestamp": {"seconds": 1, "microseconds": 0}})"
                "\r\n",
                size_t(256) << 20);
        c.readLine();
    });
    QmpClient client(context.get());
    size_t events = 0;
    client.onEvent([&](const QmpEvent &) { events++; });
    client.connect(QmpAddress::parse(peer.path()), 5s);
    const QmpReply reply = client.call("query-status", migkit::json::Value(), 10s);
    CHECK_FALSE(reply.ok());
    CHECK_TEXT(reply.error().kind() == QmpError::Kind::Disconnected, reply.error().what());
    CHECK_TEXT(contains(client.disconnectReason(), "flood"), client.disconnectReason().c_str());
    CHECK_TEXT(contains(reply.error().what(), "query-status"), reply.error().what());
    CHECK_FALSE(client.connected());
    CHECK(events > 0);
}

TEST(QmpClient, StrayRepliesCountAsAFloodToo)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        c.flood("{\"return\": {}, \"id\": 999999}\r\n", size_t(256) << 20);
        c.readLine();
    });
    QmpClient client(context.get());
    client.connect(QmpAddress::parse(peer.path()), 5s);
    const QmpReply reply = client.call("query-status", migkit::json::Value(), 10s);
    CHECK_FALSE(reply.ok());
    CHECK_TEXT(contains(client.disconnectReason(), "flood"), client.disconnectReason().c_str());
}

/* Issue 18: Ctrl-C before the migration started waited out every stalled command (30 s each). */
TEST(QmpClient, AbandonedWaitsReturnAtOnceAndNameTheReason)
{
    FakePeer peer([](FakePeer::Connection &c) {
        c.greet();
        c.readLine(); /* never answered */
        c.readLine();
    });
    QmpClient client(context.get());
    client.connect(QmpAddress::parse(peer.path()), 5s);
    GSourcePtr interrupt(g_timeout_source_new(200));
    g_source_set_callback(
        interrupt.get(),
        [](gpointer self) -> gboolean {
            static_cast<QmpClient *>(self)->abandonWaits("interrupted by a signal");
            return G_SOURCE_REMOVE;
        },
        &client, nullptr);
    g_source_attach(interrupt.get(), context.get());
    const auto start = std::chrono::steady_clock::now();
    const QmpReply reply = client.call("query-status", migkit::json::Value(), 20s);
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(reply.ok());
    CHECK(reply.error().kind() == QmpError::Kind::Interrupted);
    CHECK_TEXT(contains(reply.error().what(), "interrupted by a signal"), reply.error().what());
    CHECK_TEXT(contains(reply.error().what(), "query-status"), reply.error().what());
    CHECK(waited < 5s);
    /* later calls do not wait either */
    const QmpReply later = client.call("query-migrate", migkit::json::Value(), 20s);
    CHECK(later.error().kind() == QmpError::Kind::Interrupted);
    client.close("test done");
}
