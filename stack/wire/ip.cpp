#include "stack/wire/ip.hpp"

#include "stack/wire/checksum.hpp"

namespace mcsim::wire {

bool parse_ipv4(Bytes d, Ipv4Header& h, Bytes& payload, ErrorSet& errors) {
  h = Ipv4Header{};
  if (d.size() < 20) {
    errors.add(WireError::Truncated);
    return false;
  }
  if ((d[0] >> 4) != 4) {
    errors.add(WireError::BadIpVersion);
    return false;
  }
  h.header_len = static_cast<std::uint8_t>((d[0] & 0x0F) * 4);
  h.tos = d[1];
  h.total_len = load_be16(d.data() + 2);
  h.id = load_be16(d.data() + 4);
  std::uint16_t ff = load_be16(d.data() + 6);
  h.df = (ff & 0x4000) != 0;
  h.mf = (ff & 0x2000) != 0;
  h.frag_offset = ff & 0x1FFF;
  h.ttl = d[8];
  h.protocol = d[9];
  h.checksum = load_be16(d.data() + 10);
  h.src = Ipv4Addr::from_bytes(d.data() + 12);
  h.dst = Ipv4Addr::from_bytes(d.data() + 16);
  if (h.header_len < 20 || h.header_len > d.size()) {
    errors.add(WireError::BadIpHeaderLength);
    return false;
  }
  h.checksum_ok = inet_checksum(d.first(h.header_len)) == 0;  // RFC 791 §3.1
  if (!h.checksum_ok) errors.add(WireError::BadIpChecksum);
  // Options (RFC 791 §3.1): EOL 0, NOP 1, others type/length/value.
  std::size_t off = 20;
  while (off < h.header_len) {
    std::uint8_t type = d[off];
    if (h.num_options < h.option_types.size()) h.option_types[h.num_options++] = type;
    if (type == 0) break;
    if (type == 1) {
      ++off;
      continue;
    }
    if (off + 1 >= h.header_len || d[off + 1] < 2 || off + d[off + 1] > h.header_len) {
      errors.add(WireError::BadIpOptions);
      break;
    }
    std::uint8_t len = d[off + 1];
    if (type == 148) {  // RFC 2113 §2.1: Router Alert, length 4, value 0 = examine packet
      h.router_alert = true;
      if (len == 4) h.router_alert_value = load_be16(d.data() + off + 2);
      else errors.add(WireError::BadIpOptions);
    }
    off += len;
  }
  if (h.mf || h.frag_offset != 0) errors.add(WireError::Fragmented);
  std::size_t end = h.total_len;
  if (h.total_len < h.header_len) {
    // RFC 791 §3.1: Total Length includes the header, so it can never be below IHL * 4;
    // one rule whether it is below 20 or only below this header's options.
    errors.add(WireError::LengthMismatch);
    end = d.size();
  } else if (h.total_len > d.size()) {
    errors.add(WireError::LengthMismatch);  // datagram longer than the captured bytes
    end = d.size();
  }
  payload = d.subspan(h.header_len, end - h.header_len);
  return true;
}

void emit_ipv4(const Ipv4Header& h, Bytes payload, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  const std::uint8_t hlen = h.router_alert ? 24 : 20;
  ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(0x40 | (hlen / 4)));
  w.u8(h.tos);
  w.u16(static_cast<std::uint16_t>(hlen + payload.size()));
  w.u16(h.id);
  w.u16(static_cast<std::uint16_t>((h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) | (h.frag_offset & 0x1FFF)));
  w.u8(h.ttl);
  w.u8(h.protocol);
  w.u16(0);
  w.bytes(h.src.b);
  w.bytes(h.dst.b);
  if (h.router_alert) {
    w.u8(148);  // RFC 2113 §2.1: copied flag 1, class 0, number 20
    w.u8(4);
    w.u16(h.router_alert_value);
  }
  store_be16(out.data() + start + 10, inet_checksum(Bytes(out.data() + start, hlen)));
  w.bytes(payload);
}

namespace {

constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kAuthHeader = 51;
constexpr std::uint8_t kNoNextHeader = 59;
constexpr std::uint8_t kDestOptions = 60;
constexpr std::uint8_t kMobility = 135;

bool parse_options(Bytes opts, Ipv6Header& h, ErrorSet& errors, bool hop_by_hop) {
  std::size_t off = 0;
  while (off < opts.size()) {
    std::uint8_t type = opts[off];
    if (type == 0) {  // Pad1
      ++off;
      continue;
    }
    if (off + 2 > opts.size() || off + 2 + opts[off + 1] > opts.size()) {
      errors.add(WireError::BadExtensionHeader);
      return false;
    }
    std::uint8_t len = opts[off + 1];
    if (hop_by_hop) {
      if (h.num_hbh_options < h.hbh_option_types.size()) h.hbh_option_types[h.num_hbh_options++] = type;
      if (type == 5) {  // RFC 2711 §2.1: Router Alert, length 2, value 0 = MLD
        h.router_alert = true;
        if (len == 2) h.router_alert_value = load_be16(opts.data() + off + 2);
        else errors.add(WireError::BadExtensionHeader);
      }
    }
    off += 2u + len;
  }
  return true;
}

}  // namespace

bool parse_ipv6(Bytes d, Ipv6Header& h, Bytes& upper, ErrorSet& errors) {
  h = Ipv6Header{};
  if (d.size() < 40) {
    errors.add(WireError::Truncated);
    return false;
  }
  if ((d[0] >> 4) != 6) {
    errors.add(WireError::BadIpVersion);
    return false;
  }
  std::uint32_t first = load_be32(d.data());
  h.traffic_class = static_cast<std::uint8_t>((first >> 20) & 0xFF);
  h.flow_label = first & 0xFFFFF;
  h.payload_len = load_be16(d.data() + 4);
  h.next_header = d[6];
  h.hop_limit = d[7];
  h.src = Ipv6Addr::from_bytes(d.data() + 8);
  h.dst = Ipv6Addr::from_bytes(d.data() + 24);
  std::size_t end = 40u + h.payload_len;
  if (h.payload_len == 0 && d.size() > 40) {
    // Jumbo payloads (RFC 2675) are not used on links carrying MLD; treat as a mismatch.
    errors.add(WireError::LengthMismatch);
    end = d.size();
  } else if (end > d.size()) {
    errors.add(WireError::LengthMismatch);
    end = d.size();
  }
  Bytes body = d.subspan(40, end - 40);
  std::uint8_t nh = h.next_header;
  std::size_t off = 0;
  for (;;) {
    if (nh == kHopByHop || nh == kRouting || nh == kDestOptions || nh == kMobility) {
      if (nh == kHopByHop && h.num_ext != 0) {  // RFC 8200 §4.3: only directly after the header
        errors.add(WireError::BadExtensionHeader);
        return false;
      }
      if (off + 8 > body.size()) {
        errors.add(WireError::BadExtensionHeader);
        return false;
      }
      std::size_t len = 8u * (body[off + 1] + 1u);
      if (off + len > body.size()) {
        errors.add(WireError::BadExtensionHeader);
        return false;
      }
      if (h.num_ext < h.ext_headers.size()) h.ext_headers[h.num_ext++] = nh;
      if ((nh == kHopByHop || nh == kDestOptions) &&
          !parse_options(body.subspan(off + 2, len - 2), h, errors, nh == kHopByHop))
        return false;
      nh = body[off];
      off += len;
    } else if (nh == kFragment) {
      if (off + 8 > body.size()) {
        errors.add(WireError::BadExtensionHeader);
        return false;
      }
      if (h.num_ext < h.ext_headers.size()) h.ext_headers[h.num_ext++] = nh;
      std::uint16_t fo = load_be16(body.data() + off + 2);
      if ((fo & 0xFFF8) != 0 || (fo & 1) != 0) {
        h.fragment = true;
        h.frag_offset = static_cast<std::uint16_t>(fo >> 3);
        errors.add(WireError::Fragmented);
      }
      nh = body[off];
      off += 8;
      if (h.frag_offset != 0) {
        // RFC 8200 §4.5: after a non-first fragment header come fragment data, not the
        // headers named by Next Header; no upper-layer header can be reached here.
        h.upper_protocol = nh;
        upper = body.subspan(off);
        return false;
      }
    } else if (nh == kAuthHeader) {
      if (off + 8 > body.size()) {
        errors.add(WireError::BadExtensionHeader);
        return false;
      }
      std::size_t len = 4u * (body[off + 1] + 2u);  // RFC 4302 §2.2
      if (off + len > body.size()) {
        errors.add(WireError::BadExtensionHeader);
        return false;
      }
      if (h.num_ext < h.ext_headers.size()) h.ext_headers[h.num_ext++] = nh;
      nh = body[off];
      off += len;
    } else if (nh == kNoNextHeader) {
      h.upper_protocol = nh;
      upper = body.subspan(off, 0);
      return false;
    } else {
      break;
    }
  }
  h.upper_protocol = nh;
  upper = body.subspan(off);
  return true;
}

void emit_ipv6(const Ipv6Header& h, std::uint8_t upper_protocol, Bytes upper, std::vector<std::uint8_t>& out) {
  ByteWriter w(out);
  const std::size_t ext_len = h.router_alert ? 8 : 0;
  w.u32((6u << 28) | (std::uint32_t{h.traffic_class} << 20) | (h.flow_label & 0xFFFFF));
  w.u16(static_cast<std::uint16_t>(ext_len + upper.size()));
  w.u8(h.router_alert ? kHopByHop : upper_protocol);
  w.u8(h.hop_limit);
  w.bytes(h.src.b);
  w.bytes(h.dst.b);
  if (h.router_alert) {
    // RFC 9777 §5 / RFC 2711 §2.1: hop-by-hop header with Router Alert (value 0 = MLD)
    // followed by a 2-byte PadN to fill the 8-byte header.
    w.u8(upper_protocol);
    w.u8(0);
    w.u8(5);
    w.u8(2);
    w.u16(h.router_alert_value);
    w.u8(1);
    w.u8(0);
  }
  w.bytes(upper);
}

bool parse_ethernet(Bytes f, EthernetHeader& h, Bytes& payload, ErrorSet& errors) {
  h = EthernetHeader{};
  if (f.size() < 14) {
    errors.add(WireError::Truncated);
    return false;
  }
  h.dst = MacAddr::from_bytes(f.data());
  h.src = MacAddr::from_bytes(f.data() + 6);
  std::size_t off = 12;
  std::uint16_t et = load_be16(f.data() + off);
  while (et == 0x8100 || et == 0x88A8 || et == 0x9100) {  // IEEE 802.1Q / 802.1ad tags
    if (off + 6 > f.size()) {
      errors.add(WireError::Truncated);
      return false;
    }
    if (h.num_vlans < h.vlan_tci.size()) h.vlan_tci[h.num_vlans++] = load_be16(f.data() + off + 2);
    off += 4;
    et = load_be16(f.data() + off);
  }
  h.ethertype = et;
  payload = f.subspan(off + 2);
  return true;
}

void emit_ethernet(const EthernetHeader& h, Bytes payload, std::vector<std::uint8_t>& out) {
  ByteWriter w(out);
  w.bytes(h.dst.b);
  w.bytes(h.src.b);
  for (std::uint8_t i = 0; i < h.num_vlans; ++i) {
    w.u16(0x8100);
    w.u16(h.vlan_tci[i]);
  }
  w.u16(h.ethertype);
  w.bytes(payload);
}

}  // namespace mcsim::wire
