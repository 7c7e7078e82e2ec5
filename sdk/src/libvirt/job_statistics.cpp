/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/job_statistics.h"
#include "libvirt/handles.h"

#include "engine/statistics.h"

#include <migkit/checked.hpp>

namespace migkit {

namespace {

ParameterValue valueOf(const virTypedParameter &param)
{
    switch (param.type) {
    case VIR_TYPED_PARAM_INT:
        return static_cast<int64_t>(param.value.i);
    case VIR_TYPED_PARAM_UINT:
        return static_cast<uint64_t>(param.value.ui);
    case VIR_TYPED_PARAM_LLONG:
        return static_cast<int64_t>(param.value.l);
    case VIR_TYPED_PARAM_ULLONG:
        return static_cast<uint64_t>(param.value.ul);
    case VIR_TYPED_PARAM_DOUBLE:
        return param.value.d;
    case VIR_TYPED_PARAM_BOOLEAN:
        return param.value.b != 0;
    case VIR_TYPED_PARAM_STRING:
        return std::string(param.value.s ? param.value.s : "");
    default:
        return std::string("(unknown typed parameter type)");
    }
}

void copyExtras(const ValueList &fields, ValueList &extra)
{
    for (const std::string &name : fields.names())
        extra.add("libvirt." + name, *fields.find(name));
}

} // namespace

std::optional<JobStatistics> JobStatistics::query(virDomainPtr domain, unsigned int flags)
{
    TypedParameters params;
    int type = VIR_DOMAIN_JOB_NONE;
    if (virDomainGetJobStats(domain, &type, params.dataOut(), params.sizeOut(), flags) < 0)
        return std::nullopt;
    return fromTyped(type, params.data(), params.size());
}

JobStatistics JobStatistics::fromTyped(int type, const virTypedParameter *params, int count)
{
    JobStatistics stats;
    stats.type = type;
    for (int i = 0; i < count; i++)
        stats.fields.add(params[i].field, valueOf(params[i]));
    return stats;
}

std::optional<uint64_t> JobStatistics::number(const std::string &name) const
{
    std::optional<ParameterValue> value = fields.find(name);
    if (!value)
        return std::nullopt;
    if (const auto *u = std::get_if<uint64_t>(&*value))
        return *u;
    if (const auto *i = std::get_if<int64_t>(&*value))
        return *i < 0 ? 0 : static_cast<uint64_t>(*i);
    return std::nullopt;
}

json::Value JobStatistics::toJson() const
{
    json::Value result = json::Value::object();
    for (const std::string &name : fields.names())
        result.set(name, parameterValueToJson(*fields.find(name)));
    return result;
}

bool JobStatistics::isOutgoingMigration() const
{
    return type == VIR_DOMAIN_JOB_UNBOUNDED &&
           number(VIR_DOMAIN_JOB_OPERATION) == VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT;
}

JobProgress JobProgress::fromJob(const JobStatistics &stats, migkit_phase phase)
{
    JobProgress sample;
    migkit_progress &p = sample.progress_;
    p.struct_size = sizeof(migkit_progress);
    p.iteration = stats.number(VIR_DOMAIN_JOB_MEMORY_ITERATION).value_or(0);
    /* Before the first pass QEMU is still setting up (and libvirt still preparing the
     * destination). */
    p.phase = (phase == MIGKIT_PHASE_PRECOPY && p.iteration == 0) ? MIGKIT_PHASE_SETUP : phase;
    p.elapsed_ms = stats.number(VIR_DOMAIN_JOB_TIME_ELAPSED).value_or(0);
    p.ram_total_bytes = stats.number(VIR_DOMAIN_JOB_MEMORY_TOTAL).value_or(0);
    p.ram_remaining_bytes = stats.number(VIR_DOMAIN_JOB_MEMORY_REMAINING).value_or(0);
    p.ram_transferred_bytes = stats.number(VIR_DOMAIN_JOB_MEMORY_PROCESSED).value_or(0);
    /* Pages per second into bytes: saturating, as no link sends 2^64 bytes a second. */
    p.dirty_rate_bytes_per_second =
        saturatingMultiply(stats.number(VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE).value_or(0),
                           stats.number(VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE).value_or(4096));
    p.bandwidth_bytes_per_second = stats.number(VIR_DOMAIN_JOB_MEMORY_BPS).value_or(0);
    p.expected_downtime_ms = stats.number(VIR_DOMAIN_JOB_DOWNTIME).value_or(0);
    p.throttle_percent =
        static_cast<uint32_t>(stats.number(VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE).value_or(0));
    copyExtras(stats.fields, sample.extra_);
    p.extra = sample.extra_.values();
    return sample;
}

JobProgress::JobProgress(JobProgress &&other) noexcept
    : progress_(other.progress_), extra_(std::move(other.extra_))
{
    progress_.extra = extra_.values();
}

OutcomeRecord OutcomeRecord::fromJob(const JobStatistics &stats, std::string error,
                                     std::string vmRunningOn)
{
    OutcomeRecord record;
    migkit_outcome &o = record.outcome_;
    o.struct_size = sizeof(migkit_outcome);
    switch (stats.type) {
    case VIR_DOMAIN_JOB_COMPLETED:
        o.phase = MIGKIT_PHASE_COMPLETED;
        break;
    case VIR_DOMAIN_JOB_CANCELLED:
        o.phase = MIGKIT_PHASE_CANCELLED;
        break;
    default:
        o.phase = MIGKIT_PHASE_FAILED;
        break;
    }
    o.total_ms = stats.number(VIR_DOMAIN_JOB_TIME_ELAPSED).value_or(0);
    o.downtime_ms = stats.number(VIR_DOMAIN_JOB_DOWNTIME).value_or(0);
    o.setup_ms = stats.number(VIR_DOMAIN_JOB_SETUP_TIME).value_or(0);
    o.iterations = stats.number(VIR_DOMAIN_JOB_MEMORY_ITERATION).value_or(0);
    o.transferred_bytes = stats.number(VIR_DOMAIN_JOB_MEMORY_PROCESSED).value_or(0);
    if (o.phase != MIGKIT_PHASE_COMPLETED && error.empty()) {
        std::optional<ParameterValue> message = stats.fields.find(VIR_DOMAIN_JOB_ERRMSG);
        if (message && std::holds_alternative<std::string>(*message))
            error = std::get<std::string>(*message);
        if (error.empty())
            error = o.phase == MIGKIT_PHASE_CANCELLED ? "the migration was cancelled"
                                                      : "the migration failed (libvirt gave no "
                                                        "reason; see the libvirtd log)";
    }
    record.error_ = std::move(error);
    record.vmRunningOn_ = std::move(vmRunningOn);
    copyExtras(stats.fields, record.extra_);
    record.relink();
    return record;
}

OutcomeRecord::OutcomeRecord(OutcomeRecord &&other) noexcept
    : outcome_(other.outcome_), error_(std::move(other.error_)),
      vmRunningOn_(std::move(other.vmRunningOn_)), extra_(std::move(other.extra_))
{
    relink();
}

void OutcomeRecord::relink()
{
    outcome_.error = outcome_.phase == MIGKIT_PHASE_COMPLETED ? nullptr : error_.c_str();
    outcome_.vm_running_on = vmRunningOn_.c_str();
    outcome_.extra = extra_.values();
}

} // namespace migkit
