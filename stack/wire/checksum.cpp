#include "stack/wire/checksum.hpp"

namespace mcsim::wire {

std::uint32_t checksum_add(std::uint32_t sum, Bytes data) {
  std::size_t n = data.size();
  const std::uint8_t* p = data.data();
  // Sum 16-bit words into a 64-bit accumulator so no carry is lost.
  std::uint64_t acc = sum;
  while (n >= 2) {
    acc += static_cast<std::uint32_t>((p[0] << 8) | p[1]);
    p += 2;
    n -= 2;
  }
  if (n) acc += static_cast<std::uint32_t>(p[0] << 8);  // RFC 1071 §4.1: pad the odd byte
  while (acc >> 32) acc = (acc & 0xFFFFFFFFu) + (acc >> 32);
  return static_cast<std::uint32_t>(acc);
}

std::uint16_t checksum_finish(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFFu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFFu);
}

std::uint32_t ipv6_pseudo_header_sum(const Ipv6Addr& src, const Ipv6Addr& dst, std::uint32_t upper_len,
                                     std::uint8_t next_header) {
  std::uint32_t sum = checksum_add(0, Bytes(src.b));
  sum = checksum_add(sum, Bytes(dst.b));
  const std::uint8_t tail[8] = {static_cast<std::uint8_t>(upper_len >> 24), static_cast<std::uint8_t>(upper_len >> 16),
                                static_cast<std::uint8_t>(upper_len >> 8),  static_cast<std::uint8_t>(upper_len),
                                0, 0, 0, next_header};
  return checksum_add(sum, Bytes(tail, 8));
}

std::uint16_t icmpv6_checksum(const Ipv6Addr& src, const Ipv6Addr& dst, Bytes message) {
  std::uint32_t sum = ipv6_pseudo_header_sum(src, dst, static_cast<std::uint32_t>(message.size()), 58);
  return checksum_finish(checksum_add(sum, message));
}

}  // namespace mcsim::wire
