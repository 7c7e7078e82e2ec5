/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "libvirt/governed_migration.h"

#include <CppUTest/TestHarness.h>

#include <memory>
#include <utility>
#include <vector>

using namespace migkit;

/* GovernedMigration on libvirt's in-process test driver (test:///default and its domain
 * "test"): no libvirtd, no QEMU.  The samples go through libmigkit's own copy of the job
 * progress code, which is what broke when two classes of one library shared a name. */
TEST_GROUP(GovernedMigration)
{
    Connection connection;

    void setup() override
    {
        connection.reset(virConnectOpen("test:///default"));
        CHECK_TRUE(connection != nullptr);
    }
};

TEST(GovernedMigration, ASampleReachesTheReportWithItsFigures)
{
    Domain domain(virDomainLookupByName(connection.get(), "test"));
    CHECK_TRUE(domain != nullptr);
    GovernedMigration migration(std::move(domain), std::make_unique<PolicyChain>(),
                                GovernedMigration::Options{});
    TypedParameters params;
    for (auto [name, value] : {std::pair{VIR_DOMAIN_JOB_TIME_ELAPSED, 1500ULL},
                               std::pair{VIR_DOMAIN_JOB_MEMORY_TOTAL, 1ULL << 20},
                               std::pair{VIR_DOMAIN_JOB_MEMORY_REMAINING, 4096ULL},
                               std::pair{VIR_DOMAIN_JOB_MEMORY_ITERATION, 2ULL}})
        LONGS_EQUAL(0, virTypedParamsAddULLong(params.dataOut(), params.sizeOut(),
                                               params.capacityOut(), name, value));
    migration.sample(
        JobStatistics::fromTyped(VIR_DOMAIN_JOB_UNBOUNDED, params.data(), params.size()));
    migration.switchover();

    const std::vector<SampleRecord> &samples = migration.report().data().samples;
    LONGS_EQUAL(1, samples.size());
    LONGS_EQUAL(1500, samples[0].elapsedMs);
    LONGS_EQUAL(2, samples[0].iteration);
    LONGS_EQUAL(1 << 20, samples[0].ramTotalBytes);
    LONGS_EQUAL(4096, samples[0].ramRemainingBytes);
}
