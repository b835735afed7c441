// UDP datagrams (RFC 768; IPv6 checksum RFC 8200 §8.1) for the simulator's data plane.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stack/wire/ip.hpp"

namespace mcsim::wire {

inline constexpr std::uint8_t kProtoUdp = 17;

/// Appends an IPv4 datagram carrying UDP (checksum over the RFC 768 pseudo-header).
void build_udp4_datagram(Ipv4Header ip, std::uint16_t src_port, std::uint16_t dst_port, Bytes payload,
                         std::vector<std::uint8_t>& out);
/// Appends an IPv6 datagram carrying UDP (checksum mandatory, RFC 8200 §8.1).
void build_udp6_datagram(const Ipv6Header& ip, std::uint16_t src_port, std::uint16_t dst_port, Bytes payload,
                         std::vector<std::uint8_t>& out);

/// Multicast data seen in a frame: the IP source and destination of a UDP datagram.
struct UdpDatagramInfo {
  IpAddr src;
  IpAddr dst;
  std::uint16_t dst_port = 0;
};
/// Parses an Ethernet frame carrying IPv4/IPv6 UDP; nullopt for anything else.
std::optional<UdpDatagramInfo> parse_udp_frame(Bytes frame);

}  // namespace mcsim::wire
