// Unit tests for the findings of the fuzz targets (tests/fuzz, docs/reliability.md).
#include <gtest/gtest.h>

#include "stack/api/socket_api.hpp"

namespace mcsim::api {
namespace {

// fuzz_sockopt: with the linux profile and validate_sources on, IP_ADD_SOURCE_MEMBERSHIP with
// an invalid source failed with EINVAL but left the INCLUDE join of its first step behind.
// Regression file: tests/fuzz/regressions/fuzz_sockopt/linux-validate-sources-join-left-behind.
TEST(FuzzFindings, LinuxValidateSourcesRejectsBeforeTheJoin) {
  Profile p = Profile::linux_kernel();
  p.validate_sources = true;
  SocketApi api(p);
  const Ipv4Addr addr[] = {Ipv4Addr(192, 168, 1, 10)};
  api.add_interface_with_index(1, "eth0", addr);
  api.set_default_interface(Family::V4, 1);
  const SocketId s = api.open(Family::V4);
  MembershipReq<Ipv4Addr> req{Ipv4Addr(232, 1, 1, 1), Ipv4Addr(0, 0, 0, 0), IfRef::any()};
  const Status st = api.set_option(s, Option::IpAddSourceMembership, req);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.name(), "EINVAL");
  EXPECT_TRUE(api.memberships<Ipv4Addr>(s).empty());
  EXPECT_TRUE(api.interface_states<Ipv4Addr>().empty());
}

}  // namespace
}  // namespace mcsim::api
