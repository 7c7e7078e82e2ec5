/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "qmp/client.h"

#include "qmp/main_context_wait.h"
#include "json/parser.h"
#include "json/writer.h"

#include <gio/gunixsocketaddress.h>

namespace migkit {

QmpClient::QmpClient(GMainContext *context) : context_(context) {}

QmpClient::~QmpClient()
{
    *alive_ = false;
    /* No callbacks from a destructor: drop pending handlers silently. */
    pending_.clear();
    disconnectHandlers_.clear();
    readSource_.reset();
    if (connection_) {
        g_io_stream_close(G_IO_STREAM(connection_.get()), nullptr, nullptr);
    }
}

void QmpClient::connect(const QmpAddress &address, std::chrono::milliseconds timeout)
{
    address_ = address;
    const std::string where = "QMP monitor " + address.toString();
    GObjectPtr<GSocketClient> client(g_socket_client_new());
    g_socket_client_set_timeout(
        client.get(), static_cast<guint>(std::max<int64_t>(1, (timeout.count() + 999) / 1000)));
    GObjectPtr<GSocketConnectable> connectable;
    if (address.kind == QmpAddress::Kind::Unix) {
        connectable.reset(G_SOCKET_CONNECTABLE(g_unix_socket_address_new(address.path.c_str())));
    } else {
        connectable.reset(g_network_address_new(address.host.c_str(), address.port));
    }
    GError *rawError = nullptr;
    GSocketConnection *connection =
        g_socket_client_connect(client.get(), connectable.get(), nullptr, &rawError);
    if (!connection) {
        GErrorPtr error(rawError);
        std::string hint = address.kind == QmpAddress::Kind::Unix
                               ? "check that QEMU runs with -qmp unix:" + address.path +
                                     ",server=on,wait=off and that the path is right"
                               : "check that QEMU runs with -qmp tcp:HOST:PORT,server=on,wait=off "
                                 "and that the port is reachable";
        throw QmpError(QmpError::Kind::ConnectFailed, "cannot connect to the " + where + ": " +
                                                          error->message + " (" + hint + ")");
    }
    connection_.reset(connection);
    disconnectReason_.clear();
    GSocket *socket = g_socket_connection_get_socket(connection);
    /* The client's connect timeout stays on the socket; an idle monitor is not an error. */
    g_socket_set_timeout(socket, 0);
    g_socket_set_blocking(socket, FALSE);
    readSource_.reset(g_socket_create_source(
        socket, static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR), nullptr));
    g_source_set_callback(readSource_.get(), G_SOURCE_FUNC(onReadable), this, nullptr);
    g_source_attach(readSource_.get(), context_);

    const bool greeted = iterateUntil(
        context_, [this] { return !greeting_.isNull() || !connected() || !abandonReason_.empty(); },
        timeout);
    if (!greeted || !connected() || greeting_.isNull()) {
        const std::string why =
            !abandonReason_.empty()
                ? "not waited for: " + abandonReason_
                : (connected() ? "no QMP greeting within " + std::to_string(timeout.count()) + " ms"
                               : disconnectReason_);
        close("no greeting");
        throw QmpError(QmpError::Kind::ConnectFailed,
                       where + " did not greet: " + why +
                           " (is it a QMP monitor, and not already used by another client?)");
    }
    const QmpReply reply = call("qmp_capabilities", json::Value(), timeout);
    if (!reply.ok()) {
        close("capabilities negotiation failed");
        throw QmpError(QmpError::Kind::ConnectFailed,
                       where + " refused qmp_capabilities: " + reply.error().what());
    }
}

void QmpClient::send(const json::Value &message)
{
    const std::string line = json::serialize(message) + "\n";
    GSocket *socket = g_socket_connection_get_socket(connection_.get());
    size_t sent = 0;
    while (sent < line.size()) {
        GError *rawError = nullptr;
        const gssize n =
            g_socket_send(socket, line.data() + sent, line.size() - sent, nullptr, &rawError);
        if (n >= 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        GErrorPtr error(rawError);
        if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            /* A monitor that does not read for 10 s is as good as gone. */
            GError *waitError = nullptr;
            if (g_socket_condition_timed_wait(socket, G_IO_OUT, 10 * G_USEC_PER_SEC, nullptr,
                                              &waitError)) {
                continue;
            }
            GErrorPtr waitOwned(waitError);
            close(std::string("cannot send to the QMP monitor: ") + waitOwned->message);
            return;
        }
        close(std::string("cannot send to the QMP monitor: ") + error->message);
        return;
    }
}

void QmpClient::execute(const std::string &command, json::Value arguments, ReplyHandler done)
{
    if (!connected()) {
        const std::string why = disconnectReason_.empty() ? "not connected" : disconnectReason_;
        done(QmpReply::failure(
            QmpError(QmpError::Kind::Disconnected,
                     "QMP command '" + command + "' to " + address() + " not sent: " + why)));
        return;
    }
    const uint64_t id = nextId_++;
    json::Value message = json::Value::object();
    message.set("execute", command);
    if (!arguments.isNull()) {
        message.set("arguments", std::move(arguments));
    }
    message.set("id", id);
    /* Wrap the handler so that a failure names the command. */
    pending_[id] = [command, where = address(), done = std::move(done)](const QmpReply &reply) {
        if (reply.ok() || reply.error().kind() == QmpError::Kind::CommandFailed) {
            done(reply);
            return;
        }
        done(QmpReply::failure(
            QmpError(reply.error().kind(),
                     "QMP command '" + command + "' to " + where + ": " + reply.error().what())));
    };
    send(message);
}

QmpReply QmpClient::call(const std::string &command, json::Value arguments,
                         std::chrono::milliseconds timeout)
{
    const auto interrupted = [&] {
        return QmpReply::failure(
            QmpError(QmpError::Kind::Interrupted, "QMP command '" + command + "' to " + address() +
                                                      ": not waited for: " + abandonReason_));
    };
    if (!abandonReason_.empty()) {
        return interrupted();
    }
    std::optional<QmpReply> result;
    const uint64_t id = nextId_;
    execute(command, std::move(arguments), [&result](const QmpReply &reply) { result = reply; });
    if (iterateUntil(
            context_, [&] { return result.has_value() || !abandonReason_.empty(); }, timeout) &&
        result) {
        return *result;
    }
    /* A late reply finds no handler and is dropped. */
    pending_.erase(id);
    if (!abandonReason_.empty()) {
        return interrupted();
    }
    return QmpReply::failure(
        QmpError(QmpError::Kind::Timeout, "QMP command '" + command + "' to " + address() +
                                              ": no reply within " +
                                              std::to_string(timeout.count()) + " ms"));
}

gboolean QmpClient::onReadable(GSocket *, GIOCondition, gpointer self)
{
    return static_cast<QmpClient *>(self)->readAvailable() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

bool QmpClient::readAvailable()
{
    GSocket *socket = g_socket_connection_get_socket(connection_.get());
    char buffer[65536];
    bool endOfStream = false;
    std::string failure;
    /* A peer that never pauses must not keep this callback, and the context, to itself: read
     * at most this much, handle it, and come back at the next iteration. */
    constexpr size_t readBudget = 1024 * 1024;
    for (size_t received = 0; received < readBudget;) {
        GError *rawError = nullptr;
        const gssize n = g_socket_receive(socket, buffer, sizeof(buffer), nullptr, &rawError);
        if (n > 0) {
            received += static_cast<size_t>(n);
            try {
                framer_.feed(std::string_view(buffer, static_cast<size_t>(n)));
            } catch (const LineFramer::LineTooLong &e) {
                close(std::string("QEMU sent ") + e.what());
                return false;
            } catch (const LineFramer::TooMuchUnread &e) {
                close(std::string("QEMU sent ") + e.what());
                return false;
            }
            continue;
        }
        if (n == 0) {
            endOfStream = true;
            break;
        }
        GErrorPtr error(rawError);
        if (!g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            failure = std::string("QMP connection failed: ") + error->message;
        }
        break;
    }
    /* Handle what the peer said before it hung up, then report the hang-up. */
    const auto alive = alive_;
    while (auto line = framer_.next()) {
        handleLine(*line);
        if (!*alive || !connected()) {
            return false;
        }
    }
    if (!failure.empty()) {
        close(failure);
        return false;
    }
    if (endOfStream) {
        close("QEMU closed the QMP connection (it exited or was killed)");
        return false;
    }
    return true;
}

void QmpClient::handleLine(const std::string &line)
{
    QmpMessage message;
    try {
        message = QmpMessage::classify(json::parse(line));
    } catch (const json::ParseError &e) {
        close(std::string("QEMU sent malformed JSON (") + e.what() + "): '" + line.substr(0, 200) +
              "'");
        return;
    } catch (const QmpProtocolError &e) {
        close(std::string("QEMU sent a message that is not QMP: ") + e.what());
        return;
    }
    switch (message.kind) {
    case QmpMessage::Kind::Greeting:
        greeting_ = message.value;
        return;
    case QmpMessage::Kind::Event: {
        if (!countUnsolicited()) {
            return;
        }
        /* Copy: a handler may add another handler. */
        const auto handlers = eventHandlers_;
        for (const auto &handler : handlers) {
            handler(message.event);
        }
        return;
    }
    case QmpMessage::Kind::Return:
    case QmpMessage::Kind::Error: {
        if (!message.id) {
            close("QEMU sent a reply without the id of a command");
            return;
        }
        auto it = pending_.find(*message.id);
        if (it == pending_.end()) {
            countUnsolicited(); /* the answer to a command whose caller gave up waiting */
            return;
        }
        ReplyHandler handler = std::move(it->second);
        pending_.erase(it);
        if (message.kind == QmpMessage::Kind::Return) {
            handler(QmpReply::success(std::move(message.value)));
        } else {
            handler(QmpReply::failure(QmpError(
                QmpError::Kind::CommandFailed,
                message.errorDescription + " (" + message.errorClass + ")", message.errorClass)));
        }
        return;
    }
    }
}

bool QmpClient::countUnsolicited()
{
    const auto now = std::chrono::steady_clock::now();
    if (now - unsolicitedSince_ >= std::chrono::seconds(1)) {
        unsolicitedSince_ = now;
        unsolicitedCount_ = 0;
    }
    if (++unsolicitedCount_ <= kMaxUnsolicitedPerSecond) {
        return true;
    }
    close("QEMU flooded the QMP connection: more than " + std::to_string(kMaxUnsolicitedPerSecond) +
          " events or replies to no command within one second");
    return false;
}

void QmpClient::close(const std::string &reason)
{
    if (!connection_) {
        return;
    }
    disconnectReason_ = reason + " [" + address() + "]";
    readSource_.reset();
    g_io_stream_close(G_IO_STREAM(connection_.get()), nullptr, nullptr);
    connection_.reset();
    const auto alive = alive_;
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto &[id, handler] : pending) {
        handler(QmpReply::failure(QmpError(QmpError::Kind::Disconnected, disconnectReason_)));
        if (!*alive) {
            return;
        }
    }
    const auto handlers = disconnectHandlers_;
    for (const auto &handler : handlers) {
        handler(disconnectReason_);
        if (!*alive) {
            return;
        }
    }
}

} // namespace migkit
