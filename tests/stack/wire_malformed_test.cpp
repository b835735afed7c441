// Malformed IGMP/MLD/IP input: every malformation gives its typed WireError and nothing is
// read out of bounds (run under the asan preset to check the latter). Messages are written
// out as bytes; checksums are computed by hand (RFC 1071 sums noted in the comments) or
// adjusted from the captured ones by the RFC 1624 rule (adding d to one 16-bit word of the
// sum lowers the checksum by d).
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "stack/wire/igmp.hpp"
#include "stack/wire/ip.hpp"
#include "stack/wire/mld.hpp"
#include "stack/wire/packet.hpp"
#include "tests/stack/wire_test_util.hpp"

namespace mcsim::wire {
namespace {

using testing::bytes_of;
using testing::ip_of_frame;
using testing::to_vec;
using testing::v4;
using testing::v6;

// pcapplusplus__igmpv3_report2.pcap frame 1, IGMP part (96 bytes): five records
// (type 3: 4 sources, 4: 2, 1: 1, 2: 3, 5: 2), no aux data. Records start at byte offsets
// 8, 32, 48, 60 and 80.
constexpr std::uint8_t kV3FiveRecordReport[] = {
    0x22, 0x00, 0xbf, 0x14, 0x00, 0x00, 0x00, 0x05, 0x03, 0x00, 0x00, 0x04, 0x01, 0x01, 0x01, 0x01,
    0x0c, 0x22, 0x38, 0x4e, 0x58, 0x4d, 0x42, 0x37, 0x2c, 0x21, 0x16, 0x0b, 0xff, 0xff, 0xff, 0xff,
    0x04, 0x00, 0x00, 0x02, 0x01, 0x03, 0x05, 0x07, 0x0d, 0x18, 0x39, 0x44, 0x1f, 0x2a, 0x4b, 0x56,
    0x01, 0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x09, 0xc0, 0xa8, 0x14, 0xde, 0x02, 0x00, 0x00, 0x03,
    0x04, 0x03, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x16, 0x21, 0x2c, 0x6f, 0xde, 0x21, 0x2c,
    0x05, 0x00, 0x00, 0x02, 0x02, 0x04, 0x06, 0x08, 0x0d, 0x18, 0x39, 0x44, 0x1f, 0x2a, 0x4b, 0x56,
};
struct RecordSpan {
  std::size_t start;
  std::size_t sources;
  std::size_t aux_words;
};
constexpr RecordSpan kFiveRecordLayout[] = {{8, 4, 0}, {32, 2, 0}, {48, 1, 0}, {60, 3, 0}, {80, 2, 0}};

// Hand-written IGMPv3 report with aux data: MODE_IS_INCLUDE 232.1.1.1 {10.0.0.1}, aux 1 word.
constexpr std::uint8_t kV3ReportWithAux[] = {
    0x22, 0x00, 0x72, 0x5f, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01,
    0x0a, 0x00, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd,
};
constexpr RecordSpan kAuxLayout[] = {{8, 1, 1}};

// packetgen__mldv2.pcapng frame 1, ICMPv6 part (164 bytes; src ::, dst ff02::2): one
// MODE_IS_INCLUDE record at 8 with 8 sources (28..156) and 2 aux words (156..164).
constexpr std::uint8_t kMldV2ReportAux[] = {
    0x8f, 0x00, 0x1b, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x08, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x09, 0xde, 0xad, 0xbe, 0xef,
    0xbe, 0xad, 0xfe, 0xed,
};
constexpr RecordSpan kMldAuxLayout[] = {{8, 8, 2}};

// tcpdump__icmpv6.pcap frame 4, ICMPv6 part (88 bytes; fe80::215:17ff:fecc:e546 -> ff02::16):
// four MODE_IS_EXCLUDE records without sources at 8, 28, 48, 68.
constexpr std::uint8_t kMldV2FourRecords[] = {
    0x8f, 0x00, 0x2a, 0x0e, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0xb8, 0x11, 0x22, 0x33, 0x44, 0x02, 0x00, 0x00, 0x00,
    0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xcc, 0xe5, 0x46,
    0x02, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0xff, 0xa7, 0x10, 0xad, 0x02, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x02,
};
constexpr RecordSpan kMldFourLayout[] = {{8, 0, 0}, {28, 0, 0}, {48, 0, 0}, {68, 0, 0}};

// tcpdump__IGMP_V2.pcap frame 2 (46 bytes): IGMPv2 report, IPv4 header with RA, checksum 0xe692.
constexpr std::uint8_t kV2ReportFrame[] = {
    0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa, 0x00, 0x1c, 0x23, 0xaa, 0xbe, 0xad, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x20, 0x8c, 0x62, 0x00, 0x00, 0x01, 0x02, 0xe6, 0x92, 0xc0, 0xa8, 0x01, 0x40, 0xef, 0xff,
    0xff, 0xfa, 0x94, 0x04, 0x00, 0x00, 0x16, 0x00, 0xfa, 0x04, 0xef, 0xff, 0xff, 0xfa,
};

// zeek__icmp__icmp6-mldv1.pcap frame 1 (78 bytes): MLDv1 report, no extension headers.
constexpr std::uint8_t kMldV1ReportFrame[] = {
    0x33, 0x33, 0xff, 0x9a, 0x3b, 0x7c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x86, 0xdd, 0x60, 0x00,
    0x00, 0x00, 0x00, 0x18, 0x3a, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x8c,
    0x74, 0x88, 0x34, 0xcf, 0xcb, 0xdb, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0xff, 0x9a, 0x3b, 0x7c, 0x83, 0x00, 0x78, 0x36, 0x00, 0x00, 0x00, 0x00, 0xff, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x9a, 0x3b, 0x7c,
};
constexpr std::size_t kIp6Off = 14;   // IPv6 header in kMldV1ReportFrame
constexpr std::size_t kMldOff = 54;   // ICMPv6 message in kMldV1ReportFrame

const Ipv6Addr kLl1 = v6("fe80::1");

/// The error a prefix of `len` bytes of a report must give, derived from the record layout:
/// cut inside the 8-byte header (or any record header) or the aux data -> Truncated; cut
/// inside the sources -> BadSourceCount (Number of Sources claims more than is there).
template <std::size_t N>
WireError expected_prefix_error(std::size_t len, const RecordSpan (&layout)[N], std::size_t rec_hdr,
                                std::size_t src_len) {
  for (const auto& r : layout) {
    const std::size_t src_begin = r.start + rec_hdr;
    const std::size_t aux_begin = src_begin + r.sources * src_len;
    const std::size_t end = aux_begin + r.aux_words * 4;
    if (len >= end) continue;
    if (len < src_begin) return WireError::Truncated;
    if (len < aux_begin) return WireError::BadSourceCount;
    return WireError::Truncated;
  }
  ADD_FAILURE() << "prefix " << len << " is the whole message";
  return WireError::kCount;
}

// --- Truncation: every prefix -----------------------------------------------------------

// RFC 9776 §4.2: every proper prefix of a valid IGMPv3 report is detected: the 8-byte header,
// a group record header, a source list or aux data cut short. (ASan checks no byte past the
// prefix is read; the prefix is copied so the bytes after it are not even addressable.)
TEST(IgmpV3Report, EveryTruncatedPrefixIsDetected) {
  for (const Bytes whole : {bytes_of(kV3FiveRecordReport), bytes_of(kV3ReportWithAux)}) {
    const bool aux = whole.size() == sizeof kV3ReportWithAux;
    for (std::size_t len = 0; len < whole.size(); ++len) {
      SCOPED_TRACE(::testing::Message() << "prefix " << len << " of " << whole.size());
      const std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len));
      IgmpMessage m;
      const bool usable = decode_igmp(cut, m);
      if (len < 8) {
        EXPECT_FALSE(usable);
        EXPECT_TRUE(m.errors.has(WireError::Truncated));
        continue;
      }
      EXPECT_TRUE(usable);
      const WireError want = aux ? expected_prefix_error(len, kAuxLayout, 8, 4)
                                 : expected_prefix_error(len, kFiveRecordLayout, 8, 4);
      EXPECT_TRUE(m.errors.has(want)) << error_id(want);
      EXPECT_FALSE(m.errors.has(WireError::TrailingBytes));
      EXPECT_FALSE(m.errors.has(WireError::BadRecordType));
      EXPECT_GE(m.length, len);  // the counts claim at least what is there
      for (const auto& r : m.records) {  // whatever was decoded lies inside the prefix
        EXPECT_LE(r.first_source + r.num_sources, m.record_sources.size());
        EXPECT_LE(m.aux_of(r).size(), std::size_t{r.aux_words} * 4);
      }
    }
  }
}

// RFC 9777 §5.2: the same for every proper prefix of two MLDv2 reports (one with 8 sources
// and aux data, one with four source-less records).
TEST(MldV2Report, EveryTruncatedPrefixIsDetected) {
  struct Case {
    Bytes whole;
    Ipv6Addr src, dst;
    bool aux;
  };
  const Case cases[] = {
      {bytes_of(kMldV2ReportAux), Ipv6Addr{}, ipv6::kAllRouters, true},
      {bytes_of(kMldV2FourRecords), v6("fe80::215:17ff:fecc:e546"), ipv6::kAllMldv2Routers, false},
  };
  for (const auto& c : cases) {
    MldMessage whole;
    ASSERT_TRUE(decode_mld(c.whole, c.src, c.dst, whole));
    ASSERT_TRUE(whole.errors.empty()) << whole.errors.bits();
    for (std::size_t len = 0; len < c.whole.size(); ++len) {
      SCOPED_TRACE(::testing::Message() << "prefix " << len << " of " << c.whole.size());
      const std::vector<std::uint8_t> cut(c.whole.begin(), c.whole.begin() + static_cast<std::ptrdiff_t>(len));
      MldMessage m;
      const bool usable = decode_mld(cut, c.src, c.dst, m);
      if (len < 8) {  // shorter than the MLDv2 report header (RFC 9777 §5.2)
        EXPECT_FALSE(usable);
        EXPECT_TRUE(m.errors.has(WireError::Truncated));
        continue;
      }
      EXPECT_TRUE(usable);
      const WireError want = c.aux ? expected_prefix_error(len, kMldAuxLayout, 20, 16)
                                   : expected_prefix_error(len, kMldFourLayout, 20, 16);
      EXPECT_TRUE(m.errors.has(want)) << error_id(want);
      EXPECT_TRUE(m.errors.has(WireError::BadChecksum));  // the checksum covered all bytes
      EXPECT_FALSE(m.errors.has(WireError::TrailingBytes));
      EXPECT_GE(m.length, len);
    }
  }
}

// RFC 791 §3.1 / RFC 8200 §3: every prefix of whole frames goes through the frame decoder
// without reading past the end; cut datagrams are LengthMismatch or Truncated.
TEST(PacketDecode, EveryPrefixOfFramesIsSafe) {
  for (const Bytes whole : {bytes_of(kV2ReportFrame), bytes_of(kMldV1ReportFrame)}) {
    for (std::size_t len = 0; len < whole.size(); ++len) {
      SCOPED_TRACE(::testing::Message() << "prefix " << len << " of " << whole.size());
      const std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len));
      DecodedPacket p;
      const bool is_msg = decode_ethernet_frame(cut, p);
      if (len < 14) {
        EXPECT_FALSE(is_msg);
        EXPECT_TRUE(p.errors.has(WireError::Truncated));
        continue;
      }
      EXPECT_FALSE(p.usable && p.errors.empty()) << "a cut datagram decoded without error";
      if (is_msg) {
        EXPECT_TRUE(p.errors.has(WireError::LengthMismatch));
      }
    }
  }
}

// --- Lengths ---------------------------------------------------------------------------

// RFC 791 §3.1: Total Length (0x30 = 48) larger than the 32 bytes captured is LengthMismatch;
// header checksum by hand: 0x10 more in the sum, 0xe692 - 0x10 = 0xe682.
TEST(Ipv4TotalLength, LargerThanCapturedIsLengthMismatch) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  f[17] = 0x30;
  f[24] = 0xe6;
  f[25] = 0x82;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.ip4.checksum_ok);
  EXPECT_TRUE(p.errors.has(WireError::LengthMismatch));
  EXPECT_EQ(p.ip_payload_len, 8u);  // what is there
}

// RFC 791 §3.1: Total Length includes the header, so 22 (< IHL 6 * 4 = 24) and 10 (< 20) are
// both LengthMismatch. Checksums by hand: 0xe692 + (0x20 - 0x16) = 0xe69c; + (0x20 - 0x0a) = 0xe6a8.
TEST(Ipv4TotalLength, SmallerThanHeaderIsLengthMismatch) {
  for (const auto& [total, ck] : {std::pair<std::uint8_t, std::uint16_t>{0x16, 0xe69c}, {0x0a, 0xe6a8}}) {
    SCOPED_TRACE(static_cast<int>(total));
    std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
    f[17] = total;
    f[24] = static_cast<std::uint8_t>(ck >> 8);
    f[25] = static_cast<std::uint8_t>(ck);
    DecodedPacket p;
    decode_ethernet_frame(bytes_of(f), p);
    EXPECT_TRUE(p.ip4.checksum_ok);
    EXPECT_TRUE(p.errors.has(WireError::LengthMismatch));
    EXPECT_FALSE(p.errors.has(WireError::BadIpHeaderLength));
  }
}

// RFC 791 §3.1: IHL below 5, or beyond the bytes present, is BadIpHeaderLength.
TEST(Ipv4HeaderLength, BelowFiveOrPastEndIsBadIpHeaderLength) {
  for (const std::uint8_t ihl : {std::uint8_t{0x44}, std::uint8_t{0x4f}}) {
    std::vector<std::uint8_t> d = to_vec(ip_of_frame(kV2ReportFrame));
    d[0] = ihl;
    Ipv4Header h;
    Bytes payload;
    ErrorSet errs;
    EXPECT_FALSE(parse_ipv4(d, h, payload, errs)) << static_cast<int>(ihl);
    EXPECT_TRUE(errs.has(WireError::BadIpHeaderLength)) << static_cast<int>(ihl);
  }
  // Version nibble 5 is not IPv4.
  std::vector<std::uint8_t> d = to_vec(ip_of_frame(kV2ReportFrame));
  d[0] = 0x56;
  Ipv4Header h;
  Bytes payload;
  ErrorSet errs;
  EXPECT_FALSE(parse_ipv4(d, h, payload, errs));
  EXPECT_TRUE(errs.has(WireError::BadIpVersion));
}

// RFC 8200 §3: Payload Length larger than the bytes present is LengthMismatch.
TEST(Ipv6PayloadLength, LargerThanCapturedIsLengthMismatch) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kMldV1ReportFrame));
  f[kIp6Off + 5] = 0x20;  // 32 > 24
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.errors.has(WireError::LengthMismatch));
}

// --- Checksums --------------------------------------------------------------------------

// RFC 791 §3.1: one flipped bit in the header (the ID) makes the header checksum bad.
TEST(Ipv4HeaderChecksum, FlippedBitIsBadIpChecksum) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  f[14 + 5] ^= 0x01;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.errors.has(WireError::BadIpChecksum));
  EXPECT_TRUE(p.usable);  // the IGMP message itself is fine
  EXPECT_TRUE(p.igmp.checksum_ok);
}

// RFC 9776 §4.1.2 / RFC 2236 §2.3: a changed group byte makes the IGMP checksum bad.
TEST(IgmpChecksum, FlippedBitIsBadChecksum) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  f[45] ^= 0x01;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.usable);
  EXPECT_FALSE(p.igmp.checksum_ok);
  EXPECT_TRUE(p.errors.has(WireError::BadChecksum));
  EXPECT_FALSE(p.errors.has(WireError::BadIpChecksum));
}

// RFC 4443 §2.3: a changed group byte, or a changed source address in the pseudo-header,
// makes the ICMPv6 checksum bad.
TEST(Icmpv6Checksum, FlippedBitOrOtherSourceIsBadChecksum) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kMldV1ReportFrame));
  f[77] ^= 0x01;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.errors.has(WireError::BadChecksum));
  std::vector<std::uint8_t> g = to_vec(bytes_of(kMldV1ReportFrame));
  g[kIp6Off + 8 + 15] ^= 0x01;  // last byte of the source address
  DecodedPacket q;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(g), q));
  EXPECT_TRUE(q.errors.has(WireError::BadChecksum));
}

// --- TTL / hop limit, type, code -------------------------------------------------------

// RFC 9777 §5 / RFC 2710 §3: MLD messages carry hop limit 1. The hop limit is outside the
// pseudo-header, so the checksum stays good and only BadTtl is reported.
TEST(MldHopLimit, HopLimit2IsBadTtl) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kMldV1ReportFrame));
  f[kIp6Off + 7] = 2;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.usable);
  ErrorSet want;
  want.add(WireError::BadTtl);
  EXPECT_EQ(p.errors, want);
}

// RFC 9776 §4 ("unrecognized message types MUST be silently ignored"): type 0x30 is UnknownType.
// Checksum by hand: 3000 + e801 + 0101 = 0x11902 -> 0x1903 -> ~ 0xe6fc.
TEST(IgmpType, UnknownTypeIsFlagged) {
  constexpr std::uint8_t msg[] = {0x30, 0x00, 0xe6, 0xfc, 0xe8, 0x01, 0x01, 0x01};
  IgmpMessage m;
  decode_igmp(bytes_of(msg), m);
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_EQ(m.kind, MsgKind::Other);
  EXPECT_TRUE(m.errors.has(WireError::UnknownType));
}

// RFC 9777 §5: ICMPv6 type 133 (Router Solicitation) is not MLD: decode_mld refuses it and the
// packet path does not treat it as MLD at all.
TEST(MldType, NonMldIcmpv6TypeIsUnknown) {
  std::vector<std::uint8_t> msg = to_vec(bytes_of(kMldV1ReportFrame).subspan(kMldOff));
  msg[0] = 133;
  MldMessage m;
  EXPECT_FALSE(decode_mld(msg, kLl1, ipv6::kAllRouters, m));
  EXPECT_TRUE(m.errors.has(WireError::UnknownType));
  std::vector<std::uint8_t> f = to_vec(bytes_of(kMldV1ReportFrame));
  f[kMldOff] = 133;
  DecodedPacket p;
  EXPECT_FALSE(decode_ethernet_frame(bytes_of(f), p));
}

// RFC 9777 §5.1.1 / RFC 2710 §3: Code is sent as 0 and ignored on receipt; Code 1 is flagged
// BadCode and the message stays usable. Checksum adjusted: Code adds 1 to the first word,
// so 0x7836 - 1 = 0x7835.
TEST(MldCode, NonZeroCodeIsBadCodeButUsable) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kMldV1ReportFrame));
  f[kMldOff + 1] = 1;
  f[kMldOff + 3] = 0x35;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.usable);
  EXPECT_TRUE(p.mld.checksum_ok);
  EXPECT_EQ(p.mld.code, 1);
  ErrorSet want;
  want.add(WireError::BadCode);
  EXPECT_EQ(p.errors, want);
}

// --- Counts ----------------------------------------------------------------------------

// RFC 9776 §4.2.5: a record claiming 65535 sources with one present is BadSourceCount; the
// present source is kept and the claimed length is 8 + 8 + 4 * 65535.
// Checksum by hand: 2200+0001+0100+ffff+e801+0101+0a00+0001 = 0x21603 -> 0x1605 -> ~ 0xe9fa.
TEST(IgmpV3Report, NumberOfSources65535IsBadSourceCount) {
  constexpr std::uint8_t msg[] = {0x22, 0x00, 0xe9, 0xfa, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00,
                                  0xff, 0xff, 0xe8, 0x01, 0x01, 0x01, 0x0a, 0x00, 0x00, 0x01};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::BadSourceCount));
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].num_sources, 1);
  EXPECT_EQ(m.sources_of(m.records[0])[0], v4("10.0.0.1"));
  EXPECT_EQ(m.length, 16u + 4u * 65535u);
}

// RFC 9776 §4.1.8: a query claiming 65535 sources with one present is BadSourceCount.
// Checksum by hand: 1164+0200+ffff+0a00+0001 = 0x11d64 -> 0x1d65 -> ~ 0xe29a.
TEST(IgmpV3Query, NumberOfSourcesPastEndIsBadSourceCount) {
  constexpr std::uint8_t msg[] = {0x11, 0x64, 0xe2, 0x9a, 0x00, 0x00, 0x00, 0x00,
                                  0x02, 0x00, 0xff, 0xff, 0x0a, 0x00, 0x00, 0x01};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::BadSourceCount));
  EXPECT_EQ(m.sources.size(), 1u);
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(m.length, 12u + 4u * 65535u);
}

// RFC 9777 §5.1.10: an MLDv2 query of 28 bytes claiming 2 sources is BadSourceCount.
// ICMPv6 checksum for fe80::1 -> ff02::1 computed by hand (RFC 4443 §2.3 pseudo-header): 0x5694.
TEST(MldV2Query, NumberOfSourcesPastEndIsBadSourceCount) {
  constexpr std::uint8_t msg[] = {0x82, 0x00, 0x56, 0x94, 0x27, 0x10, 0x00, 0x00, 0, 0, 0, 0, 0, 0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0x02, 0x7d, 0x00, 0x02};
  MldMessage m;
  ASSERT_TRUE(decode_mld(bytes_of(msg), kLl1, ipv6::kAllNodes, m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::BadSourceCount));
  EXPECT_TRUE(m.sources.empty());
  EXPECT_EQ(m.length, 28u + 32u);
}

// RFC 9777 §5.2.5: an MLDv2 record claiming 65535 sources with one present. Checksum 0x737c
// (fe80::1 -> ff02::16, by hand).
TEST(MldV2Report, NumberOfSources65535IsBadSourceCount) {
  constexpr std::uint8_t msg[] = {
      0x8f, 0x00, 0x73, 0x7c, 0x00, 0x00, 0x00, 0x01,                                      // header
      0x01, 0x00, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb,     // record
      0xfe, 0x80, 0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,                 // fe80::2
  };
  MldMessage m;
  ASSERT_TRUE(decode_mld(bytes_of(msg), kLl1, ipv6::kAllMldv2Routers, m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::BadSourceCount));
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].num_sources, 1);
  EXPECT_EQ(m.sources_of(m.records[0])[0], v6("fe80::2"));
  EXPECT_EQ(m.length, 28u + 16u * 65535u);
}

// RFC 9776 §4.2.6: Aux Data Len 5 words with no aux bytes present is Truncated.
// Checksum by hand: 2200+0001+0105+e801+0101 = 0x10c08 -> 0x0c09 -> ~ 0xf3f6.
TEST(IgmpV3Report, AuxDataPastEndIsTruncated) {
  constexpr std::uint8_t msg[] = {0x22, 0x00, 0xf3, 0xf6, 0x00, 0x00, 0x00, 0x01,
                                  0x01, 0x05, 0x00, 0x00, 0xe8, 0x01, 0x01, 0x01};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::Truncated));
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_TRUE(m.aux_of(m.records[0]).empty());
  EXPECT_EQ(m.length, 16u + 20u);
}

// RFC 9777 §5.2.6: the same for MLDv2 (Aux Data Len 3, none present). Checksum 0x720c by hand.
TEST(MldV2Report, AuxDataPastEndIsTruncated) {
  constexpr std::uint8_t msg[] = {0x8f, 0x00, 0x72, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03, 0x00, 0x00, 0xff, 0x02,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0xfb};
  MldMessage m;
  ASSERT_TRUE(decode_mld(bytes_of(msg), kLl1, ipv6::kAllMldv2Routers, m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::Truncated));
  EXPECT_EQ(m.length, 28u + 12u);
}

// RFC 9776 §4.2.3: Number of Group Records 2 with one record present is Truncated.
// Checksum by hand: 2200+0002+0400+e000+00fb = 0x106fd -> 0x06fe -> ~ 0xf901.
TEST(IgmpV3Report, MoreRecordsClaimedThanPresentIsTruncated) {
  constexpr std::uint8_t msg[] = {0x22, 0x00, 0xf9, 0x01, 0x00, 0x00, 0x00, 0x02,
                                  0x04, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::Truncated));
  EXPECT_EQ(m.records.size(), 1u);
}

// RFC 9776 §4.2: bytes after the last record inside the IP payload are TrailingBytes
// (seed 002's report + 01 02 03 04; checksum 0x06fd + 0x0406 = 0x0b03 -> ~ 0xf4fc).
TEST(IgmpV3Report, BytesAfterLastRecordAreTrailingBytes) {
  constexpr std::uint8_t msg[] = {0x22, 0x00, 0xf4, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
                                  0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb, 0x01, 0x02, 0x03, 0x04};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_TRUE(m.checksum_ok);
  ErrorSet want;
  want.add(WireError::TrailingBytes);
  EXPECT_EQ(m.errors, want);
  EXPECT_EQ(m.length, 16u);
}

// RFC 2710 §3: an MLDv1 report is 24 bytes; 4 more zero bytes inside the IPv6 payload are
// TrailingBytes (zeros leave the sum alone; the pseudo-header length grows by 4, so the
// checksum drops by 4: 0x7836 -> 0x7832).
TEST(MldV1Report, BytesAfterMessageAreTrailingBytes) {
  std::vector<std::uint8_t> msg = to_vec(bytes_of(kMldV1ReportFrame).subspan(kMldOff));
  msg.insert(msg.end(), {0, 0, 0, 0});
  msg[3] = 0x32;
  MldMessage m;
  ASSERT_TRUE(decode_mld(msg, v6("fe80::1c8c:7488:34cf:cbdb"), v6("ff02::1:ff9a:3b7c"), m));
  EXPECT_TRUE(m.checksum_ok);
  ErrorSet want;
  want.add(WireError::TrailingBytes);
  EXPECT_EQ(m.errors, want);
}

// RFC 9776 §4.2.12 / RFC 9777 §5.2.12: record types 0 and 7 are outside 1..6: BadRecordType.
TEST(IgmpV3Report, RecordTypes0And7AreBadRecordType) {
  // Type 0: 2200+0001+0000+e801+0101 = 0x10b03 -> 0x0b04 -> ~ 0xf4fb.
  constexpr std::uint8_t type0[] = {0x22, 0x00, 0xf4, 0xfb, 0x00, 0x00, 0x00, 0x01,
                                    0x00, 0x00, 0x00, 0x00, 0xe8, 0x01, 0x01, 0x01};
  // Type 7: seed 002 with the record type raised by 3: 0xf902 - 0x0300 = 0xf602.
  constexpr std::uint8_t type7[] = {0x22, 0x00, 0xf6, 0x02, 0x00, 0x00, 0x00, 0x01,
                                    0x07, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb};
  for (const Bytes b : {bytes_of(type0), bytes_of(type7)}) {
    IgmpMessage m;
    ASSERT_TRUE(decode_igmp(b, m));
    EXPECT_TRUE(m.checksum_ok);
    ErrorSet want;
    want.add(WireError::BadRecordType);
    EXPECT_EQ(m.errors, want) << static_cast<int>(b[8]);
  }
}

TEST(MldV2Report, RecordTypes0And7AreBadRecordType) {
  // fe80::1 -> ff02::16, group ff02::fb; checksums by hand: type 0 0x730f, type 7 0x6c0f.
  for (const auto& [type, ck] : {std::pair<std::uint8_t, std::uint16_t>{0, 0x730f}, {7, 0x6c0f}}) {
    const std::uint8_t msg[] = {0x8f, 0x00, static_cast<std::uint8_t>(ck >> 8), static_cast<std::uint8_t>(ck),
                                0x00, 0x00, 0x00, 0x01, type, 0x00, 0x00, 0x00, 0xff, 0x02,
                                0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0xfb};
    MldMessage m;
    ASSERT_TRUE(decode_mld(bytes_of(msg), kLl1, ipv6::kAllMldv2Routers, m));
    EXPECT_TRUE(m.checksum_ok) << static_cast<int>(type);
    ErrorSet want;
    want.add(WireError::BadRecordType);
    EXPECT_EQ(m.errors, want) << static_cast<int>(type);
  }
}

// --- Fragments --------------------------------------------------------------------------

// RFC 791 §3.1: More Fragments set (checksum 0xe692 - 0x2000 = 0xc692) is Fragmented; the
// first fragment still holds the IGMP header, so it decodes.
TEST(Ipv4Fragment, MoreFragmentsIsFragmented) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  f[14 + 6] = 0x20;
  f[24] = 0xc6;
  f[25] = 0x92;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.ip4.checksum_ok);
  EXPECT_TRUE(p.ip4.mf);
  EXPECT_TRUE(p.errors.has(WireError::Fragmented));
}

// RFC 791 §3.1: a later fragment (offset 1 = 8 bytes; checksum 0xe692 - 1 = 0xe691) carries no
// IGMP header: Fragmented, proto IGMP, not usable.
TEST(Ipv4Fragment, LaterFragmentIsNotUsable) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  f[14 + 7] = 0x01;
  f[24] = 0xe6;
  f[25] = 0x91;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.ip4.checksum_ok);
  EXPECT_EQ(p.ip4.frag_offset, 1);
  EXPECT_EQ(p.proto, PacketProto::Igmp);
  EXPECT_FALSE(p.usable);
  EXPECT_TRUE(p.errors.has(WireError::Fragmented));
}

// --- IPv4 options ------------------------------------------------------------------------

// RFC 791 §3.1: an option whose length byte is below 2 or runs past the header is
// BadIpOptions; RFC 2113 §2.1: Router Alert has length 4.
TEST(Ipv4Options, MalformedOptionListIsBadIpOptions) {
  for (const std::uint8_t len : {std::uint8_t{0x00}, std::uint8_t{0x01}, std::uint8_t{0x06}, std::uint8_t{0x03}}) {
    std::vector<std::uint8_t> d = to_vec(ip_of_frame(kV2ReportFrame));
    d[21] = len;  // Router Alert length byte
    Ipv4Header h;
    Bytes payload;
    ErrorSet errs;
    ASSERT_TRUE(parse_ipv4(d, h, payload, errs));
    EXPECT_TRUE(errs.has(WireError::BadIpOptions)) << static_cast<int>(len);
  }
}

// --- Empty input and reuse ----------------------------------------------------------------

// Zero-length input never reads a byte.
TEST(PacketDecode, EmptyInputIsTruncatedEverywhere) {
  IgmpMessage im;
  EXPECT_FALSE(decode_igmp(Bytes{}, im));
  EXPECT_TRUE(im.errors.has(WireError::Truncated));
  MldMessage mm;
  EXPECT_FALSE(decode_mld(Bytes{}, kLl1, ipv6::kAllNodes, mm));
  EXPECT_TRUE(mm.errors.has(WireError::Truncated));
  DecodedPacket p;
  EXPECT_FALSE(decode_ip_datagram(Bytes{}, p));
  EXPECT_FALSE(decode_ethernet_frame(Bytes{}, p));
  Ipv6Header h6;
  Bytes upper;
  ErrorSet errs;
  EXPECT_FALSE(parse_ipv6(Bytes{}, h6, upper, errs));
  EXPECT_TRUE(errs.has(WireError::Truncated));
}

// A DecodedPacket reused for a broken frame after a good one reports only the broken frame.
TEST(PacketDecode, ReusedPacketCarriesNoStaleState) {
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(kV2ReportFrame), p));
  ASSERT_TRUE(p.usable);
  const std::vector<std::uint8_t> cut(std::begin(kV2ReportFrame), std::begin(kV2ReportFrame) + 10);
  EXPECT_FALSE(decode_ethernet_frame(cut, p));
  EXPECT_FALSE(p.usable);
  EXPECT_EQ(p.proto, PacketProto::None);
  EXPECT_TRUE(p.errors.has(WireError::Truncated));
  // And a good frame after a bad one carries none of the bad one's errors.
  std::vector<std::uint8_t> bad = to_vec(bytes_of(kV2ReportFrame));
  bad[45] ^= 1;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(bad), p));
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(kV2ReportFrame), p));
  EXPECT_TRUE(p.errors.empty());
}

}  // namespace
}  // namespace mcsim::wire
