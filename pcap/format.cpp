#include "pcap/format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <type_traits>

#include "stack/wire/codes.hpp"

namespace mcsim::pcap {

using wire::DecodedPacket;
using wire::MsgKind;
using wire::PacketProto;

namespace {

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// ---- Raw writers for the JSON hot path: the message is written through a char pointer
// into a stack buffer and appended to `out` in one piece (no per-character push_back, no
// zero-filling resize, no allocation once `out` has the capacity; the CLI reserves it).
// Output is byte-identical to the Ipv4Addr/Ipv6Addr::append_to based rendering.

/// Staging buffer in front of a std::string.
class Scratch {
 public:
  explicit Scratch(std::string& out) : out_(out) {}
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { flush(); }
  /// Room for `n` (<= kSize) more bytes; returns where to write them. Pass the end of what
  /// was written to done().
  char* need(std::size_t n) {
    if (static_cast<std::size_t>(buf_ + kSize - p_) < n) flush();
    return p_;
  }
  void done(char* end) { p_ = end; }
  void flush() {
    out_.append(buf_, static_cast<std::size_t>(p_ - buf_));
    p_ = buf_;
  }
  static constexpr std::size_t kSize = 2048;

 private:
  std::string& out_;
  char* p_ = buf_;
  char buf_[kSize];
};

template <std::size_t N>
char* put(char* p, const char (&lit)[N]) {
  std::memcpy(p, lit, N - 1);
  return p + N - 1;
}
char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
/// "0".."255" as 4-byte cells: 3 characters (left-aligned) + length.
struct DecimalTable {
  char cell[256][4];
  constexpr DecimalTable() : cell{} {
    for (unsigned v = 0; v < 256; ++v) {
      char* c = cell[v];
      unsigned n = 0;
      if (v >= 100) c[n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) c[n++] = static_cast<char>('0' + (v / 10) % 10);
      c[n++] = static_cast<char>('0' + v % 10);
      c[3] = static_cast<char>(n);
    }
  }
};
constexpr DecimalTable kDecimal;

/// Writes 0..255 in decimal (may write up to 4 bytes; returns the end of the digits).
char* put_u8_decimal(char* p, unsigned v) {
  std::memcpy(p, kDecimal.cell[v], 4);
  return p + kDecimal.cell[v][3];
}

char* put_uint(char* p, std::uint64_t v) {
  if (v < 256) return put_u8_decimal(p, static_cast<unsigned>(v));  // ttl, tos, qrv, ...
  return std::to_chars(p, p + 20, v).ptr;
}

constexpr std::size_t kMaxV4 = 16;  // 15 + the spare byte put_u8_decimal may write
constexpr std::size_t kMaxV6 = 46;  // ffff:...:ffff or ::ffff:255.255.255.255 with slack

char* put_addr(char* p, const Ipv4Addr& a) { return a.write_to(p); }
/// RFC 5952 text form (stack/addr.cpp).
char* put_addr(char* p, const Ipv6Addr& a) { return a.write_to(p); }

template <class A>
constexpr std::size_t max_addr_len() {
  return std::is_same_v<A, Ipv4Addr> ? kMaxV4 : kMaxV6;
}

template <class A>
char* put_json_addr(char* p, const A& a) {
  *p++ = '"';
  p = put_addr(p, a);
  *p++ = '"';
  return p;
}

/// `["a","b",...]`, written in chunks that fit the staging buffer.
template <class A, class Range>
void put_json_addr_list(Scratch& o, const Range& r) {
  constexpr std::size_t kPer = max_addr_len<A>() + 3;
  constexpr std::size_t kChunk = 32;
  static_assert(kChunk * kPer + 2 <= Scratch::kSize);
  std::size_t n = static_cast<std::size_t>(std::end(r) - std::begin(r));
  auto it = std::begin(r);
  char* p = o.need(1 + std::min(n, kChunk) * kPer + 1);
  *p++ = '[';
  bool first = true;
  while (n) {
    const std::size_t k = std::min(n, kChunk);
    for (std::size_t i = 0; i < k; ++i, ++it) {
      if (!first) *p++ = ',';
      first = false;
      p = put_json_addr(p, *it);
    }
    n -= k;
    if (n) {
      o.done(p);
      p = o.need(std::min(n, kChunk) * kPer + 1);
    }
  }
  *p++ = ']';
  o.done(p);
}

char* put_time(char* p, const Frame& f) {
  if (f.ts_sec < 0) *p++ = '-';
  p = put_uint(p, static_cast<std::uint64_t>(f.ts_sec < 0 ? -f.ts_sec : f.ts_sec));
  *p++ = '.';
  std::uint32_t ns = f.ts_nsec;
  for (int i = 8; i >= 0; --i) {
    p[i] = static_cast<char>('0' + ns % 10);
    ns /= 10;
  }
  return p + 9;
}

void append_time(std::string& out, const Frame& f) {
  if (f.ts_sec < 0) out.push_back('-');
  append_uint(out, static_cast<std::uint64_t>(f.ts_sec < 0 ? -f.ts_sec : f.ts_sec));
  char buf[10];
  std::uint32_t ns = f.ts_nsec;
  for (int i = 8; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + ns % 10);
    ns /= 10;
  }
  out.push_back('.');
  out.append(buf, 9);
}

template <class A>
void put_json_message(Scratch& o, const wire::Message<A>& m, bool usable, bool is_mld) {
  constexpr std::size_t kAddr = max_addr_len<A>() + 2;
  const bool is_query = m.kind == MsgKind::Query;
  // Fixed-size fields first: at most ~160 bytes + one address.
  char* p = o.need(192 + kAddr);
  if (is_query && usable) {
    p = put(p, ",\"version\":");
    p = put_uint(p, m.version);
  }
  if (m.kind != MsgKind::V3Report && (usable || m.errors.has(wire::WireError::BadQueryLength))) {
    if (m.kind != MsgKind::Other) {
      p = put(p, ",\"group\":");
      p = put_json_addr(p, m.group);
    }
  }
  if (is_query && usable) {
    p = put(p, ",\"max_resp_ms\":");
    p = put_uint(p, wire::max_resp_ms(m));
    if ((is_mld && m.version == 2) || (!is_mld && m.version == 3)) {
      p = m.s_flag ? put(p, ",\"s_flag\":true") : put(p, ",\"s_flag\":false");
      p = put(p, ",\"qrv\":");
      p = put_uint(p, m.qrv);
      p = put(p, ",\"qqi_s\":");
      p = put_uint(p, wire::decode_qqic(m.qqic));  // RFC 9776 §4.1.7 / RFC 9777 §5.1.9
      p = put(p, ",\"sources\":");
      o.done(p);
      put_json_addr_list<A>(o, m.sources);
      return;
    }
  }
  if (m.kind == MsgKind::V3Report) {
    p = put(p, ",\"records\":[");
    bool first = true;
    for (const auto& r : m.records) {
      o.done(p);
      p = o.need(96 + kAddr);
      if (!first) *p++ = ',';
      first = false;
      p = put(p, "{\"type\":");
      p = put_uint(p, r.type);
      p = put(p, ",\"type_name\":\"");
      p = put(p, std::string_view(wire::record_type_name(r.type)));
      p = put(p, "\",\"group\":");
      p = put_json_addr(p, r.group);
      p = put(p, ",\"sources\":");
      o.done(p);
      put_json_addr_list<A>(o, m.sources_of(r));
      p = o.need(32);
      p = put(p, ",\"aux_len\":");
      p = put_uint(p, r.aux_words);
      *p++ = '}';
    }
    *p++ = ']';
  }
  o.done(p);
}

const char* summary_name(const DecodedPacket& p) {
  if (p.proto == PacketProto::Igmp) {
    switch (p.igmp.kind) {
      case MsgKind::Query: return "Membership Query";
      case MsgKind::V1Report: case MsgKind::V2Report: case MsgKind::V3Report: return "Membership Report";
      case MsgKind::Leave: return "Leave Group";
      case MsgKind::Other: break;
    }
    switch (p.igmp.type) {
      case wire::igmp_type::kDvmrp: return "DVMRP";
      case wire::igmp_type::kPimV1: return "PIMv1";
      case wire::igmp_type::kMtrace: return "Traceroute Query/Request";
      case wire::igmp_type::kMtraceResponse: return "Traceroute Response";
      case wire::igmp_type::kRgmpHello: return "RGMP Hello";
      case wire::igmp_type::kRgmpBye: return "RGMP Bye";
      case wire::igmp_type::kRgmpJoin: return "RGMP Join";
      case wire::igmp_type::kRgmpLeave: return "RGMP Leave";
      default: return "Unknown type";
    }
  }
  switch (p.mld.kind) {
    case MsgKind::Query: return "Multicast Listener Query";
    case MsgKind::Leave: return "Multicast Listener Done";
    default: return "Multicast Listener Report";
  }
}

const char* record_abbrev(std::uint8_t t) {
  static constexpr const char* k[] = {"?", "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK"};
  return t <= 6 ? k[t] : "?";
}

template <class A, class Range>
void append_text_set(std::string& out, const Range& r) {
  out.push_back('{');
  bool first = true;
  for (const A& a : r) {
    if (!first) out += ", ";
    first = false;
    a.append_to(out);
  }
  out.push_back('}');
}

void append_seconds_ms(std::string& out, std::uint32_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%03us", ms / 1000, ms % 1000);
  out += buf;
}

template <class A>
void append_text_message(std::string& out, const wire::Message<A>& m, bool usable, bool is_mld) {
  if (!usable) return;
  if (m.kind == MsgKind::Query) {
    if (m.group == A{}) {
      out += ", general";
    } else {
      out += m.sources.empty() ? ", group " : ", group-and-source ";
      m.group.append_to(out);
    }
    if (!m.sources.empty()) {
      out.push_back(' ');
      append_text_set<A>(out, m.sources);
    }
    out += ", max resp ";
    append_seconds_ms(out, wire::max_resp_ms(m));
    if ((is_mld && m.version == 2) || (!is_mld && m.version == 3)) {
      if (m.s_flag) out += ", S";
      out += ", QRV ";
      out += std::to_string(m.qrv);
      out += ", QQI ";
      out += std::to_string(wire::decode_qqic(m.qqic));
      out += "s";
    }
    return;
  }
  if (m.kind == MsgKind::V3Report) {
    out += ':';
    bool first = true;
    for (const auto& r : m.records) {
      out += first ? " " : "; ";
      first = false;
      out += record_abbrev(r.type);
      out.push_back(' ');
      r.group.append_to(out);
      out.push_back(' ');
      append_text_set<A>(out, m.sources_of(r));
      if (r.aux_words) out += " aux " + std::to_string(r.aux_words * 4) + "B";
    }
    if (m.records.empty()) out += " (no records)";
    return;
  }
  if (m.kind != MsgKind::Other) {
    out.push_back(' ');
    m.group.append_to(out);
  }
}

}  // namespace

const char* message_kind_name(const DecodedPacket& p) {
  if (p.proto == PacketProto::Igmp) {
    switch (p.igmp.kind) {
      case MsgKind::Query: return "igmp_query";
      case MsgKind::V1Report: return "igmpv1_report";
      case MsgKind::V2Report: return "igmpv2_report";
      case MsgKind::Leave: return "igmpv2_leave";
      case MsgKind::V3Report: return "igmpv3_report";
      case MsgKind::Other: return "igmp_other";
    }
  }
  switch (p.mld.kind) {
    case MsgKind::Query: return "mld_query";
    case MsgKind::V1Report: return "mldv1_report";
    case MsgKind::Leave: return "mldv1_done";
    case MsgKind::V3Report: return "mldv2_report";
    default: return "mld_other";
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      // Copy a well-formed UTF-8 sequence; replace anything else.
      std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      bool ok = n != 0 && i + n <= s.size();
      for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      if (ok) {
        out.append(s.substr(i, n));
        i += n - 1;
      } else {
        out += "\\ufffd";
      }
    }
  }
  out.push_back('"');
}

void append_json(std::string& out, const Frame& f, const DecodedPacket& pkt) {
  // Frame and IP part: bounded (~130 bytes + two addresses), written in one go.
  Scratch o(out);
  char* p = o.need(160 + 2 * (kMaxV6 + 2));
  p = put(p, "{\"frame\":");
  p = put_uint(p, f.number);
  p = put(p, ",\"time\":");
  p = put_time(p, f);
  const bool v4 = pkt.family == Family::V4;
  p = v4 ? put(p, ",\"ip\":4,\"src\":") : put(p, ",\"ip\":6,\"src\":");
  if (v4) {
    p = put_json_addr(p, pkt.ip4.src);
    p = put(p, ",\"dst\":");
    p = put_json_addr(p, pkt.ip4.dst);
    p = put(p, ",\"ttl\":");
    p = put_uint(p, pkt.ip4.ttl);
    p = pkt.ip4.router_alert ? put(p, ",\"router_alert\":true") : put(p, ",\"router_alert\":false");
    p = put(p, ",\"tos\":");
    p = put_uint(p, pkt.ip4.tos);
  } else {
    p = put_json_addr(p, pkt.ip6.src);
    p = put(p, ",\"dst\":");
    p = put_json_addr(p, pkt.ip6.dst);
    p = put(p, ",\"ttl\":");
    p = put_uint(p, pkt.ip6.hop_limit);
    p = pkt.ip6.router_alert ? put(p, ",\"router_alert\":true") : put(p, ",\"router_alert\":false");
  }
  p = put(p, ",\"kind\":\"");
  p = put(p, std::string_view(message_kind_name(pkt)));
  *p++ = '"';
  bool checksum_ok;
  if (pkt.proto == PacketProto::Igmp) {
    if (pkt.igmp.kind == MsgKind::Other) {
      p = put(p, ",\"igmp_type\":");
      p = put_uint(p, pkt.igmp.type);
    }
    o.done(p);
    put_json_message(o, pkt.igmp, pkt.usable, false);
    checksum_ok = pkt.igmp.checksum_ok;
  } else {
    o.done(p);
    put_json_message(o, pkt.mld, pkt.usable, true);
    checksum_ok = pkt.mld.checksum_ok;
  }
  // Tail: checksum flag and the error ids (at most kCount of them, each < 32 bytes).
  p = o.need(48 + static_cast<std::size_t>(wire::WireError::kCount) * 32);
  p = checksum_ok ? put(p, ",\"checksum_ok\":true") : put(p, ",\"checksum_ok\":false");
  p = put(p, ",\"errors\":[");
  bool first = true;
  pkt.errors.for_each([&](wire::WireError e) {
    if (!first) *p++ = ',';
    first = false;
    *p++ = '"';
    p = put(p, std::string_view(wire::error_id(e)));
    *p++ = '"';
  });
  p = put(p, "]}");
  o.done(p);
}  // ~Scratch appends to out

void append_text(std::string& out, const Frame& f, const DecodedPacket& p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%6llu ", static_cast<unsigned long long>(f.number));
  out += buf;
  append_time(out, f);
  out.push_back(' ');
  const bool v4 = p.family == Family::V4;
  if (v4) {
    p.ip4.src.append_to(out);
    out += " \u2192 ";
    p.ip4.dst.append_to(out);
  } else {
    p.ip6.src.append_to(out);
    out += " \u2192 ";
    p.ip6.dst.append_to(out);
  }
  if (p.proto == PacketProto::Igmp) {
    out += " IGMP";
    if (p.usable && p.igmp.kind != MsgKind::Other) out += "v" + std::to_string(p.igmp.version);
  } else {
    out += " MLD";
    if (p.usable) out += "v" + std::to_string(p.mld.version);
  }
  out.push_back(' ');
  out += summary_name(p);
  if (p.proto == PacketProto::Igmp) {
    if (p.igmp.kind == MsgKind::Other) {
      std::snprintf(buf, sizeof buf, " (type 0x%02x)", p.igmp.type);
      out += buf;
    }
    append_text_message(out, p.igmp, p.usable, false);
  } else {
    append_text_message(out, p.mld, p.usable, true);
  }
  if (!p.errors.empty()) {
    out += "  [";
    bool first = true;
    p.errors.for_each([&](wire::WireError e) {
      if (!first) out += ", ";
      first = false;
      out += wire::error_id(e);
    });
    out += "]";
  }
}

}  // namespace mcsim::pcap
