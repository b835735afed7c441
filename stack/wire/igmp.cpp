#include "stack/wire/igmp.hpp"

#include "stack/wire/checksum.hpp"
#include "stack/wire/codes.hpp"
#include "stack/wire/records.hpp"

namespace mcsim::wire {

const char* record_type_name(std::uint8_t type) {
  if (type < 1 || type > 6) return "UNKNOWN";
  return to_string(static_cast<RecordType>(type)).data();  // literals: NUL-terminated
}

namespace {

constexpr std::size_t kIgmpMinLen = 8;
constexpr std::size_t kIgmpv3QueryMinLen = 12;  // RFC 9776 §4.1

bool decode_query(Bytes p, IgmpMessage& out) {
  out.kind = MsgKind::Query;
  out.max_resp_code = p[1];
  out.group = Ipv4Addr::from_bytes(p.data() + 4);
  // RFC 9776 §7.1: the query version is decided by length and Max Resp Code.
  if (p.size() == kIgmpMinLen) {
    out.version = p[1] == 0 ? 1 : 2;
    out.length = kIgmpMinLen;
    return true;
  }
  if (p.size() < kIgmpv3QueryMinLen) {
    out.errors.add(WireError::BadQueryLength);  // RFC 9776 §7.1: MUST be silently ignored
    out.length = static_cast<std::uint32_t>(p.size());
    return false;
  }
  out.version = 3;
  detail::read_query_tail(p, 8, out);
  return true;
}

bool decode_v3_report(Bytes p, IgmpMessage& out) {
  out.kind = MsgKind::V3Report;
  out.version = 3;
  detail::read_group_records(p, out);
  return true;
}

}  // namespace

bool decode_igmp(Bytes p, IgmpMessage& out) {
  out.clear();
  if (p.size() < kIgmpMinLen) {
    out.errors.add(WireError::Truncated);
    if (!p.empty()) out.type = p[0];
    out.length = static_cast<std::uint32_t>(p.size());
    return false;
  }
  out.type = p[0];
  out.checksum = load_be16(p.data() + 2);
  // RFC 9776 §4.1.2 / RFC 2236 §2.3: the checksum covers the whole IP payload.
  out.checksum_ok = inet_checksum(p) == 0;
  if (!out.checksum_ok) out.errors.add(WireError::BadChecksum);
  bool usable = true;
  switch (p[0]) {
    case igmp_type::kQuery:
      usable = decode_query(p, out);
      break;
    case igmp_type::kV1Report:
      out.kind = MsgKind::V1Report;
      out.version = 1;
      out.group = Ipv4Addr::from_bytes(p.data() + 4);
      out.length = kIgmpMinLen;
      break;
    case igmp_type::kV2Report:
    case igmp_type::kV2Leave:
      out.kind = p[0] == igmp_type::kV2Report ? MsgKind::V2Report : MsgKind::Leave;
      out.version = 2;
      out.max_resp_code = p[1];
      out.group = Ipv4Addr::from_bytes(p.data() + 4);
      out.length = kIgmpMinLen;
      break;
    case igmp_type::kV3Report:
      usable = decode_v3_report(p, out);
      break;
    case igmp_type::kDvmrp:
    case igmp_type::kPimV1:
    case igmp_type::kMtraceResponse:
    case igmp_type::kMtrace:
    case igmp_type::kRgmpLeave:
    case igmp_type::kRgmpJoin:
    case igmp_type::kRgmpBye:
    case igmp_type::kRgmpHello:
      out.kind = MsgKind::Other;
      out.max_resp_code = p[1];
      out.group = Ipv4Addr::from_bytes(p.data() + 4);
      out.length = static_cast<std::uint32_t>(p.size());
      break;
    default:
      out.kind = MsgKind::Other;
      out.errors.add(WireError::UnknownType);
      out.length = static_cast<std::uint32_t>(p.size());
      break;
  }
  // RFC 2236 §2.5 lets v1/v2 messages be longer than 8 bytes (ignored past them); we still
  // report the extra bytes so a conformance check can see them.
  if (usable && out.length < p.size()) out.errors.add(WireError::TrailingBytes);
  return usable;
}

void encode_igmp(const IgmpMessage& msg, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  switch (msg.kind) {
    case MsgKind::Query:
      w.u8(igmp_type::kQuery);
      // RFC 2236 §4: an IGMPv1 query carries Max Resp Code 0.
      w.u8(msg.version == 1 ? 0 : static_cast<std::uint8_t>(msg.max_resp_code));
      w.u16(0);
      w.bytes(msg.group.b);
      if (msg.version >= 3) {
        detail::write_query_tail(w, msg);
      }
      break;
    case MsgKind::V3Report:
      w.u8(igmp_type::kV3Report);
      w.u8(0);
      w.u16(0);
      detail::write_group_records(w, msg);
      break;
    default:
      w.u8(msg.type != 0 ? msg.type
                         : (msg.kind == MsgKind::V1Report  ? igmp_type::kV1Report
                            : msg.kind == MsgKind::Leave   ? igmp_type::kV2Leave
                                                           : igmp_type::kV2Report));
      w.u8(static_cast<std::uint8_t>(msg.max_resp_code));
      w.u16(0);
      w.bytes(msg.group.b);
      break;
  }
  std::uint16_t ck = inet_checksum(Bytes(out.data() + start, out.size() - start));
  store_be16(out.data() + start + 2, ck);
}

std::uint32_t igmp_max_resp_ms(const IgmpMessage& msg) {
  if (msg.kind == MsgKind::Query && msg.version == 1) return 0;
  if (msg.kind == MsgKind::Query && msg.version == 3) return decode_code8(static_cast<std::uint8_t>(msg.max_resp_code)) * 100;
  return std::uint32_t{msg.max_resp_code} * 100;
}

IgmpMessage igmp_query(std::uint8_t version, Ipv4Addr group, std::uint8_t max_resp_code, bool s_flag, std::uint8_t qrv,
                       std::uint8_t qqic, std::span<const Ipv4Addr> sources) {
  IgmpMessage m;
  m.kind = MsgKind::Query;
  m.type = igmp_type::kQuery;
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

IgmpMessage igmp_simple(std::uint8_t type, Ipv4Addr group, std::uint8_t code) {
  IgmpMessage m;
  m.type = type;
  m.kind = type == igmp_type::kV1Report   ? MsgKind::V1Report
           : type == igmp_type::kV2Report ? MsgKind::V2Report
           : type == igmp_type::kV2Leave  ? MsgKind::Leave
                                          : MsgKind::Other;
  m.version = type == igmp_type::kV1Report ? 1 : 2;
  m.group = group;
  m.max_resp_code = code;
  return m;
}

IgmpMessage igmpv3_report() {
  IgmpMessage m;
  m.kind = MsgKind::V3Report;
  m.type = igmp_type::kV3Report;
  m.version = 3;
  return m;
}

}  // namespace mcsim::wire
