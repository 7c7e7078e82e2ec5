/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plugin/action.h"

namespace migkit {

const char *actionKindName(Action::Kind kind)
{
    switch (kind) {
    case Action::Kind::SetDowntimeLimit:
        return "set-downtime-limit";
    case Action::Kind::SetBandwidth:
        return "set-bandwidth";
    case Action::Kind::SetThrottle:
        return "set-throttle";
    case Action::Kind::SetParameter:
        return "set-parameter";
    case Action::Kind::StartPostcopy:
        return "start-postcopy";
    case Action::Kind::PauseToComplete:
        return "pause-to-complete";
    case Action::Kind::Cancel:
        return "cancel";
    }
    return "unknown";
}

} // namespace migkit
