// The parts IGMPv3 (RFC 9776 §4.1, §4.2) and MLDv2 (RFC 9777 §5.1, §5.2) share: the query's
// flags/QQIC/source list and the report's group records. The layouts are the same; only the
// address size and so the record header size differ. Internal to stack/wire.
#pragma once

#include <cstddef>
#include <tuple>
#include <vector>

#include "stack/wire/bytes.hpp"
#include "stack/wire/message.hpp"

namespace mcsim::wire::detail {

template <class A>
inline constexpr std::size_t kAddrLen = std::tuple_size_v<decltype(A::b)>;
/// Record Type, Aux Data Len, Number of Sources, Multicast Address (RFC 9776 §4.2.4).
template <class A>
inline constexpr std::size_t kRecordHdrLen = 4 + kAddrLen<A>;

/// Reads the query tail at `off`: Resv/S/QRV, QQIC, Number of Sources, Source Addresses
/// (RFC 9776 §4.1.5-§4.1.8 / RFC 9777 §5.1.7-§5.1.10). Sets out.length to what the counts claim.
template <class A>
void read_query_tail(Bytes p, std::size_t off, Message<A>& out) {
  out.resv = static_cast<std::uint8_t>(p[off] >> 4);
  out.s_flag = (p[off] & 0x08) != 0;  // S flag
  out.qrv = p[off] & 0x07;            // QRV
  out.qqic = p[off + 1];              // QQIC
  out.num_sources_field = load_be16(p.data() + off + 2);
  const std::size_t first = off + 4;
  std::size_t n = out.num_sources_field;
  const std::size_t avail = (p.size() - first) / kAddrLen<A>;
  if (n > avail) {
    out.errors.add(WireError::BadSourceCount);
    n = avail;
  }
  out.sources.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.sources.push_back(A::from_bytes(p.data() + first + kAddrLen<A> * i));
  out.length = static_cast<std::uint32_t>(first + kAddrLen<A> * std::size_t{out.num_sources_field});
}

/// Reads Number of Group Records (at offset 6) and the records from offset 8 (RFC 9776 §4.2.3-
/// §4.2.6 / RFC 9777 §5.2.3-§5.2.6). Never reads past `p`; sets out.length to what the counts
/// claim, which exceeds p.size() when the message is cut.
template <class A>
void read_group_records(Bytes p, Message<A>& out) {
  constexpr std::size_t kAddr = kAddrLen<A>;
  out.num_records_field = load_be16(p.data() + 6);
  std::size_t off = 8;
  for (std::size_t r = 0; r < out.num_records_field; ++r) {
    if (off + kRecordHdrLen<A> > p.size()) {
      out.errors.add(WireError::Truncated);
      // A cut record header is part of the message, not bytes after it (no TrailingBytes);
      // the counts claim at least this header.
      off += kRecordHdrLen<A>;
      break;
    }
    GroupRecord<A> rec;
    rec.type = p[off];
    rec.aux_words = p[off + 1];
    const std::uint16_t nsrc = load_be16(p.data() + off + 2);
    rec.group = A::from_bytes(p.data() + off + 4);
    if (rec.type < 1 || rec.type > 6) out.errors.add(WireError::BadRecordType);
    off += kRecordHdrLen<A>;
    std::size_t n = nsrc;
    const std::size_t avail = (p.size() - off) / kAddr;
    if (n > avail) {
      out.errors.add(WireError::BadSourceCount);
      n = avail;
    }
    rec.num_sources = static_cast<std::uint16_t>(n);
    rec.first_source = static_cast<std::uint32_t>(out.record_sources.size());
    for (std::size_t i = 0; i < n; ++i) out.record_sources.push_back(A::from_bytes(p.data() + off + kAddr * i));
    off += kAddr * n;
    rec.aux_offset = static_cast<std::uint32_t>(out.aux.size());
    const std::size_t aux_len = std::size_t{rec.aux_words} * 4;  // Aux Data Len in 32-bit words
    if (n < nsrc) {
      out.records.push_back(rec);
      off += kAddr * (nsrc - n) + aux_len;  // the length the counts claim
      break;
    }
    if (off + aux_len > p.size()) {
      out.errors.add(WireError::Truncated);
      out.aux.insert(out.aux.end(), p.begin() + static_cast<std::ptrdiff_t>(off), p.end());
      out.records.push_back(rec);
      off += aux_len;
      break;
    }
    out.aux.insert(out.aux.end(), p.begin() + static_cast<std::ptrdiff_t>(off),
                   p.begin() + static_cast<std::ptrdiff_t>(off + aux_len));
    off += aux_len;
    out.records.push_back(rec);
  }
  out.length = static_cast<std::uint32_t>(off);
}

/// Writes the query tail (flags, QQIC, sources) of an IGMPv3/MLDv2 query.
template <class A>
void write_query_tail(ByteWriter& w, const Message<A>& m) {
  w.u8(static_cast<std::uint8_t>((m.resv << 4) | (m.s_flag ? 0x08 : 0) | (m.qrv & 0x07)));
  w.u8(m.qqic);
  w.u16(static_cast<std::uint16_t>(m.sources.size()));
  for (const auto& s : m.sources) w.bytes(s.b);
}

/// Writes Reserved, Number of Group Records and the records of an IGMPv3/MLDv2 report
/// (everything after the 4-byte type/reserved/checksum header).
template <class A>
void write_group_records(ByteWriter& w, const Message<A>& m) {
  w.u16(0);
  w.u16(static_cast<std::uint16_t>(m.records.size()));
  for (const auto& r : m.records) {
    w.u8(r.type);
    w.u8(r.aux_words);
    w.u16(r.num_sources);
    w.bytes(r.group.b);
    for (const auto& s : m.sources_of(r)) w.bytes(s.b);
    w.bytes(m.aux_of(r));
  }
}

}  // namespace mcsim::wire::detail
