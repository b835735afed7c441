// Snooping switch (stack/snoop, RFC 4541) tests, written as "given these messages on these
// ports at these times, a datagram (G,S) arriving on port P leaves on exactly these ports".
// Port 0 is the querier's port unless a test says otherwise.
#include "stack/snoop/snoop_switch.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

#include "stack/wire/igmp.hpp"
#include "stack/wire/mld.hpp"

namespace mcsim::snoop {

void PrintTo(const PortSet& s, std::ostream* os) { *os << s.to_string(); }

namespace {

using wire::igmp_type::kV2Leave;
using wire::igmp_type::kV2Report;
using wire::mld_type::kV1Done;
using wire::mld_type::kV1Report;

Ipv4Addr v4(const char* s) { return *Ipv4Addr::parse(s); }
Ipv6Addr v6(const char* s) { return *Ipv6Addr::parse(s); }

const Ipv4Addr kQuerier = v4("10.0.0.1");
const Ipv4Addr kG = v4("239.1.1.1");
const Ipv4Addr kS1 = v4("10.0.0.101");
const Ipv4Addr kS2 = v4("10.0.0.102");
const Ipv4Addr kS3 = v4("10.0.0.103");
const Ipv4Addr kHost = v4("10.0.0.50");
const Ipv6Addr kQuerier6 = v6("fe80::1");
const Ipv6Addr kHost6 = v6("fe80::50");

SnoopConfig cfg8() {
  SnoopConfig c;
  c.ports = 8;
  return c;
}

/// IGMPv2 general query, Max Resp Time 10 s (RFC 2236 §2.2: tenths of a second).
wire::IgmpMessage v2_query() { return wire::igmp_query(2, Ipv4Addr{}, 100); }

wire::IgmpMessage v3_report(RecordType t, Ipv4Addr g, std::vector<Ipv4Addr> srcs) {
  auto m = wire::igmpv3_report();
  m.add_record(t, g, srcs);
  return m;
}

wire::MldMessage v2_mld_report(RecordType t, Ipv6Addr g, std::vector<Ipv6Addr> srcs) {
  auto m = wire::mldv2_report();
  m.add_record(t, g, srcs);
  return m;
}

/// A table with the querier on port 0 (IGMPv2 query at t = 0).
IgmpSnoopTable with_querier(SnoopConfig c = cfg8()) {
  IgmpSnoopTable t(c);
  t.handle(0, v2_query(), kQuerier, 0);
  return t;
}

TEST(SnoopTest, QueryMakesRouterPortAndIsFlooded) {
  IgmpSnoopTable t(cfg8());
  EXPECT_EQ(t.router_ports(0), PortSet{});
  t.handle(0, v2_query(), kQuerier, 0);
  EXPECT_EQ(t.router_ports(0), (PortSet{0}));
  // RFC 4541 §2.1.1: queries reach every other port.
  EXPECT_EQ(t.forward_control(0, v2_query(), 0), (PortSet{1, 2, 3, 4, 5, 6, 7}));
  // RFC 4541 §2.1.1 (1)(b): a proxy query from 0.0.0.0 is flooded but makes no router port.
  t.handle(5, v2_query(), Ipv4Addr{}, seconds(1));
  EXPECT_EQ(t.router_ports(seconds(1)), (PortSet{0}));
  EXPECT_EQ(t.forward_control(5, v2_query(), seconds(1)), (PortSet{0, 1, 2, 3, 4, 6, 7}));
  // Router port ages with the Other Querier Present Interval: 2 * 125 s + 10 s / 2.
  EXPECT_EQ(t.router_port_age(), seconds(255));
  EXPECT_EQ(t.next_deadline(), seconds(255));
  EXPECT_EQ(t.router_ports(seconds(255) - 1), (PortSet{0}));
  EXPECT_EQ(t.router_ports(seconds(255)), PortSet{});
  t.expire(seconds(255));
  EXPECT_EQ(t.next_deadline(), std::nullopt);
}

TEST(SnoopTest, V2ReportLearnsPortDataOnlyToMembersAndRouters) {
  auto t = with_querier();
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  ASSERT_EQ(t.entries(seconds(1)).size(), 1u);
  const auto e = t.entries(seconds(1))[0];
  EXPECT_EQ(e.group, kG);
  EXPECT_EQ(e.port, 3u);
  EXPECT_EQ(e.mode, FilterMode::Exclude);
  EXPECT_TRUE(e.sources.empty());
  EXPECT_EQ(e.expires, seconds(1) + seconds(270));  // RFC 9776 §8.4 GMI = 2*125 + 2*10
  // RFC 4541 §2.1.2 (1): members plus router ports, never back out of the arrival port.
  EXPECT_EQ(t.forward_data(kG, kS1, 5, seconds(2)), (PortSet{0, 3}));
  EXPECT_EQ(t.forward_data(kG, kS1, 0, seconds(2)), (PortSet{3}));
  EXPECT_EQ(t.forward_data(kG, kS1, 3, seconds(2)), (PortSet{0}));
  t.handle(6, wire::igmp_simple(kV2Report, kG), kHost, seconds(2));
  EXPECT_EQ(t.forward_data(kG, kS1, 5, seconds(2)), (PortSet{0, 3, 6}));
  EXPECT_EQ(t.member_ports(kG, seconds(2)), (PortSet{3, 6}));
}

TEST(SnoopTest, ReportsAndLeavesGoToRouterPortsOnly) {
  auto t = with_querier();
  t.handle(5, v2_query(), v4("10.0.0.2"), 0);  // a second router port
  const Time now = seconds(1);
  // RFC 4541 §2.1.1 (1): never to host ports.
  EXPECT_EQ(t.forward_control(3, wire::igmp_simple(kV2Report, kG), now), (PortSet{0, 5}));
  EXPECT_EQ(t.forward_control(3, wire::igmp_simple(kV2Leave, kG), now), (PortSet{0, 5}));
  EXPECT_EQ(t.forward_control(3, v3_report(RecordType::ModeIsExclude, kG, {}), now), (PortSet{0, 5}));
  EXPECT_EQ(t.forward_control(5, wire::igmp_simple(kV2Report, kG), now), (PortSet{0}));
  // Suppression is off by default: a second member's report still reaches the routers.
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, now);
  EXPECT_EQ(t.forward_control(4, wire::igmp_simple(kV2Report, kG), now), (PortSet{0, 5}));
  IgmpSnoopTable none(cfg8());
  EXPECT_EQ(none.forward_control(3, wire::igmp_simple(kV2Report, kG), now), PortSet{});
}

TEST(SnoopTest, ReportSuppressionWhenEnabled) {
  auto c = cfg8();
  c.report_suppression = true;
  auto t = with_querier(c);
  const Time now = seconds(1);
  const auto rep = wire::igmp_simple(kV2Report, kG);
  EXPECT_EQ(t.forward_control(3, rep, now), (PortSet{0}));  // first member: passed on
  t.handle(3, rep, kHost, now);
  EXPECT_EQ(t.forward_control(3, rep, now), (PortSet{0}));  // same port again
  EXPECT_EQ(t.forward_control(4, rep, now), PortSet{});     // another member port: suppressed
  EXPECT_EQ(t.forward_control(4, wire::igmp_simple(kV2Leave, kG), now), PortSet{});
  EXPECT_EQ(t.forward_control(3, wire::igmp_simple(kV2Leave, kG), now), (PortSet{0}));  // last member
  // IGMPv3 reports are never suppressed.
  EXPECT_EQ(t.forward_control(4, v3_report(RecordType::ModeIsExclude, kG, {}), now), (PortSet{0}));
}

TEST(SnoopTest, V3IsExEmptyLearnsPort) {
  auto t = with_querier();
  t.handle(2, v3_report(RecordType::ModeIsExclude, kG, {}), kHost, seconds(1));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(1)), (PortSet{0, 2}));
  EXPECT_EQ(t.forward_data(kG, kS2, 7, seconds(1)), (PortSet{0, 2}));
}

TEST(SnoopTest, V3IncludeForwardsPerSource) {
  auto t = with_querier();
  const Time now = seconds(1);
  t.handle(2, v3_report(RecordType::ModeIsInclude, kG, {kS1}), kHost, now);
  t.handle(4, v3_report(RecordType::ModeIsInclude, kG, {kS2, kS1}), kHost, now);
  EXPECT_EQ(t.forward_data(kG, kS1, 7, now), (PortSet{0, 2, 4}));
  EXPECT_EQ(t.forward_data(kG, kS2, 7, now), (PortSet{0, 4}));
  // Registered group, source nobody asked for: router ports only.
  EXPECT_EQ(t.forward_data(kG, kS3, 7, now), (PortSet{0}));
  const auto es = t.entries(now);
  ASSERT_EQ(es.size(), 2u);
  EXPECT_EQ(es[1].port, 4u);
  EXPECT_EQ(es[1].mode, FilterMode::Include);
  EXPECT_EQ(es[1].sources, (std::vector<Ipv4Addr>{kS1, kS2}));
  EXPECT_EQ(es[1].expires, now + seconds(270));
}

TEST(SnoopTest, ExcludePortDoesNotReceiveExcludedSource) {
  auto t = with_querier();
  const Time now = seconds(1);
  t.handle(2, v3_report(RecordType::ChangeToExcludeMode, kG, {kS1}), kHost, now);
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, now);
  EXPECT_EQ(t.forward_data(kG, kS1, 7, now), (PortSet{0, 3}));
  EXPECT_EQ(t.forward_data(kG, kS2, 7, now), (PortSet{0, 2, 3}));
  const auto es = t.entries(now);
  ASSERT_EQ(es.size(), 2u);
  EXPECT_EQ(es[0].mode, FilterMode::Exclude);
  EXPECT_EQ(es[0].sources, (std::vector<Ipv4Addr>{kS1}));
  // ALLOW {S1} takes S1 off the excluded list (RFC 9776 §6.4.2: EXCLUDE (X+A, Y-A)).
  t.handle(2, v3_report(RecordType::AllowNewSources, kG, {kS1}), kHost, seconds(2));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(2)), (PortSet{0, 2, 3}));
}

TEST(SnoopTest, BlockInIncludeStopsSourceAfterLmqt) {
  auto t = with_querier();
  t.handle(2, v3_report(RecordType::ModeIsInclude, kG, {kS1, kS2}), kHost, seconds(1));
  t.handle(2, v3_report(RecordType::BlockOldSources, kG, {kS1}), kHost, seconds(10));
  // RFC 9776 §6.4.2: INCLUDE (A) + BLOCK (B): Q(G,A*B), so S1 lasts LMQT (2 s) more.
  EXPECT_EQ(t.next_deadline(), seconds(12));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(12) - 1), (PortSet{0, 2}));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(12)), (PortSet{0}));
  EXPECT_EQ(t.forward_data(kG, kS2, 7, seconds(12)), (PortSet{0, 2}));
  t.expire(seconds(12));
  ASSERT_EQ(t.entries(seconds(12)).size(), 1u);
  EXPECT_EQ(t.entries(seconds(12))[0].sources, (std::vector<Ipv4Addr>{kS2}));
}

TEST(SnoopTest, ExcludeToIncludeSwitchesModeAfterLmqt) {
  auto t = with_querier();
  t.handle(2, v3_report(RecordType::ModeIsExclude, kG, {}), kHost, seconds(1));
  // RFC 9776 §6.4.2: EXCLUDE (X,Y) + TO_IN (A): (A)=GMI, Q(G): the group timer drops to LMQT;
  // when it runs out the port is INCLUDE (A) (RFC 9776 §6.5).
  t.handle(2, v3_report(RecordType::ChangeToIncludeMode, kG, {kS1}), kHost, seconds(10));
  EXPECT_EQ(t.next_deadline(), seconds(12));
  EXPECT_EQ(t.forward_data(kG, kS2, 7, seconds(12) - 1), (PortSet{0, 2}));
  t.expire(seconds(12));
  EXPECT_EQ(t.forward_data(kG, kS2, 7, seconds(12)), (PortSet{0}));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(12)), (PortSet{0, 2}));
  const auto es = t.entries(seconds(12));
  ASSERT_EQ(es.size(), 1u);
  EXPECT_EQ(es[0].mode, FilterMode::Include);
  EXPECT_EQ(es[0].sources, (std::vector<Ipv4Addr>{kS1}));
  EXPECT_EQ(es[0].expires, seconds(10) + seconds(270));
  EXPECT_EQ(t.next_deadline(), seconds(255));
}

TEST(SnoopTest, RefreshedReportMovesDeadline) {
  auto t = with_querier();
  t.handle(0, v2_query(), kQuerier, seconds(100));  // router port now ends at 355 s
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  EXPECT_EQ(t.next_deadline(), seconds(271));
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(50));
  EXPECT_EQ(t.next_deadline(), seconds(320));  // the stale 271 s timer is not reported
  t.expire(seconds(271));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(271)), (PortSet{0, 3}));
}

TEST(SnoopTest, Ipv4LinkLocalAndIpv6AllNodesFlooded) {
  auto t = with_querier();
  const Ipv4Addr mdns = v4("224.0.0.251");
  // RFC 4541 §2.1.2 (2): 224.0.0.x goes everywhere, reported or not; reports are not learned.
  t.handle(3, wire::igmp_simple(kV2Report, mdns), kHost, seconds(1));
  EXPECT_TRUE(t.entries(seconds(1)).empty());
  EXPECT_EQ(t.forward_data(mdns, kHost, 1, seconds(1)), (PortSet{0, 2, 3, 4, 5, 6, 7}));

  MldSnoopTable m(cfg8());
  m.handle(0, wire::mld_query(2, Ipv6Addr{}, 10000), kQuerier6, 0);
  const Ipv6Addr mdns6 = v6("ff02::fb");
  m.handle(3, wire::mld_simple(kV1Report, mdns6), kHost6, seconds(1));
  // RFC 4541 §3: MLD is mandated for link scope, so ff02::fb is snooped (member port 3 plus
  // the router port); only ff02::1, never reported, is flooded.
  EXPECT_EQ(m.entries(seconds(1)).size(), 1u);
  EXPECT_EQ(m.forward_data(mdns6, kHost6, 1, seconds(1)), (PortSet{0, 3}));
  EXPECT_EQ(m.forward_data(v6("ff02::1"), kHost6, 0, seconds(1)), (PortSet{1, 2, 3, 4, 5, 6, 7}));
}

TEST(SnoopTest, UnregisteredGroupGoesToRouterPortsOrFloods) {
  auto t = with_querier();
  // RFC 4541 §2.1.2 (1): unregistered data must reach the router ports; we send it nowhere else.
  EXPECT_EQ(t.forward_data(kG, kS1, 4, seconds(1)), (PortSet{0}));
  EXPECT_EQ(t.forward_data(kG, kS1, 0, seconds(1)), PortSet{});
  // No router port known: flood.
  IgmpSnoopTable lone(cfg8());
  EXPECT_EQ(lone.forward_data(kG, kS1, 4, seconds(1)), (PortSet{0, 1, 2, 3, 5, 6, 7}));
  // A member but no router port: members only.
  lone.handle(2, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  EXPECT_EQ(lone.forward_data(kG, kS1, 4, seconds(1)), (PortSet{2}));
}

TEST(SnoopTest, LeaveThenExpiryAfterLmqt) {
  auto t = with_querier();
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  t.handle(4, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  t.handle(3, wire::igmp_simple(kV2Leave, kG), kHost, seconds(10));
  // RFC 4541 §2.1.1: no fast leave; the port stays until the querier's group-specific
  // queries go unanswered (LMQT = 2 * 1 s).
  EXPECT_EQ(t.next_deadline(), seconds(12));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(12) - 1), (PortSet{0, 3, 4}));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(12)), (PortSet{0, 4}));
  t.expire(seconds(12));
  ASSERT_EQ(t.entries(seconds(12)).size(), 1u);
  EXPECT_EQ(t.entries(seconds(12))[0].port, 4u);
  EXPECT_EQ(t.next_deadline(), seconds(255));  // the router port; port 4's GMI ends at 271 s
}

TEST(SnoopTest, LeaveThenReportKeepsPort) {
  auto t = with_querier();
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  t.handle(3, wire::igmp_simple(kV2Leave, kG), kHost, seconds(10));
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(11));  // answer to the GSQ
  t.expire(seconds(12));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(13)), (PortSet{0, 3}));
  ASSERT_EQ(t.entries(seconds(13)).size(), 1u);
  EXPECT_EQ(t.entries(seconds(13))[0].expires, seconds(11) + seconds(270));
}

TEST(SnoopTest, FastLeaveDropsPortAtOnce) {
  auto c = cfg8();
  c.fast_leave = true;
  auto t = with_querier(c);
  t.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  t.handle(3, v3_report(RecordType::ChangeToIncludeMode, kG, {}), kHost, seconds(10));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(10)), (PortSet{0}));
  EXPECT_TRUE(t.entries(seconds(10)).empty());
}

TEST(SnoopTest, AgingAfterGmiLearnedFromQuery) {
  IgmpSnoopTable t(cfg8());
  // IGMPv3 query: Max Resp 5 s (code 50, tenths), QRV 3, QQIC 20 s.
  t.handle(0, wire::igmp_query(3, Ipv4Addr{}, 50, false, 3, 20), kQuerier, 0);
  EXPECT_EQ(t.group_membership_interval(), seconds(70));  // RFC 9776 §8.4: 3 * 20 + 2 * 5
  EXPECT_EQ(t.router_port_age(), ms(62500));              // RFC 9776 §8.5: 3 * 20 + 5 / 2
  t.handle(2, v3_report(RecordType::ModeIsExclude, kG, {}), kHost, seconds(1));
  EXPECT_EQ(t.next_deadline(), ms(62500));
  t.expire(ms(62500));
  EXPECT_EQ(t.router_ports(ms(62500)), PortSet{});
  EXPECT_EQ(t.next_deadline(), seconds(71));
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(71) - 1), (PortSet{2}));
  t.expire(seconds(71));
  EXPECT_TRUE(t.entries(seconds(71)).empty());
  EXPECT_EQ(t.next_deadline(), std::nullopt);
  // Unregistered again and no router port: flooded.
  EXPECT_EQ(t.forward_data(kG, kS1, 7, seconds(71)), (PortSet{0, 1, 2, 3, 4, 5, 6}));
  // LMQI from a group-specific query (Max Resp 0.5 s): LMQT = QRV 3 * 0.5 s.
  t.handle(0, wire::igmp_query(3, kG, 5, false, 3, 20), kQuerier, seconds(75));
  EXPECT_EQ(t.last_member_query_time(), ms(1500));
}

TEST(SnoopTest, MldV1AndV2) {
  MldSnoopTable m(cfg8());
  // MLDv2 general query, Maximum Response Code 10000 ms (RFC 9777 §5.1.3).
  m.handle(0, wire::mld_query(2, Ipv6Addr{}, 10000), kQuerier6, 0);
  EXPECT_EQ(m.router_ports(0), (PortSet{0}));
  const Ipv6Addr g1 = v6("ff0e::1:3");
  const Ipv6Addr g2 = v6("ff3e::1234");
  const Ipv6Addr s1 = v6("2001:db8::1");
  const Ipv6Addr s2 = v6("2001:db8::2");
  m.handle(1, wire::mld_simple(kV1Report, g1), kHost6, seconds(1));
  m.handle(2, v2_mld_report(RecordType::ModeIsInclude, g2, {s1}), kHost6, seconds(1));
  EXPECT_EQ(m.forward_data(g1, s2, 5, seconds(1)), (PortSet{0, 1}));
  EXPECT_EQ(m.forward_data(g2, s1, 5, seconds(1)), (PortSet{0, 2}));
  EXPECT_EQ(m.forward_data(g2, s2, 5, seconds(1)), (PortSet{0}));
  EXPECT_EQ(m.forward_control(1, wire::mld_simple(kV1Report, g1), seconds(1)), (PortSet{0}));
  EXPECT_EQ(m.forward_control(0, wire::mld_query(2, Ipv6Addr{}, 10000), seconds(1)), (PortSet{1, 2, 3, 4, 5, 6, 7}));
  // MLDv1 Done: LMQT later the port is gone.
  m.handle(1, wire::mld_simple(kV1Done, g1), kHost6, seconds(5));
  EXPECT_EQ(m.forward_data(g1, s2, 5, seconds(7) - 1), (PortSet{0, 1}));
  EXPECT_EQ(m.forward_data(g1, s2, 5, seconds(7)), (PortSet{0}));
}

TEST(SnoopTest, SwitchHoldsBothFamilies) {
  SnoopSwitch sw(cfg8());
  sw.handle(0, v2_query(), kQuerier, 0);
  sw.handle(0, wire::mld_query(2, Ipv6Addr{}, 10000), kQuerier6, seconds(1));
  sw.handle(3, wire::igmp_simple(kV2Report, kG), kHost, seconds(1));
  EXPECT_EQ(sw.forward_data(kG, kS1, 5, seconds(1)), (PortSet{0, 3}));
  EXPECT_EQ(sw.forward_data(v6("ff0e::5"), v6("2001:db8::1"), 5, seconds(1)), (PortSet{0}));
  EXPECT_EQ(sw.next_deadline(), seconds(255));
  sw.expire(seconds(255));
  EXPECT_EQ(sw.next_deadline(), seconds(256));
}

TEST(SnoopTest, PortSetBeyond64Ports) {
  SnoopConfig c;
  c.ports = 200;
  IgmpSnoopTable t(c);
  t.handle(150, v2_query(), kQuerier, 0);
  t.handle(63, wire::igmp_simple(kV2Report, kG), kHost, 0);
  t.handle(64, wire::igmp_simple(kV2Report, kG), kHost, 0);
  EXPECT_EQ(t.forward_data(kG, kS1, 199, 0), (PortSet{63, 64, 150}));
  EXPECT_EQ(t.forward_data(kG, kS1, 199, 0).to_string(), "{63,64,150}");
  EXPECT_EQ(t.forward_control(150, v2_query(), 0).count(), 199u);
}

}  // namespace
}  // namespace mcsim::snoop
