// IGMPv1 (RFC 1112), IGMPv2 (RFC 2236) and IGMPv3 (RFC 9776) message codec.
#pragma once

#include <cstdint>
#include <vector>

#include "stack/wire/bytes.hpp"
#include "stack/wire/message.hpp"

namespace mcsim::wire {

namespace igmp_type {
inline constexpr std::uint8_t kQuery = 0x11;       // RFC 9776 §4.1
inline constexpr std::uint8_t kV1Report = 0x12;    // RFC 1112 App. I
inline constexpr std::uint8_t kDvmrp = 0x13;       // RFC 1075
inline constexpr std::uint8_t kPimV1 = 0x14;
inline constexpr std::uint8_t kV2Report = 0x16;    // RFC 2236 §2.1
inline constexpr std::uint8_t kV2Leave = 0x17;     // RFC 2236 §2.1
inline constexpr std::uint8_t kMtraceResponse = 0x1E;
inline constexpr std::uint8_t kMtrace = 0x1F;
inline constexpr std::uint8_t kV3Report = 0x22;    // RFC 9776 §4.2
inline constexpr std::uint8_t kRgmpLeave = 0xFC;   // RFC 3488 §3
inline constexpr std::uint8_t kRgmpJoin = 0xFD;
inline constexpr std::uint8_t kRgmpBye = 0xFE;
inline constexpr std::uint8_t kRgmpHello = 0xFF;
}  // namespace igmp_type

/// Decodes the IP payload of an IP-protocol-2 datagram into `out` (reused; cleared first).
/// Returns true when `out` holds a usable message (malformations that leave it usable, such
/// as a bad checksum or trailing bytes, are in out.errors); false when it could not be
/// decoded (out.errors says why). Never reads outside `payload`.
bool decode_igmp(Bytes payload, IgmpMessage& out);

/// Appends the encoded message to `out`, computing the checksum (RFC 9776 §4.1.2).
/// Queries are encoded in the form of `msg.version` (1, 2: 8 bytes; 3: with sources).
void encode_igmp(const IgmpMessage& msg, std::vector<std::uint8_t>& out);

/// Max Resp Time of a query or message in milliseconds, per its version:
/// IGMPv1 query: 0 (the field is unused; RFC 2236 §4 treats it as 10 s);
/// IGMPv2: code in tenths (RFC 2236 §2.2); IGMPv3: RFC 9776 §4.1.1 float.
std::uint32_t igmp_max_resp_ms(const IgmpMessage& msg);

/// Builders for tests and engines.
IgmpMessage igmp_query(std::uint8_t version, Ipv4Addr group, std::uint8_t max_resp_code, bool s_flag = false,
                       std::uint8_t qrv = 0, std::uint8_t qqic = 0, std::span<const Ipv4Addr> sources = {});
IgmpMessage igmp_simple(std::uint8_t type, Ipv4Addr group, std::uint8_t code = 0);
IgmpMessage igmpv3_report();

}  // namespace mcsim::wire
