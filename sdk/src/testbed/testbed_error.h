/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdexcept>
#include <string>

namespace migkit::testbed {

/**
 * TestbedError: the test bed could not do what was asked: QEMU did not start or exited, the
 * guest console closed or did not answer in time, the guest image is missing.  The message
 * names the thing (binary, socket, image path) and says what to try.
 */
class TestbedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace migkit::testbed
