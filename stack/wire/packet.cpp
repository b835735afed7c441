#include "stack/wire/packet.hpp"

#include <algorithm>

namespace mcsim::wire {

bool decode_ip_datagram(Bytes d, DecodedPacket& out) {
  out.proto = PacketProto::None;
  out.usable = false;
  out.errors.clear();
  out.ip_payload_len = 0;
  if (d.empty()) return false;
  const unsigned version = d[0] >> 4;
  if (version == 4) {
    out.family = Family::V4;
    Bytes payload;
    if (!parse_ipv4(d, out.ip4, payload, out.errors)) return false;
    if (out.ip4.protocol != kProtoIgmp) return false;
    out.proto = PacketProto::Igmp;
    out.ip_payload_len = static_cast<std::uint32_t>(payload.size());
    if (out.ip4.frag_offset != 0) {  // a later fragment: no IGMP header here
      out.igmp.clear();
      return true;
    }
    out.usable = decode_igmp(payload, out.igmp);
    out.errors.merge(out.igmp.errors);
    // RFC 9776 §4 / RFC 2236 §2: membership messages are sent with IP TTL 1.
    if (out.usable && out.igmp.kind != MsgKind::Other && out.ip4.ttl != 1) out.errors.add(WireError::BadTtl);
    return true;
  }
  if (version == 6) {
    out.family = Family::V6;
    Bytes upper;
    if (!parse_ipv6(d, out.ip6, upper, out.errors)) return false;
    if (out.ip6.upper_protocol != kProtoIcmpv6 || upper.empty() || !is_mld_type(upper[0])) return false;
    out.proto = PacketProto::Mld;
    out.ip_payload_len = static_cast<std::uint32_t>(upper.size());
    out.usable = decode_mld(upper, out.ip6.src, out.ip6.dst, out.mld);
    out.errors.merge(out.mld.errors);
    // RFC 9777 §5: MLD messages are sent with hop limit 1.
    if (out.usable && out.ip6.hop_limit != 1) out.errors.add(WireError::BadTtl);
    return true;
  }
  return false;
}

bool decode_ethernet_frame(Bytes frame, DecodedPacket& out) {
  // Reset first so a reused DecodedPacket never reports the previous frame's message or errors.
  out.proto = PacketProto::None;
  out.usable = false;
  out.errors.clear();
  out.ip_payload_len = 0;
  EthernetHeader eth;
  Bytes payload;
  if (!parse_ethernet(frame, eth, payload, out.errors)) return false;  // e.g. Truncated tag
  if (eth.ethertype != kEtherTypeIpv4 && eth.ethertype != kEtherTypeIpv6) return false;
  return decode_ip_datagram(payload, out);
}

void build_igmp_datagram(const Ipv4Header& ip, const IgmpMessage& msg, std::vector<std::uint8_t>& out) {
  std::vector<std::uint8_t> payload;
  payload.reserve(64);  // one allocation for most messages, not one per doubling
  encode_igmp(msg, payload);
  out.reserve(out.size() + 24 + payload.size());  // IPv4 header with Router Alert
  Ipv4Header h = ip;
  h.protocol = kProtoIgmp;
  emit_ipv4(h, payload, out);
}

void build_mld_datagram(const Ipv6Header& ip, const MldMessage& msg, std::vector<std::uint8_t>& out) {
  std::vector<std::uint8_t> payload;
  payload.reserve(64);
  encode_mld(msg, ip.src, ip.dst, payload);
  out.reserve(out.size() + 48 + payload.size());  // IPv6 header and Hop-by-Hop header
  emit_ipv6(ip, kProtoIcmpv6, payload, out);
}

namespace {

/// The Ethernet header for datagram `d` from `src`: to the multicast MAC of its IPv4/IPv6
/// destination (RFC 1112 §6.4 / RFC 2464 §7).
EthernetHeader ethernet_header_for(const MacAddr& src, Bytes d) {
  EthernetHeader eth;
  eth.src = src;
  if (!d.empty() && (d[0] >> 4) == 6 && d.size() >= 40) {
    eth.ethertype = kEtherTypeIpv6;
    eth.dst = MacAddr::multicast_for(Ipv6Addr::from_bytes(d.data() + 24));
  } else {
    eth.ethertype = kEtherTypeIpv4;
    eth.dst = d.size() >= 20 ? MacAddr::multicast_for(Ipv4Addr::from_bytes(d.data() + 16)) : MacAddr{};
  }
  return eth;
}

}  // namespace

void build_ethernet_for(const MacAddr& src, Bytes d, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  out.reserve(start + std::max<std::size_t>(60, 14 + d.size()));
  emit_ethernet(ethernet_header_for(src, d), d, out);
  if (out.size() - start < 60) out.resize(start + 60, 0);
}

void fill_ethernet_for(const MacAddr& src, std::vector<std::uint8_t>& frame) {
  const EthernetHeader eth = ethernet_header_for(src, Bytes(frame.data() + 14, frame.size() - 14));
  std::copy(eth.dst.b.begin(), eth.dst.b.end(), frame.begin());
  std::copy(eth.src.b.begin(), eth.src.b.end(), frame.begin() + 6);
  frame[12] = static_cast<std::uint8_t>(eth.ethertype >> 8);
  frame[13] = static_cast<std::uint8_t>(eth.ethertype);
  if (frame.size() < 60) frame.resize(60, 0);
}

Ipv4Header igmp_ip_header(Ipv4Addr src, Ipv4Addr dst) {
  Ipv4Header h;
  h.tos = 0xC0;  // RFC 9776 §4: Internetwork Control precedence
  h.ttl = 1;
  h.df = true;   // as Linux sends it (igmp.c sets IP_DF); IGMP is never fragmented
  h.router_alert = true;
  h.protocol = kProtoIgmp;
  h.src = src;
  h.dst = dst;
  return h;
}

Ipv6Header mld_ip_header(Ipv6Addr src, Ipv6Addr dst) {
  Ipv6Header h;
  h.hop_limit = 1;
  h.router_alert = true;
  h.src = src;
  h.dst = dst;
  return h;
}

}  // namespace mcsim::wire
