/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>

#include <memory>

namespace migkit {

/** ConnectionClose: deleter that drops one reference to a libvirt connection. */
struct ConnectionClose {
    void operator()(virConnectPtr connection) const { virConnectClose(connection); }
};

/** Connection: owns one reference to a libvirt connection (virConnectPtr). */
using Connection = std::unique_ptr<virConnect, ConnectionClose>;

/** DomainFree: deleter that drops one reference to a libvirt domain. */
struct DomainFree {
    void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};

/** Domain: owns one reference to a libvirt domain (virDomainPtr). */
using Domain = std::unique_ptr<virDomain, DomainFree>;

/** retainDomain: a new owning reference to @domain (libvirt hands borrowed ones to callbacks). */
inline Domain retainDomain(virDomainPtr domain)
{
    virDomainRef(domain);
    return Domain(domain);
}

/**
 * TypedParameters: an owned virTypedParameter array, as virDomainGetJobStats returns it or as
 * built with virTypedParamsAdd* for virDomainMigrateToURI3.  Freed with virTypedParamsFree.
 */
class TypedParameters {
public:
    TypedParameters() = default;
    ~TypedParameters() { virTypedParamsFree(params_, count_); }
    TypedParameters(const TypedParameters &) = delete;
    TypedParameters &operator=(const TypedParameters &) = delete;

    /** data, size: the array as libvirt reads it. */
    virTypedParameterPtr data() const { return params_; }
    int size() const { return count_; }

    /** Out-parameters for libvirt calls that fill or grow the array. */
    virTypedParameterPtr *dataOut() { return &params_; }
    int *sizeOut() { return &count_; }
    int *capacityOut() { return &capacity_; }

private:
    virTypedParameterPtr params_ = nullptr;
    int count_ = 0;
    int capacity_ = 0;
};

} // namespace migkit
