// SPDX-License-Identifier: MIT
// The smallest useful policy: from the fourth pass on, double the downtime limit each pass.
#include <algorithm>
#include <migkit/policy.hpp>

class DoublingPolicy : public migkit::Policy {
public:
    void plan(const migkit::PlanInput &, migkit::Plan &plan) override
    {
        limit_ = plan.downtimeLimit();
    }

    void onIteration(const migkit::Progress &progress) override
    {
        const std::chrono::milliseconds ceiling(settings().get<uint64_t>("max-downtime-ms"));
        if (progress.iteration() <= 3 || progress.iteration() == lastPass_ || limit_ >= ceiling)
            return;
        lastPass_ = progress.iteration();
        limit_ = std::min(limit_ * 2, ceiling);
        actions().setDowntimeLimit(limit_, "pass " + std::to_string(lastPass_) + ": doubling");
    }

private:
    std::chrono::milliseconds limit_{300};
    uint64_t lastPass_ = 0;
};

MIGKIT_POLICY(DoublingPolicy, "minimal", "1.0", "MIT",
              "Doubles the downtime limit each pass after the third",
              migkit::Setting::uint64("max-downtime-ms", "2000", "never allow more than this"))
