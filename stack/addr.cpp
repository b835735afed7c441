#include "stack/addr.hpp"

namespace mcsim {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Ipv4Addr> Ipv4Addr::parse(std::string_view s) {
  Ipv4Addr a;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= s.size() || s[pos] != '.') return std::nullopt;
      ++pos;
    }
    std::size_t start = pos;
    unsigned v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 3) {
      v = v * 10 + static_cast<unsigned>(s[pos] - '0');
      ++pos;
    }
    std::size_t len = pos - start;
    if (len == 0 || v > 255) return std::nullopt;
    if (len > 1 && s[start] == '0') return std::nullopt;  // no octal-looking forms
    a.b[part] = static_cast<std::uint8_t>(v);
  }
  if (pos != s.size()) return std::nullopt;
  return a;
}

char* Ipv4Addr::write_to(char* p) const {
  for (int i = 0; i < 4; ++i) {
    if (i) *p++ = '.';
    const unsigned v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  }
  return p;
}

void Ipv4Addr::append_to(std::string& out) const {
  char buf[kMaxText];
  out.append(buf, write_to(buf));
}

std::string Ipv4Addr::to_string() const {
  std::string s;
  s.reserve(15);
  append_to(s);
  return s;
}

std::optional<Ipv6Addr> Ipv6Addr::parse(std::string_view s) {
  // Zone indexes ("%eth0") are not part of an address value.
  if (s.empty() || s.size() > 45) return std::nullopt;
  std::uint16_t head[8] = {};
  std::uint16_t tail[8] = {};
  int nhead = 0, ntail = 0;
  bool seen_gap = false;
  std::size_t pos = 0;
  if (s.substr(0, 2) == "::") {
    seen_gap = true;
    pos = 2;
    if (pos == s.size()) return Ipv6Addr{};
  } else if (s[0] == ':') {
    return std::nullopt;
  }
  while (pos < s.size()) {
    // An embedded IPv4 address may end the string (RFC 4291 §2.2 form 3).
    std::size_t next_colon = s.find(':', pos);
    std::string_view piece = s.substr(pos, next_colon == std::string_view::npos ? std::string_view::npos : next_colon - pos);
    if (next_colon == std::string_view::npos && piece.find('.') != std::string_view::npos) {
      auto v4 = Ipv4Addr::parse(piece);
      if (!v4) return std::nullopt;
      int& n = seen_gap ? ntail : nhead;
      std::uint16_t* arr = seen_gap ? tail : head;
      if (nhead + ntail + 2 > 8) return std::nullopt;
      arr[n++] = static_cast<std::uint16_t>((v4->b[0] << 8) | v4->b[1]);
      arr[n++] = static_cast<std::uint16_t>((v4->b[2] << 8) | v4->b[3]);
      pos = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return std::nullopt;
    unsigned v = 0;
    for (char c : piece) {
      int h = hex_value(c);
      if (h < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(h);
    }
    if (nhead + ntail >= 8) return std::nullopt;
    if (seen_gap)
      tail[ntail++] = static_cast<std::uint16_t>(v);
    else
      head[nhead++] = static_cast<std::uint16_t>(v);
    pos += piece.size();
    if (pos == s.size()) break;
    // pos is at ':'
    if (pos + 1 < s.size() && s[pos + 1] == ':') {
      if (seen_gap) return std::nullopt;  // only one "::"
      seen_gap = true;
      pos += 2;
      if (pos == s.size()) break;
    } else {
      ++pos;
      if (pos == s.size()) return std::nullopt;  // trailing single ':'
    }
  }
  if (seen_gap) {
    if (nhead + ntail > 7) return std::nullopt;  // "::" must stand for at least one group
  } else if (nhead != 8) {
    return std::nullopt;
  }
  std::uint16_t words[8] = {};
  for (int i = 0; i < nhead; ++i) words[i] = head[i];
  for (int i = 0; i < ntail; ++i) words[8 - ntail + i] = tail[i];
  Ipv6Addr a;
  for (int i = 0; i < 8; ++i) {
    a.b[2 * i] = static_cast<std::uint8_t>(words[i] >> 8);
    a.b[2 * i + 1] = static_cast<std::uint8_t>(words[i]);
  }
  return a;
}

char* Ipv6Addr::write_to(char* p) const {
  std::uint16_t w[8];
  for (int i = 0; i < 8; ++i) w[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  // RFC 5952 §5: IPv4-mapped addresses use the mixed notation.
  const bool mapped = w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xFFFF;
  const int ngroups = mapped ? 6 : 8;
  // RFC 5952 §4.2: compress the longest run (>= 2) of zero groups, the first one on a tie.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < ngroups;) {
    if (w[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < ngroups && w[j] == 0) ++j;
    if (j - i > best_len) {
      best_len = j - i;
      best_start = i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;
  for (int i = 0; i < ngroups; ++i) {
    if (i == best_start) {
      *p++ = ':';
      *p++ = ':';
      i += best_len - 1;
      continue;
    }
    if (i > 0 && !(best_start >= 0 && i == best_start + best_len)) *p++ = ':';
    // RFC 5952 §4.1 / §4.3: no leading zeros, lowercase.
    const unsigned v = w[i];
    if (v >= 0x1000) *p++ = kHex[v >> 12];
    if (v >= 0x100) *p++ = kHex[(v >> 8) & 0xF];
    if (v >= 0x10) *p++ = kHex[(v >> 4) & 0xF];
    *p++ = kHex[v & 0xF];
  }
  if (mapped) {
    if (best_start < 0 || best_start + best_len != 6) *p++ = ':';
    p = Ipv4Addr(b[12], b[13], b[14], b[15]).write_to(p);
  }
  return p;
}

void Ipv6Addr::append_to(std::string& out) const {
  char buf[kMaxText];
  out.append(buf, write_to(buf));
}

std::string Ipv6Addr::to_string() const {
  std::string s;
  s.reserve(39);
  append_to(s);
  return s;
}

std::optional<MacAddr> MacAddr::parse(std::string_view s) {
  if (s.size() != 17) return std::nullopt;
  char sep = s[2];
  if (sep != ':' && sep != '-') return std::nullopt;
  MacAddr m;
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && s[static_cast<std::size_t>(3 * i - 1)] != sep) return std::nullopt;
    int hi = hex_value(s[static_cast<std::size_t>(3 * i)]);
    int lo = hex_value(s[static_cast<std::size_t>(3 * i + 1)]);
    if (hi < 0 || lo < 0) return std::nullopt;
    m.b[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return m;
}

std::string MacAddr::to_string() const {
  std::string s;
  s.reserve(17);
  for (int i = 0; i < 6; ++i) {
    if (i) s.push_back(':');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 0xF]);
  }
  return s;
}

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
  if (s.find(':') != std::string_view::npos) {
    if (auto a = Ipv6Addr::parse(s)) return IpAddr(*a);
    return std::nullopt;
  }
  if (auto a = Ipv4Addr::parse(s)) return IpAddr(*a);
  return std::nullopt;
}

}  // namespace mcsim
