// lease-dump: print a cluster-lease area (format version 1, docs/lease-driver.md) and check
// its owner history.  An independent decoder of the on-disk format: the tests read what the
// QEMU driver wrote with it, so a mismatch between the documented format and the driver
// shows up as a failure.
//
//   lease-dump FILE              one line per slot and per history event
//   lease-dump --check FILE      also verify the history: one holder per generation; every
//                                hand-off/release ends before the next generation starts; no
//                                owner resumes a generation after another slot took a newer
//                                one; no slot's history goes back to an older generation

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace migkit {
namespace {

constexpr std::size_t kBlock = 4096;
constexpr std::size_t kCrcOffset = kBlock - 4;
constexpr std::size_t kHistoryOffset = 512;
constexpr std::size_t kHistoryLength = 111;
constexpr std::size_t kEventSize = 32;

/// Little-endian field of a block.
template <typename T>
T field(const std::uint8_t *block, std::size_t offset)
{
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        value |= static_cast<T>(block[offset + i]) << (8 * i);
    }
    return value;
}

/// CRC-32C (Castagnoli) as QEMU's crc32c(0xffffffff, ...) computes it.
std::uint32_t crc32c(const std::uint8_t *data, std::size_t length)
{
    std::uint32_t crc = 0xffffffff;
    for (std::size_t i = 0; i < length; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

/// One owner change recorded in a slot's history ring.
struct LeaseEvent {
    std::uint32_t host_id;
    std::uint64_t generation;
    std::uint64_t wall_clock_ns;
    std::uint64_t heartbeat;
    std::uint32_t type;
    std::uint32_t peer;
};

constexpr std::array<std::string_view, 9> kEventNames = {"?",          "acquired", "taken-over",
                                                         "handed-off", "received", "reclaimed",
                                                         "released",   "lost",     "resumed"};
constexpr std::array<std::string_view, 4> kStateNames = {"free", "acquiring", "owner",
                                                         "handed-off"};

std::string_view event_name(std::uint32_t type)
{
    return type < kEventNames.size() ? kEventNames[type] : "?";
}

constexpr std::uint32_t kEventResumed = 8;

bool starts_generation(std::uint32_t type)
{
    return type == 1 || type == 2 || type == 4 || type == 5;
}

// Orderly ends only: "lost" is when a fenced owner noticed the newer generation, after it.
bool ends_generation(std::uint32_t type)
{
    return type == 3 || type == 6;
}

/// Reads the whole lease area; exits with a message when it cannot.
std::vector<std::uint8_t> read_area(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open lease area '" + path + "'");
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int run(int argc, char **argv)
{
    bool check = false;
    std::string path;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--check") {
            check = true;
        } else if (path.empty()) {
            path = arg;
        } else {
            std::cerr << "lease-dump: error: unexpected argument '" << arg << "'\n";
            return 2;
        }
    }
    if (path.empty()) {
        std::cerr << "usage: lease-dump [--check] LEASE-AREA-FILE\n";
        return 2;
    }

    const auto area = read_area(path);
    if (area.size() < 2 * kBlock) {
        std::cerr << "lease-dump: error: '" << path << "' is smaller than 8 KiB\n";
        return 1;
    }
    const std::uint8_t *header = area.data();
    if (std::memcmp(header, "QLEASEHD", 8) != 0 ||
        field<std::uint32_t>(header, kCrcOffset) != crc32c(header, kCrcOffset)) {
        std::cerr << "lease-dump: error: '" << path << "' has no valid lease area header\n";
        return 1;
    }
    const auto slots = field<std::uint32_t>(header, 16);
    std::cout << "header version=" << field<std::uint32_t>(header, 8) << " slots=" << slots << "\n";

    std::vector<LeaseEvent> events;
    // Found while reading the slots, reported by --check: a ring in the order its events were
    // recorded whose generation drops (two incarnations writing one slot, or a slot that was
    // zeroed under a live owner)
    std::vector<std::string> slot_violations;
    bool corrupt = false;
    for (std::uint32_t id = 1; id <= slots && (id + 1) * kBlock <= area.size(); ++id) {
        const std::uint8_t *slot = area.data() + id * kBlock;
        if (std::all_of(slot, slot + kBlock, [](std::uint8_t b) { return b == 0; })) {
            continue;
        }
        if (std::memcmp(slot, "QLEASESL", 8) != 0 ||
            field<std::uint32_t>(slot, kCrcOffset) != crc32c(slot, kCrcOffset)) {
            std::cout << "slot " << id << " corrupt\n";
            corrupt = true;
            continue;
        }
        const auto state = field<std::uint32_t>(slot, 40);
        std::string name(reinterpret_cast<const char *>(slot + 72), 64);
        name.resize(std::strlen(name.c_str()));
        std::cout << "slot " << id << " host=" << name << " pid=" << field<std::uint32_t>(slot, 64)
                  << " state=" << (state < kStateNames.size() ? kStateNames[state] : "?")
                  << " generation=" << field<std::uint64_t>(slot, 24)
                  << " heartbeat=" << field<std::uint64_t>(slot, 32)
                  << " lease-timeout=" << field<std::uint32_t>(slot, 44)
                  << " renew-interval=" << field<std::uint32_t>(slot, 48)
                  << " peer=" << field<std::uint32_t>(slot, 52) << "\n";
        const auto recorded = field<std::uint32_t>(slot, 68);
        const auto first = recorded > kHistoryLength ? recorded - kHistoryLength : 0;
        std::uint64_t newest_so_far = 0;
        for (std::uint32_t n = first; n < recorded; ++n) {
            const std::uint8_t *e = slot + kHistoryOffset + (n % kHistoryLength) * kEventSize;
            const LeaseEvent event{id,
                                   field<std::uint64_t>(e, 0),
                                   field<std::uint64_t>(e, 8),
                                   field<std::uint64_t>(e, 16),
                                   field<std::uint32_t>(e, 24),
                                   field<std::uint32_t>(e, 28)};
            if (event.generation < newest_so_far) {
                slot_violations.push_back(
                    "violation: slot " + std::to_string(id) + " goes back from generation " +
                    std::to_string(newest_so_far) + " to generation " +
                    std::to_string(event.generation) + " (event " + std::to_string(n) + ", " +
                    std::string(event_name(event.type)) + ")");
            }
            newest_so_far = std::max(newest_so_far, event.generation);
            events.push_back(event);
        }
    }

    std::sort(events.begin(), events.end(), [](const LeaseEvent &a, const LeaseEvent &b) {
        return a.generation != b.generation ? a.generation < b.generation
                                            : a.wall_clock_ns < b.wall_clock_ns;
    });
    for (const auto &e : events) {
        std::printf("event generation=%llu host=%u %s peer=%u wall=%.6f heartbeat=%llu\n",
                    static_cast<unsigned long long>(e.generation), e.host_id,
                    std::string(event_name(e.type)).c_str(), e.peer, e.wall_clock_ns / 1e9,
                    static_cast<unsigned long long>(e.heartbeat));
    }
    if (!check) {
        return corrupt ? 1 : 0;
    }

    // One holder per generation; a generation that was handed off or released ends before
    // the next one starts (wall clocks of one host in the tests: a test-only comparison).
    int violations = corrupt ? 1 : 0;
    for (const auto &message : slot_violations) {
        std::printf("%s\n", message.c_str());
        ++violations;
    }
    std::map<std::uint64_t, const LeaseEvent *> start_of;
    for (const auto &e : events) {
        if (!starts_generation(e.type)) {
            continue;
        }
        if (auto [it, fresh] = start_of.emplace(e.generation, &e); !fresh) {
            std::printf("violation: generation %llu started by host %u and host %u\n",
                        static_cast<unsigned long long>(e.generation), it->second->host_id,
                        e.host_id);
            ++violations;
        }
    }
    for (const auto &e : events) {
        if (!ends_generation(e.type)) {
            continue;
        }
        auto next = start_of.upper_bound(e.generation);
        if (next != start_of.end() && next->second->wall_clock_ns < e.wall_clock_ns &&
            start_of.count(e.generation) && start_of[e.generation]->host_id == e.host_id) {
            std::printf("violation: generation %llu of host %u ended after generation %llu "
                        "started\n",
                        static_cast<unsigned long long>(e.generation), e.host_id,
                        static_cast<unsigned long long>(next->first));
            ++violations;
        }
    }
    // A fenced owner may resume only if nobody took the disk meanwhile: a newer generation
    // started in another slot before the resumption means two owners (wall clocks of one
    // host in the tests, as above)
    for (const auto &resumed : events) {
        if (resumed.type != kEventResumed) {
            continue;
        }
        const auto newer = std::find_if(events.begin(), events.end(), [&](const LeaseEvent &e) {
            return starts_generation(e.type) && e.host_id != resumed.host_id &&
                   e.generation > resumed.generation && e.wall_clock_ns < resumed.wall_clock_ns;
        });
        if (newer != events.end()) {
            std::printf("violation: host %u resumed generation %llu at %.6f after host %u took "
                        "generation %llu at %.6f\n",
                        resumed.host_id, static_cast<unsigned long long>(resumed.generation),
                        resumed.wall_clock_ns / 1e9, newer->host_id,
                        static_cast<unsigned long long>(newer->generation),
                        newer->wall_clock_ns / 1e9);
            ++violations;
        }
    }
    std::printf("history %s: %zu generations, %d violations\n", violations ? "BAD" : "ok",
                start_of.size(), violations);
    return violations ? 1 : 0;
}

} // namespace
} // namespace migkit

int main(int argc, char **argv)
{
    try {
        return migkit::run(argc, argv);
    } catch (const std::exception &error) {
        std::cerr << "lease-dump: error: " << error.what() << "\n";
        return 1;
    }
}
