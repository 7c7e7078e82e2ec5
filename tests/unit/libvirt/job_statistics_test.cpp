/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/job_statistics.h"

#include <CppUTest/TestHarness.h>

#include <cstring>
#include <vector>

using namespace migkit;

namespace {

virTypedParameter ullong(const char *name, unsigned long long value)
{
    virTypedParameter p{};
    std::strncpy(p.field, name, VIR_TYPED_PARAM_FIELD_LENGTH - 1);
    p.type = VIR_TYPED_PARAM_ULLONG;
    p.value.ul = value;
    return p;
}

virTypedParameter integer(const char *name, int value)
{
    virTypedParameter p{};
    std::strncpy(p.field, name, VIR_TYPED_PARAM_FIELD_LENGTH - 1);
    p.type = VIR_TYPED_PARAM_INT;
    p.value.i = value;
    return p;
}

/* A mid-migration answer of virDomainGetJobStats as libvirt 11.3 gives it. */
std::vector<virTypedParameter> runningJob(unsigned long long iteration)
{
    return {integer(VIR_DOMAIN_JOB_OPERATION, VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT),
            ullong(VIR_DOMAIN_JOB_TIME_ELAPSED, 2722),
            ullong(VIR_DOMAIN_JOB_MEMORY_TOTAL, 134610944),
            ullong(VIR_DOMAIN_JOB_MEMORY_PROCESSED, 33950725),
            ullong(VIR_DOMAIN_JOB_MEMORY_REMAINING, 40341504),
            ullong(VIR_DOMAIN_JOB_MEMORY_BPS, 9193140),
            ullong(VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, 167),
            ullong(VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, 4096),
            ullong(VIR_DOMAIN_JOB_MEMORY_ITERATION, iteration),
            ullong(VIR_DOMAIN_JOB_DOWNTIME, 777),
            integer(VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, 30)};
}

} // namespace

TEST_GROUP(JobStatistics){};

TEST(JobStatistics, RecognisesARunningOutgoingMigration)
{
    auto params = runningJob(2);
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_UNBOUNDED, params.data(),
                                                   static_cast<int>(params.size()));
    CHECK_TRUE(stats.isOutgoingMigration());
    stats.type = VIR_DOMAIN_JOB_NONE;
    CHECK_FALSE(stats.isOutgoingMigration());
}

TEST(JobStatistics, AnIncomingMigrationIsNotOurs)
{
    std::vector<virTypedParameter> params = {
        integer(VIR_DOMAIN_JOB_OPERATION, VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN)};
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_UNBOUNDED, params.data(), 1);
    CHECK_FALSE(stats.isOutgoingMigration());
}

TEST(JobStatistics, ProgressCarriesTheFiguresAndTheDirtyRateInBytes)
{
    auto params = runningJob(2);
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_UNBOUNDED, params.data(),
                                                   static_cast<int>(params.size()));
    JobProgress sample = JobProgress::fromJob(stats, MIGKIT_PHASE_PRECOPY);
    const migkit_progress &p = sample.progress();
    LONGS_EQUAL(MIGKIT_PHASE_PRECOPY, p.phase);
    LONGS_EQUAL(2, p.iteration);
    LONGS_EQUAL(2722, p.elapsed_ms);
    LONGS_EQUAL(40341504, p.ram_remaining_bytes);
    LONGS_EQUAL(167 * 4096, p.dirty_rate_bytes_per_second);
    LONGS_EQUAL(777, p.expected_downtime_ms);
    LONGS_EQUAL(30, p.throttle_percent);
    /* Every libvirt field also reaches plugins by name. */
    bool found = false;
    for (size_t i = 0; i < p.extra.count; i++)
        found = found || std::strcmp(p.extra.items[i].name, "libvirt.memory_page_size") == 0;
    CHECK_TRUE(found);
}

TEST(JobStatistics, BeforeTheFirstPassItIsSetup)
{
    auto params = runningJob(0);
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_UNBOUNDED, params.data(),
                                                   static_cast<int>(params.size()));
    LONGS_EQUAL(MIGKIT_PHASE_SETUP,
                JobProgress::fromJob(stats, MIGKIT_PHASE_PRECOPY).progress().phase);
    LONGS_EQUAL(MIGKIT_PHASE_POSTCOPY,
                JobProgress::fromJob(stats, MIGKIT_PHASE_POSTCOPY).progress().phase);
}

TEST(JobStatistics, ProgressSurvivesAMove)
{
    auto params = runningJob(3);
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_UNBOUNDED, params.data(),
                                                   static_cast<int>(params.size()));
    JobProgress first = JobProgress::fromJob(stats, MIGKIT_PHASE_PRECOPY);
    JobProgress moved(std::move(first));
    CHECK_TRUE(moved.progress().extra.count > 0);
    STRCMP_CONTAINS("libvirt.", moved.progress().extra.items[0].name);
}

TEST(JobStatistics, AFailedJobsOutcomeSaysWhyAndWhere)
{
    virTypedParameter message{};
    std::strncpy(message.field, VIR_DOMAIN_JOB_ERRMSG, VIR_TYPED_PARAM_FIELD_LENGTH - 1);
    message.type = VIR_TYPED_PARAM_STRING;
    message.value.s = const_cast<char *>("load of migration failed");
    std::vector<virTypedParameter> params = {ullong(VIR_DOMAIN_JOB_TIME_ELAPSED, 1500), message};
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_FAILED, params.data(), 2);
    OutcomeRecord record = OutcomeRecord::fromJob(stats, "", "source");
    LONGS_EQUAL(MIGKIT_PHASE_FAILED, record.outcome().phase);
    STRCMP_EQUAL("load of migration failed", record.outcome().error);
    STRCMP_EQUAL("source", record.outcome().vm_running_on);
    LONGS_EQUAL(1500, record.outcome().total_ms);
}

TEST(JobStatistics, ACompletedJobHasNoError)
{
    auto params = runningJob(6);
    JobStatistics stats = JobStatistics::fromTyped(VIR_DOMAIN_JOB_COMPLETED, params.data(),
                                                   static_cast<int>(params.size()));
    OutcomeRecord record = OutcomeRecord::fromJob(stats, "", "destination");
    LONGS_EQUAL(MIGKIT_PHASE_COMPLETED, record.outcome().phase);
    POINTERS_EQUAL(nullptr, record.outcome().error);
    LONGS_EQUAL(6, record.outcome().iterations);
    LONGS_EQUAL(777, record.outcome().downtime_ms);
}

TEST(JobStatistics, ACancelledJobWithoutMessageSaysSo)
{
    JobStatistics stats;
    stats.type = VIR_DOMAIN_JOB_CANCELLED;
    OutcomeRecord record = OutcomeRecord::fromJob(stats, "", "source");
    LONGS_EQUAL(MIGKIT_PHASE_CANCELLED, record.outcome().phase);
    STRCMP_CONTAINS("cancelled", record.outcome().error);
}
