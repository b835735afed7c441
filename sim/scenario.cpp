#include "sim/scenario.hpp"

#include <charconv>
#include <cmath>

namespace mcsim::sim {

std::string SourceLoc::to_string() const {
  std::string s = file.empty() ? std::string("<scenario>") : file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

std::optional<Duration> parse_duration(std::string_view s) {
  if (s == "0") return 0;
  std::size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0 || i == s.size()) return std::nullopt;  // no number, or no unit
  const std::string_view num = s.substr(0, i), unit = s.substr(i);
  if (num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.')) return std::nullopt;
  double scale;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s") scale = 1e9;
  else if (unit == "m" || unit == "min") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return std::nullopt;
  double v = 0;
  auto r = std::from_chars(num.data(), num.data() + num.size(), v);
  if (r.ec != std::errc() || r.ptr != num.data() + num.size()) return std::nullopt;
  const double ns = v * scale;
  if (!std::isfinite(ns) || ns > 9.0e18) return std::nullopt;  // beyond ~285 years of int64 ns
  return static_cast<Duration>(std::llround(ns));
}

namespace {

Ipv6Addr add_low64(Ipv6Addr a, std::uint64_t k) {
  std::uint64_t lo = 0;
  for (int i = 8; i < 16; ++i) lo = lo << 8 | a.b[static_cast<std::size_t>(i)];
  lo += k;  // the loader refuses ranges that carry out of the low 64 bits
  for (int i = 15; i >= 8; --i, lo >>= 8) a.b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(lo);
  return a;
}

MacAddr add_mac(MacAddr m, std::uint64_t k) {
  std::uint64_t v = 0;
  for (auto x : m.b) v = v << 8 | x;
  v += k;  // the loader refuses ranges that reach the first octet
  for (int i = 5; i >= 0; --i, v >>= 8) m.b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  return m;
}

}  // namespace

Time BlockEventSpec::at_of(std::uint64_t i) const {
  if (spread == 0) return ev.at;
  const auto n = static_cast<std::uint64_t>(last - first + 1);
  const std::uint64_t k = i / groups_per_host;  // rank of the host in the range
  // floor(spread * k / n) without overflow or 128-bit types (MSVC): spread = q * n + r with
  // r < n <= 2^32 and k < n, so r * k < 2^64.
  const auto sp = static_cast<std::uint64_t>(spread);
  const std::uint64_t q = sp / n, r = sp % n;
  return ev.at + static_cast<Time>(q * k + r * k / n);
}

IpAddr BlockEventSpec::group_of(std::uint32_t k, std::uint32_t j) const {
  const IpAddr& g = *ev.group;
  if (group_span <= 1) return g;
  const std::uint64_t m = (static_cast<std::uint64_t>(k) * groups_per_host + j) % group_span;
  if (g.family == Family::V4) return IpAddr(Ipv4Addr::from_u32(g.v4.to_u32() + static_cast<std::uint32_t>(m)));
  return IpAddr(add_low64(g.v6, m));
}

HostSpec HostBlockSpec::host(std::uint32_t k) const {
  HostSpec h = base;
  h.name = host_name(k);
  if (base.ipv4) h.ipv4 = Ipv4Addr::from_u32(base.ipv4->to_u32() + k);
  if (base.ipv6) h.ipv6 = add_low64(*base.ipv6, k);
  if (base.mac) h.mac = add_mac(*base.mac, k);
  return h;
}

std::optional<std::uint32_t> HostBlockSpec::index_of(std::string_view name) const {
  if (name.size() <= base.name.size() || name.substr(0, base.name.size()) != base.name) return std::nullopt;
  const std::string_view digits = name.substr(base.name.size());
  if (digits.size() > 10 || digits[0] == '0') return std::nullopt;  // e1, e2 ... never e01
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v < 1 || v > count) return std::nullopt;
  return static_cast<std::uint32_t>(v - 1);
}

std::size_t host_count(const Scenario& sc) {
  std::size_t n = sc.hosts.size();
  for (const auto& b : sc.host_blocks) n += b.count;
  return n;
}

}  // namespace mcsim::sim
