// What differs between IGMP (IPv4) and MLD (IPv6) for the host engine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stack/addr.hpp"
#include "stack/time.hpp"
#include "stack/wire/codes.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/mld.hpp"

namespace mcsim::host {

struct Ipv4Traits {
  using Addr = Ipv4Addr;
  using Msg = wire::IgmpMessage;
  static constexpr const char* kProtocol = "IGMP";
  /// Host compatibility modes 1..3 (RFC 9776 §7.2.1); 3 is the source-filtering version.
  static constexpr std::uint8_t kMaxVersion = 3;
  static constexpr Addr kReportDst = ipv4::kIgmpv3Routers;  // RFC 9776 §4.2.14
  static constexpr Addr kLeaveDst = ipv4::kAllRouters;      // RFC 2236 §3
  static constexpr std::size_t kIpOverhead = 24;            // IPv4 header + Router Alert (RFC 9776 §4)
  static constexpr std::size_t kReportHeader = 8;           // RFC 9776 §4.2
  static constexpr std::size_t kRecordHeader = 8;           // RFC 9776 §4.2.4
  static constexpr std::size_t kAddrSize = 4;
  /// RFC 9776 §5: the all-systems group 224.0.0.1 is never reported.
  static bool never_reported(const Addr& g) { return g == ipv4::kAllSystems; }
  /// RFC 2236 §3 (leave) exists from IGMPv2 on; IGMPv1 hosts send none (RFC 9776 §7.2.1).
  static bool has_leave(std::uint8_t mode) { return mode >= 2; }
  static Msg older_report(std::uint8_t mode, const Addr& g) {
    return wire::igmp_simple(mode == 1 ? wire::igmp_type::kV1Report : wire::igmp_type::kV2Report, g);
  }
  static Msg leave(const Addr& g) { return wire::igmp_simple(wire::igmp_type::kV2Leave, g); }
  static Msg report() { return wire::igmpv3_report(); }
  /// Max Resp Time of a query for the version it is processed as. RFC 2236 §4: an IGMPv1
  /// query (code 0) means 10 s; IGMPv2 code in tenths; IGMPv3 RFC 9776 §4.1.1 float.
  static Duration max_resp(const Msg& q) {
    if (q.version == 1) return seconds(10);
    if (q.version == 2) return std::int64_t{q.max_resp_code} * 100 * kMs;
    return std::int64_t{wire::decode_code8(static_cast<std::uint8_t>(q.max_resp_code))} * 100 * kMs;
  }
};

struct Ipv6Traits {
  using Addr = Ipv6Addr;
  using Msg = wire::MldMessage;
  static constexpr const char* kProtocol = "MLD";
  /// Host compatibility modes 1..2 (RFC 9777 §8.2.1); 2 is the source-filtering version.
  static constexpr std::uint8_t kMaxVersion = 2;
  static constexpr Addr kReportDst = ipv6::kAllMldv2Routers;  // RFC 9777 §5.2.14
  static constexpr Addr kLeaveDst = ipv6::kAllRouters;        // RFC 2710 §3 (Done)
  static constexpr std::size_t kIpOverhead = 48;              // IPv6 header + hop-by-hop RA
  static constexpr std::size_t kReportHeader = 8;             // RFC 9777 §5.2
  static constexpr std::size_t kRecordHeader = 20;            // RFC 9777 §5.2.4
  static constexpr std::size_t kAddrSize = 16;
  /// RFC 9777 §6: no reports for ff02::1, nor for scopes 0 (reserved) and 1 (interface-local).
  static bool never_reported(const Addr& g) {
    return g == ipv6::kAllNodes || g.scope() <= McastScope::InterfaceLocal;
  }
  static bool has_leave(std::uint8_t) { return true; }  // MLDv1 has Done (RFC 2710 §4)
  static Msg older_report(std::uint8_t, const Addr& g) { return wire::mld_simple(wire::mld_type::kV1Report, g); }
  static Msg leave(const Addr& g) { return wire::mld_simple(wire::mld_type::kV1Done, g); }
  static Msg report() { return wire::mldv2_report(); }
  /// RFC 2710 §3.4 (ms) / RFC 9777 §5.1.3 (float, ms).
  static Duration max_resp(const Msg& q) {
    if (q.version == 1) return std::int64_t{q.max_resp_code} * kMs;
    return std::int64_t{wire::decode_code16(q.max_resp_code)} * kMs;
  }
};

}  // namespace mcsim::host
