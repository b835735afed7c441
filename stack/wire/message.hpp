// Parsed representation of an IGMP or MLD message, shared by both families.
//
// One value type for every membership message of one family: queries of every
// version, v1/v2 reports, leaves/dones and v3/v2 reports with group records.
// Record sources and aux data are stored flat (one vector for the whole
// message) so a decoder reusing a Message allocates nothing in steady state.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stack/addr.hpp"
#include "stack/record_type.hpp"
#include "stack/wire/errors.hpp"

namespace mcsim::wire {

using mcsim::RecordType;  // RFC 9776 §4.2.12 / RFC 9777 §5.2.12
/// "MODE_IS_INCLUDE" ... "BLOCK_OLD_SOURCES"; "UNKNOWN" outside 1..6.
const char* record_type_name(std::uint8_t type);

enum class MsgKind : std::uint8_t {
  Query,      // IGMP 0x11 / MLD 130, every version
  V1Report,   // IGMPv1 report 0x12 / MLDv1 report 131
  V2Report,   // IGMPv2 report 0x16 (IGMP only)
  Leave,      // IGMPv2 leave 0x17 / MLDv1 done 132
  V3Report,   // IGMPv3 report 0x22 / MLDv2 report 143
  Other,      // other IP protocol 2 messages (DVMRP, PIMv1, mtrace, RGMP)
};

template <class A>
struct GroupRecord {
  std::uint8_t type = 0;         // raw record type (RecordType when 1..6)
  std::uint8_t aux_words = 0;    // Aux Data Len in 32-bit words
  std::uint16_t num_sources = 0; // sources present (equals the field when well formed)
  A group{};
  std::uint32_t first_source = 0;  // index into Message::record_sources
  std::uint32_t aux_offset = 0;    // index into Message::aux
};

template <class A>
struct Message {
  MsgKind kind = MsgKind::Other;
  /// Query: protocol version decided by RFC 9776 §7.1 / RFC 9777 §8.1 (IGMP 1..3, MLD 1..2).
  /// Reports/leaves: the version the message type belongs to.
  std::uint8_t version = 0;
  std::uint8_t type = 0;             // raw type byte
  std::uint8_t code = 0;             // raw ICMPv6 Code (MLD) / unused (IGMP)
  std::uint16_t max_resp_code = 0;   // raw: IGMP 8-bit, MLD 16-bit
  std::uint16_t checksum = 0;        // as on the wire
  bool checksum_ok = false;
  A group{};
  // IGMPv3 / MLDv2 query fields (RFC 9776 §4.1.5-4.1.8, RFC 9777 §5.1.7-5.1.9).
  bool s_flag = false;
  std::uint8_t qrv = 0;
  std::uint8_t qqic = 0;
  std::uint8_t resv = 0;             // reserved bits of the query flags byte
  std::uint16_t num_sources_field = 0;
  std::vector<A> sources;            // query sources, wire order
  // IGMPv3 / MLDv2 report fields.
  std::uint16_t num_records_field = 0;
  std::vector<GroupRecord<A>> records;
  std::vector<A> record_sources;
  std::vector<std::uint8_t> aux;
  /// Bytes the message occupies according to its own counts (<= payload size when whole).
  std::uint32_t length = 0;
  ErrorSet errors;

  void clear() {
    kind = MsgKind::Other;
    version = type = code = 0;
    max_resp_code = checksum = 0;
    checksum_ok = false;
    group = A{};
    s_flag = false;
    qrv = qqic = resv = 0;
    num_sources_field = num_records_field = 0;
    sources.clear();
    records.clear();
    record_sources.clear();
    aux.clear();
    length = 0;
    errors.clear();
  }

  std::span<const A> sources_of(const GroupRecord<A>& r) const {
    return std::span<const A>(record_sources).subspan(r.first_source, r.num_sources);
  }
  std::span<const std::uint8_t> aux_of(const GroupRecord<A>& r) const {
    std::size_t n = std::size_t{r.aux_words} * 4;
    if (r.aux_offset + n > aux.size()) n = aux.size() - r.aux_offset;
    return std::span<const std::uint8_t>(aux).subspan(r.aux_offset, n);
  }
  /// Appends a record (for building messages to emit).
  void add_record(RecordType t, const A& g, std::span<const A> srcs, std::span<const std::uint8_t> aux_data = {}) {
    GroupRecord<A> r;
    r.type = static_cast<std::uint8_t>(t);
    r.group = g;
    r.num_sources = static_cast<std::uint16_t>(srcs.size());
    r.first_source = static_cast<std::uint32_t>(record_sources.size());
    r.aux_offset = static_cast<std::uint32_t>(aux.size());
    r.aux_words = static_cast<std::uint8_t>(aux_data.size() / 4);
    record_sources.insert(record_sources.end(), srcs.begin(), srcs.end());
    aux.insert(aux.end(), aux_data.begin(), aux_data.begin() + r.aux_words * 4);
    records.push_back(r);
    num_records_field = static_cast<std::uint16_t>(records.size());
  }
  bool is_general_query() const { return kind == MsgKind::Query && group == A{}; }
};

using IgmpMessage = Message<Ipv4Addr>;
using MldMessage = Message<Ipv6Addr>;

}  // namespace mcsim::wire
