/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string>
#include <vector>

namespace migkit::testbed {

/**
 * guestImageCandidates: where the verifiable guest's ELF may be, in search order:
 * $MIGKIT_GUEST_IMAGE, the build tree's tests/guest/guest.elf (only while libmigkit runs from
 * its build tree), then DATADIR/migkit/guest.elf.
 */
std::vector<std::string> guestImageCandidates();

/**
 * locateGuestImage: the first candidate that is a file.  Throws TestbedError listing the
 * places tried and how to fix it (build tests/guest, install, or set MIGKIT_GUEST_IMAGE).
 * A MIGKIT_GUEST_IMAGE that names a missing file is an error, not skipped.
 */
std::string locateGuestImage();

} // namespace migkit::testbed
