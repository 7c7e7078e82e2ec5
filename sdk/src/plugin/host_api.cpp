/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/host_api.h"

#include "plugin/action_queue.h"
#include "plugin/value_list.h"

#include <cerrno>
#include <cstring>

namespace migkit {

namespace {

/* QEMU refuses downtime-limit above 2000 s. */
constexpr uint64_t kMaxDowntimeLimitMs = 2000 * 1000;
/* A plugin that logs in a loop must not eat the host's memory. */
constexpr size_t kMaxLogLines = 10000;
constexpr size_t kMaxLogLineBytes = 4096;

std::string reasonText(const char *reason)
{
    return reason && *reason ? reason : "(no reason given)";
}

/* Queue @action for @ctx if the migration is running; the common tail of every request. */
int queue(migkit_context *ctx, Action action, const char *reason)
{
    if (!ctx || !ctx->queue)
        return -EINVAL;
    if (ctx->queue->stage != ActionQueue::Stage::Running)
        return -ENOTSUP;
    action.plugin = ctx->plugin;
    action.reason = reasonText(reason);
    ctx->queue->pending.push_back(std::move(action));
    return 0;
}

/* Wraps a request so that an allocation failure comes back as -ENOMEM, not an exception. */
template <typename Request>
int guarded(Request request) noexcept
{
    try {
        return request();
    } catch (...) {
        return -ENOMEM;
    }
}

bool isParameterName(const char *name)
{
    if (!name || !*name)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    return true;
}

void hostLog(migkit_context *ctx, migkit_log_level level, const char *message) noexcept
{
    if (!ctx || !ctx->queue || !message)
        return;
    guarded([&] {
        ActionQueue &q = *ctx->queue;
        if (q.log.size() >= kMaxLogLines) {
            q.droppedLogLines++;
            return 0;
        }
        if (level < MIGKIT_LOG_DEBUG || level > MIGKIT_LOG_ERROR)
            level = MIGKIT_LOG_INFO;
        q.log.push_back(
            {ctx->plugin, level, std::string(message, strnlen(message, kMaxLogLineBytes))});
        return 0;
    });
}

int hostSetDowntimeLimit(migkit_context *ctx, uint64_t milliseconds, const char *reason) noexcept
{
    return guarded([&] {
        if (milliseconds == 0 || milliseconds > kMaxDowntimeLimitMs)
            return -EINVAL;
        Action action;
        action.kind = Action::Kind::SetDowntimeLimit;
        action.value = milliseconds;
        return queue(ctx, std::move(action), reason);
    });
}

int hostSetBandwidth(migkit_context *ctx, uint64_t bytesPerSecond, const char *reason) noexcept
{
    return guarded([&] {
        Action action;
        action.kind = Action::Kind::SetBandwidth;
        action.value = bytesPerSecond;
        return queue(ctx, std::move(action), reason);
    });
}

int hostSetThrottle(migkit_context *ctx, uint32_t initialPercent, uint32_t incrementPercent,
                    bool tailslow, const char *reason) noexcept
{
    return guarded([&] {
        /* QEMU's ranges: cpu-throttle-initial 1..99, cpu-throttle-increment 1..100. */
        if (initialPercent > 99 || incrementPercent > 100)
            return -EINVAL;
        if (ctx && ctx->queue && ctx->queue->stage == ActionQueue::Stage::Running &&
            ctx->queue->plan.auto_converge == MIGKIT_AUTO_CONVERGE_OFF)
            return -ENOTSUP;
        Action action;
        action.kind = Action::Kind::SetThrottle;
        action.throttleInitialPercent = initialPercent;
        action.throttleIncrementPercent = incrementPercent;
        action.throttleTailslow = tailslow;
        return queue(ctx, std::move(action), reason);
    });
}

int hostSetParameter(migkit_context *ctx, const migkit_value *parameter,
                     const char *reason) noexcept
{
    return guarded([&] {
        if (!parameter || !isParameterName(parameter->name) ||
            parameter->type < MIGKIT_VALUE_INT64 || parameter->type > MIGKIT_VALUE_STRING ||
            (parameter->type == MIGKIT_VALUE_STRING && !parameter->v.str))
            return -EINVAL;
        Action action;
        action.kind = Action::Kind::SetParameter;
        action.parameterName = parameter->name;
        action.parameterValue = toParameterValue(*parameter);
        return queue(ctx, std::move(action), reason);
    });
}

int hostStartPostcopy(migkit_context *ctx, const char *reason) noexcept
{
    return guarded([&] {
        if (ctx && ctx->queue && ctx->queue->stage == ActionQueue::Stage::Running &&
            !ctx->queue->plan.postcopy_allowed)
            return -ENOTSUP;
        Action action;
        action.kind = Action::Kind::StartPostcopy;
        return queue(ctx, std::move(action), reason);
    });
}

int hostPauseToComplete(migkit_context *ctx, const char *reason) noexcept
{
    return guarded([&] {
        Action action;
        action.kind = Action::Kind::PauseToComplete;
        return queue(ctx, std::move(action), reason);
    });
}

int hostCancel(migkit_context *ctx, const char *reason) noexcept
{
    return guarded([&] {
        Action action;
        action.kind = Action::Kind::Cancel;
        return queue(ctx, std::move(action), reason);
    });
}

constexpr migkit_host_api kHostApi = {
    sizeof(migkit_host_api),
    hostLog,
    hostSetDowntimeLimit,
    hostSetBandwidth,
    hostSetThrottle,
    hostSetParameter,
    hostStartPostcopy,
    hostPauseToComplete,
    hostCancel,
};

} // namespace

const migkit_host_api &hostApi()
{
    return kHostApi;
}

} // namespace migkit
