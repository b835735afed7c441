#include "stack/wire/mld.hpp"

#include "stack/wire/checksum.hpp"
#include "stack/wire/codes.hpp"
#include "stack/wire/records.hpp"

namespace mcsim::wire {
namespace {

constexpr std::size_t kMldv1Len = 24;          // RFC 2710 §3
constexpr std::size_t kMldv2QueryMinLen = 28;  // RFC 9777 §5.1
constexpr std::size_t kMldv2ReportHdrLen = 8;  // RFC 9777 §5.2

bool decode_query(Bytes p, MldMessage& out) {
  out.kind = MsgKind::Query;
  out.max_resp_code = load_be16(p.data() + 4);
  out.group = Ipv6Addr::from_bytes(p.data() + 8);
  // RFC 9777 §8.1: length 24 is MLDv1, >= 28 is MLDv2, anything else is ignored.
  if (p.size() == kMldv1Len) {
    out.version = 1;
    out.length = kMldv1Len;
    return true;
  }
  if (p.size() < kMldv2QueryMinLen) {
    out.errors.add(WireError::BadQueryLength);
    out.length = static_cast<std::uint32_t>(p.size());
    return false;
  }
  out.version = 2;
  detail::read_query_tail(p, 24, out);
  return true;
}

bool decode_v2_report(Bytes p, MldMessage& out) {
  out.kind = MsgKind::V3Report;
  out.version = 2;
  detail::read_group_records(p, out);
  return true;
}

}  // namespace

bool decode_mld(Bytes p, const Ipv6Addr& src, const Ipv6Addr& dst, MldMessage& out) {
  out.clear();
  if (p.size() < 4) {
    out.errors.add(WireError::Truncated);
    if (!p.empty()) out.type = p[0];
    out.length = static_cast<std::uint32_t>(p.size());
    return false;
  }
  out.type = p[0];
  out.code = p[1];
  out.checksum = load_be16(p.data() + 2);
  out.checksum_ok = icmpv6_checksum(src, dst, p) == 0;
  if (!out.checksum_ok) out.errors.add(WireError::BadChecksum);
  if (!is_mld_type(p[0])) {
    out.errors.add(WireError::UnknownType);
    out.length = static_cast<std::uint32_t>(p.size());
    return false;
  }
  // RFC 9777 §5.1.1 / §5.2.1: Code is set to 0 by senders and ignored by receivers.
  if (out.code != 0) out.errors.add(WireError::BadCode);
  const std::size_t min_len = p[0] == mld_type::kV2Report ? kMldv2ReportHdrLen : kMldv1Len;
  if (p.size() < min_len) {
    out.errors.add(WireError::Truncated);
    out.length = static_cast<std::uint32_t>(p.size());
    return false;
  }
  bool usable = true;
  switch (p[0]) {
    case mld_type::kQuery:
      usable = decode_query(p, out);
      break;
    case mld_type::kV1Report:
    case mld_type::kV1Done:
      out.kind = p[0] == mld_type::kV1Report ? MsgKind::V1Report : MsgKind::Leave;
      out.version = 1;
      out.max_resp_code = load_be16(p.data() + 4);
      out.group = Ipv6Addr::from_bytes(p.data() + 8);
      out.length = kMldv1Len;
      break;
    default:
      usable = decode_v2_report(p, out);
      break;
  }
  if (usable && out.length < p.size()) out.errors.add(WireError::TrailingBytes);
  return usable;
}

void encode_mld(const MldMessage& msg, const Ipv6Addr& src, const Ipv6Addr& dst, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  switch (msg.kind) {
    case MsgKind::Query:
      w.u8(mld_type::kQuery);
      w.u8(0);
      w.u16(0);
      w.u16(msg.max_resp_code);
      w.u16(0);
      w.bytes(msg.group.b);
      if (msg.version >= 2) {
        detail::write_query_tail(w, msg);
      }
      break;
    case MsgKind::V3Report:
      w.u8(mld_type::kV2Report);
      w.u8(0);
      w.u16(0);
      detail::write_group_records(w, msg);
      break;
    default:
      w.u8(msg.kind == MsgKind::Leave ? mld_type::kV1Done : mld_type::kV1Report);
      w.u8(0);
      w.u16(0);
      w.u16(msg.max_resp_code);
      w.u16(0);
      w.bytes(msg.group.b);
      break;
  }
  std::uint16_t ck = icmpv6_checksum(src, dst, Bytes(out.data() + start, out.size() - start));
  store_be16(out.data() + start + 2, ck);
}

std::uint32_t mld_max_resp_ms(const MldMessage& msg) {
  if (msg.kind == MsgKind::Query && msg.version == 2) return decode_code16(msg.max_resp_code);
  return msg.max_resp_code;
}

MldMessage mld_query(std::uint8_t version, Ipv6Addr group, std::uint16_t max_resp_code, bool s_flag, std::uint8_t qrv,
                     std::uint8_t qqic, std::span<const Ipv6Addr> sources) {
  MldMessage m;
  m.kind = MsgKind::Query;
  m.type = mld_type::kQuery;
  m.version = version;
  m.group = group;
  m.max_resp_code = max_resp_code;
  m.s_flag = s_flag;
  m.qrv = qrv;
  m.qqic = qqic;
  m.sources.assign(sources.begin(), sources.end());
  m.num_sources_field = static_cast<std::uint16_t>(sources.size());
  return m;
}

MldMessage mld_simple(std::uint8_t type, Ipv6Addr group) {
  MldMessage m;
  m.type = type;
  m.kind = type == mld_type::kV1Done ? MsgKind::Leave : MsgKind::V1Report;
  m.version = 1;
  m.group = group;
  return m;
}

MldMessage mldv2_report() {
  MldMessage m;
  m.kind = MsgKind::V3Report;
  m.type = mld_type::kV2Report;
  m.version = 2;
  return m;
}

}  // namespace mcsim::wire
