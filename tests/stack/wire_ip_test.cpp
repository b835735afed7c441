// IPv4 (RFC 791, Router Alert RFC 2113), IPv6 (RFC 8200, hop-by-hop Router Alert RFC 2711),
// Ethernet II with 802.1Q tags, multicast MAC mapping (RFC 1112 §6.4, RFC 2464 §7) and
// frame padding, from seed 002's MAC-RAW frame and frames of the public captures in
// /work/shared/pcaps (file and frame named on each fixture). Checksums are computed by hand
// in the comments, never by our encoder.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "stack/wire/ip.hpp"
#include "stack/wire/packet.hpp"
#include "tests/stack/wire_test_util.hpp"

namespace mcsim::wire {
namespace {

using testing::bytes_of;
using testing::ip_of_frame;
using testing::to_vec;
using testing::v4;
using testing::v6;

// Seed 002, MAC-RAW buffer (58 bytes as printed in the article): Ethernet to 54:bf:64:1c:2a:9c,
// IPv4 20-byte header (no options), Total Length 0x2c = 44, TTL 1, protocol 2, header
// checksum 0x1316, 192.168.1.10 -> 224.0.0.22, then the 16-byte IGMPv3 report and 8 zero bytes
// that the article added "for the 64-byte minimum frame" (they sit inside Total Length).
constexpr std::uint8_t kSeed002MacRawFrame[] = {
    0x54, 0xbf, 0x64, 0x1c, 0x2a, 0x9c, 0xb4, 0x05, 0x00, 0x00,
    0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x2c, 0x02, 0x98,
    0x00, 0x00, 0x01, 0x02, 0x13, 0x16, 0xc0, 0xa8, 0x01, 0x0A,
    0xe0, 0x00, 0x00, 0x16, 0x22, 0x00, 0xf9, 0x02, 0x00, 0x00,
    0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

// packetnet__IGMPv3_Multihost.pcap frame 1 (60 bytes): a Linux host's IGMPv3 report:
// TOS 0xC0, DF, ID 0, TTL 1, Router Alert, 2 bytes of Ethernet padding.
constexpr std::uint8_t kLinuxV3ReportFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x00, 0x23, 0x56, 0x5c, 0x56, 0x28, 0x08, 0x00, 0x46, 0xc0,
    0x00, 0x2c, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xc1, 0x52, 0xc0, 0xa8, 0x81, 0xfa, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0x4e, 0xeb, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00,
    0x00, 0x01, 0xe8, 0x02, 0x03, 0x02, 0xc0, 0xa8, 0xe0, 0x64, 0x00, 0x00,
};

// packetnet__IGMPv3_Multihost.pcap frame 5 (54 bytes): report captured on the sending host,
// IPv4 header checksum 0x0000 (checksum offload; tshark: "bad").
constexpr std::uint8_t kOffloadedChecksumFrame[] = {
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x34, 0x48, 0xed, 0x59, 0x5f, 0xa6, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x28, 0x75, 0x83, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0xa9, 0xfe, 0xc5, 0x20, 0xe0, 0x00,
    0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xec, 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00,
    0x00, 0x00, 0xef, 0xff, 0xff, 0xfa,
};

// tcpdump__IGMP_V2.pcap frame 2 (46 bytes): IGMPv2 report for 239.255.255.250 with RA.
constexpr std::uint8_t kV2ReportFrame[] = {
    0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa, 0x00, 0x1c, 0x23, 0xaa, 0xbe, 0xad, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x20, 0x8c, 0x62, 0x00, 0x00, 0x01, 0x02, 0xe6, 0x92, 0xc0, 0xa8, 0x01, 0x40, 0xef, 0xff,
    0xff, 0xfa, 0x94, 0x04, 0x00, 0x00, 0x16, 0x00, 0xfa, 0x04, 0xef, 0xff, 0xff, 0xfa,
};

// tcpdump__icmpv6.pcap frame 3 (90 bytes): MLDv2 general query with hop-by-hop RA
// (3a 00 05 02 00 00 01 00) directly after the fixed header.
constexpr std::uint8_t kMldV2QueryFrame[] = {
    0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0xb0, 0xa8, 0x6e, 0x0c, 0xd4, 0xe8, 0x86, 0xdd, 0x60, 0x00,
    0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2, 0xa8,
    0x6e, 0xff, 0xfe, 0x0c, 0xd4, 0xe8, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x82, 0x00,
    0x62, 0x3a, 0x27, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3c, 0x00, 0x00,
};

// zeek__icmp__icmp6-mldv1.pcap frame 1, ICMPv6 part (24 bytes): MLDv1 report for
// ff02::1:ff9a:3b7c from fe80::1c8c:7488:34cf:cbdb, checksum 0x7836. Its checksum depends only
// on src, dst and length, so it stays valid behind any extension-header chain below.
constexpr std::uint8_t kMldV1Report[] = {
    0x83, 0x00, 0x78, 0x36, 0x00, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0xff, 0x9a, 0x3b, 0x7c,
};
constexpr std::uint8_t kMldV1Src[] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x1c, 0x8c, 0x74, 0x88, 0x34, 0xcf, 0xcb, 0xdb};
constexpr std::uint8_t kMldV1Dst[] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x9a, 0x3b, 0x7c};

/// IPv6 fixed header (RFC 8200 §3) written out byte by byte + extension bytes + upper layer.
std::vector<std::uint8_t> v6_datagram(std::uint8_t next_header, std::initializer_list<std::uint8_t> ext,
                                      Bytes upper, std::uint8_t hop_limit = 1) {
  const std::size_t plen = ext.size() + upper.size();
  std::vector<std::uint8_t> d = {0x60, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(plen >> 8),
                                 static_cast<std::uint8_t>(plen), next_header, hop_limit};
  d.insert(d.end(), std::begin(kMldV1Src), std::end(kMldV1Src));
  d.insert(d.end(), std::begin(kMldV1Dst), std::end(kMldV1Dst));
  d.insert(d.end(), ext.begin(), ext.end());
  d.insert(d.end(), upper.begin(), upper.end());
  return d;
}

// --- Seed 002 MAC-RAW frame -------------------------------------------------------------

// Seed 002 / RFC 791 §3.1: the article's hand-built header carries checksum 0x1316, but the
// RFC 1071 sum of its other nine words is 4500+002c+0298+0000+0102+c0a8+010a+e000+0016 =
// 0x1ea8e -> 0xea8f, complement 0x1570. So the seed frame's IPv4 header checksum is WRONG.
TEST(Seed002MacRaw, Ipv4HeaderChecksum0x1316IsWrong) {
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(kSeed002MacRawFrame), p));
  EXPECT_EQ(p.family, Family::V4);
  EXPECT_EQ(p.proto, PacketProto::Igmp);
  EXPECT_EQ(p.ip4.checksum, 0x1316);
  EXPECT_FALSE(p.ip4.checksum_ok);
  EXPECT_TRUE(p.errors.has(WireError::BadIpChecksum));
  // With 0x1570 in its place the header verifies.
  std::vector<std::uint8_t> fixed = to_vec(bytes_of(kSeed002MacRawFrame));
  fixed[24] = 0x15;
  fixed[25] = 0x70;
  DecodedPacket q;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(fixed), q));
  EXPECT_TRUE(q.ip4.checksum_ok);
  EXPECT_FALSE(q.errors.has(WireError::BadIpChecksum));
}

// Seed 002 / RFC 9776 §4: the rest of the frame: TTL 1, no Router Alert (20-byte header),
// TOS 0, and the IGMPv3 report itself is intact (checksum F9 02 still verifies over the
// 8 zero bytes, which RFC 9776 §4.2 leaves as bytes past the last record).
TEST(Seed002MacRaw, DecodesReportWithTtl1AndNoRouterAlert) {
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(kSeed002MacRawFrame), p));
  ASSERT_TRUE(p.usable);
  EXPECT_EQ(p.ip4.header_len, 20);
  EXPECT_FALSE(p.ip4.router_alert);
  EXPECT_EQ(p.ip4.num_options, 0);
  EXPECT_EQ(p.ip4.ttl, 1);
  EXPECT_FALSE(p.errors.has(WireError::BadTtl));
  EXPECT_EQ(p.ip4.tos, 0);
  EXPECT_EQ(p.ip4.id, 0x0298);
  EXPECT_FALSE(p.ip4.df);
  EXPECT_EQ(p.ip4.protocol, kProtoIgmp);
  EXPECT_EQ(p.ip4.total_len, 44);
  EXPECT_EQ(p.ip4.src, v4("192.168.1.10"));
  EXPECT_EQ(p.ip4.dst, ipv4::kIgmpv3Routers);
  EXPECT_EQ(p.ip_payload_len, 24u);  // 16-byte report + 8 zero bytes inside Total Length
  EXPECT_TRUE(p.igmp.checksum_ok);
  EXPECT_EQ(p.igmp.checksum, 0xF902);
  EXPECT_TRUE(p.errors.has(WireError::TrailingBytes));
  ASSERT_EQ(p.igmp.records.size(), 1u);
  EXPECT_EQ(p.igmp.records[0].type, static_cast<std::uint8_t>(RecordType::ChangeToExcludeMode));
  EXPECT_EQ(p.igmp.records[0].group, v4("224.0.0.251"));
  ErrorSet expected;
  expected.add(WireError::BadIpChecksum);
  expected.add(WireError::TrailingBytes);
  EXPECT_EQ(p.errors, expected);
}

// Seed 002 / RFC 1112 §6.4: the article's frame goes to a unicast MAC, not to
// 01:00:5e:00:00:16 (the group MAC of 224.0.0.22), and is 58 bytes, under the 60-byte minimum.
TEST(Seed002MacRaw, FrameIsUnicastAndShorterThanMinimum) {
  EthernetHeader eth;
  Bytes payload;
  ErrorSet errs;
  ASSERT_TRUE(parse_ethernet(bytes_of(kSeed002MacRawFrame), eth, payload, errs));
  EXPECT_FALSE(eth.dst.is_multicast());
  EXPECT_EQ(eth.dst.to_string(), "54:bf:64:1c:2a:9c");
  EXPECT_NE(eth.dst, MacAddr::multicast_for(ipv4::kIgmpv3Routers));
  EXPECT_EQ(eth.ethertype, kEtherTypeIpv4);
  EXPECT_EQ(sizeof kSeed002MacRawFrame, 58u);
}

// --- IPv4 ------------------------------------------------------------------------------

// RFC 2113 §2.1 / RFC 791 §3.1: option 148, length 4, value 0 parsed from a real frame.
TEST(Ipv4RouterAlert, ParsedFromCapturedReport) {
  Ipv4Header h;
  Bytes payload;
  ErrorSet errs;
  ASSERT_TRUE(parse_ipv4(ip_of_frame(kLinuxV3ReportFrame), h, payload, errs));
  EXPECT_TRUE(errs.empty());
  EXPECT_EQ(h.header_len, 24);
  EXPECT_TRUE(h.router_alert);
  EXPECT_EQ(h.router_alert_value, 0);
  ASSERT_EQ(h.num_options, 1);
  EXPECT_EQ(h.option_types[0], 148);
  EXPECT_EQ(h.tos, 0xC0);
  EXPECT_EQ(h.ttl, 1);
  EXPECT_TRUE(h.df);
  EXPECT_EQ(h.checksum, 0xc152);
  EXPECT_TRUE(h.checksum_ok);
  EXPECT_EQ(payload.size(), 20u);  // Total Length 44 - 24; Ethernet padding excluded
}

// RFC 9776 §4 / RFC 2113: a host's report goes out with TOS 0xC0, TTL 1 and Router Alert
// 94 04 00 00; built from the fields of the captured Linux frame it is byte-identical,
// including the IPv4 checksum 0xc152 and the frame's MAC, padding and length (60 bytes).
TEST(Ipv4RouterAlert, EmitsCapturedLinuxReportByteForByte) {
  IgmpMessage m = igmpv3_report();
  const Ipv4Addr s[] = {v4("192.168.224.100")};
  m.add_record(RecordType::ChangeToIncludeMode, v4("232.2.3.2"), s);
  Ipv4Header h = igmp_ip_header(v4("192.168.129.250"), ipv4::kIgmpv3Routers);
  h.df = true;
  std::vector<std::uint8_t> d;
  build_igmp_datagram(h, m, d);
  ASSERT_EQ(d.size(), 44u);
  EXPECT_EQ(d[0], 0x46);  // IHL 6: 20 + 4 bytes of option
  EXPECT_EQ(d[1], 0xC0);  // TOS, RFC 9776 §4
  EXPECT_EQ(d[8], 1);     // TTL
  EXPECT_EQ((std::vector<std::uint8_t>(d.begin() + 20, d.begin() + 24)),
            (std::vector<std::uint8_t>{0x94, 0x04, 0x00, 0x00}));
  EXPECT_EQ(d, to_vec(ip_of_frame(kLinuxV3ReportFrame).first(44)));
  std::vector<std::uint8_t> f;
  build_ethernet_for(MacAddr({0x00, 0x23, 0x56, 0x5c, 0x56, 0x28}), d, f);
  EXPECT_EQ(f, to_vec(bytes_of(kLinuxV3ReportFrame)));
}

// RFC 791 §3.1: the header checksum of the built CH395-style header (no options) is the one
// computed by hand for seed 002 (0x1570), i.e. what the article should have written.
TEST(Ipv4HeaderChecksum, EmitMatchesHandComputedSeedValue) {
  Ipv4Header h;
  h.tos = 0;
  h.id = 0x0298;
  h.ttl = 1;
  h.protocol = kProtoIgmp;
  h.src = v4("192.168.1.10");
  h.dst = ipv4::kIgmpv3Routers;
  const std::vector<std::uint8_t> payload(kSeed002MacRawFrame + 34, kSeed002MacRawFrame + 58);
  std::vector<std::uint8_t> d;
  emit_ipv4(h, payload, d);
  ASSERT_EQ(d.size(), 44u);
  EXPECT_EQ(d[10], 0x15);
  EXPECT_EQ(d[11], 0x70);
  // Everything else equals the seed's bytes.
  std::vector<std::uint8_t> want = to_vec(ip_of_frame(kSeed002MacRawFrame));
  want[10] = 0x15;
  want[11] = 0x70;
  EXPECT_EQ(d, want);
}

// RFC 791 §3.1: a header checksum of 0 (sender-side capture with offload) is reported as bad;
// the IGMP message still decodes (tshark: IP "bad", IGMP "good").
TEST(Ipv4HeaderChecksum, OffloadedZeroChecksumIsReported) {
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(kOffloadedChecksumFrame), p));
  EXPECT_TRUE(p.usable);
  EXPECT_EQ(p.ip4.checksum, 0);
  EXPECT_TRUE(p.errors.has(WireError::BadIpChecksum));
  EXPECT_TRUE(p.igmp.checksum_ok);
  EXPECT_EQ(p.igmp.records.size(), 1u);
}

// RFC 9776 §4 / RFC 2236 §2: membership messages carry TTL 1; TTL 2 is BadTtl.
// Header checksum for TTL 2 by hand: one more 0x0100 in the sum, so 0xe692 - 0x0100 = 0xe592.
TEST(Ipv4Ttl, MembershipReportWithTtl2IsBadTtl) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  f[14 + 8] = 2;
  f[14 + 10] = 0xe5;
  f[14 + 11] = 0x92;
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.ip4.checksum_ok);
  EXPECT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.has(WireError::BadTtl));
}

// --- IPv6 ------------------------------------------------------------------------------

// RFC 2711 §2.1 / RFC 9777 §5: next header 0, then hop-by-hop 3a 00 05 02 00 00 01 00
// (ICMPv6 next, length 0, RA value 0 = MLD, PadN 0) — parsed from and emitted as captured.
TEST(Ipv6HopByHopRouterAlert, ParsedAndEmittedAsCaptured) {
  const Bytes d = ip_of_frame(kMldV2QueryFrame);
  Ipv6Header h;
  Bytes upper;
  ErrorSet errs;
  ASSERT_TRUE(parse_ipv6(d, h, upper, errs));
  EXPECT_TRUE(errs.empty());
  EXPECT_EQ(h.next_header, 0);
  EXPECT_EQ(h.upper_protocol, kProtoIcmpv6);
  EXPECT_TRUE(h.router_alert);
  EXPECT_EQ(h.router_alert_value, 0);
  ASSERT_EQ(h.num_ext, 1);
  EXPECT_EQ(h.ext_headers[0], 0);
  ASSERT_EQ(h.num_hbh_options, 2);
  EXPECT_EQ(h.hbh_option_types[0], 5);
  EXPECT_EQ(h.hbh_option_types[1], 1);
  EXPECT_EQ(h.hop_limit, 1);
  EXPECT_EQ(upper.size(), 28u);

  std::vector<std::uint8_t> out;
  emit_ipv6(mld_ip_header(h.src, h.dst), kProtoIcmpv6, upper, out);
  EXPECT_EQ((std::vector<std::uint8_t>(out.begin() + 40, out.begin() + 48)),
            (std::vector<std::uint8_t>{0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00}));
  EXPECT_EQ(out[6], 0);  // Next Header: hop-by-hop
  EXPECT_EQ(out[7], 1);  // Hop Limit
  EXPECT_EQ(out, to_vec(d));
}

// RFC 8200 §4.1: hop-by-hop, then destination options, then ICMPv6.
TEST(Ipv6ExtensionHeaders, HopByHopThenDestinationOptions) {
  const auto d = v6_datagram(0,
                             {0x3c, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,   // HBH: RA, PadN; next 60
                              0x3a, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00},  // DstOpt: PadN(4); next 58
                             bytes_of(kMldV1Report));
  DecodedPacket p;
  ASSERT_TRUE(decode_ip_datagram(bytes_of(d), p));
  ASSERT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_TRUE(p.ip6.router_alert);
  ASSERT_EQ(p.ip6.num_ext, 2);
  EXPECT_EQ(p.ip6.ext_headers[0], 0);
  EXPECT_EQ(p.ip6.ext_headers[1], 60);
  EXPECT_EQ(p.mld.kind, MsgKind::V1Report);
  EXPECT_TRUE(p.mld.checksum_ok);
}

// RFC 8200 §4.5 / RFC 6946: an atomic fragment (offset 0, M 0) is a whole packet.
TEST(Ipv6ExtensionHeaders, AtomicFragmentIsWholePacket) {
  const auto d = v6_datagram(44, {0x3a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}, bytes_of(kMldV1Report));
  DecodedPacket p;
  ASSERT_TRUE(decode_ip_datagram(bytes_of(d), p));
  ASSERT_TRUE(p.usable);
  EXPECT_FALSE(p.ip6.fragment);
  EXPECT_FALSE(p.errors.has(WireError::Fragmented));
  EXPECT_EQ(p.mld.group, Ipv6Addr::from_bytes(kMldV1Dst));
}

// RFC 8200 §4.5: a first fragment (offset 0, M 1) is flagged Fragmented.
TEST(Ipv6ExtensionHeaders, FirstFragmentIsFragmented) {
  const auto d = v6_datagram(44, {0x3a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01}, bytes_of(kMldV1Report));
  DecodedPacket p;
  decode_ip_datagram(bytes_of(d), p);
  EXPECT_TRUE(p.ip6.fragment);
  EXPECT_TRUE(p.errors.has(WireError::Fragmented));
}

// RFC 8200 §4.5: the bytes after a non-first fragment header are the middle of the original
// payload, not an upper-layer header: even when they start with 0x83 they are no MLD message.
TEST(Ipv6ExtensionHeaders, LaterFragmentIsNotDecodedAsMld) {
  const auto d = v6_datagram(44, {0x3a, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01}, bytes_of(kMldV1Report));
  DecodedPacket p;
  const bool is_mld = decode_ip_datagram(bytes_of(d), p);
  EXPECT_TRUE(p.ip6.fragment);
  EXPECT_TRUE(p.errors.has(WireError::Fragmented));
  EXPECT_FALSE(is_mld && p.usable) << "fragment data decoded as an MLD message";
  // The walk stops at the fragment header: the "next header" 60 below names the header of
  // the reassembled packet, and the fragment data must not be parsed as one.
  const auto d2 = v6_datagram(44, {0x3c, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01}, bytes_of(kMldV1Report));
  DecodedPacket q;
  decode_ip_datagram(bytes_of(d2), q);
  EXPECT_FALSE(q.errors.has(WireError::BadExtensionHeader));
  EXPECT_TRUE(q.errors.has(WireError::Fragmented));
}

// RFC 8200 §4.3: the hop-by-hop header may appear only directly after the IPv6 header.
TEST(Ipv6ExtensionHeaders, HopByHopAfterDestinationOptionsIsMalformed) {
  const auto d = v6_datagram(60,
                             {0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,   // DstOpt, next 0 (HBH)
                              0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00},  // HBH (misplaced)
                             bytes_of(kMldV1Report));
  DecodedPacket p;
  EXPECT_FALSE(decode_ip_datagram(bytes_of(d), p));
  EXPECT_TRUE(p.errors.has(WireError::BadExtensionHeader));
}

// RFC 8200 §4.3: Hdr Ext Len 5 claims 48 bytes; only 8 + 24 are there.
TEST(Ipv6ExtensionHeaders, HeaderLengthPastPayloadIsMalformed) {
  const auto d = v6_datagram(0, {0x3a, 0x05, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00}, bytes_of(kMldV1Report));
  DecodedPacket p;
  EXPECT_FALSE(decode_ip_datagram(bytes_of(d), p));
  EXPECT_TRUE(p.errors.has(WireError::BadExtensionHeader));
}

// RFC 8200 §4.2: an option whose Opt Data Len runs past its header is malformed; RFC 2711 §2.1:
// the Router Alert option has length 2.
TEST(Ipv6ExtensionHeaders, OptionLengthPastHeaderIsMalformed) {
  const auto d = v6_datagram(0, {0x3a, 0x00, 0x05, 0x08, 0x00, 0x00, 0x01, 0x00}, bytes_of(kMldV1Report));
  DecodedPacket p;
  EXPECT_FALSE(decode_ip_datagram(bytes_of(d), p));
  EXPECT_TRUE(p.errors.has(WireError::BadExtensionHeader));
  // RA with length 4 fits in the header but is not a valid Router Alert.
  const auto d2 = v6_datagram(0, {0x3a, 0x00, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00}, bytes_of(kMldV1Report));
  DecodedPacket q;
  decode_ip_datagram(bytes_of(d2), q);
  EXPECT_TRUE(q.errors.has(WireError::BadExtensionHeader));
}

// --- Ethernet ---------------------------------------------------------------------------

// IEEE 802.1Q: one tag (TPID 0x8100, VID 100) before the IPv4 EtherType.
TEST(EthernetVlan, OneTag) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kV2ReportFrame));
  const std::uint8_t tag[] = {0x81, 0x00, 0x00, 0x64};
  f.insert(f.begin() + 12, std::begin(tag), std::end(tag));
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.igmp.group, v4("239.255.255.250"));
  EthernetHeader eth;
  Bytes payload;
  ErrorSet errs;
  ASSERT_TRUE(parse_ethernet(bytes_of(f), eth, payload, errs));
  ASSERT_EQ(eth.num_vlans, 1);
  EXPECT_EQ(eth.vlan_tci[0], 100);
  EXPECT_EQ(eth.ethertype, kEtherTypeIpv4);
  EXPECT_EQ(payload.size(), 32u);
  // Emitting the parsed header reproduces the tagged frame.
  std::vector<std::uint8_t> out;
  emit_ethernet(eth, payload, out);
  EXPECT_EQ(out, f);
}

// IEEE 802.1ad: service tag 0x88A8 (VID 10) then customer tag 0x8100 (VID 100).
TEST(EthernetVlan, TwoTags) {
  std::vector<std::uint8_t> f = to_vec(bytes_of(kMldV2QueryFrame));
  const std::uint8_t tags[] = {0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x20, 0x64};  // PCP 1 on the inner tag
  f.insert(f.begin() + 12, std::begin(tags), std::end(tags));
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.usable);
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.mld.version, 2);
  EthernetHeader eth;
  Bytes payload;
  ErrorSet errs;
  ASSERT_TRUE(parse_ethernet(bytes_of(f), eth, payload, errs));
  ASSERT_EQ(eth.num_vlans, 2);
  EXPECT_EQ(eth.vlan_tci[0], 0x000a);
  EXPECT_EQ(eth.vlan_tci[1], 0x2064);
  EXPECT_EQ(eth.ethertype, kEtherTypeIpv6);
}

// A tag cut off by the end of the frame is Truncated, never read past the end.
TEST(EthernetVlan, TruncatedTagIsTruncated) {
  const std::uint8_t f[] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01, 0, 1, 2, 3, 4, 5, 0x81, 0x00, 0x00, 0x64};
  EthernetHeader eth;
  Bytes payload;
  ErrorSet errs;
  EXPECT_FALSE(parse_ethernet(bytes_of(f), eth, payload, errs));
  EXPECT_TRUE(errs.has(WireError::Truncated));
}

// RFC 1112 §6.4: 01:00:5e + low 23 bits of the group (the top bit of the second octet is dropped).
TEST(MulticastMac, Ipv4Low23Bits) {
  EXPECT_EQ(MacAddr::multicast_for(v4("239.255.255.250")).to_string(), "01:00:5e:7f:ff:fa");
  EXPECT_EQ(MacAddr::multicast_for(v4("224.128.0.1")).to_string(), "01:00:5e:00:00:01");
  EXPECT_EQ(MacAddr::multicast_for(v4("224.0.0.22")).to_string(), "01:00:5e:00:00:16");
  // The captured IGMPv2 report's destination MAC is exactly that mapping.
  EXPECT_EQ(MacAddr::from_bytes(kV2ReportFrame), MacAddr::multicast_for(v4("239.255.255.250")));
}

// RFC 2464 §7: 33:33 + low 32 bits of the IPv6 group.
TEST(MulticastMac, Ipv6Low32Bits) {
  EXPECT_EQ(MacAddr::multicast_for(v6("ff02::1:ff9a:3b7c")).to_string(), "33:33:ff:9a:3b:7c");
  EXPECT_EQ(MacAddr::multicast_for(v6("ff02::16")).to_string(), "33:33:00:00:00:16");
  EXPECT_EQ(MacAddr::multicast_for(v6("ff0e::1234:5678:9abc")).to_string(), "33:33:56:78:9a:bc");
}

// RFC 2464 §7 + IEEE 802.3: the built MLD frame goes to 33:33:00:00:00:01 and equals the capture.
TEST(MulticastMac, BuiltMldFrameEqualsCapture) {
  std::vector<std::uint8_t> f;
  build_ethernet_for(MacAddr({0xb0, 0xa8, 0x6e, 0x0c, 0xd4, 0xe8}), ip_of_frame(kMldV2QueryFrame), f);
  EXPECT_EQ(f, to_vec(bytes_of(kMldV2QueryFrame)));
  EXPECT_EQ(MacAddr::from_bytes(f.data()).to_string(), "33:33:00:00:00:01");
}

// IEEE 802.3 §3.2.8: frames shorter than 60 bytes (without FCS) are padded with zeros.
TEST(EthernetPadding, ShortFramesArePaddedTo60Bytes) {
  // An IGMPv2 report without RA: 20 + 8 = 28 bytes of IP -> 42-byte frame -> padded to 60.
  std::vector<std::uint8_t> d;
  Ipv4Header h = igmp_ip_header(v4("10.0.0.1"), v4("239.1.1.1"));
  h.router_alert = false;
  build_igmp_datagram(h, igmp_simple(igmp_type::kV2Report, v4("239.1.1.1")), d);
  ASSERT_EQ(d.size(), 28u);
  std::vector<std::uint8_t> f;
  build_ethernet_for(MacAddr({0x02, 0, 0, 0, 0, 1}), d, f);
  ASSERT_EQ(f.size(), 60u);
  EXPECT_EQ(MacAddr::from_bytes(f.data()).to_string(), "01:00:5e:01:01:01");
  EXPECT_EQ(f[12], 0x08);
  EXPECT_EQ(f[13], 0x00);
  for (std::size_t i = 42; i < 60; ++i) EXPECT_EQ(f[i], 0) << i;
  // The padding is outside Total Length, so the decode sees exactly the message.
  DecodedPacket p;
  ASSERT_TRUE(decode_ethernet_frame(bytes_of(f), p));
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.ip_payload_len, 8u);
  // A frame already at 60 bytes or more is not padded.
  std::vector<std::uint8_t> big;
  build_ethernet_for(MacAddr{}, ip_of_frame(kMldV2QueryFrame), big);
  EXPECT_EQ(big.size(), 90u);
}

}  // namespace
}  // namespace mcsim::wire
