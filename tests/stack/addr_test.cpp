#include "stack/addr.hpp"

#include <gtest/gtest.h>

namespace mcsim {
namespace {

TEST(Ipv4Addr, ParsesAndFormatsDottedQuad) {
  auto a = Ipv4Addr::parse("224.0.0.251");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->b, (std::array<std::uint8_t, 4>{224, 0, 0, 251}));
  EXPECT_EQ(a->to_string(), "224.0.0.251");
  EXPECT_TRUE(a->is_multicast());
  EXPECT_TRUE(a->is_link_local_multicast());
}

TEST(Ipv4Addr, RejectsMalformedText) {
  for (const char* s : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..2.3"})
    EXPECT_FALSE(Ipv4Addr::parse(s)) << s;
}

TEST(Ipv6Addr, FormatsPerRfc5952) {
  // RFC 5952 §4.2.1-4.2.3 and §4.3 examples.
  EXPECT_EQ(Ipv6Addr::parse("2001:0db8:0000:0000:0000:0000:0002:0001")->to_string(), "2001:db8::2:1");
  EXPECT_EQ(Ipv6Addr::parse("2001:db8:0:1:1:1:1:1")->to_string(), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(Ipv6Addr::parse("2001:0:0:1:0:0:0:1")->to_string(), "2001:0:0:1::1");
  EXPECT_EQ(Ipv6Addr::parse("2001:db8:0:0:1:0:0:1")->to_string(), "2001:db8::1:0:0:1");
  EXPECT_EQ(Ipv6Addr::parse("2001:DB8::ABCD")->to_string(), "2001:db8::abcd");
  EXPECT_EQ(Ipv6Addr::parse("::")->to_string(), "::");
  EXPECT_EQ(Ipv6Addr::parse("::1")->to_string(), "::1");
  EXPECT_EQ(Ipv6Addr::parse("ff02::16")->to_string(), "ff02::16");
  EXPECT_EQ(Ipv6Addr::parse("::ffff:192.0.2.1")->to_string(), "::ffff:192.0.2.1");
  EXPECT_EQ(Ipv6Addr::parse("fe80::")->to_string(), "fe80::");
}

TEST(Ipv6Addr, RejectsMalformedText) {
  for (const char* s : {"", ":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::1", "1:2:3:4:5:6:7:8::",
                        "::1.2.3", ":1::2"})
    EXPECT_FALSE(Ipv6Addr::parse(s)) << s;
}

TEST(Ipv6Addr, ScopesAndSolicitedNode) {
  auto g = *Ipv6Addr::parse("ff3e::1:2");
  EXPECT_TRUE(g.is_multicast());
  EXPECT_TRUE(g.is_ssm());
  EXPECT_EQ(g.scope(), McastScope::Global);
  EXPECT_TRUE(ipv6::kAllNodes.is_link_scope_multicast());
  // RFC 4291 §2.7.1: fe80::2aa:ff:fe28:9c5a -> ff02::1:ff28:9c5a
  EXPECT_EQ(Ipv6Addr::parse("fe80::2aa:ff:fe28:9c5a")->solicited_node().to_string(), "ff02::1:ff28:9c5a");
}

TEST(MacAddr, MulticastMapping) {
  // RFC 1112 §6.4: low 23 bits; 239.129.1.1 and 239.1.1.1 share 01:00:5e:01:01:01.
  EXPECT_EQ(MacAddr::multicast_for(*Ipv4Addr::parse("239.129.1.1")).to_string(), "01:00:5e:01:01:01");
  EXPECT_EQ(MacAddr::multicast_for(*Ipv4Addr::parse("224.0.0.22")).to_string(), "01:00:5e:00:00:16");
  // RFC 2464 §7: 33:33 + low 32 bits.
  EXPECT_EQ(MacAddr::multicast_for(*Ipv6Addr::parse("ff02::1:ff28:9c5a")).to_string(), "33:33:ff:28:9c:5a");
  EXPECT_EQ(MacAddr::parse("01-00-5E-00-00-01")->to_string(), "01:00:5e:00:00:01");
  EXPECT_FALSE(MacAddr::parse("01:00:5e:00:00"));
}

}  // namespace
}  // namespace mcsim

namespace mcsim {
namespace {

// RFC 4291 App. A: MAC 02:00:00:00:00:02 -> interface ID 0000:00ff:fe00:0002 (the U/L bit
// inverted), as Linux formed fe80::ff:fe00:2 in scenarios/captures/linux-join-leave.pcap.
TEST(MacAddr, LinkLocalFromMac) {
  EXPECT_EQ(link_local_from_mac(*MacAddr::parse("02:00:00:00:00:02")).to_string(), "fe80::ff:fe00:2");
  EXPECT_EQ(link_local_from_mac(*MacAddr::parse("00:15:17:cc:e5:46")).to_string(), "fe80::215:17ff:fecc:e546");
}

}  // namespace
}  // namespace mcsim
