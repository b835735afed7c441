// pcap/capture: writing a pcap that libpcap (and so Wireshark) reads back, and link-layer
// extraction for every supported link type.
#include "pcap/capture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "pcap/decode.hpp"

namespace mcsim::pcap {
namespace {

// Seed 002: the IGMPv3 report a CH395 sends, inside a 20-byte IPv4 header from 192.168.1.10 to
// 224.0.0.22, TTL 1 (header checksum 0x1810, summed by hand over the ten 16-bit words).
const std::vector<std::uint8_t> kSeedDatagram = {
    0x45, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x18, 0x10, 0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00,
    0x00, 0x16, 0x22, 0x00, 0xf9, 0x02, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb};

std::vector<std::uint8_t> with_prefix(std::initializer_list<std::uint8_t> prefix) {
  std::vector<std::uint8_t> f(prefix);
  f.insert(f.end(), kSeedDatagram.begin(), kSeedDatagram.end());
  return f;
}

TEST(PcapWriter, WrittenFileReadsBackFrameForFrame) {
  const auto path = std::filesystem::temp_directory_path() / ("mcsim_writer_" + std::to_string(::getpid()) + ".pcap");
  std::string err;
  const auto frame = with_prefix({0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0xb4, 0x05, 0, 0, 0, 0, 0x08, 0x00});
  {
    auto w = Writer::open(path.string(), linktype::kEthernet, err);
    ASSERT_TRUE(w) << err;
    w->write(1700000000, 123456789, frame);
    w->write(1700000001, 5, frame, 1000);  // snap-cut: original length larger
  }
  auto r = Reader::open(path.string(), err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->linktype(), linktype::kEthernet);
  Frame f;
  ASSERT_TRUE(r->next(f));
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(f.ts_sec, 1700000000);
  EXPECT_EQ(f.ts_nsec, 123456789u);  // nanosecond-precision file
  EXPECT_EQ(std::vector<std::uint8_t>(f.data.begin(), f.data.end()), frame);
  ASSERT_TRUE(r->next(f));
  EXPECT_EQ(f.len, 1000u);
  EXPECT_EQ(f.caplen, frame.size());
  wire::DecodedPacket p;
  ASSERT_TRUE(decode_frame(f, p));
  EXPECT_TRUE(p.errors.has(wire::WireError::SnapTruncated));
  EXPECT_FALSE(r->next(f));
  EXPECT_TRUE(r->error().empty());
  std::filesystem::remove(path);
}

struct LinkCase {
  int linktype;
  std::vector<std::uint8_t> frame;
};

TEST(PcapLinkTypes, EveryLinkTypeYieldsTheSameMessage) {
  const std::vector<LinkCase> cases = {
      {linktype::kEthernet, with_prefix({0x01, 0x00, 0x5e, 0, 0, 0x16, 2, 0, 0, 0, 0, 1, 0x08, 0x00})},
      // 802.1Q tag (VLAN 10) before the EtherType.
      {linktype::kEthernet, with_prefix({0x01, 0x00, 0x5e, 0, 0, 0x16, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00})},
      // Linux cooked v1: packet type, ARPHRD, addr len, 8-byte addr, protocol.
      {linktype::kLinuxSll, with_prefix({0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00})},
      // Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, addr len, 8-byte addr.
      {linktype::kLinuxSll2, with_prefix({0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0})},
      // BSD null: AF_INET (2) in the writer's (little-endian) byte order.
      {linktype::kNull, with_prefix({2, 0, 0, 0})},
      // OpenBSD loop: AF_INET in network order.
      {linktype::kLoop, with_prefix({0, 0, 0, 2})},
      {linktype::kRaw, with_prefix({})},
      {linktype::kIpv4, with_prefix({})},
  };
  for (const auto& c : cases) {
    Frame f;
    f.linktype = c.linktype;
    f.data = Bytes(c.frame);
    f.caplen = f.len = static_cast<std::uint32_t>(c.frame.size());
    wire::DecodedPacket p;
    ASSERT_TRUE(decode_frame(f, p)) << linktype_name(c.linktype);
    EXPECT_TRUE(p.usable);
    EXPECT_TRUE(p.errors.empty()) << linktype_name(c.linktype);
    ASSERT_EQ(p.igmp.records.size(), 1u);
    EXPECT_EQ(p.igmp.records[0].group, Ipv4Addr(224, 0, 0, 251));
  }
}

TEST(PcapLinkTypes, ShortLinkHeadersAreTruncatedNotRead) {
  for (int lt : {linktype::kEthernet, linktype::kLinuxSll, linktype::kLinuxSll2, linktype::kNull, linktype::kLoop}) {
    for (std::size_t n = 0; n < 20; ++n) {
      std::vector<std::uint8_t> buf(n, 0x08);
      wire::ErrorSet errs;
      Bytes ip;
      if (!extract_ip(lt, buf, ip, errs)) continue;
      EXPECT_LE(ip.size(), n);
    }
  }
  EXPECT_FALSE(linktype_supported(147));
}

}  // namespace
}  // namespace mcsim::pcap
