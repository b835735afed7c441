// MLDv1 (RFC 2710) and MLDv2 (RFC 9777) message codec (ICMPv6 types 130/131/132/143).
#pragma once

#include <cstdint>
#include <vector>

#include "stack/wire/bytes.hpp"
#include "stack/wire/message.hpp"

namespace mcsim::wire {

namespace mld_type {
inline constexpr std::uint8_t kQuery = 130;     // RFC 9777 §5.1
inline constexpr std::uint8_t kV1Report = 131;  // RFC 2710 §3
inline constexpr std::uint8_t kV1Done = 132;    // RFC 2710 §3
inline constexpr std::uint8_t kV2Report = 143;  // RFC 9777 §5.2
}  // namespace mld_type

constexpr bool is_mld_type(std::uint8_t t) {
  return t == mld_type::kQuery || t == mld_type::kV1Report || t == mld_type::kV1Done || t == mld_type::kV2Report;
}

/// Decodes an ICMPv6 MLD message (the upper-layer payload after all extension headers).
/// `src`/`dst` are the IPv6 addresses for the pseudo-header checksum (RFC 4443 §2.3).
/// Same contract as decode_igmp.
bool decode_mld(Bytes icmp, const Ipv6Addr& src, const Ipv6Addr& dst, MldMessage& out);

/// Appends the encoded message, computing the ICMPv6 checksum with src/dst.
/// Queries are encoded in the form of `msg.version` (1: 24 bytes; 2: with sources).
void encode_mld(const MldMessage& msg, const Ipv6Addr& src, const Ipv6Addr& dst, std::vector<std::uint8_t>& out);

/// Maximum Response Delay in ms: MLDv1 raw (RFC 2710 §3.4), MLDv2 RFC 9777 §5.1.3 float.
std::uint32_t mld_max_resp_ms(const MldMessage& msg);

MldMessage mld_query(std::uint8_t version, Ipv6Addr group, std::uint16_t max_resp_code, bool s_flag = false,
                     std::uint8_t qrv = 0, std::uint8_t qqic = 0, std::span<const Ipv6Addr> sources = {});
MldMessage mld_simple(std::uint8_t type, Ipv6Addr group);
MldMessage mldv2_report();

}  // namespace mcsim::wire
