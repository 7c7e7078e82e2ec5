/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <migkit/policy.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace migkit::policies {

/** kGiB: bytes in a GiB. */
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
/** kMiB: bytes in a MiB. */
constexpr double kMiB = 1024.0 * 1024.0;

/**
 * predictedDowntimeMs: the stun migkit-patched QEMU predicts from its dirty-heat model, when
 * the progress sample carries it.  The patch names it "dirty-heat.predicted-downtime-ms";
 * "heat.predicted-downtime-ms" is the short name plugin.h listed first, also accepted.
 */
inline std::optional<uint64_t> predictedDowntimeMs(const Progress &progress)
{
    if (auto ms = progress.extra<uint64_t>("dirty-heat.predicted-downtime-ms"))
        return ms;
    return progress.extra<uint64_t>("heat.predicted-downtime-ms");
}

/** patchedFeatures: what the plan input says migkit-patched QEMU offers on the source. */
struct PatchedFeatures {
    bool dirtyHeat = false;
    bool predictiveAutoConverge = false;
};

/** detectPatchedFeatures: read the facts "source.capability.dirty-heat" and
 *  "source.parameter.auto-converge-mode" (present only on migkit-patched QEMU). */
inline PatchedFeatures detectPatchedFeatures(const PlanInput &input)
{
    PatchedFeatures features;
    features.dirtyHeat = input.fact<bool>("source.capability.dirty-heat").value_or(false);
    features.predictiveAutoConverge = input.facts().has("source.parameter.auto-converge-mode");
    return features;
}

/** postcopyPossible: whether neither side's facts say post-copy is unavailable. */
inline bool postcopyPossible(const PlanInput &input)
{
    return input.fact<bool>("source.capability.postcopy-ram").value_or(true) &&
           input.fact<bool>("destination.capability.postcopy-ram").value_or(true);
}

/** mib: @bytes in MiB, as text with one decimal. */
inline std::string mib(double bytes)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f MiB", bytes / kMiB);
    return text;
}

/** seconds: @ms as seconds, as text with one decimal. */
inline std::string seconds(double ms)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f s", ms / 1000.0);
    return text;
}

} // namespace migkit::policies
