// IGMPv1 (RFC 1112), IGMPv2 (RFC 2236) and IGMPv3 (RFC 9776) messages decoded from bytes
// written out here: seed 002 (the CH395 article) and frames copied from the public captures
// in /work/shared/pcaps (file and frame named on each fixture; expected values are tshark's,
// from FILE.expected.json). Encoding is checked against the same captured bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "stack/wire/codes.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/packet.hpp"
#include "tests/stack/wire_test_util.hpp"

namespace mcsim::wire {
namespace {

using testing::bytes_of;
using testing::ip_of_frame;
using testing::to_vec;
using testing::v4;

// --- Fixtures -------------------------------------------------------------------------

// Seed 002 (CH395 article): the 16-byte IP-RAW buffer after the checksum was corrected
// to F9 02. One record, CHANGE_TO_EXCLUDE_MODE (4), no sources, group 224.0.0.251.
constexpr std::uint8_t kSeed002Report[] = {
    0x22, 0x00, 0xF9, 0x02, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0xE0, 0x00, 0x00, 0xFB,
};

// tcpdump__IGMP_V1.pcap frame 1 (60 bytes): IGMPv1 general query from 10.0.200.151, RA.
constexpr std::uint8_t kV1QueryFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x5c, 0xd9, 0x98, 0xf9, 0x1c, 0x18, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x01, 0x02, 0x72, 0x3d, 0x0a, 0x00, 0xc8, 0x97, 0xe0, 0x00,
    0x00, 0x01, 0x94, 0x04, 0x00, 0x00, 0x11, 0x00, 0xee, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// tcpdump__IGMP_V1.pcap frame 2 (60 bytes): IGMPv1 report for 224.0.0.252.
constexpr std::uint8_t kV1ReportFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0xfc, 0x78, 0x2b, 0xcb, 0x99, 0xfb, 0x5b, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x20, 0x53, 0xab, 0x00, 0x00, 0x01, 0x02, 0x1d, 0x8d, 0x0a, 0x00, 0xc8, 0xa3, 0xe0, 0x00,
    0x00, 0xfc, 0x94, 0x04, 0x00, 0x00, 0x12, 0x00, 0x0d, 0x03, 0xe0, 0x00, 0x00, 0xfc, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// tcpdump__IGMP_V2.pcap frame 1 (60 bytes): IGMPv2 general query, Max Resp Time 10.0 s, no RA.
constexpr std::uint8_t kV2QueryFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x00, 0x1b, 0x11, 0x10, 0x26, 0x11, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x1c, 0x65, 0x51, 0x00, 0x00, 0x01, 0x02, 0xb2, 0xe3, 0xc0, 0xa8, 0x01, 0x02, 0xe0, 0x00,
    0x00, 0x01, 0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// tcpdump__IGMP_V2.pcap frame 2 (46 bytes): IGMPv2 report for 239.255.255.250.
constexpr std::uint8_t kV2ReportFrame[] = {
    0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa, 0x00, 0x1c, 0x23, 0xaa, 0xbe, 0xad, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x20, 0x8c, 0x62, 0x00, 0x00, 0x01, 0x02, 0xe6, 0x92, 0xc0, 0xa8, 0x01, 0x40, 0xef, 0xff,
    0xff, 0xfa, 0x94, 0x04, 0x00, 0x00, 0x16, 0x00, 0xfa, 0x04, 0xef, 0xff, 0xff, 0xfa,
};
// tcpdump__IGMP_V2.pcap frame 5 (60 bytes): IGMPv2 leave for 225.1.1.3 to 224.0.0.2.
constexpr std::uint8_t kV2LeaveFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x00, 0x02, 0x02, 0x19, 0x51, 0x28, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x38, 0x64, 0xc0, 0xa8, 0x0b, 0xc9, 0xe0, 0x00,
    0x00, 0x02, 0x94, 0x04, 0x00, 0x00, 0x17, 0x00, 0x06, 0xfb, 0xe1, 0x01, 0x01, 0x03, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// pcapplusplus__igmpv3.pcap frame 1 (54 bytes): IGMPv3 group-and-source-specific query for
// 224.0.0.9, Max Resp Code 1, S=1, QRV 7, QQIC 0, one source 192.168.20.222.
constexpr std::uint8_t kV3GssQueryFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x09, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x28, 0x8f, 0x98, 0x00, 0x00, 0x01, 0x02, 0x36, 0x2d, 0x7f, 0x00, 0x00, 0x01, 0xe0, 0x00,
    0x00, 0x09, 0x94, 0x04, 0x00, 0x00, 0x11, 0x01, 0x2a, 0x6d, 0xe0, 0x00, 0x00, 0x09, 0x0f, 0x00,
    0x00, 0x01, 0xc0, 0xa8, 0x14, 0xde,
};
// pcapplusplus__ipv4-options.pcap frame 3 (60 bytes): IGMPv3 general query from a D-Link
// router, Max Resp Code 10 (1.0 s), QRV 2, QQIC 125, DF set.
constexpr std::uint8_t kV3GeneralQueryFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x01, 0xc4, 0x12, 0xf5, 0xff, 0x72, 0xe8, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x24, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xfa, 0x48, 0x0a, 0x00, 0x00, 0x8a, 0xe0, 0x00,
    0x00, 0x01, 0x94, 0x04, 0x00, 0x00, 0x11, 0x0a, 0xec, 0x78, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// packetnet__IGMPv3_Multihost.pcap frame 24 (60 bytes): MODE_IS_INCLUDE (1) 232.2.3.2, no sources.
constexpr std::uint8_t kV3IsInFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x65, 0x03, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x28, 0x7d, 0xc8, 0x00, 0x00, 0x01, 0x02, 0x84, 0x6b, 0xc0, 0xa8, 0x81, 0xdd, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xf1, 0xf9, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00,
    0x00, 0x00, 0xe8, 0x02, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// packetnet__IGMPv3_Multihost.pcap frame 45 (74 bytes): MODE_IS_EXCLUDE (2) 224.0.0.252,
// MODE_IS_EXCLUDE 224.0.0.251, MODE_IS_INCLUDE 232.2.3.2 {192.168.224.100}.
constexpr std::uint8_t kV3ThreeRecordFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x65, 0x03, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x3c, 0x7d, 0xce, 0x00, 0x00, 0x01, 0x02, 0x84, 0x51, 0xc0, 0xa8, 0x81, 0xdd, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0x8a, 0xf0, 0x00, 0x00, 0x00, 0x03, 0x02, 0x00,
    0x00, 0x00, 0xe0, 0x00, 0x00, 0xfc, 0x02, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb, 0x01, 0x00,
    0x00, 0x01, 0xe8, 0x02, 0x03, 0x02, 0xc0, 0xa8, 0xe0, 0x64,
};
// packetnet__IGMPv3_Multihost.pcap frame 1 (60 bytes): CHANGE_TO_INCLUDE_MODE (3) 232.2.3.2
// {192.168.224.100}; IP TOS 0xC0.
constexpr std::uint8_t kV3ToInFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x56, 0x28, 0x08, 0x00, 0x46, 0xc0,
    0x00, 0x2c, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xc1, 0x52, 0xc0, 0xa8, 0x81, 0xfa, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0x4e, 0xeb, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00,
    0x00, 0x01, 0xe8, 0x02, 0x03, 0x02, 0xc0, 0xa8, 0xe0, 0x64, 0x00, 0x00,
};
// packetnet__IGMPv3_Multihost.pcap frame 15 (60 bytes): CHANGE_TO_EXCLUDE_MODE (4) 224.0.0.252.
constexpr std::uint8_t kV3ToExFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x65, 0x03, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x28, 0x7d, 0xc2, 0x00, 0x00, 0x01, 0x02, 0x84, 0x71, 0xc0, 0xa8, 0x81, 0xdd, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xf9, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
    0x00, 0x00, 0xe0, 0x00, 0x00, 0xfc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// packetnet__IGMPv3_Multihost.pcap frame 12 (60 bytes): ALLOW_NEW_SOURCES (5) 232.2.3.2
// {192.168.224.200}.
constexpr std::uint8_t kV3AllowFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x65, 0x03, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x2c, 0x7d, 0xbf, 0x00, 0x00, 0x01, 0x02, 0x84, 0x70, 0xc0, 0xa8, 0x81, 0xdd, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0x4c, 0x87, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00,
    0x00, 0x01, 0xe8, 0x02, 0x03, 0x02, 0xc0, 0xa8, 0xe0, 0xc8, 0x00, 0x00,
};
// packetnet__IGMPv3_Multihost.pcap frame 19 (60 bytes): BLOCK_OLD_SOURCES (6) 232.2.3.2
// {192.168.224.200}.
constexpr std::uint8_t kV3BlockFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x65, 0x03, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x2c, 0x7d, 0xc6, 0x00, 0x00, 0x01, 0x02, 0x84, 0x69, 0xc0, 0xa8, 0x81, 0xdd, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0x4b, 0x87, 0x00, 0x00, 0x00, 0x01, 0x06, 0x00,
    0x00, 0x01, 0xe8, 0x02, 0x03, 0x02, 0xc0, 0xa8, 0xe0, 0xc8, 0x00, 0x00,
};
// pcapplusplus__igmpv3_report2.pcap frame 1 (130 bytes): five records (3, 4, 1, 2, 5) with
// 4, 2, 1, 3 and 2 sources, no Router Alert.
constexpr std::uint8_t kV3FiveRecordFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x01, 0x01, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x74, 0x0f, 0x65, 0x00, 0x00, 0x01, 0x02, 0x4b, 0x0c, 0x7f, 0x00, 0x00, 0x01, 0xe0, 0x00,
    0x00, 0x16, 0x22, 0x00, 0xbf, 0x14, 0x00, 0x00, 0x00, 0x05, 0x03, 0x00, 0x00, 0x04, 0x01, 0x01,
    0x01, 0x01, 0x0c, 0x22, 0x38, 0x4e, 0x58, 0x4d, 0x42, 0x37, 0x2c, 0x21, 0x16, 0x0b, 0xff, 0xff,
    0xff, 0xff, 0x04, 0x00, 0x00, 0x02, 0x01, 0x03, 0x05, 0x07, 0x0d, 0x18, 0x39, 0x44, 0x1f, 0x2a,
    0x4b, 0x56, 0x01, 0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x09, 0xc0, 0xa8, 0x14, 0xde, 0x02, 0x00,
    0x00, 0x03, 0x04, 0x03, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x16, 0x21, 0x2c, 0x6f, 0xde,
    0x21, 0x2c, 0x05, 0x00, 0x00, 0x02, 0x02, 0x04, 0x06, 0x08, 0x0d, 0x18, 0x39, 0x44, 0x1f, 0x2a,
    0x4b, 0x56,
};
// tcpdump__mtrace.pcap frame 1 (60 bytes): mtrace query (IGMP type 0x1F), unicast, TTL 64.
constexpr std::uint8_t kMtraceFrame[] = {
    0xc2, 0x03, 0x32, 0x57, 0x00, 0x00, 0xc2, 0x00, 0x32, 0x48, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x2c, 0x02, 0xf8, 0x00, 0x00, 0x40, 0x02, 0xad, 0xc2, 0x0a, 0x00, 0x00, 0x05, 0xac, 0x10,
    0x14, 0x01, 0x1f, 0x20, 0x38, 0xa3, 0x00, 0x00, 0x00, 0x00, 0xac, 0x10, 0x28, 0x01, 0xac, 0x10,
    0x14, 0x01, 0xac, 0x10, 0x28, 0x01, 0x40, 0x00, 0x00, 0x07, 0x00, 0x00,
};

// Hand-written IGMPv3 report with aux data (no public capture has IGMP aux data):
// one MODE_IS_INCLUDE record, Aux Data Len 1 word, 232.1.1.1 {10.0.0.1}, aux AA BB CC DD.
// Checksum by hand: 2200 + 0001 + 0101 + 0001 + e801 + 0101 + 0a00 + 0001 + aabb + ccdd
// = 0x28d9e -> 0x8da0 after folding, complement 0x725f.
constexpr std::uint8_t kV3ReportWithAux[] = {
    0x22, 0x00, 0x72, 0x5f, 0x00, 0x00, 0x00, 0x01,  // type, reserved, checksum, reserved, 1 record
    0x01, 0x01, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01,  // MODE_IS_INCLUDE, aux 1 word, 1 source, 232.1.1.1
    0x0a, 0x00, 0x00, 0x01,                          // source 10.0.0.1
    0xaa, 0xbb, 0xcc, 0xdd,                          // auxiliary data
};

/// Decodes the IGMP message of an Ethernet frame through the whole-packet path.
DecodedPacket decode_frame(Bytes frame) {
  DecodedPacket p;
  EXPECT_TRUE(decode_ethernet_frame(frame, p));
  EXPECT_EQ(p.proto, PacketProto::Igmp);
  return p;
}

std::vector<std::uint8_t> encoded(const IgmpMessage& m) {
  std::vector<std::uint8_t> out;
  encode_igmp(m, out);
  return out;
}

// --- Seed 002 -------------------------------------------------------------------------

// Seed 002 / RFC 9776 §4.2: the CH395 buffer is a one-record IGMPv3 report, checksum F9 02
// (RFC 9776 §4.1.2; by hand: 2200 + 0001 + 0400 + e000 + 00fb = 0x106fc -> 0x06fd -> ~ = 0xf902).
TEST(IgmpV3Report, Seed002BufferIsOneChangeToExcludeRecord) {
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(kSeed002Report), m));
  EXPECT_TRUE(m.errors.empty());
  EXPECT_EQ(m.kind, MsgKind::V3Report);
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(m.type, 0x22);
  EXPECT_EQ(m.checksum, 0xF902);
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_EQ(m.num_records_field, 1);
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].type, static_cast<std::uint8_t>(RecordType::ChangeToExcludeMode));
  EXPECT_STREQ(record_type_name(m.records[0].type), "CHANGE_TO_EXCLUDE_MODE");
  EXPECT_EQ(m.records[0].group, v4("224.0.0.251"));
  EXPECT_EQ(m.records[0].num_sources, 0);
  EXPECT_EQ(m.records[0].aux_words, 0);
  EXPECT_TRUE(m.sources_of(m.records[0]).empty());
  EXPECT_EQ(m.length, 16u);
}

// Seed 002 / RFC 9776 §4.2: building the same record reproduces the 16 bytes exactly.
TEST(IgmpV3Report, Seed002RecordEncodesToTheSeedBytes) {
  IgmpMessage m = igmpv3_report();
  m.add_record(RecordType::ChangeToExcludeMode, v4("224.0.0.251"), {});
  EXPECT_EQ(encoded(m), to_vec(bytes_of(kSeed002Report)));
}

// Seed 002: the first attempt in the article sent checksum 01 02, which Wireshark flagged.
TEST(IgmpV3Report, Seed002FirstAttemptChecksum0102IsBad) {
  std::uint8_t bad[16];
  for (std::size_t i = 0; i < 16; ++i) bad[i] = kSeed002Report[i];
  bad[2] = 0x01;
  bad[3] = 0x02;
  IgmpMessage m;
  EXPECT_TRUE(decode_igmp(bytes_of(bad), m));  // RFC 9776 §4.1.2: checked, reported, still decoded
  EXPECT_FALSE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::BadChecksum));
  EXPECT_EQ(m.records.size(), 1u);
}

// --- IGMPv1 / IGMPv2 ------------------------------------------------------------------

// RFC 9776 §7.1: a query of 8 bytes with Max Resp Code 0 is an IGMPv1 query (RFC 1112 App. I).
TEST(IgmpV1Query, EightBytesCodeZeroIsVersion1) {
  const DecodedPacket p = decode_frame(bytes_of(kV1QueryFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.kind, MsgKind::Query);
  EXPECT_EQ(p.igmp.version, 1);
  EXPECT_EQ(p.igmp.max_resp_code, 0);
  EXPECT_EQ(p.igmp.checksum, 0xeeff);
  EXPECT_TRUE(p.igmp.checksum_ok);
  EXPECT_TRUE(p.igmp.is_general_query());
  EXPECT_EQ(p.igmp.length, 8u);
  EXPECT_EQ(p.ip_payload_len, 8u);     // the 14 bytes of Ethernet padding are not IGMP
  EXPECT_EQ(igmp_max_resp_ms(p.igmp), 0u);  // RFC 2236 §4: unused in v1
  EXPECT_EQ(p.ip4.src, v4("10.0.200.151"));
  EXPECT_EQ(p.ip4.dst, v4("224.0.0.1"));
}

// RFC 1112 App. I: IGMPv1 Host Membership Report, type 0x12.
TEST(IgmpV1Report, DecodesGroup) {
  const DecodedPacket p = decode_frame(bytes_of(kV1ReportFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.kind, MsgKind::V1Report);
  EXPECT_EQ(p.igmp.version, 1);
  EXPECT_EQ(p.igmp.group, v4("224.0.0.252"));
  EXPECT_EQ(p.igmp.checksum, 0x0d03);
  EXPECT_TRUE(p.is_membership_message());
}

// RFC 9776 §7.1 / RFC 2236 §2.2: 8 bytes with Max Resp Code != 0 is an IGMPv2 query;
// the code is in tenths of a second (100 = 10 s).
TEST(IgmpV2Query, EightBytesNonZeroCodeIsVersion2) {
  const DecodedPacket p = decode_frame(bytes_of(kV2QueryFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.kind, MsgKind::Query);
  EXPECT_EQ(p.igmp.version, 2);
  EXPECT_EQ(p.igmp.max_resp_code, 100);
  EXPECT_EQ(igmp_max_resp_ms(p.igmp), 10000u);
  EXPECT_TRUE(p.igmp.is_general_query());
  EXPECT_FALSE(p.ip4.router_alert);  // this router sends queries without RA
  EXPECT_EQ(p.ip4.header_len, 20);
}

// RFC 2236 §2.1: Version 2 Membership Report, type 0x16.
TEST(IgmpV2Report, DecodesGroup) {
  const DecodedPacket p = decode_frame(bytes_of(kV2ReportFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.kind, MsgKind::V2Report);
  EXPECT_EQ(p.igmp.version, 2);
  EXPECT_EQ(p.igmp.group, v4("239.255.255.250"));
  EXPECT_EQ(p.igmp.checksum, 0xfa04);
}

// RFC 2236 §2.1 / §3: Leave Group, type 0x17, sent to all-routers 224.0.0.2.
TEST(IgmpV2Leave, DecodesGroupAndAllRoutersDestination) {
  const DecodedPacket p = decode_frame(bytes_of(kV2LeaveFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.kind, MsgKind::Leave);
  EXPECT_EQ(p.igmp.group, v4("225.1.1.3"));
  EXPECT_EQ(p.ip4.dst, ipv4::kAllRouters);
  EXPECT_TRUE(p.ip4.df);
}

// RFC 1112 App. I / RFC 2236 §2: encoding v1/v2 messages reproduces the captured bytes.
TEST(IgmpV2Query, EncodesCapturedBytes) {
  EXPECT_EQ(encoded(igmp_query(2, Ipv4Addr{}, 100)), to_vec(ip_of_frame(kV2QueryFrame).subspan(20, 8)));
  // RFC 2236 §4: a v1 query carries Max Resp Code 0 whatever the caller passed.
  EXPECT_EQ(encoded(igmp_query(1, Ipv4Addr{}, 55)), to_vec(ip_of_frame(kV1QueryFrame).subspan(24, 8)));
  EXPECT_EQ(encoded(igmp_simple(igmp_type::kV1Report, v4("224.0.0.252"))),
            to_vec(ip_of_frame(kV1ReportFrame).subspan(24, 8)));
  EXPECT_EQ(encoded(igmp_simple(igmp_type::kV2Report, v4("239.255.255.250"))),
            to_vec(ip_of_frame(kV2ReportFrame).subspan(24, 8)));
  EXPECT_EQ(encoded(igmp_simple(igmp_type::kV2Leave, v4("225.1.1.3"))),
            to_vec(ip_of_frame(kV2LeaveFrame).subspan(24, 8)));
}

// RFC 2236 §2.5: IGMPv2 messages longer than 8 bytes are accepted, extra bytes ignored
// (we flag them as TrailingBytes, still usable).
TEST(IgmpV2Report, LongerThanEightBytesIsUsableWithTrailingBytes) {
  // 16 00 + checksum + 239.1.2.3 + 00 00 00 00. Sum 1600 + ef01 + 0203 = 0x10704 -> 0x0705 -> ~ 0xf8fa.
  constexpr std::uint8_t msg[] = {0x16, 0x00, 0xf8, 0xfa, 0xef, 0x01, 0x02, 0x03, 0, 0, 0, 0};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_EQ(m.kind, MsgKind::V2Report);
  EXPECT_EQ(m.group, v4("239.1.2.3"));
  EXPECT_TRUE(m.errors.has(WireError::TrailingBytes));
}

// --- IGMPv3 queries -------------------------------------------------------------------

// RFC 9776 §4.1.5-§4.1.8: S flag, QRV, QQIC and the source list of a group-and-source query.
TEST(IgmpV3Query, GroupAndSourceSpecificQueryFields) {
  const DecodedPacket p = decode_frame(bytes_of(kV3GssQueryFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  const IgmpMessage& m = p.igmp;
  EXPECT_EQ(m.kind, MsgKind::Query);
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(m.group, v4("224.0.0.9"));
  EXPECT_FALSE(m.is_general_query());
  EXPECT_EQ(m.max_resp_code, 1);
  EXPECT_EQ(igmp_max_resp_ms(m), 100u);
  EXPECT_TRUE(m.s_flag);
  EXPECT_EQ(m.qrv, 7);
  EXPECT_EQ(m.qqic, 0);
  EXPECT_EQ(m.resv, 0);
  EXPECT_EQ(m.num_sources_field, 1);
  ASSERT_EQ(m.sources.size(), 1u);
  EXPECT_EQ(m.sources[0], v4("192.168.20.222"));
  EXPECT_EQ(m.checksum, 0x2a6d);
  EXPECT_EQ(m.length, 16u);
}

// RFC 9776 §4.1: a general query from a real router: MRC 10 (1.0 s), QRV 2, QQIC 125 s.
TEST(IgmpV3Query, GeneralQueryFromRealRouter) {
  const DecodedPacket p = decode_frame(bytes_of(kV3GeneralQueryFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.version, 3);
  EXPECT_TRUE(p.igmp.is_general_query());
  EXPECT_EQ(igmp_max_resp_ms(p.igmp), 1000u);
  EXPECT_FALSE(p.igmp.s_flag);
  EXPECT_EQ(p.igmp.qrv, 2);
  EXPECT_EQ(decode_qqic(p.igmp.qqic), 125u);
  EXPECT_TRUE(p.igmp.sources.empty());
  EXPECT_EQ(p.ip_payload_len, 12u);  // 10 bytes of Ethernet padding are outside the datagram
}

// RFC 9776 §4.1.1: in a v3 query, code 0x80 is 128 tenths = 12.8 s, 0xFF 3174.4 s;
// 127 is 12.7 s. (IGMPv2 has no float: RFC 2236 §2.2.)
TEST(IgmpV3Query, MaxRespCode128IsExponentialForm) {
  IgmpMessage m = igmp_query(3, Ipv4Addr{}, 0x80);
  EXPECT_EQ(igmp_max_resp_ms(m), 12800u);
  m.max_resp_code = 127;
  EXPECT_EQ(igmp_max_resp_ms(m), 12700u);
  m.max_resp_code = 0xFF;
  EXPECT_EQ(igmp_max_resp_ms(m), 3174400u);
  IgmpMessage v2 = igmp_query(2, Ipv4Addr{}, 0xFF);
  EXPECT_EQ(igmp_max_resp_ms(v2), 25500u);
}

// RFC 9776 §4.1: encoding the captured query fields gives the captured bytes.
TEST(IgmpV3Query, EncodesCapturedBytes) {
  const Ipv4Addr src[] = {v4("192.168.20.222")};
  EXPECT_EQ(encoded(igmp_query(3, v4("224.0.0.9"), 1, true, 7, 0, src)),
            to_vec(ip_of_frame(kV3GssQueryFrame).subspan(24, 16)));
  EXPECT_EQ(encoded(igmp_query(3, Ipv4Addr{}, 10, false, 2, 125)),
            to_vec(ip_of_frame(kV3GeneralQueryFrame).subspan(24, 12)));
}

// RFC 9776 §7.1: 8 bytes -> v1/v2, >= 12 -> v3, 9..11 "MUST be silently ignored".
TEST(IgmpV3Query, VersionDecidedByLength) {
  // 11 64 <ck> 00000000 then 0..4 more zero bytes; checksum 0xee9b stays valid (zeros).
  std::uint8_t q[12] = {0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  for (std::size_t len = 9; len <= 11; ++len) {
    IgmpMessage m;
    EXPECT_FALSE(decode_igmp(Bytes(q, len), m)) << len;
    EXPECT_TRUE(m.errors.has(WireError::BadQueryLength)) << len;
  }
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(Bytes(q, 12), m));
  EXPECT_EQ(m.version, 3);
  EXPECT_TRUE(m.errors.empty());
  ASSERT_TRUE(decode_igmp(Bytes(q, 8), m));
  EXPECT_EQ(m.version, 2);
}

// RFC 9776 §7.1 through the packet path: a 10-byte query is not usable.
TEST(IgmpV3Query, TenByteQueryIsNotUsable) {
  // 46 00 00 22: IHL 6, total 34 = 24 + 10. Header checksum by hand:
  // 4600+0022+0000+0000+0102+0a00+0001+e000+0001+9404+0000 = 0x1c52a -> 0xc52b -> ~ 0x3ad4.
  constexpr std::uint8_t d[] = {
      0x46, 0x00, 0x00, 0x22, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x3a, 0xd4, 0x0a, 0x00, 0x00, 0x01,
      0xe0, 0x00, 0x00, 0x01, 0x94, 0x04, 0x00, 0x00,  // IPv4 + Router Alert
      0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 10-byte query
  };
  DecodedPacket p;
  ASSERT_TRUE(decode_ip_datagram(bytes_of(d), p));
  EXPECT_TRUE(p.ip4.checksum_ok);
  EXPECT_EQ(p.proto, PacketProto::Igmp);
  EXPECT_FALSE(p.usable);
  EXPECT_TRUE(p.errors.has(WireError::BadQueryLength));
}

// --- IGMPv3 reports -------------------------------------------------------------------

struct RecordCase {
  const std::uint8_t* frame;
  std::size_t size;
  RecordType type;
  const char* group;
  const char* source;  // nullptr: no source
};

// RFC 9776 §4.2.12: all six record types, each from a real capture.
TEST(IgmpV3Report, AllSixRecordTypesFromCaptures) {
  const RecordCase cases[] = {
      {kV3IsInFrame, sizeof kV3IsInFrame, RecordType::ModeIsInclude, "232.2.3.2", nullptr},
      {kV3ToInFrame, sizeof kV3ToInFrame, RecordType::ChangeToIncludeMode, "232.2.3.2", "192.168.224.100"},
      {kV3ToExFrame, sizeof kV3ToExFrame, RecordType::ChangeToExcludeMode, "224.0.0.252", nullptr},
      {kV3AllowFrame, sizeof kV3AllowFrame, RecordType::AllowNewSources, "232.2.3.2", "192.168.224.200"},
      {kV3BlockFrame, sizeof kV3BlockFrame, RecordType::BlockOldSources, "232.2.3.2", "192.168.224.200"},
  };
  for (const auto& c : cases) {
    const DecodedPacket p = decode_frame(Bytes(c.frame, c.size));
    SCOPED_TRACE(record_type_name(static_cast<std::uint8_t>(c.type)));
    ASSERT_TRUE(p.usable);
    EXPECT_TRUE(p.errors.empty());
    ASSERT_EQ(p.igmp.records.size(), 1u);
    const auto& r = p.igmp.records[0];
    EXPECT_EQ(r.type, static_cast<std::uint8_t>(c.type));
    EXPECT_EQ(r.group, v4(c.group));
    ASSERT_EQ(r.num_sources, c.source ? 1 : 0);
    if (c.source) {
      EXPECT_EQ(p.igmp.sources_of(r)[0], v4(c.source));
    }
    EXPECT_EQ(p.ip4.dst, ipv4::kIgmpv3Routers);
  }
  // MODE_IS_EXCLUDE (2) appears in the three-record report.
  const DecodedPacket p = decode_frame(bytes_of(kV3ThreeRecordFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  ASSERT_EQ(p.igmp.records.size(), 3u);
  EXPECT_EQ(p.igmp.records[0].type, static_cast<std::uint8_t>(RecordType::ModeIsExclude));
  EXPECT_EQ(p.igmp.records[0].group, v4("224.0.0.252"));
  EXPECT_EQ(p.igmp.records[1].type, static_cast<std::uint8_t>(RecordType::ModeIsExclude));
  EXPECT_EQ(p.igmp.records[1].group, v4("224.0.0.251"));
  EXPECT_EQ(p.igmp.records[2].type, static_cast<std::uint8_t>(RecordType::ModeIsInclude));
  EXPECT_EQ(p.igmp.records[2].group, v4("232.2.3.2"));
  ASSERT_EQ(p.igmp.sources_of(p.igmp.records[2]).size(), 1u);
  EXPECT_EQ(p.igmp.sources_of(p.igmp.records[2])[0], v4("192.168.224.100"));
  EXPECT_EQ(p.igmp.checksum, 0x8af0);
  EXPECT_EQ(p.igmp.length, 36u);  // 8 + 8 + 8 + (8 + 4)
}

// RFC 9776 §4.2.4-§4.2.10: a five-record report with several sources per record, sources in
// wire order (tshark: 1.1.1.1 {12.34.56.78, 88.77.66.55, 44.33.22.11, 255.255.255.255}, ...).
TEST(IgmpV3Report, FiveRecordsWithSourcesInWireOrder) {
  const DecodedPacket p = decode_frame(bytes_of(kV3FiveRecordFrame));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  const IgmpMessage& m = p.igmp;
  EXPECT_EQ(m.checksum, 0xbf14);
  EXPECT_EQ(m.length, 96u);
  ASSERT_EQ(m.records.size(), 5u);
  struct Want {
    std::uint8_t type;
    const char* group;
    std::vector<const char*> sources;
  };
  const Want want[] = {
      {3, "1.1.1.1", {"12.34.56.78", "88.77.66.55", "44.33.22.11", "255.255.255.255"}},
      {4, "1.3.5.7", {"13.24.57.68", "31.42.75.86"}},
      {1, "224.0.0.9", {"192.168.20.222"}},
      {2, "4.3.2.1", {"1.2.3.4", "11.22.33.44", "111.222.33.44"}},
      {5, "2.4.6.8", {"13.24.57.68", "31.42.75.86"}},
  };
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& r = m.records[i];
    EXPECT_EQ(r.type, want[i].type) << i;
    EXPECT_EQ(r.group, v4(want[i].group)) << i;
    const auto srcs = m.sources_of(r);
    ASSERT_EQ(srcs.size(), want[i].sources.size()) << i;
    for (std::size_t j = 0; j < srcs.size(); ++j) EXPECT_EQ(srcs[j], v4(want[i].sources[j])) << i << "/" << j;
  }
  EXPECT_FALSE(p.ip4.router_alert);
}

// RFC 9776 §4.2.6 / §4.2.10: Aux Data Len counts 32-bit words of auxiliary data after the sources.
TEST(IgmpV3Report, AuxDataFollowsSources) {
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(kV3ReportWithAux), m));
  EXPECT_TRUE(m.errors.empty());
  EXPECT_TRUE(m.checksum_ok);
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].aux_words, 1);
  ASSERT_EQ(m.sources_of(m.records[0]).size(), 1u);
  EXPECT_EQ(m.sources_of(m.records[0])[0], v4("10.0.0.1"));
  const auto aux = m.aux_of(m.records[0]);
  ASSERT_EQ(aux.size(), 4u);
  EXPECT_EQ(aux[0], 0xaa);
  EXPECT_EQ(aux[3], 0xdd);
  EXPECT_EQ(m.length, 24u);
}

// RFC 9776 §4.2: encoding records (with sources and aux data) reproduces capture/hand bytes.
TEST(IgmpV3Report, EncodesCapturedAndHandWrittenBytes) {
  IgmpMessage m = igmpv3_report();
  m.add_record(RecordType::ModeIsExclude, v4("224.0.0.252"), {});
  m.add_record(RecordType::ModeIsExclude, v4("224.0.0.251"), {});
  const Ipv4Addr s[] = {v4("192.168.224.100")};
  m.add_record(RecordType::ModeIsInclude, v4("232.2.3.2"), s);
  EXPECT_EQ(encoded(m), to_vec(ip_of_frame(kV3ThreeRecordFrame).subspan(24, 36)));

  IgmpMessage a = igmpv3_report();
  const Ipv4Addr s1[] = {v4("10.0.0.1")};
  const std::uint8_t aux[] = {0xaa, 0xbb, 0xcc, 0xdd};
  a.add_record(RecordType::ModeIsInclude, v4("232.1.1.1"), s1, aux);
  EXPECT_EQ(encoded(a), to_vec(bytes_of(kV3ReportWithAux)));
}

// RFC 9776 §4.2.12: unknown record types are flagged; the rest of the report still decodes.
TEST(IgmpV3Report, RecordType7IsFlaggedButReportStaysUsable) {
  // Seed 002 bytes with record type 7: checksum adjusts by 0x0300 -> 0xf602.
  constexpr std::uint8_t msg[] = {0x22, 0x00, 0xf6, 0x02, 0x00, 0x00, 0x00, 0x01,
                                  0x07, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb};
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(bytes_of(msg), m));
  EXPECT_TRUE(m.checksum_ok);
  EXPECT_TRUE(m.errors.has(WireError::BadRecordType));
  EXPECT_STREQ(record_type_name(7), "UNKNOWN");
}

// RFC 9776 §4: IP protocol 2 also carries mtrace/DVMRP/PIMv1/RGMP; they decode as Other and
// are not held to the membership-message TTL 1 rule.
TEST(IgmpOther, MtraceIsNotAMembershipMessage) {
  const DecodedPacket p = decode_frame(bytes_of(kMtraceFrame));
  EXPECT_TRUE(p.usable);
  EXPECT_EQ(p.igmp.kind, MsgKind::Other);
  EXPECT_EQ(p.igmp.type, igmp_type::kMtrace);
  EXPECT_FALSE(p.is_membership_message());
  EXPECT_EQ(p.ip4.ttl, 64);
  EXPECT_FALSE(p.errors.has(WireError::BadTtl));
  EXPECT_TRUE(p.igmp.checksum_ok);
}

// Reuse: decoding into the same Message again gives the same result, no stale records.
TEST(IgmpV3Report, DecodeReusesMessageWithoutStaleState) {
  IgmpMessage m;
  ASSERT_TRUE(decode_igmp(ip_of_frame(kV3FiveRecordFrame).subspan(20, 96), m));
  ASSERT_EQ(m.records.size(), 5u);
  ASSERT_TRUE(decode_igmp(bytes_of(kSeed002Report), m));
  EXPECT_EQ(m.records.size(), 1u);
  EXPECT_TRUE(m.record_sources.empty());
  EXPECT_TRUE(m.errors.empty());
}

}  // namespace
}  // namespace mcsim::wire
