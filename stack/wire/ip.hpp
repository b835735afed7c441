// IPv4 (RFC 791, Router Alert RFC 2113) and IPv6 (RFC 8200, hop-by-hop Router Alert
// RFC 2711) headers, and Ethernet II with 802.1Q/802.1ad tags.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "stack/addr.hpp"
#include "stack/wire/bytes.hpp"
#include "stack/wire/errors.hpp"

namespace mcsim::wire {

inline constexpr std::uint8_t kProtoIgmp = 2;
inline constexpr std::uint8_t kProtoIcmpv6 = 58;
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;

struct Ipv4Header {
  std::uint8_t header_len = 20;  // bytes (IHL * 4)
  std::uint8_t tos = 0;
  std::uint16_t total_len = 0;
  std::uint16_t id = 0;
  bool df = false;
  bool mf = false;
  std::uint16_t frag_offset = 0;  // 8-byte units
  std::uint8_t ttl = 1;
  std::uint8_t protocol = 0;
  std::uint16_t checksum = 0;
  bool checksum_ok = false;
  Ipv4Addr src{};
  Ipv4Addr dst{};
  bool router_alert = false;            // option 148 present (RFC 2113 §2.1)
  std::uint16_t router_alert_value = 0;
  std::array<std::uint8_t, 20> option_types{};  // in order, for display
  std::uint8_t num_options = 0;
};

/// Parses an IPv4 datagram. `payload` receives the bytes after the header up to
/// Total Length (or to the end of the captured bytes when the datagram is cut, with
/// LengthMismatch added). Returns false when the header itself is unusable.
bool parse_ipv4(Bytes datagram, Ipv4Header& h, Bytes& payload, ErrorSet& errors);

/// Appends an IPv4 header + payload. Computes IHL, Total Length and checksum; adds the
/// Router Alert option (94 04 00 00, RFC 2113) when h.router_alert is set.
void emit_ipv4(const Ipv4Header& h, Bytes payload, std::vector<std::uint8_t>& out);

struct Ipv6Header {
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;
  std::uint16_t payload_len = 0;
  std::uint8_t next_header = 0;   // first next header (0 = hop-by-hop)
  std::uint8_t hop_limit = 1;
  Ipv6Addr src{};
  Ipv6Addr dst{};
  bool router_alert = false;      // hop-by-hop option type 5 (RFC 2711 §2.1)
  std::uint16_t router_alert_value = 0;
  std::uint8_t upper_protocol = 0;  // protocol after all extension headers
  std::array<std::uint8_t, 8> ext_headers{};
  std::uint8_t num_ext = 0;
  std::array<std::uint8_t, 8> hbh_option_types{};
  std::uint8_t num_hbh_options = 0;
  bool fragment = false;          // a Fragment header with offset != 0 or M = 1 (RFC 8200 §4.5)
  std::uint16_t frag_offset = 0;  // Fragment Offset in 8-byte units (non-zero: no upper-layer header)
};

/// Parses an IPv6 datagram and walks its extension headers (RFC 8200 §4). `upper`
/// receives the upper-layer bytes. Returns false when no upper layer can be reached.
bool parse_ipv6(Bytes datagram, Ipv6Header& h, Bytes& upper, ErrorSet& errors);

/// Appends an IPv6 header (+ hop-by-hop header with Router Alert value 0 and PadN when
/// h.router_alert, RFC 2711 / RFC 9777 §5) + upper-layer payload with protocol `upper_protocol`.
void emit_ipv6(const Ipv6Header& h, std::uint8_t upper_protocol, Bytes upper, std::vector<std::uint8_t>& out);

struct EthernetHeader {
  MacAddr dst{};
  MacAddr src{};
  std::uint16_t ethertype = 0;  // after any VLAN tags
  std::array<std::uint16_t, 2> vlan_tci{};
  std::uint8_t num_vlans = 0;
};

/// Parses Ethernet II with up to two 802.1Q / 802.1ad tags.
bool parse_ethernet(Bytes frame, EthernetHeader& h, Bytes& payload, ErrorSet& errors);
void emit_ethernet(const EthernetHeader& h, Bytes payload, std::vector<std::uint8_t>& out);

}  // namespace mcsim::wire
