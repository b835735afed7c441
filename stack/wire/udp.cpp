#include "stack/wire/udp.hpp"

#include "stack/wire/checksum.hpp"

namespace mcsim::wire {
namespace {

std::vector<std::uint8_t> udp_segment(std::uint16_t sp, std::uint16_t dp, Bytes payload) {
  std::vector<std::uint8_t> u;
  ByteWriter w(u);
  w.u16(sp);
  w.u16(dp);
  w.u16(static_cast<std::uint16_t>(8 + payload.size()));
  w.u16(0);
  w.bytes(payload);
  return u;
}

}  // namespace

void build_udp4_datagram(Ipv4Header ip, std::uint16_t sp, std::uint16_t dp, Bytes payload, std::vector<std::uint8_t>& out) {
  auto u = udp_segment(sp, dp, payload);
  // RFC 768: pseudo-header src, dst, zero, protocol, UDP length.
  const std::uint8_t pseudo[12] = {ip.src.b[0], ip.src.b[1], ip.src.b[2], ip.src.b[3], ip.dst.b[0], ip.dst.b[1],
                                   ip.dst.b[2], ip.dst.b[3], 0, kProtoUdp, static_cast<std::uint8_t>(u.size() >> 8),
                                   static_cast<std::uint8_t>(u.size())};
  std::uint16_t ck = checksum_finish(checksum_add(checksum_add(0, Bytes(pseudo, 12)), u));
  if (ck == 0) ck = 0xFFFF;  // RFC 768: a computed zero is sent as all ones
  store_be16(u.data() + 6, ck);
  ip.protocol = kProtoUdp;
  emit_ipv4(ip, u, out);
}

void build_udp6_datagram(const Ipv6Header& ip, std::uint16_t sp, std::uint16_t dp, Bytes payload,
                         std::vector<std::uint8_t>& out) {
  auto u = udp_segment(sp, dp, payload);
  std::uint16_t ck = checksum_finish(
      checksum_add(ipv6_pseudo_header_sum(ip.src, ip.dst, static_cast<std::uint32_t>(u.size()), kProtoUdp), u));
  if (ck == 0) ck = 0xFFFF;
  store_be16(u.data() + 6, ck);
  emit_ipv6(ip, kProtoUdp, u, out);
}

std::optional<UdpDatagramInfo> parse_udp_frame(Bytes frame) {
  EthernetHeader eth;
  Bytes payload;
  ErrorSet errs;
  if (!parse_ethernet(frame, eth, payload, errs)) return std::nullopt;
  Bytes l4;
  UdpDatagramInfo info;
  if (eth.ethertype == kEtherTypeIpv4) {
    Ipv4Header h;
    if (!parse_ipv4(payload, h, l4, errs) || h.protocol != kProtoUdp || h.frag_offset != 0) return std::nullopt;
    info.src = h.src;
    info.dst = h.dst;
  } else if (eth.ethertype == kEtherTypeIpv6) {
    Ipv6Header h;
    if (!parse_ipv6(payload, h, l4, errs) || h.upper_protocol != kProtoUdp) return std::nullopt;
    info.src = h.src;
    info.dst = h.dst;
  } else {
    return std::nullopt;
  }
  if (l4.size() < 8) return std::nullopt;
  info.dst_port = load_be16(l4.data() + 2);
  return info;
}

}  // namespace mcsim::wire
