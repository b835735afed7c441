// The Winsock C facade: the seed example (C), struct layouts, short buffers,
// and the final-state IOCTLs.
#include "stack/api/winsock.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" int seed_example_run(void);

namespace {

std::uint32_t a4(unsigned a, unsigned b, unsigned c, unsigned d) {
  const unsigned char o[4] = {static_cast<unsigned char>(a), static_cast<unsigned char>(b),
                              static_cast<unsigned char>(c), static_cast<unsigned char>(d)};
  std::uint32_t r;
  std::memcpy(&r, o, 4);
  return r;
}

TEST(WinsockFacade, SeedJoinSourceGroupExampleBehavesAsDocumented) { EXPECT_EQ(seed_example_run(), 0); }

TEST(WinsockFacade, StructSizesMatch64BitWindows) {
  EXPECT_EQ(sizeof(MCSIM_GROUP_REQ), 136u);
  EXPECT_EQ(sizeof(MCSIM_GROUP_SOURCE_REQ), 264u);
  EXPECT_EQ(MCSIM_GROUP_FILTER_SIZE(0), 144u);
  EXPECT_EQ(MCSIM_GROUP_FILTER_SIZE(3), 144u + 384u);
  EXPECT_EQ(MCSIM_IP_MSFILTER_SIZE(2), 24u);
  EXPECT_EQ(offsetof(mcsim_ip_mreq_source, imr_sourceaddr), 4u);
  EXPECT_EQ(offsetof(mcsim_ip_mreq_source, imr_interface), 8u);
}

class Facade : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mcsim_winsock_reset("windows"), 0);
    ifindex = mcsim_add_interface("eth0", a4(10, 0, 0, 1));
    s = mcsim_socket(MCSIM_AF_INET, MCSIM_SOCK_DGRAM, 0);
    ASSERT_NE(s, MCSIM_INVALID_SOCKET);
  }
  void TearDown() override { mcsim_closesocket(s); }
  std::uint32_t ifindex = 0;
  MCSIM_SOCKET s = 0;
};

TEST_F(Facade, IpAddMembershipTwiceIsRow1AndShortBufferIsFault) {
  mcsim_ip_mreq m{{a4(239, 1, 1, 1)}, {a4(10, 0, 0, 1)}};
  EXPECT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_IP_ADD_MEMBERSHIP, reinterpret_cast<char*>(&m), sizeof m), 0);
  EXPECT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_IP_ADD_MEMBERSHIP, reinterpret_cast<char*>(&m), sizeof m),
            MCSIM_SOCKET_ERROR);
  EXPECT_EQ(mcsim_WSAGetLastError(), MCSIM_WSAEADDRNOTAVAIL);
  EXPECT_STREQ(mcsim_WSALastErrorName(), "WSAEADDRNOTAVAIL");
  EXPECT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_IP_DROP_MEMBERSHIP, reinterpret_cast<char*>(&m), 7),
            MCSIM_SOCKET_ERROR);
  EXPECT_EQ(mcsim_WSAGetLastError(), MCSIM_WSAEFAULT);
  EXPECT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, 99, reinterpret_cast<char*>(&m), sizeof m), MCSIM_SOCKET_ERROR);
  EXPECT_EQ(mcsim_WSAGetLastError(), MCSIM_WSAENOPROTOOPT);
}

TEST_F(Facade, GroupSourceReqAndMsfilterIoctls) {
  MCSIM_GROUP_SOURCE_REQ r{};
  r.gsr_interface = ifindex;
  mcsim_sockaddr_in g{MCSIM_AF_INET, 0, {a4(239, 2, 2, 2)}, {}};
  mcsim_sockaddr_in src{MCSIM_AF_INET, 0, {a4(10, 5, 5, 5)}, {}};
  std::memcpy(&r.gsr_group, &g, sizeof g);
  std::memcpy(&r.gsr_source, &src, sizeof src);
  MCSIM_GROUP_REQ gr{};
  gr.gr_interface = ifindex;
  std::memcpy(&gr.gr_group, &g, sizeof g);
  ASSERT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_MCAST_JOIN_GROUP, reinterpret_cast<char*>(&gr), sizeof gr), 0);
  ASSERT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_MCAST_BLOCK_SOURCE, reinterpret_cast<char*>(&r), sizeof r), 0);
  EXPECT_EQ(mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_MCAST_BLOCK_SOURCE, reinterpret_cast<char*>(&r), 263),
            MCSIM_SOCKET_ERROR);
  EXPECT_EQ(mcsim_WSAGetLastError(), MCSIM_WSAEFAULT);

  // SIO_GET_MULTICAST_FILTER: EXCLUDE {10.5.5.5}.
  std::vector<unsigned char> buf(MCSIM_IP_MSFILTER_SIZE(4));
  mcsim_ip_msfilter q{};
  q.imsf_multiaddr.s_addr = a4(239, 2, 2, 2);
  q.imsf_interface.s_addr = a4(10, 0, 0, 1);
  std::uint32_t got = 0;
  ASSERT_EQ(mcsim_WSAIoctl(s, MCSIM_SIO_GET_MULTICAST_FILTER, &q, MCSIM_IP_MSFILTER_SIZE(0), buf.data(),
                           static_cast<std::uint32_t>(buf.size()), &got, nullptr, nullptr),
            0);
  mcsim_ip_msfilter out;
  std::memcpy(&out, buf.data(), sizeof out);
  EXPECT_EQ(out.imsf_fmode, static_cast<std::uint32_t>(MCSIM_MCAST_EXCLUDE));
  EXPECT_EQ(out.imsf_numsrc, 1u);
  EXPECT_EQ(out.imsf_slist[0].s_addr, a4(10, 5, 5, 5));
  EXPECT_EQ(got, MCSIM_IP_MSFILTER_SIZE(1));

  // SIOCSMSFILTER: INCLUDE {10.7.7.7, 10.6.6.6}; SIOCGMSFILTER reads it back sorted.
  std::vector<unsigned char> gf(MCSIM_GROUP_FILTER_SIZE(2));
  MCSIM_GROUP_FILTER h{};
  h.gf_interface = ifindex;
  std::memcpy(&h.gf_group, &g, sizeof g);
  h.gf_fmode = MCSIM_MCAST_INCLUDE;
  h.gf_numsrc = 2;
  std::memcpy(gf.data(), &h, MCSIM_GROUP_FILTER_SIZE(0));
  const mcsim_sockaddr_in x{MCSIM_AF_INET, 0, {a4(10, 7, 7, 7)}, {}}, y{MCSIM_AF_INET, 0, {a4(10, 6, 6, 6)}, {}};
  std::memcpy(gf.data() + 144, &x, sizeof x);
  std::memcpy(gf.data() + 272, &y, sizeof y);
  EXPECT_EQ(mcsim_WSAIoctl(s, MCSIM_SIOCSMSFILTER, gf.data(), MCSIM_GROUP_FILTER_SIZE(1), nullptr, 0, nullptr, nullptr,
                           nullptr),
            MCSIM_SOCKET_ERROR);  // numsrc 2 but room for 1
  EXPECT_EQ(mcsim_WSAGetLastError(), MCSIM_WSAEFAULT);
  ASSERT_EQ(mcsim_WSAIoctl(s, MCSIM_SIOCSMSFILTER, gf.data(), static_cast<std::uint32_t>(gf.size()), nullptr, 0,
                           nullptr, nullptr, nullptr),
            0);
  std::vector<unsigned char> back(MCSIM_GROUP_FILTER_SIZE(4));
  ASSERT_EQ(mcsim_WSAIoctl(s, MCSIM_SIOCGMSFILTER, gf.data(), MCSIM_GROUP_FILTER_SIZE(0), back.data(),
                           static_cast<std::uint32_t>(back.size()), &got, nullptr, nullptr),
            0);
  MCSIM_GROUP_FILTER bh;
  std::memcpy(&bh, back.data(), MCSIM_GROUP_FILTER_SIZE(0));
  EXPECT_EQ(bh.gf_fmode, static_cast<std::uint32_t>(MCSIM_MCAST_INCLUDE));
  ASSERT_EQ(bh.gf_numsrc, 2u);
  mcsim_sockaddr_in first;
  std::memcpy(&first, back.data() + 144, sizeof first);
  EXPECT_EQ(first.sin_addr.s_addr, a4(10, 6, 6, 6));
  EXPECT_EQ(got, MCSIM_GROUP_FILTER_SIZE(2));
}

TEST_F(Facade, Ipv6MembershipAndUnknownIoctl) {
  MCSIM_SOCKET s6 = mcsim_socket(MCSIM_AF_INET6, MCSIM_SOCK_DGRAM, 0);
  mcsim_ipv6_mreq m{};
  m.ipv6mr_multiaddr.s6_addr[0] = 0xff;
  m.ipv6mr_multiaddr.s6_addr[1] = 0x02;
  m.ipv6mr_multiaddr.s6_addr[15] = 0x01;  // ff02::1, the seed's broadcast replacement
  m.ipv6mr_interface = ifindex;
  EXPECT_EQ(mcsim_setsockopt(s6, MCSIM_IPPROTO_IPV6, MCSIM_IPV6_ADD_MEMBERSHIP, reinterpret_cast<char*>(&m), sizeof m), 0);
  EXPECT_EQ(mcsim_setsockopt(s6, MCSIM_IPPROTO_IPV6, MCSIM_IPV6_ADD_MEMBERSHIP, reinterpret_cast<char*>(&m), sizeof m),
            MCSIM_SOCKET_ERROR);
  EXPECT_EQ(mcsim_WSAGetLastError(), MCSIM_WSAEADDRNOTAVAIL);
  EXPECT_EQ(mcsim_WSAIoctl(s6, 0x12345678u, nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr), MCSIM_SOCKET_ERROR);
  std::uint32_t hops = 5;
  EXPECT_EQ(mcsim_setsockopt(s6, MCSIM_IPPROTO_IPV6, MCSIM_IPV6_MULTICAST_HOPS, reinterpret_cast<char*>(&hops), 4), 0);
  char out[4];
  int len = 4;
  ASSERT_EQ(mcsim_getsockopt(s6, MCSIM_IPPROTO_IPV6, MCSIM_IPV6_MULTICAST_HOPS, out, &len), 0);
  std::memcpy(&hops, out, 4);
  EXPECT_EQ(hops, 5u);
  mcsim_closesocket(s6);
}

}  // namespace
