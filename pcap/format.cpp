#include "pcap/format.hpp"

#include <charconv>
#include <cstdio>

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
void append_addr(std::string& out, const A& a) {
  a.append_to(out);
}

template <class A>
void append_json_addr(std::string& out, const A& a) {
  out.push_back('"');
  a.append_to(out);
  out.push_back('"');
}

template <class A, class Range>
void append_json_addr_list(std::string& out, const Range& r) {
  out.push_back('[');
  bool first = true;
  for (const A& a : r) {
    if (!first) out.push_back(',');
    first = false;
    append_json_addr(out, a);
  }
  out.push_back(']');
}

template <class A>
void append_json_message(std::string& out, const wire::Message<A>& m, bool usable, bool is_mld) {
  const bool is_query = m.kind == MsgKind::Query;
  if (is_query && usable) {
    out += ",\"version\":";
    append_uint(out, m.version);
  }
  if (m.kind != MsgKind::V3Report && (usable || m.errors.has(wire::WireError::BadQueryLength))) {
    if (m.kind != MsgKind::Other) {
      out += ",\"group\":";
      append_json_addr(out, m.group);
    }
  }
  if (is_query && usable) {
    std::uint32_t ms;
    if (is_mld)
      ms = m.version == 2 ? wire::decode_code16(m.max_resp_code) : m.max_resp_code;  // RFC 9777 §5.1.3
    else
      ms = m.version == 1 ? 0 : m.version == 2 ? m.max_resp_code * 100u
                                                : wire::decode_code8(static_cast<std::uint8_t>(m.max_resp_code)) * 100u;
    out += ",\"max_resp_ms\":";
    append_uint(out, ms);
    if ((is_mld && m.version == 2) || (!is_mld && m.version == 3)) {
      out += m.s_flag ? ",\"s_flag\":true" : ",\"s_flag\":false";
      out += ",\"qrv\":";
      append_uint(out, m.qrv);
      out += ",\"qqi_s\":";
      append_uint(out, wire::decode_qqic(m.qqic));  // RFC 9776 §4.1.7 / RFC 9777 §5.1.9
      out += ",\"sources\":";
      append_json_addr_list<A>(out, m.sources);
    }
  }
  if (m.kind == MsgKind::V3Report) {
    out += ",\"records\":[";
    bool first = true;
    for (const auto& r : m.records) {
      if (!first) out.push_back(',');
      first = false;
      out += "{\"type\":";
      append_uint(out, r.type);
      out += ",\"type_name\":\"";
      out += wire::record_type_name(r.type);
      out += "\",\"group\":";
      append_json_addr(out, r.group);
      out += ",\"sources\":";
      append_json_addr_list<A>(out, m.sources_of(r));
      out += ",\"aux_len\":";
      append_uint(out, r.aux_words);
      out.push_back('}');
    }
    out.push_back(']');
  }
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
    std::uint32_t ms = is_mld ? (m.version == 2 ? wire::decode_code16(m.max_resp_code) : m.max_resp_code)
                              : (m.version == 1 ? 0 : m.version == 2 ? m.max_resp_code * 100u
                                                     : wire::decode_code8(static_cast<std::uint8_t>(m.max_resp_code)) * 100u);
    append_seconds_ms(out, ms);
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

void append_json(std::string& out, const Frame& f, const DecodedPacket& p) {
  out += "{\"frame\":";
  append_uint(out, f.number);
  out += ",\"time\":";
  append_time(out, f);
  const bool v4 = p.family == Family::V4;
  out += v4 ? ",\"ip\":4,\"src\":" : ",\"ip\":6,\"src\":";
  if (v4) {
    append_json_addr(out, p.ip4.src);
    out += ",\"dst\":";
    append_json_addr(out, p.ip4.dst);
    out += ",\"ttl\":";
    append_uint(out, p.ip4.ttl);
    out += p.ip4.router_alert ? ",\"router_alert\":true" : ",\"router_alert\":false";
    out += ",\"tos\":";
    append_uint(out, p.ip4.tos);
  } else {
    append_json_addr(out, p.ip6.src);
    out += ",\"dst\":";
    append_json_addr(out, p.ip6.dst);
    out += ",\"ttl\":";
    append_uint(out, p.ip6.hop_limit);
    out += p.ip6.router_alert ? ",\"router_alert\":true" : ",\"router_alert\":false";
  }
  out += ",\"kind\":\"";
  out += message_kind_name(p);
  out.push_back('"');
  bool checksum_ok;
  if (p.proto == PacketProto::Igmp) {
    if (p.igmp.kind == MsgKind::Other) {
      out += ",\"igmp_type\":";
      append_uint(out, p.igmp.type);
    }
    append_json_message(out, p.igmp, p.usable, false);
    checksum_ok = p.igmp.checksum_ok;
  } else {
    append_json_message(out, p.mld, p.usable, true);
    checksum_ok = p.mld.checksum_ok;
  }
  out += checksum_ok ? ",\"checksum_ok\":true" : ",\"checksum_ok\":false";
  out += ",\"errors\":[";
  bool first = true;
  p.errors.for_each([&](wire::WireError e) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out += wire::error_id(e);
    out.push_back('"');
  });
  out += "]}";
}

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
