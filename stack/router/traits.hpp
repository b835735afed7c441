// What differs between IGMP (IPv4) and MLD (IPv6) for the router/querier engine.
#pragma once

#include <algorithm>
#include <bit>
#include <cstring>
#include <cstdint>
#include <span>

#include "stack/addr.hpp"
#include "stack/time.hpp"
#include "stack/wire/codes.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/mld.hpp"

namespace mcsim::router {

// The same order as the addresses' operator< (bytes, big-endian), as integer compares: the
// defaulted <=> over std::array goes through memcmp, which dominated the router's profile.
inline bool fast_less(const Ipv4Addr& a, const Ipv4Addr& b) { return a.to_u32() < b.to_u32(); }
inline std::uint64_t be64_at(const Ipv6Addr& x, std::size_t off) {
#if defined(__GNUC__) || defined(__clang__)
  std::uint64_t v;
  std::memcpy(&v, x.b.data() + off, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
#else
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | x.b[off + i];
  return v;
#endif
}
inline bool fast_less(const Ipv6Addr& a, const Ipv6Addr& b) {
  const std::uint64_t ah = be64_at(a, 0), bh = be64_at(b, 0);
  return ah != bh ? ah < bh : be64_at(a, 8) < be64_at(b, 8);
}
struct FastLess {
  template <class A>
  bool operator()(const A& a, const A& b) const { return fast_less(a, b); }
};

struct RouterIpv4Traits {
  using Addr = Ipv4Addr;
  using Msg = wire::IgmpMessage;
  static constexpr const char* kProtocol = "IGMP";
  /// Router versions 1..3; 3 is the source-filtering version (RFC 9776 §7.3).
  static constexpr std::uint8_t kMaxVersion = 3;
  static constexpr Addr kGeneralQueryDst = ipv4::kAllSystems;  // RFC 9776 §4.1.12

  /// RFC 9776 §6.6.2 / RFC 2236 §3: the querier is the router with the lowest IP address.
  static bool lower(const Addr& a, const Addr& b) { return a.to_u32() < b.to_u32(); }
  /// A source from which a query takes part in the election. RFC 4541 §2.1.1 (snooping
  /// "proxy" queries use 0.0.0.0); such queries never win an election.
  static bool election_source(const Addr& s) { return !s.is_unspecified(); }
  /// RFC 9776 §4.2.13: reports from 0.0.0.0 MUST be accepted; multicast, broadcast and
  /// loopback sources cannot belong to the attached network (RFC 9776 §9.2).
  static bool valid_report_source(const Addr& s, bool /*accept_unspecified*/) {
    return !s.is_multicast() && !s.is_broadcast() && !s.is_loopback();
  }
  static bool valid_query_source(const Addr& s) {
    return !s.is_multicast() && !s.is_broadcast() && !s.is_loopback();
  }
  /// RFC 9776 §7.3.2: IGMPv1 has no Leave (and no group-specific queries, RFC 1112).
  static bool has_leave(std::uint8_t version) { return version >= 2; }
  /// RFC 9777 §7.2 requires Router Alert on every MLD message; IGMP checks it on reports
  /// only (RFC 9776 §9.2, §9.3).
  static constexpr bool kRouterAlertOnQueries = false;

  /// Max Resp Code for `d` in the form of `version`: IGMPv1 0 (RFC 1112 App. I), IGMPv2
  /// tenths of a second (RFC 2236 §2.2), IGMPv3 the §4.1.1 float (next lower value).
  static std::uint8_t resp_code(std::uint8_t version, Duration d) {
    const auto tenths = static_cast<std::uint32_t>(std::max<Duration>(0, d / (100 * kMs)));
    if (version == 1) return 0;
    if (version == 2) return static_cast<std::uint8_t>(std::min<std::uint32_t>(tenths, 255));
    return wire::encode_code8(tenths);
  }
  static Msg query(std::uint8_t version, const Addr& group, Duration max_resp, bool s_flag, std::uint8_t qrv,
                   Duration qqi, std::span<const Addr> sources) {
    // RFC 9776 §4.1.6: QRV above 7 is sent as 0; §4.1.7 QQIC from the Query Interval in seconds.
    const std::uint8_t q = qrv > 7 ? 0 : qrv;
    const auto qqic = wire::encode_qqic(static_cast<std::uint32_t>(qqi / kSec));
    if (version < kMaxVersion) return wire::igmp_query(version, group, resp_code(version, max_resp));  // 8 bytes
    return wire::igmp_query(version, group, resp_code(version, max_resp), s_flag, q, qqic, sources);
  }
  /// IGMPv3 query Max Resp Time (tenths, RFC 9776 §4.1.1).
  static Duration max_resp(const Msg& q) {
    if (q.version == 1) return seconds(10);  // RFC 2236 §4
    if (q.version == 2) return std::int64_t{q.max_resp_code} * 100 * kMs;
    return std::int64_t{wire::decode_code8(static_cast<std::uint8_t>(q.max_resp_code))} * 100 * kMs;
  }
};

struct RouterIpv6Traits {
  using Addr = Ipv6Addr;
  using Msg = wire::MldMessage;
  static constexpr const char* kProtocol = "MLD";
  /// Router versions 1..2 (RFC 9777 §8.3); 2 is the source-filtering version.
  static constexpr std::uint8_t kMaxVersion = 2;
  static constexpr Addr kGeneralQueryDst = ipv6::kAllNodes;  // RFC 9777 §5.1.15

  /// RFC 9777 §7.6.2: A is lower than B when its interface ID (last 64 bits) is lower.
  static bool lower(const Addr& a, const Addr& b) {
    return std::lexicographical_compare(a.b.begin() + 8, a.b.end(), b.b.begin() + 8, b.b.end());
  }
  static bool election_source(const Addr& s) { return s.is_link_local_unicast(); }
  /// RFC 9777 §5.2.13: routers silently discard reports not sent from a valid link-local
  /// address, and also those sent from :: (unless the configuration opts in).
  static bool valid_report_source(const Addr& s, bool accept_unspecified) {
    return s.is_link_local_unicast() || (accept_unspecified && s.is_unspecified());
  }
  /// RFC 9777 §5.1.14: queries from :: or a non-link-local address are discarded.
  static bool valid_query_source(const Addr& s) { return s.is_link_local_unicast(); }
  /// MLDv1 has Done and address-specific queries (RFC 2710 §4).
  static bool has_leave(std::uint8_t) { return true; }
  static constexpr bool kRouterAlertOnQueries = true;

  /// Maximum Response Code for `d`: MLDv1 milliseconds (RFC 2710 §3.4), MLDv2 §5.1.3 float.
  static std::uint16_t resp_code(std::uint8_t version, Duration d) {
    const auto msv = static_cast<std::uint32_t>(std::max<Duration>(0, d / kMs));
    if (version == 1) return static_cast<std::uint16_t>(std::min<std::uint32_t>(msv, 0xFFFF));
    return wire::encode_code16(msv);
  }
  static Msg query(std::uint8_t version, const Addr& group, Duration max_resp, bool s_flag, std::uint8_t qrv,
                   Duration qqi, std::span<const Addr> sources) {
    // RFC 9777 §5.1.8: QRV above 7 is sent as 0; §5.1.9 QQIC in seconds.
    const std::uint8_t q = qrv > 7 ? 0 : qrv;
    const auto qqic = wire::encode_qqic(static_cast<std::uint32_t>(qqi / kSec));
    if (version < kMaxVersion) return wire::mld_query(version, group, resp_code(version, max_resp));  // RFC 2710 §3
    return wire::mld_query(version, group, resp_code(version, max_resp), s_flag, q, qqic, sources);
  }
  static Duration max_resp(const Msg& q) {
    if (q.version == 1) return std::int64_t{q.max_resp_code} * kMs;
    return std::int64_t{wire::decode_code16(q.max_resp_code)} * kMs;
  }
};

}  // namespace mcsim::router
