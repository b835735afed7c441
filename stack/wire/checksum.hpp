// Internet checksum (RFC 1071) and the IPv6 upper-layer pseudo-header sum (RFC 8200 §8.1).
#pragma once

#include <cstdint>

#include "stack/addr.hpp"
#include "stack/wire/bytes.hpp"

namespace mcsim::wire {

/// Unfolded 32-bit ones-complement partial sum of `data` added to `sum`.
std::uint32_t checksum_add(std::uint32_t sum, Bytes data);
/// Folds a partial sum to 16 bits and complements it.
std::uint16_t checksum_finish(std::uint32_t sum);
/// RFC 1071 checksum of `data` (as used by IPv4 headers and IGMP, RFC 9776 §4.1.2).
inline std::uint16_t inet_checksum(Bytes data) { return checksum_finish(checksum_add(0, data)); }
/// Partial sum of the IPv6 pseudo-header: src, dst, upper-layer length, next header.
std::uint32_t ipv6_pseudo_header_sum(const Ipv6Addr& src, const Ipv6Addr& dst, std::uint32_t upper_len,
                                     std::uint8_t next_header);
/// ICMPv6 checksum over pseudo-header + message (RFC 4443 §2.3); the message's own checksum
/// field is included as it stands, so a valid message sums to 0.
std::uint16_t icmpv6_checksum(const Ipv6Addr& src, const Ipv6Addr& dst, Bytes message);

}  // namespace mcsim::wire
