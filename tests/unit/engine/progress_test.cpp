/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine/plan_facts.h"
#include "engine/progress_sample.h"
#include "engine/statistics.h"
#include "json/parser.h"

#include <string>

/* CppUTest last: its leak checker redefines new. */
#include <CppUTest/TestHarness.h>

using namespace migkit;

namespace {

/* A query-migrate reply of the migkit-patched QEMU 10.0.2 in pass 3. */
const char activeReply[] = R"({
  "expected-downtime": 412,
  "status": "active",
  "setup-time": 7,
  "total-time": 2345,
  "cpu-throttle-percentage": 30,
  "ram": {
    "total": 268435456, "remaining": 100663296, "transferred": 170000000,
    "duplicate": 1000, "normal": 40000, "normal-bytes": 163840000,
    "dirty-pages-rate": 2500, "mbps": 800.0, "dirty-sync-count": 3,
    "postcopy-requests": 0, "page-size": 4096, "multifd-bytes": 0,
    "pages-per-second": 24414, "precopy-bytes": 170000000, "downtime-bytes": 0,
    "postcopy-bytes": 0, "dirty-sync-missed-zero-copy": 0
  },
  "dirty-heat": {"hot-pages": 512, "predicted-downtime-ms": 95, "enabled": true}
})";

const migkit_value *findValue(const migkit_values &values, const std::string &name)
{
    for (size_t i = 0; i < values.count; ++i) {
        if (name == values.items[i].name) {
            return &values.items[i];
        }
    }
    return nullptr;
}

} // namespace

TEST_GROUP(ProgressSample){};

TEST(ProgressSample, WellKnownFields)
{
    const ProgressSample sample = ProgressSample::fromQueryMigrate(json::parse(activeReply), 2400);
    const migkit_progress p = sample.progress();
    LONGS_EQUAL(sizeof(migkit_progress), p.struct_size);
    LONGS_EQUAL(MIGKIT_PHASE_PRECOPY, p.phase);
    UNSIGNED_LONGLONGS_EQUAL(3, p.iteration);
    UNSIGNED_LONGLONGS_EQUAL(2400, p.elapsed_ms);
    UNSIGNED_LONGLONGS_EQUAL(268435456, p.ram_total_bytes);
    UNSIGNED_LONGLONGS_EQUAL(100663296, p.ram_remaining_bytes);
    UNSIGNED_LONGLONGS_EQUAL(170000000, p.ram_transferred_bytes);
    UNSIGNED_LONGLONGS_EQUAL(2500ULL * 4096, p.dirty_rate_bytes_per_second);
    /* 800 Mbit/s = 100,000,000 bytes/s */
    UNSIGNED_LONGLONGS_EQUAL(100000000, p.bandwidth_bytes_per_second);
    UNSIGNED_LONGLONGS_EQUAL(412, p.expected_downtime_ms);
    UNSIGNED_LONGLONGS_EQUAL(30, p.throttle_percent);
    STRCMP_EQUAL("active", sample.status().c_str());
}

TEST(ProgressSample, EveryFieldIsAnExtraUnderItsFlattenedName)
{
    const ProgressSample sample = ProgressSample::fromQueryMigrate(json::parse(activeReply), 0);
    const migkit_progress p = sample.progress();
    const migkit_value *normalBytes = findValue(p.extra, "ram.normal-bytes");
    CHECK(normalBytes);
    LONGS_EQUAL(MIGKIT_VALUE_UINT64, normalBytes->type);
    UNSIGNED_LONGLONGS_EQUAL(163840000, normalBytes->v.u64);
    const migkit_value *hot = findValue(p.extra, "dirty-heat.hot-pages");
    CHECK(hot);
    UNSIGNED_LONGLONGS_EQUAL(512, hot->v.u64);
    const migkit_value *enabled = findValue(p.extra, "dirty-heat.enabled");
    CHECK(enabled);
    LONGS_EQUAL(MIGKIT_VALUE_BOOL, enabled->type);
    CHECK_TRUE(enabled->v.b);
    const migkit_value *throttle = findValue(p.extra, "cpu-throttle-percentage");
    CHECK(throttle);
    UNSIGNED_LONGLONGS_EQUAL(30, throttle->v.u64);
    const migkit_value *mbps = findValue(p.extra, "ram.mbps");
    CHECK(mbps);
    LONGS_EQUAL(MIGKIT_VALUE_DOUBLE, mbps->type);
    const migkit_value *status = findValue(p.extra, "status");
    CHECK(status);
    STRCMP_EQUAL("active", status->v.str);
}

TEST(ProgressSample, SetupHasNoRamYet)
{
    const ProgressSample sample =
        ProgressSample::fromQueryMigrate(json::parse(R"({"status": "setup"})"), 5);
    const migkit_progress p = sample.progress();
    LONGS_EQUAL(MIGKIT_PHASE_SETUP, p.phase);
    UNSIGNED_LONGLONGS_EQUAL(1, p.iteration);
    UNSIGNED_LONGLONGS_EQUAL(0, p.ram_total_bytes);
    UNSIGNED_LONGLONGS_EQUAL(0, p.throttle_percent);
}

TEST(ProgressSample, RecordKeepsTheMainFigures)
{
    const SampleRecord r =
        ProgressSample::fromQueryMigrate(json::parse(activeReply), 2400).record();
    UNSIGNED_LONGLONGS_EQUAL(2400, r.elapsedMs);
    STRCMP_EQUAL("active", r.status.c_str());
    UNSIGNED_LONGLONGS_EQUAL(3, r.iteration);
    UNSIGNED_LONGLONGS_EQUAL(100663296, r.ramRemainingBytes);
    UNSIGNED_LONGLONGS_EQUAL(30, r.throttlePercent);
}

TEST(ProgressSample, PhasesForEveryStatus)
{
    LONGS_EQUAL(MIGKIT_PHASE_SETUP, phaseForStatus("none"));
    LONGS_EQUAL(MIGKIT_PHASE_SETUP, phaseForStatus("setup"));
    LONGS_EQUAL(MIGKIT_PHASE_SETUP, phaseForStatus("wait-unplug"));
    LONGS_EQUAL(MIGKIT_PHASE_PRECOPY, phaseForStatus("active"));
    LONGS_EQUAL(MIGKIT_PHASE_SWITCHOVER, phaseForStatus("pre-switchover"));
    LONGS_EQUAL(MIGKIT_PHASE_SWITCHOVER, phaseForStatus("device"));
    LONGS_EQUAL(MIGKIT_PHASE_POSTCOPY, phaseForStatus("postcopy-active"));
    LONGS_EQUAL(MIGKIT_PHASE_POSTCOPY, phaseForStatus("postcopy-paused"));
    LONGS_EQUAL(MIGKIT_PHASE_COMPLETED, phaseForStatus("completed"));
    LONGS_EQUAL(MIGKIT_PHASE_FAILED, phaseForStatus("failed"));
    LONGS_EQUAL(MIGKIT_PHASE_CANCELLED, phaseForStatus("cancelling"));
    LONGS_EQUAL(MIGKIT_PHASE_CANCELLED, phaseForStatus("cancelled"));
}

TEST_GROUP(Statistics){};

TEST(Statistics, FlattenNamesNestedMembersAndArrayElements)
{
    ValueList list;
    flattenStatistics(
        list, json::parse(R"({"a": {"b": -3, "c": [1, {"d": "x"}], "n": null}, "e": 1.5})"), "p");
    CHECK(std::get<int64_t>(*list.find("p.a.b")) == -3);
    CHECK(std::get<uint64_t>(*list.find("p.a.c.0")) == 1);
    CHECK(std::get<std::string>(*list.find("p.a.c.1.d")) == "x");
    CHECK(std::get<double>(*list.find("p.e")) == 1.5);
    CHECK_FALSE(list.find("p.a.n").has_value());
    LONGS_EQUAL(4, list.size());
}

TEST(Statistics, ParameterValuesToJsonAndText)
{
    CHECK(parameterValueToJson(ParameterValue(uint64_t{500})) == json::Value(500));
    CHECK(parameterValueToJson(ParameterValue(std::string("predictive"))) ==
          json::Value("predictive"));
    CHECK(parameterValueToJson(ParameterValue(true)) == json::Value(true));
    STRCMP_EQUAL("500", parameterValueToText(ParameterValue(uint64_t{500})).c_str());
    STRCMP_EQUAL("-2", parameterValueToText(ParameterValue(int64_t{-2})).c_str());
    STRCMP_EQUAL("true", parameterValueToText(ParameterValue(true)).c_str());
    STRCMP_EQUAL("0.5", parameterValueToText(ParameterValue(0.5)).c_str());
}

TEST_GROUP(PlanFacts){};

TEST(PlanFacts, CapabilitiesParametersAndVersion)
{
    const QemuSideFacts qemu = QemuSideFacts::fromReplies(
        json::parse(R"({"qemu": {"major": 10, "minor": 0, "micro": 2}, "package": "migkit"})"),
        json::parse(R"([{"capability": "xbzrle", "state": false},
                        {"capability": "dirty-heat", "state": false},
                        {"capability": "events", "state": true}])"),
        json::parse(R"({"downtime-limit": 300, "auto-converge-mode": "stepped",
                        "tls-creds": "", "block-bitmap-mapping": []})"));
    STRCMP_EQUAL("10.0.2 (migkit)", qemu.version.c_str());
    CHECK(qemu.offers("dirty-heat"));
    CHECK_FALSE(qemu.offers("postcopy-ram"));
    CHECK(qemu.hasParameter("auto-converge-mode"));
    ValueList facts;
    addPlanFacts(facts, "source", qemu);
    CHECK(std::get<std::string>(*facts.find("source.qemu-version")) == "10.0.2 (migkit)");
    /* Offered capabilities are true facts whatever their state; the state is separate. */
    CHECK(std::get<bool>(*facts.find("source.capability.dirty-heat")));
    CHECK_FALSE(std::get<bool>(*facts.find("source.capability-state.dirty-heat")));
    CHECK(std::get<bool>(*facts.find("source.capability-state.events")));
    CHECK_FALSE(facts.find("source.capability.postcopy-ram").has_value());
    CHECK(std::get<uint64_t>(*facts.find("source.parameter.downtime-limit")) == 300);
    CHECK(std::get<std::string>(*facts.find("source.parameter.auto-converge-mode")) == "stepped");
}

TEST(PlanFacts, MisshapenRepliesThrow)
{
    CHECK_THROWS(json::TypeError, QemuSideFacts::fromReplies(json::parse("{}"), json::parse("[]"),
                                                             json::parse("{}")));
    CHECK_THROWS(json::TypeError,
                 QemuSideFacts::fromReplies(
                     json::parse(R"({"qemu": {"major": 10, "minor": 0, "micro": 2}})"),
                     json::parse(R"([{"capability": "x"}])"), json::parse("{}")));
}

namespace {

/* The message of the json::TypeError @convert throws, or "" when it throws nothing. */
template <typename F>
std::string typeErrorOf(F convert)
{
    try {
        convert();
    } catch (const json::TypeError &e) {
        return e.what();
    }
    return "";
}

std::string sampleErrorOf(const std::string &reply)
{
    return typeErrorOf([&] { (void)ProgressSample::fromQueryMigrate(json::parse(reply), 0); });
}

} // namespace

/* Issue 18: a mistyped figure threw past the CLI, or (mbps) was cast to an integer it does not
 * fit, which C++ leaves undefined.  The error names the member and the value it had. */
TEST(ProgressSample, AFigureOfTheWrongTypeOrRangeIsNamedWithItsValue)
{
    const struct {
        const char *reply, *member, *value;
    } cases[] = {
        {R"({"status": "active", "expected-downtime": 1.5})", "'expected-downtime'", "1.5"},
        {R"({"status": "active", "total-time": -5})", "'total-time'", "-5"},
        {R"({"status": "active", "setup-time": "7"})", "'setup-time'", "\"7\""},
        {R"({"status": "active", "cpu-throttle-percentage": 4294967396})",
         "'cpu-throttle-percentage'", "4294967396"},
        {R"({"status": 3})", "'status'", "3"},
        {R"({"status": "active", "ram": {"mbps": -800.0}})", "'ram.mbps'", "-800"},
        {R"({"status": "active", "ram": {"mbps": 1e300}})", "'ram.mbps'", "1e+300"},
        {R"({"status": "active", "ram": {"remaining": true}})", "'ram.remaining'", "true"},
        {R"({"status": "active", "ram": {"dirty-pages-rate": 4503599627370496,
                                         "page-size": 4096}})",
         "'ram.dirty-pages-rate'", "4503599627370496"},
    };
    for (const auto &c : cases) {
        const std::string error = sampleErrorOf(c.reply);
        STRCMP_CONTAINS(c.member, error.c_str());
        STRCMP_CONTAINS(c.value, error.c_str());
    }
}

TEST(ProgressSample, GoodFiguresAtTheEdgesOfTheirRangesAreTaken)
{
    const ProgressSample sample = ProgressSample::fromQueryMigrate(
        json::parse(R"({"status": "active", "expected-downtime": 18446744073709551615,
                        "cpu-throttle-percentage": 100, "total-time": 0,
                        "ram": {"mbps": 0, "dirty-pages-rate": 4503599627370495,
                                "page-size": 4096}})"),
        0);
    const migkit_progress p = sample.progress();
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, p.expected_downtime_ms);
    UNSIGNED_LONGLONGS_EQUAL(100, p.throttle_percent);
    UNSIGNED_LONGLONGS_EQUAL(4503599627370495ULL * 4096, p.dirty_rate_bytes_per_second);
    UNSIGNED_LONGLONGS_EQUAL(0, p.bandwidth_bytes_per_second);
}

/* A reply of @count scalars: members "v0", "v1", ... of an object "big". */
static json::Value replyWithValues(size_t count)
{
    json::Value::Object members;
    members.reserve(count);
    for (size_t i = 0; i < count; i++) {
        members.emplace_back("v" + std::to_string(i), json::Value(uint64_t(i)));
    }
    json::Value reply = json::Value::object();
    reply.set("big", json::Value(std::move(members)));
    return reply;
}

TEST(Statistics, FlattensAsManyValuesAsTheLimitAndStillReplacesDuplicates)
{
    json::Value reply = replyWithValues(kMaxStatisticsValues - 2);
    /* "big.v7" twice more: as a dotted name and in a second "big"; the last one wins and the
     * list keeps one entry for it, while the limit counts every scalar QEMU sent. */
    reply.set("big.v7", json::Value("dotted"));
    json::Value nested = json::Value::object();
    nested.set("v7", json::Value("nested"));
    json::Value::Object &top = reply.asObject();
    top.emplace_back("big", nested);
    ValueList list;
    flattenStatistics(list, reply, "");
    UNSIGNED_LONGS_EQUAL(kMaxStatisticsValues - 2, list.size());
    CHECK(std::get<std::string>(*list.find("big.v7")) == "nested");
    CHECK(std::get<uint64_t>(*list.find("big.v99")) == 99);
}

TEST(Statistics, MoreValuesThanTheLimitAreRefusedWithTheLimit)
{
    ValueList list;
    const std::string error = typeErrorOf(
        [&] { flattenStatistics(list, replyWithValues(kMaxStatisticsValues + 1), ""); });
    STRCMP_CONTAINS(std::to_string(kMaxStatisticsValues).c_str(), error.c_str());
    STRCMP_CONTAINS("values", error.c_str());
}
