// A whole IGMP/MLD packet: IP header(s) + message, decoded from an IP datagram or an
// Ethernet frame, and built back into frames.
#pragma once

#include <cstdint>
#include <vector>

#include "stack/wire/igmp.hpp"
#include "stack/wire/ip.hpp"
#include "stack/wire/mld.hpp"

namespace mcsim::wire {

enum class PacketProto : std::uint8_t { None, Igmp, Mld };

/// Reusable decode target: decoding into the same value again allocates nothing once its
/// vectors have grown to the largest message seen.
struct DecodedPacket {
  Family family = Family::V4;
  PacketProto proto = PacketProto::None;
  Ipv4Header ip4;
  Ipv6Header ip6;
  IgmpMessage igmp;
  MldMessage mld;
  std::uint32_t ip_payload_len = 0;  // bytes of IP (upper-layer) payload present
  bool usable = false;               // the message decoded (errors may still be present)
  ErrorSet errors;                   // IP-level and message-level malformations

  bool is_membership_message() const {
    if (proto == PacketProto::Igmp) return igmp.kind != MsgKind::Other;
    if (proto == PacketProto::Mld) return mld.kind != MsgKind::Other;
    return false;
  }
};

/// Decodes an IP datagram. Returns false when it does not carry IGMP (IP protocol 2) or
/// MLD (ICMPv6 130/131/132/143); otherwise true, with out.usable telling whether the
/// message itself decoded.
bool decode_ip_datagram(Bytes datagram, DecodedPacket& out);

/// Decodes an Ethernet II frame (IPv4/IPv6, VLAN tags skipped).
bool decode_ethernet_frame(Bytes frame, DecodedPacket& out);

/// Builds a complete IPv4 datagram carrying `msg` as a host/router sends it
/// (RFC 9776 §4: TTL 1, Router Alert, TOS 0xC0 by default through `ip`).
void build_igmp_datagram(const Ipv4Header& ip, const IgmpMessage& msg, std::vector<std::uint8_t>& out);
/// Builds a complete IPv6 datagram carrying `msg` (RFC 9777 §5: hop limit 1, hop-by-hop RA).
void build_mld_datagram(const Ipv6Header& ip, const MldMessage& msg, std::vector<std::uint8_t>& out);
/// Wraps a datagram in Ethernet II to the multicast MAC of its destination (RFC 1112 §6.4,
/// RFC 2464 §7); frames shorter than 60 bytes are padded with zeros (IEEE 802.3 minimum).
void build_ethernet_for(const MacAddr& src, Bytes datagram, std::vector<std::uint8_t>& out);
/// The same in place: `frame` holds 14 bytes of room (at least) followed by the datagram;
/// the Ethernet header goes into the room and the frame is padded to 60 bytes. Saves the
/// copy of the datagram when it was built straight into the frame.
void fill_ethernet_for(const MacAddr& src, std::vector<std::uint8_t>& frame);

/// Max Resp Time of a query in ms, one name for both families (for code templated on the
/// address type): igmp_max_resp_ms (RFC 2236 §2.2, RFC 9776 §4.1.1; IGMPv1: 0) and
/// mld_max_resp_ms (RFC 2710 §3.4, RFC 9777 §5.1.3).
inline std::uint32_t max_resp_ms(const IgmpMessage& m) { return igmp_max_resp_ms(m); }
inline std::uint32_t max_resp_ms(const MldMessage& m) { return mld_max_resp_ms(m); }

/// Default IPv4 header for IGMP messages: TTL 1, TOS 0xC0, Router Alert (RFC 9776 §4).
Ipv4Header igmp_ip_header(Ipv4Addr src, Ipv4Addr dst);
/// Default IPv6 header for MLD messages: hop limit 1, Router Alert (RFC 9777 §5).
Ipv6Header mld_ip_header(Ipv6Addr src, Ipv6Addr dst);

}  // namespace mcsim::wire
