// IPv4 / IPv6 / MAC address value types, scopes and multicast MAC mapping.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcsim {

enum class Family : std::uint8_t { V4 = 4, V6 = 6 };

struct Ipv4Addr {
  std::array<std::uint8_t, 4> b{};

  constexpr Ipv4Addr() = default;
  constexpr Ipv4Addr(std::uint8_t a, std::uint8_t c, std::uint8_t d, std::uint8_t e) : b{a, c, d, e} {}

  static constexpr Ipv4Addr from_u32(std::uint32_t v) {
    return Ipv4Addr(static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                    static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v));
  }
  static Ipv4Addr from_bytes(const std::uint8_t* p) { return Ipv4Addr(p[0], p[1], p[2], p[3]); }
  constexpr std::uint32_t to_u32() const {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  }
  /// Dotted quad, exactly four decimal octets (no leading-zero octal forms).
  static std::optional<Ipv4Addr> parse(std::string_view s);
  std::string to_string() const;
  /// Appends the text form to `out` without allocating a temporary.
  void append_to(std::string& out) const;
  /// Writes the text form at `p` (room for kMaxText characters, no terminator); returns
  /// the end. For formatters that fill a buffer (pcap/format.cpp).
  static constexpr std::size_t kMaxText = 15;
  char* write_to(char* p) const;

  constexpr bool is_unspecified() const { return to_u32() == 0; }
  // RFC 1112 §4: class D, 224.0.0.0/4.
  constexpr bool is_multicast() const { return (b[0] & 0xF0) == 0xE0; }
  // RFC 5771 §4: 224.0.0.0/24 is the Local Network Control Block (never forwarded).
  constexpr bool is_link_local_multicast() const { return b[0] == 224 && b[1] == 0 && b[2] == 0; }
  // RFC 4607 §1: 232.0.0.0/8 is the IPv4 source-specific multicast range.
  constexpr bool is_ssm() const { return b[0] == 232; }
  constexpr bool is_broadcast() const { return to_u32() == 0xFFFFFFFFu; }
  constexpr bool is_loopback() const { return b[0] == 127; }
  /// A source address usable in a source filter: unicast, not 0.0.0.0 (RFC 3678 §4.1 leaves
  /// validity to the stack; we reject multicast, broadcast and unspecified sources).
  constexpr bool is_valid_source() const { return !is_unspecified() && !is_multicast() && !is_broadcast(); }

  static constexpr Family family = Family::V4;
  // Numeric order (the same as byte order); one integer compare instead of memcmp.
  friend constexpr std::strong_ordering operator<=>(const Ipv4Addr& a, const Ipv4Addr& c) {
    return a.to_u32() <=> c.to_u32();
  }
  friend constexpr bool operator==(const Ipv4Addr& a, const Ipv4Addr& c) { return a.to_u32() == c.to_u32(); }
};

namespace ipv4 {
inline constexpr Ipv4Addr kAllSystems{224, 0, 0, 1};       // RFC 1112 §4
inline constexpr Ipv4Addr kAllRouters{224, 0, 0, 2};       // RFC 2236 §3 (Leave destination)
inline constexpr Ipv4Addr kIgmpv3Routers{224, 0, 0, 22};   // RFC 9776 §4.2.14
inline constexpr Ipv4Addr kAny{};
}  // namespace ipv4

/// RFC 4291 §2.7 multicast scope values (the low nibble of the second byte).
enum class McastScope : std::uint8_t {
  Reserved0 = 0x0,
  InterfaceLocal = 0x1,
  LinkLocal = 0x2,
  RealmLocal = 0x3,
  AdminLocal = 0x4,
  SiteLocal = 0x5,
  OrganizationLocal = 0x8,
  Global = 0xE,
  ReservedF = 0xF,
};

struct Ipv6Addr {
  std::array<std::uint8_t, 16> b{};

  constexpr Ipv6Addr() = default;
  constexpr explicit Ipv6Addr(const std::array<std::uint8_t, 16>& bytes) : b(bytes) {}
  static Ipv6Addr from_bytes(const std::uint8_t* p) {
    Ipv6Addr a;
    for (int i = 0; i < 16; ++i) a.b[i] = p[i];
    return a;
  }
  /// RFC 4291 §2.2 text forms (including embedded IPv4 in the last 32 bits).
  static std::optional<Ipv6Addr> parse(std::string_view s);
  /// RFC 5952 canonical text form.
  std::string to_string() const;
  void append_to(std::string& out) const;
  /// The same at `p` (room for kMaxText characters, no terminator); returns the end.
  static constexpr std::size_t kMaxText = 45;
  char* write_to(char* p) const;

  constexpr bool is_unspecified() const {
    for (auto x : b)
      if (x) return false;
    return true;
  }
  constexpr bool is_loopback() const {
    for (int i = 0; i < 15; ++i)
      if (b[i]) return false;
    return b[15] == 1;
  }
  constexpr bool is_multicast() const { return b[0] == 0xFF; }  // RFC 4291 §2.7
  constexpr McastScope scope() const { return static_cast<McastScope>(b[1] & 0x0F); }
  constexpr bool is_link_local_unicast() const { return b[0] == 0xFE && (b[1] & 0xC0) == 0x80; }  // fe80::/10
  constexpr bool is_link_scope_multicast() const { return is_multicast() && scope() <= McastScope::LinkLocal; }
  // RFC 4607 §1: ff3x::/32 is the IPv6 SSM range.
  constexpr bool is_ssm() const { return b[0] == 0xFF && (b[1] & 0xF0) == 0x30 && b[2] == 0 && b[3] == 0; }
  constexpr bool is_valid_source() const { return !is_unspecified() && !is_multicast(); }
  /// RFC 4291 §2.7.1: ff02::1:ffXX:XXXX from the low 24 bits.
  constexpr Ipv6Addr solicited_node() const {
    Ipv6Addr s;
    s.b[0] = 0xFF;
    s.b[1] = 0x02;
    s.b[11] = 0x01;
    s.b[12] = 0xFF;
    s.b[13] = b[13];
    s.b[14] = b[14];
    s.b[15] = b[15];
    return s;
  }

  static constexpr Family family = Family::V6;
  /// The address as two big-endian 64-bit halves (for fast ordering and hashing).
  constexpr std::uint64_t high() const {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
    return v;
  }
  constexpr std::uint64_t low() const {
    std::uint64_t v = 0;
    for (int i = 8; i < 16; ++i) v = (v << 8) | b[i];
    return v;
  }
  // Numeric order (the same as byte order), two integer compares instead of memcmp.
  friend constexpr std::strong_ordering operator<=>(const Ipv6Addr& a, const Ipv6Addr& c) {
    if (auto r = a.high() <=> c.high(); r != 0) return r;
    return a.low() <=> c.low();
  }
  friend constexpr bool operator==(const Ipv6Addr& a, const Ipv6Addr& c) {
    return a.high() == c.high() && a.low() == c.low();
  }
};

namespace ipv6 {
constexpr Ipv6Addr make(std::uint16_t a0, std::uint16_t a1, std::uint16_t a2, std::uint16_t a3, std::uint16_t a4,
                        std::uint16_t a5, std::uint16_t a6, std::uint16_t a7) {
  const std::uint16_t w[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
  Ipv6Addr r;
  for (int i = 0; i < 8; ++i) {
    r.b[2 * i] = static_cast<std::uint8_t>(w[i] >> 8);
    r.b[2 * i + 1] = static_cast<std::uint8_t>(w[i]);
  }
  return r;
}
inline constexpr Ipv6Addr kAllNodes = make(0xff02, 0, 0, 0, 0, 0, 0, 1);        // RFC 4291 §2.7.1
inline constexpr Ipv6Addr kAllRouters = make(0xff02, 0, 0, 0, 0, 0, 0, 2);      // RFC 2710 §3 (Done)
inline constexpr Ipv6Addr kAllMldv2Routers = make(0xff02, 0, 0, 0, 0, 0, 0, 0x16);  // RFC 9777 §5.2.14
inline constexpr Ipv6Addr kAny{};
}  // namespace ipv6

struct MacAddr {
  std::array<std::uint8_t, 6> b{};

  constexpr MacAddr() = default;
  constexpr explicit MacAddr(const std::array<std::uint8_t, 6>& bytes) : b(bytes) {}
  static MacAddr from_bytes(const std::uint8_t* p) {
    MacAddr m;
    for (int i = 0; i < 6; ++i) m.b[i] = p[i];
    return m;
  }
  /// Accepts aa:bb:cc:dd:ee:ff and aa-bb-cc-dd-ee-ff.
  static std::optional<MacAddr> parse(std::string_view s);
  std::string to_string() const;

  constexpr bool is_multicast() const { return (b[0] & 0x01) != 0; }
  constexpr bool is_broadcast() const {
    for (auto x : b)
      if (x != 0xFF) return false;
    return true;
  }
  /// RFC 1112 §6.4: 01:00:5e followed by the low 23 bits of the group.
  static constexpr MacAddr multicast_for(const Ipv4Addr& g) {
    return MacAddr({0x01, 0x00, 0x5E, static_cast<std::uint8_t>(g.b[1] & 0x7F), g.b[2], g.b[3]});
  }
  /// RFC 2464 §7: 33:33 followed by the low 32 bits of the group.
  static constexpr MacAddr multicast_for(const Ipv6Addr& g) {
    return MacAddr({0x33, 0x33, g.b[12], g.b[13], g.b[14], g.b[15]});
  }
  friend constexpr auto operator<=>(const MacAddr&, const MacAddr&) = default;
};

/// RFC 4291 App. A / RFC 4862 §5.3: the link-local address fe80::/64 + modified EUI-64 of `m`.
constexpr Ipv6Addr link_local_from_mac(const MacAddr& m) {
  Ipv6Addr a;
  a.b[0] = 0xFE;
  a.b[1] = 0x80;
  a.b[8] = static_cast<std::uint8_t>(m.b[0] ^ 0x02);  // invert the universal/local bit
  a.b[9] = m.b[1];
  a.b[10] = m.b[2];
  a.b[11] = 0xFF;
  a.b[12] = 0xFE;
  a.b[13] = m.b[3];
  a.b[14] = m.b[4];
  a.b[15] = m.b[5];
  return a;
}

/// Either address family, for places that carry both (scenario files, logs).
struct IpAddr {
  Family family = Family::V4;
  Ipv4Addr v4{};
  Ipv6Addr v6{};

  constexpr IpAddr() = default;
  constexpr IpAddr(const Ipv4Addr& a) : family(Family::V4), v4(a) {}  // NOLINT(implicit)
  constexpr IpAddr(const Ipv6Addr& a) : family(Family::V6), v6(a) {}  // NOLINT(implicit)
  static std::optional<IpAddr> parse(std::string_view s);
  std::string to_string() const { return family == Family::V4 ? v4.to_string() : v6.to_string(); }
  constexpr bool is_multicast() const { return family == Family::V4 ? v4.is_multicast() : v6.is_multicast(); }
  constexpr bool is_unspecified() const { return family == Family::V4 ? v4.is_unspecified() : v6.is_unspecified(); }
  friend constexpr bool operator==(const IpAddr& a, const IpAddr& c) {
    return a.family == c.family && (a.family == Family::V4 ? a.v4 == c.v4 : a.v6 == c.v6);
  }
};

}  // namespace mcsim
