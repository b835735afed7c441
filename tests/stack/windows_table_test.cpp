// One test per row of the seed table "Multicast Socket Option Behavior"
// (seed 000/001; shared/reference/windows-option-conflicts.md), plus the open
// cases decided in docs/error-rules.md. Expected errors come from the table.
#include <gtest/gtest.h>

#include <vector>

#include "stack/api/socket_api.hpp"

namespace {

using namespace mcsim;
using namespace mcsim::api;

constexpr int WSAEINVAL = 10022;
constexpr int WSAEADDRNOTAVAIL = 10049;
constexpr int WSAENOBUFS = 10055;
constexpr int WSAENOPROTOOPT = 10042;

class WindowsTable : public ::testing::Test {
 protected:
  void SetUp() override {
    ifx = api.add_interface("eth0", std::vector<Ipv4Addr>{kIf});
    other = api.add_interface("eth1", std::vector<Ipv4Addr>{Ipv4Addr{10, 0, 1, 1}});
    s = api.open(Family::V4);
  }
  Status call(Option o, Ipv4Addr src = kS1, IfRef i = IfRef::with_address(kIf)) {
    return api.set_option<Ipv4Addr>(s, o, MembershipReq<Ipv4Addr>{kG, src, i});
  }
  Filter<Ipv4Addr> filter() {
    auto r = api.get_filter<Ipv4Addr>(s, Option::IpMsfilter, IfRef::with_address(kIf), kG);
    EXPECT_TRUE(r.ok()) << r.error().reason;
    return r.ok() ? r.value() : Filter<Ipv4Addr>{};
  }

  static constexpr Ipv4Addr kIf{10, 0, 0, 1};
  static constexpr Ipv4Addr kG{239, 1, 2, 3};
  static constexpr Ipv4Addr kS1{192, 168, 1, 10};
  static constexpr Ipv4Addr kS2{192, 168, 1, 11};
  SocketApi api{Profile::windows()};
  IfIndex ifx = 0, other = 0;
  SocketId s = 0;
};

TEST_F(WindowsTable, Row01_AddMembershipTwice) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  auto st = call(Option::IpAddMembership);
  EXPECT_EQ(st.code(), WSAEADDRNOTAVAIL);
  EXPECT_EQ(st.name(), "WSAEADDRNOTAVAIL");
  // Allowed on another interface (seed: "same group ... on the same interface").
  EXPECT_TRUE(call(Option::IpAddMembership, kS1, IfRef::with_index(other)).ok());
}

TEST_F(WindowsTable, Row02_AddSourceAfterAnySourceJoin) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  EXPECT_EQ(call(Option::IpAddSourceMembership).code(), WSAEADDRNOTAVAIL);
}

TEST_F(WindowsTable, Row03_DropSourceAfterAnySourceJoin) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  auto st = call(Option::IpDropSourceMembership);
  EXPECT_EQ(st.code(), WSAEINVAL);
  EXPECT_NE(st.error().reason.find("IP_BLOCK_SOURCE"), std::string_view::npos);
}

TEST_F(WindowsTable, Row04_UnblockNeverBlockedAfterAnySourceJoin) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  EXPECT_EQ(call(Option::IpUnblockSource).code(), WSAEINVAL);
}

TEST_F(WindowsTable, Row05_AnyCallAfterDropMembership) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  ASSERT_TRUE(call(Option::IpBlockSource).ok());
  ASSERT_TRUE(call(Option::IpDropMembership).ok());
  EXPECT_EQ(call(Option::IpDropMembership).code(), WSAEINVAL);
  EXPECT_EQ(call(Option::IpBlockSource).code(), WSAEINVAL);
  EXPECT_EQ(call(Option::IpUnblockSource).code(), WSAEINVAL);
  EXPECT_EQ(call(Option::IpDropSourceMembership).code(), WSAEINVAL);
  EXPECT_EQ(api.get_filter<Ipv4Addr>(s, Option::IpMsfilter, IfRef::with_address(kIf), kG).code(), WSAEINVAL);
}

TEST_F(WindowsTable, Row06_AddMembershipAfterSourceJoin) {
  ASSERT_TRUE(call(Option::IpAddSourceMembership).ok());
  EXPECT_EQ(call(Option::IpAddMembership).code(), WSAEADDRNOTAVAIL);
}

TEST_F(WindowsTable, Row07_AddSourceTwice) {
  ASSERT_TRUE(call(Option::IpAddSourceMembership).ok());
  EXPECT_EQ(call(Option::IpAddSourceMembership).code(), WSAEADDRNOTAVAIL);
  EXPECT_TRUE(call(Option::IpAddSourceMembership, kS2).ok());  // another pair is fine
  EXPECT_EQ(filter(), (Filter<Ipv4Addr>{FilterMode::Include, {kS1, kS2}}));
}

TEST_F(WindowsTable, Row08_UnblockAfterSourceJoin) {
  ASSERT_TRUE(call(Option::IpAddSourceMembership).ok());
  EXPECT_EQ(call(Option::IpUnblockSource).code(), WSAEINVAL);
}

TEST_F(WindowsTable, Row09_UnblockAfterDropSource) {
  ASSERT_TRUE(call(Option::IpAddSourceMembership).ok());
  ASSERT_TRUE(call(Option::IpAddSourceMembership, kS2).ok());
  ASSERT_TRUE(call(Option::IpDropSourceMembership).ok());
  EXPECT_EQ(call(Option::IpUnblockSource).code(), WSAEINVAL);
}

TEST_F(WindowsTable, Row10_DropSourceTwice) {
  ASSERT_TRUE(call(Option::IpAddSourceMembership).ok());
  ASSERT_TRUE(call(Option::IpAddSourceMembership, kS2).ok());
  ASSERT_TRUE(call(Option::IpDropSourceMembership).ok());
  EXPECT_EQ(call(Option::IpDropSourceMembership).code(), WSAEADDRNOTAVAIL);
  EXPECT_EQ(filter(), (Filter<Ipv4Addr>{FilterMode::Include, {kS2}}));
}

TEST_F(WindowsTable, Row11_BlockTwice) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  ASSERT_TRUE(call(Option::IpBlockSource).ok());
  EXPECT_EQ(call(Option::IpBlockSource).code(), WSAEADDRNOTAVAIL);
  EXPECT_EQ(filter(), (Filter<Ipv4Addr>{FilterMode::Exclude, {kS1}}));
}

TEST_F(WindowsTable, Row12_AddSourceAfterBlock) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  ASSERT_TRUE(call(Option::IpBlockSource).ok());
  auto st = call(Option::IpAddSourceMembership);
  EXPECT_EQ(st.code(), WSAEINVAL);
  EXPECT_NE(st.error().reason.find("IP_UNBLOCK_SOURCE"), std::string_view::npos);
}

TEST_F(WindowsTable, Row13_AddMembershipAfterBlock) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  ASSERT_TRUE(call(Option::IpBlockSource).ok());
  EXPECT_EQ(call(Option::IpAddMembership).code(), WSAEINVAL);
}

TEST_F(WindowsTable, Row14_UnblockTwice) {
  ASSERT_TRUE(call(Option::IpAddMembership).ok());
  ASSERT_TRUE(call(Option::IpBlockSource).ok());
  ASSERT_TRUE(call(Option::IpUnblockSource).ok());
  EXPECT_EQ(call(Option::IpUnblockSource).code(), WSAEADDRNOTAVAIL);
  EXPECT_EQ(filter(), Filter<Ipv4Addr>::any_source());
}

// --- open cases (docs/error-rules.md) -------------------------------------------

TEST(WindowsOpenCases, Row05_RejoinAfterDropIsAllowed) {
  SocketApi api;
  api.add_interface("eth0", std::vector<Ipv4Addr>{Ipv4Addr{10, 0, 0, 1}});
  auto s = api.open(Family::V4);
  const MembershipReq<Ipv4Addr> r{Ipv4Addr{239, 1, 1, 1}, {}, IfRef::any()};
  ASSERT_TRUE(api.set_option(s, Option::IpAddMembership, r).ok());
  ASSERT_TRUE(api.set_option(s, Option::IpDropMembership, r).ok());
  EXPECT_TRUE(api.set_option(s, Option::IpAddMembership, r).ok());
}

TEST(WindowsOpenCases, UnblockOtherSourceAfterBlockIsRow4NotRow14) {
  SocketApi api;
  api.add_interface("eth0");
  auto s = api.open(Family::V4);
  const Ipv4Addr g{239, 1, 1, 1}, a{10, 1, 1, 1}, b{10, 1, 1, 2};
  ASSERT_TRUE(api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{g, a, {}}).ok());
  ASSERT_TRUE(api.set_option(s, Option::IpBlockSource, MembershipReq<Ipv4Addr>{g, a, {}}).ok());
  ASSERT_TRUE(api.set_option(s, Option::IpUnblockSource, MembershipReq<Ipv4Addr>{g, a, {}}).ok());
  EXPECT_EQ(api.set_option(s, Option::IpUnblockSource, MembershipReq<Ipv4Addr>{g, b, {}}).code(), WSAEINVAL);
  EXPECT_EQ(api.set_option(s, Option::IpUnblockSource, MembershipReq<Ipv4Addr>{g, a, {}}).code(), WSAEADDRNOTAVAIL);
}

TEST(WindowsOpenCases, BlockOnSourceSpecificJoinIsInval) {
  SocketApi api;
  api.add_interface("eth0");
  auto s = api.open(Family::V4);
  const Ipv4Addr g{232, 1, 1, 1}, a{10, 1, 1, 1};
  ASSERT_TRUE(api.set_option(s, Option::IpAddSourceMembership, MembershipReq<Ipv4Addr>{g, a, {}}).ok());
  EXPECT_EQ(api.set_option(s, Option::IpBlockSource, MembershipReq<Ipv4Addr>{g, a, {}}).code(), WSAEINVAL);
}

// MCAST_* and IPV6_* inherit the IPv4 rows.
TEST(WindowsOpenCases, McastOptionsInheritRows_Ipv6) {
  SocketApi api;
  const IfIndex i = api.add_interface("eth0");
  auto s = api.open(Family::V6);
  const auto g = ipv6::make(0xff3e, 0, 0, 0, 0, 0, 0, 0x1234);
  const auto a = ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
  const MembershipReq<Ipv6Addr> r{g, a, IfRef::with_index(i)};
  ASSERT_TRUE(api.set_option(s, Option::McastJoinGroup, r).ok());
  EXPECT_EQ(api.set_option(s, Option::Ipv6AddMembership, r).code(), WSAEADDRNOTAVAIL);       // row 1
  EXPECT_EQ(api.set_option(s, Option::McastJoinSourceGroup, r).code(), WSAEADDRNOTAVAIL);    // row 2
  EXPECT_EQ(api.set_option(s, Option::McastLeaveSourceGroup, r).code(), WSAEINVAL);          // row 3
  EXPECT_EQ(api.set_option(s, Option::McastUnblockSource, r).code(), WSAEINVAL);             // row 4
  ASSERT_TRUE(api.set_option(s, Option::McastBlockSource, r).ok());
  EXPECT_EQ(api.set_option(s, Option::McastBlockSource, r).code(), WSAEADDRNOTAVAIL);        // row 11
  EXPECT_EQ(api.set_option(s, Option::McastJoinSourceGroup, r).code(), WSAEINVAL);           // row 12
  EXPECT_EQ(api.set_option(s, Option::McastJoinGroup, r).code(), WSAEINVAL);                 // row 13
  ASSERT_TRUE(api.set_option(s, Option::McastUnblockSource, r).ok());
  EXPECT_EQ(api.set_option(s, Option::McastUnblockSource, r).code(), WSAEADDRNOTAVAIL);      // row 14
  ASSERT_TRUE(api.set_option(s, Option::Ipv6DropMembership, r).ok());
  EXPECT_EQ(api.set_option(s, Option::McastLeaveGroup, r).code(), WSAEINVAL);                // row 5
}

TEST(WindowsErrors, InvalidArgumentsAreClearErrors) {
  SocketApi api;
  api.add_interface("eth0", std::vector<Ipv4Addr>{Ipv4Addr{10, 0, 0, 1}});
  auto s = api.open(Family::V4);
  auto st = api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{Ipv4Addr{10, 1, 1, 1}, {}, {}});
  EXPECT_EQ(st.code(), WSAEINVAL);
  EXPECT_NE(st.error().reason.find("multicast"), std::string_view::npos);
  const Ipv4Addr g{239, 1, 1, 1};
  EXPECT_EQ(api.set_option(s, Option::IpAddSourceMembership, MembershipReq<Ipv4Addr>{g, Ipv4Addr{}, {}}).code(),
            WSAEINVAL);  // unspecified source
  EXPECT_EQ(api.set_option(s, Option::IpAddSourceMembership, MembershipReq<Ipv4Addr>{g, Ipv4Addr{224, 0, 0, 5}, {}})
                .code(),
            WSAEINVAL);  // multicast source
  EXPECT_EQ(api.set_option(s, Option::IpAddMembership,
                           MembershipReq<Ipv4Addr>{g, {}, IfRef::with_address(Ipv4Addr{192, 0, 2, 1})})
                .code(),
            WSAEADDRNOTAVAIL);  // no such interface
  EXPECT_EQ(api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{g, {}, IfRef::with_index(77)}).code(),
            WSAEADDRNOTAVAIL);
  // Wrong family: IPV6_ADD_MEMBERSHIP on an IPv4 socket.
  EXPECT_EQ(api.set_option(s, Option::Ipv6AddMembership, MembershipReq<Ipv6Addr>{ipv6::kAllNodes, {}, {}}).code(),
            WSAENOPROTOOPT);
  EXPECT_EQ(api.set_option(s, Option::McastJoinGroup, MembershipReq<Ipv6Addr>{ipv6::kAllNodes, {}, {}}).code(),
            WSAEINVAL);
}

TEST(WindowsErrors, LimitsGiveNoBufs) {
  Profile p = Profile::windows();
  p.limits.max_groups_v4 = 2;
  p.limits.max_sources_v4 = 3;
  SocketApi api(p);
  api.add_interface("eth0");
  auto s = api.open(Family::V4);
  ASSERT_TRUE(api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{{239, 0, 0, 1}, {}, {}}).ok());
  ASSERT_TRUE(api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{{239, 0, 0, 2}, {}, {}}).ok());
  EXPECT_EQ(api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{{239, 0, 0, 3}, {}, {}}).code(),
            WSAENOBUFS);
  for (std::uint8_t i = 1; i <= 3; ++i)
    ASSERT_TRUE(api.set_option(s, Option::IpBlockSource, MembershipReq<Ipv4Addr>{{239, 0, 0, 1}, {10, 0, 0, i}, {}}).ok());
  EXPECT_EQ(api.set_option(s, Option::IpBlockSource, MembershipReq<Ipv4Addr>{{239, 0, 0, 1}, {10, 0, 0, 4}, {}}).code(),
            WSAENOBUFS);
  std::vector<Ipv4Addr> many(4, Ipv4Addr{10, 0, 0, 9});
  EXPECT_EQ(api.set_filter<Ipv4Addr>(s, Option::IpMsfilter, {}, {239, 0, 0, 2}, FilterMode::Exclude, many).code(),
            WSAENOBUFS);
}

TEST(WindowsFinalState, SetGetAndIncludeEmptyLeaves) {
  SocketApi api;
  const IfIndex i = api.add_interface("eth0", std::vector<Ipv4Addr>{Ipv4Addr{10, 0, 0, 1}});
  auto s = api.open(Family::V4);
  const Ipv4Addr g{239, 9, 9, 9};
  const std::vector<Ipv4Addr> src{{10, 3, 3, 3}, {10, 1, 1, 1}, {10, 3, 3, 3}};
  ASSERT_TRUE(api.set_filter<Ipv4Addr>(s, Option::McastMsfilter, IfRef::with_index(i), g, FilterMode::Include, src).ok());
  auto f = api.get_filter<Ipv4Addr>(s, Option::IpMsfilter, IfRef::with_address({10, 0, 0, 1}), g);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, (Filter<Ipv4Addr>{FilterMode::Include, {{10, 1, 1, 1}, {10, 3, 3, 3}}}));
  EXPECT_EQ(api.interface_state(i, g), *f);
  ASSERT_TRUE(api.set_filter<Ipv4Addr>(s, Option::IpMsfilter, {}, g, FilterMode::Include, {}).ok());
  EXPECT_FALSE(api.interface_state(i, g).is_member());
  EXPECT_EQ(api.set_filter_raw<Ipv4Addr>(s, Option::IpMsfilter, {}, g, std::nullopt, {}).code(), WSAEINVAL);
}

TEST(SocketClose, DropsMembershipsAndReportsChanges) {
  SocketApi api;
  const IfIndex i = api.add_interface("eth0");
  auto a = api.open(Family::V4);
  auto b = api.open(Family::V4);
  const Ipv4Addr g{239, 1, 1, 1};
  ASSERT_TRUE(api.set_option(a, Option::IpAddMembership, MembershipReq<Ipv4Addr>{g, {}, {}}).ok());
  ASSERT_TRUE(api.set_option(b, Option::IpAddSourceMembership, MembershipReq<Ipv4Addr>{g, {10, 0, 0, 1}, {}}).ok());
  EXPECT_EQ(api.interface_state(i, g), Filter<Ipv4Addr>::any_source());
  ASSERT_TRUE(api.close(a).ok());
  ASSERT_EQ(api.last_changes<Ipv4Addr>().size(), 1u);
  const auto& c = api.last_changes<Ipv4Addr>()[0];
  EXPECT_EQ(c.old_state, Filter<Ipv4Addr>::any_source());
  EXPECT_EQ(c.new_state, (Filter<Ipv4Addr>{FilterMode::Include, {{10, 0, 0, 1}}}));
  EXPECT_EQ(api.set_option(a, Option::IpAddMembership, MembershipReq<Ipv4Addr>{g, {}, {}}).name(), "WSAENOTSOCK");
  ASSERT_TRUE(api.close(b).ok());
  EXPECT_TRUE(api.interface_states<Ipv4Addr>().empty());
}

}  // namespace
