// Helpers shared by the wire_*_test.cpp files: byte-span views over fixtures and
// address shorthands. Fixtures themselves stay in the test files, written out as bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stack/addr.hpp"
#include "stack/wire/bytes.hpp"

namespace mcsim::wire::testing {

inline constexpr std::size_t kEthHeaderLen = 14;

template <std::size_t N>
Bytes bytes_of(const std::uint8_t (&a)[N]) {
  return Bytes(a, N);
}
inline Bytes bytes_of(const std::vector<std::uint8_t>& v) { return Bytes(v.data(), v.size()); }

/// The IP datagram inside an untagged Ethernet II frame (padding included).
template <std::size_t N>
Bytes ip_of_frame(const std::uint8_t (&frame)[N]) {
  return Bytes(frame, N).subspan(kEthHeaderLen);
}

inline Ipv4Addr v4(std::string_view s) { return *Ipv4Addr::parse(s); }
inline Ipv6Addr v6(std::string_view s) { return *Ipv6Addr::parse(s); }

inline std::vector<std::uint8_t> to_vec(Bytes b) { return {b.begin(), b.end()}; }

}  // namespace mcsim::wire::testing
