/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "qmp/address.h"
#include "qmp/glib_ptr.h"
#include "qmp/line_framer.h"
#include "qmp/message.h"
#include "qmp/reply.h"
#include "json/value.h"

#include <gio/gio.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace migkit {

/**
 * QmpClient: one QMP connection to a QEMU monitor, driven by a GMainContext.
 *
 * connect() is blocking: it connects, reads the greeting and negotiates capabilities.  After
 * that everything is asynchronous: execute() sends a command and calls back with the reply;
 * events go to the handlers given to onEvent().  Replies are matched by id.  If QEMU sends
 * malformed JSON the client disconnects with a clear error; when the connection ends for any
 * reason every pending command gets a Disconnected failure and onDisconnect handlers run once.
 *
 * call() is the blocking helper: it iterates the context until the reply, the timeout, or
 * abandonWaits().  Callbacks run from the context; a callback must not destroy the client.
 *
 * What a peer can make the client hold is bounded: a line (16 MiB), the bytes received and
 * not handled yet (32 MiB), the bytes read before the context gets to run other sources
 * (1 MiB), and the messages nobody asked for (more than kMaxUnsolicitedPerSecond events and
 * replies to no pending command within a second is a flood): past a bound the connection
 * ends with a reason that names it.
 */
class QmpClient {
public:
    /** ReplyHandler: receives the reply to one command. */
    using ReplyHandler = std::function<void(const QmpReply &)>;
    /** EventHandler: receives every event. */
    using EventHandler = std::function<void(const QmpEvent &)>;
    /** DisconnectHandler: told once why the connection ended. */
    using DisconnectHandler = std::function<void(const std::string &reason)>;

    /** QmpClient: not connected yet; sources will be attached to @context. */
    explicit QmpClient(GMainContext *context);
    ~QmpClient();
    QmpClient(const QmpClient &) = delete;
    QmpClient &operator=(const QmpClient &) = delete;

    /**
     * connect: connect to @address, wait for the greeting and enter command mode, all within
     * @timeout.  Throws QmpError(ConnectFailed) naming the address and the likely fix.
     */
    void connect(const QmpAddress &address, std::chrono::milliseconds timeout);

    /** connected: whether the connection is up. */
    bool connected() const { return connection_ != nullptr; }

    /** address: where this client connects, as text, for messages. */
    std::string address() const { return address_.toString(); }

    /** greeting: the greeting's "QMP" member (version, capabilities). */
    const json::Value &greeting() const { return greeting_; }

    /** execute: send @command with @arguments (an object, or null for none). */
    void execute(const std::string &command, json::Value arguments, ReplyHandler done);

    /** call: execute and wait for the reply for at most @timeout (Timeout failure then). */
    QmpReply call(const std::string &command, json::Value arguments = json::Value(),
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

    /** onEvent: also send every event to @handler. */
    void onEvent(EventHandler handler) { eventHandlers_.push_back(std::move(handler)); }

    /** onDisconnect: also tell @handler when the connection ends. */
    void onDisconnect(DisconnectHandler handler)
    {
        disconnectHandlers_.push_back(std::move(handler));
    }

    /** disconnectReason: why the connection ended (empty while connected or never used). */
    const std::string &disconnectReason() const { return disconnectReason_; }

    /**
     * abandonWaits: make call() and connect() stop waiting, now and from now on: they fail
     * with QmpError::Kind::Interrupted naming @reason (the operator's Ctrl-C).  Safe from a
     * callback on the client's context.  Replies that arrive later are dropped.
     */
    void abandonWaits(const std::string &reason) { abandonReason_ = reason; }

    /** kMaxUnsolicitedPerSecond: events and stray replies in one second that make a flood. */
    static constexpr uint64_t kMaxUnsolicitedPerSecond = 10000;

    /** close: end the connection; pending commands fail with @reason. */
    void close(const std::string &reason);

    /** context: the main context the client's sources run in. */
    GMainContext *context() const { return context_; }

private:
    static gboolean onReadable(GSocket *socket, GIOCondition condition, gpointer self);
    bool readAvailable();
    void handleLine(const std::string &line);
    bool countUnsolicited();
    void send(const json::Value &message);

    GMainContext *context_;
    QmpAddress address_;
    GObjectPtr<GSocketConnection> connection_;
    GSourcePtr readSource_;
    LineFramer framer_;
    json::Value greeting_;
    uint64_t nextId_ = 1;
    std::map<uint64_t, ReplyHandler> pending_;
    std::vector<EventHandler> eventHandlers_;
    std::vector<DisconnectHandler> disconnectHandlers_;
    std::string disconnectReason_;
    std::string abandonReason_;
    /* Unsolicited messages in the current one-second window, for the flood bound. */
    std::chrono::steady_clock::time_point unsolicitedSince_{};
    uint64_t unsolicitedCount_ = 0;
    /* Cleared by the destructor so that a callback cannot reach a dead client. */
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace migkit
