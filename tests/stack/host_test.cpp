// Host engine (stack/host) tests, written as "given this state and this input at this time,
// these exact messages are sent in this window". Byte vectors come from the Linux kernel:
// scenarios/captures/linux-join-leave.pcap, recorded by scripts/make-linux-capture.sh
// (frame numbers below refer to that file).
#include "stack/host/host_iface.hpp"
#include "stack/host/host_stack.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stack/wire/packet.hpp"

namespace mcsim::host {
namespace {

using wire::MsgKind;

std::vector<std::uint8_t> hex(std::string_view h) {
  std::vector<std::uint8_t> v;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) v.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return v;
}

const Ipv4Addr kHost4 = *Ipv4Addr::parse("10.99.0.2");
const Ipv6Addr kHost6 = *Ipv6Addr::parse("fe80::ff:fe00:2");
Ipv4Addr v4(const char* s) { return *Ipv4Addr::parse(s); }
Ipv6Addr v6(const char* s) { return *Ipv6Addr::parse(s); }

template <class T>
struct Sent {
  Time at;
  HostOutput<T> out;
};

/// Runs the engine from `from` to `until`, collecting every output with its time.
template <class T>
std::vector<Sent<T>> run(HostIface<T>& h, Time from, Time until) {
  std::vector<Sent<T>> sent;
  Time now = from;
  for (int guard = 0; guard < 100000; ++guard) {
    while (auto o = h.poll_output(now)) sent.push_back({now, std::move(*o)});
    auto d = h.next_deadline();
    if (!d || *d > until) break;
    now = std::max(now, *d);
  }
  return sent;
}

std::vector<std::uint8_t> datagram(const HostOutput<Ipv4Traits>& o) {
  std::vector<std::uint8_t> d;
  wire::build_igmp_datagram(wire::igmp_ip_header(kHost4, o.dst), o.msg, d);
  return d;
}
std::vector<std::uint8_t> datagram(const HostOutput<Ipv6Traits>& o) {
  std::vector<std::uint8_t> d;
  wire::build_mld_datagram(wire::mld_ip_header(kHost6, o.dst), o.msg, d);
  return d;
}

Filter<Ipv4Addr> exclude4(std::initializer_list<const char*> s = {}) {
  Filter<Ipv4Addr> f{FilterMode::Exclude, {}};
  for (auto x : s) f.sources.insert(v4(x));
  return f;
}
Filter<Ipv4Addr> include4(std::initializer_list<const char*> s = {}) {
  Filter<Ipv4Addr> f{FilterMode::Include, {}};
  for (auto x : s) f.sources.insert(v4(x));
  return f;
}

wire::IgmpMessage igmp_query_v(std::uint8_t version, const char* group, std::uint8_t code, std::uint8_t qrv = 2,
                               std::uint8_t qqic = 125, std::vector<Ipv4Addr> srcs = {}) {
  return wire::igmp_query(version, v4(group), code, false, qrv, qqic, srcs);
}

class IgmpHostTest : public ::testing::Test {
 protected:
  Rng rng{42};
  HostConfig cfg{};
  IgmpHost host{cfg, rng};
};

// RFC 9776 §5.1: joining any-source is INCLUDE{} -> EXCLUDE{}: TO_EX{} sent at once and
// [Robustness Variable] - 1 more times within the Unsolicited Report Interval.
// Bytes: Linux, frame 8 (IPv4 datagram after the Ethernet header).
TEST_F(IgmpHostTest, AnySourceJoinSendsToExTwiceWithLinuxBytes) {
  host.set_state(v4("239.1.1.1"), exclude4(), 0);
  auto sent = run(host, 0, seconds(5));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].at, 0);
  EXPECT_LE(sent[1].at, seconds(1));
  const auto linux_frame8 = hex("46c00028000040000102f9940a630002e0000016940400002200e9fb0000000104000000ef010101");
  EXPECT_EQ(datagram(sent[0].out), linux_frame8);
  EXPECT_EQ(datagram(sent[1].out), linux_frame8);
}

// RFC 9776 §5.1 EXCLUDE(A) -> EXCLUDE(B): BLOCK(B-A). Linux frame 11.
TEST_F(IgmpHostTest, BlockSourceInExcludeModeSendsBlockOldSources) {
  host.set_state(v4("239.1.1.1"), exclude4(), 0);
  run(host, 0, seconds(5));
  host.set_state(v4("239.1.1.1"), exclude4({"10.99.0.5"}), seconds(10));
  auto sent = run(host, seconds(10), seconds(15));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(datagram(sent[0].out),
            hex("46c0002c000040000102f9900a630002e0000016940400002200dd920000000106000001ef0101010a630005"));
}

// RFC 9776 §5.1 INCLUDE{} -> INCLUDE{S}: ALLOW{S} (an SSM join). Linux frame 13.
TEST_F(IgmpHostTest, SourceSpecificJoinSendsAllowNewSources) {
  host.set_state(v4("232.1.1.1"), include4({"10.99.0.9"}), 0);
  auto sent = run(host, 0, seconds(5));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(datagram(sent[0].out),
            hex("46c0002c000040000102f9900a630002e0000016940400002200e58e0000000105000001e80101010a630009"));
}

// RFC 9776 §5.1 EXCLUDE{} -> INCLUDE{}: TO_IN{} (leave). Linux frame 15.
TEST_F(IgmpHostTest, LeaveSendsToInEmpty) {
  host.set_state(v4("239.1.1.1"), exclude4(), 0);
  run(host, 0, seconds(5));
  host.set_state(v4("239.1.1.1"), include4(), seconds(10));
  auto sent = run(host, seconds(10), seconds(15));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(datagram(sent[0].out), hex("46c00028000040000102f9940a630002e0000016940400002200eafb0000000103000000ef010101"));
  EXPECT_EQ(host.group_count(), 0u);  // nothing left once the retransmissions are done
}

// RFC 9776 §5.1: a second change before the retransmissions finish is sent at once and the
// pending source changes ride along with it.
TEST_F(IgmpHostTest, ChangesDuringRetransmissionMergePerSource) {
  host.set_state(v4("232.1.1.1"), include4({"10.0.0.1"}), 0);
  ASSERT_TRUE(host.poll_output(0));  // ALLOW{10.0.0.1}, one retransmission pending
  host.set_state(v4("232.1.1.1"), include4({"10.0.0.1", "10.0.0.2"}), ms(1));
  auto o = host.poll_output(ms(1));
  ASSERT_TRUE(o);
  ASSERT_EQ(o->msg.records.size(), 1u);
  EXPECT_EQ(o->msg.records[0].type, 5);
  auto s = o->msg.sources_of(o->msg.records[0]);
  ASSERT_EQ(s.size(), 2u);  // 10.0.0.1 (second transmission) and 10.0.0.2 (first)
  auto rest = run(host, ms(1), seconds(5));
  ASSERT_EQ(rest.size(), 1u);  // 10.0.0.2 once more
  EXPECT_EQ(rest[0].out.msg.sources_of(rest[0].out.msg.records[0]).size(), 1u);
}

// RFC 9776 §5: 224.0.0.1 is never reported.
TEST_F(IgmpHostTest, AllSystemsGroupIsNeverReported) {
  host.set_state(ipv4::kAllSystems, exclude4(), 0);
  host.handle(igmp_query_v(3, "0.0.0.0", 10), seconds(1));
  EXPECT_TRUE(run(host, 0, seconds(30)).empty());
}

// RFC 9776 §4.1.6: QRV is adopted; QRV 0 means the default; 1 and 7 are taken as they are.
TEST_F(IgmpHostTest, QrvZeroOneSevenSetTheNumberOfTransmissions) {
  for (auto [qrv, expect] : {std::pair{0, 2}, {1, 1}, {7, 7}}) {
    Rng r{1};
    IgmpHost h{cfg, r};
    h.handle(igmp_query_v(3, "0.0.0.0", 10, static_cast<std::uint8_t>(qrv)), 0);
    EXPECT_EQ(h.robustness(), qrv == 0 ? cfg.robustness : qrv);
    run(h, 0, seconds(19));  // the (empty) general-query response
    h.set_state(v4("239.9.9.9"), exclude4(), seconds(20));
    auto sent = run(h, seconds(20), seconds(30));
    EXPECT_EQ(static_cast<int>(sent.size()), expect) << "QRV " << qrv;
  }
}

// RFC 9776 §4.1.1 + §5.2: the response to a General Query comes within Max Resp Time.
// Code 127 = 12.7 s; code 128 = 0x80 is the float form (mant 0 | 0x10) << 3 = 128 tenths.
TEST_F(IgmpHostTest, GeneralQueryResponseWithinMaxRespCode127And128) {
  for (auto [code, limit] : {std::pair{127, ms(12700)}, {128, ms(12800)}, {0xFF, ms(3174400)}}) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      Rng r{seed};
      IgmpHost h{cfg, r};
      h.set_state(v4("239.1.1.1"), exclude4(), 0);
      run(h, 0, seconds(5));
      h.handle(igmp_query_v(3, "0.0.0.0", static_cast<std::uint8_t>(code)), seconds(10));
      auto sent = run(h, seconds(10), seconds(10) + limit + seconds(1));
      ASSERT_EQ(sent.size(), 1u);
      EXPECT_LE(sent[0].at - seconds(10), limit);
      ASSERT_EQ(sent[0].out.msg.records.size(), 1u);
      EXPECT_EQ(sent[0].out.msg.records[0].type, 2);  // MODE_IS_EXCLUDE
    }
  }
}

// RFC 9776 §5.2: GSSQ response. INCLUDE(A): IS_IN(A*B); EXCLUDE(A): IS_IN(B-A).
TEST_F(IgmpHostTest, GroupAndSourceSpecificQueryInIncludeAndExcludeMode) {
  host.set_state(v4("232.1.1.1"), include4({"10.0.0.1", "10.0.0.2"}), 0);
  host.set_state(v4("239.1.1.1"), exclude4({"10.0.0.1"}), 0);
  run(host, 0, seconds(5));
  std::vector<Ipv4Addr> q = {v4("10.0.0.1"), v4("10.0.0.3")};
  host.handle(wire::igmp_query(3, v4("232.1.1.1"), 10, false, 2, 125, q), seconds(10));
  host.handle(wire::igmp_query(3, v4("239.1.1.1"), 10, false, 2, 125, q), seconds(10));
  auto sent = run(host, seconds(10), seconds(12));
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& s : sent) {
    const auto& m = s.out.msg;
    ASSERT_EQ(m.records.size(), 1u);
    EXPECT_EQ(m.records[0].type, 1);  // MODE_IS_INCLUDE
    auto srcs = m.sources_of(m.records[0]);
    ASSERT_EQ(srcs.size(), 1u);
    EXPECT_EQ(srcs[0], m.records[0].group == v4("232.1.1.1") ? v4("10.0.0.1") : v4("10.0.0.3"));
  }
}

// RFC 9776 §7.2.1 + RFC 2236 §3: after an IGMPv2 query the host is in IGMPv2 mode: a join is
// a v2 report to the group (Linux frame 23), a leave goes to 224.0.0.2 (frame 25).
TEST_F(IgmpHostTest, Igmpv2ModeJoinAndLeaveMatchLinux) {
  host.handle(igmp_query_v(2, "0.0.0.0", 100), 0);
  EXPECT_EQ(host.compat_mode(0), 2);
  host.set_state(v4("239.2.2.2"), exclude4(), seconds(1));
  auto sent = run(host, seconds(1), seconds(20));
  ASSERT_EQ(sent.size(), 2u);  // [Robustness Variable] transmissions
  EXPECT_EQ(datagram(sent[0].out), hex("46c00020000040000102e8ae0a630002ef020202940400001600f8faef020202"));
  host.set_state(v4("239.2.2.2"), include4(), seconds(30));
  auto leave = run(host, seconds(30), seconds(31));
  ASSERT_EQ(leave.size(), 1u);
  EXPECT_EQ(datagram(leave[0].out), hex("46c00020000040000102f9b00a630002e0000002940400001700f7faef020202"));
}

// RFC 2236 §3: no Leave when another host reported last (we were suppressed).
TEST_F(IgmpHostTest, Igmpv2NoLeaveWhenNotLastReporter) {
  host.handle(igmp_query_v(2, "0.0.0.0", 100), 0);
  host.set_state(v4("239.2.2.2"), exclude4(), seconds(1));
  run(host, seconds(1), seconds(20));
  host.handle(wire::igmp_simple(wire::igmp_type::kV2Report, v4("239.2.2.2")), seconds(25));
  host.set_state(v4("239.2.2.2"), include4(), seconds(30));
  EXPECT_TRUE(run(host, seconds(30), seconds(31)).empty());
}

// RFC 9776 §7.2.1 (Linux igmp_heard_query): a v3 query heard while in IGMPv2 mode is answered
// with an IGMPv2 report for the queried group, within the v3-encoded Max Resp Time.
TEST_F(IgmpHostTest, V3QueryInV2ModeGetsV2Report) {
  host.handle(igmp_query_v(2, "0.0.0.0", 100), 0);
  host.set_state(v4("239.2.2.2"), exclude4(), seconds(1));
  run(host, seconds(1), seconds(20));
  host.handle(igmp_query_v(3, "239.2.2.2", 20), seconds(30));
  auto sent = run(host, seconds(30), seconds(40));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].out.msg.kind, MsgKind::V2Report);
  EXPECT_EQ(sent[0].out.dst, v4("239.2.2.2"));
  EXPECT_LE(sent[0].at - seconds(30), seconds(2));
}

// RFC 9776 §7.2.1 / §8.12: the mode returns to IGMPv3 after Older Version Querier Present
// Timeout = RV * QI + QRI = 2 * 125 + 10 = 260 s.
TEST_F(IgmpHostTest, ReturnsToV3AfterOlderVersionQuerierPresentTimeout) {
  host.handle(igmp_query_v(1, "0.0.0.0", 0), 0);
  EXPECT_EQ(host.compat_mode(0), 1);
  EXPECT_EQ(host.compat_mode(seconds(260) - 1), 1);
  EXPECT_EQ(host.compat_mode(seconds(260)), 3);
  // IGMPv1 mode sends v1 reports (type 0x12) and no leave (RFC 9776 §7.2.1).
  host.set_state(v4("239.3.3.3"), exclude4(), seconds(1));
  auto sent = run(host, seconds(1), seconds(2));
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].out.msg.kind, MsgKind::V1Report);
  run(host, seconds(2), seconds(30));
  host.set_state(v4("239.3.3.3"), include4(), seconds(40));
  EXPECT_TRUE(run(host, seconds(40), seconds(41)).empty());
}

// A query from 0.0.0.0 (RFC 9776 §4.1.x: querier without an address yet) is processed:
// the engine does not look at the source address.
TEST_F(IgmpHostTest, QueryFromUnspecifiedSourceIsAccepted) {
  host.set_state(v4("239.1.1.1"), exclude4(), 0);
  run(host, 0, seconds(5));
  host.handle(igmp_query_v(3, "239.1.1.1", 10), seconds(10));
  EXPECT_EQ(run(host, seconds(10), seconds(12)).size(), 1u);
}

// RFC 9776 §4.2.16: an EXCLUDE record that cannot fit in one report is sent once, truncated
// to what fits: (1500 - 24 - 8 - 8) / 4 = 365 sources.
TEST_F(IgmpHostTest, ExcludeRecordLargerThanMtuIsTruncated) {
  Filter<Ipv4Addr> f{FilterMode::Exclude, {}};
  for (std::uint32_t i = 1; i <= 500; ++i) f.sources.insert(Ipv4Addr::from_u32(0x0A000000u + i));
  host.set_state(v4("239.1.1.1"), f, 0);
  auto first = host.poll_output(0);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->msg.records.size(), 1u);
  EXPECT_EQ(first->msg.records[0].type, 4);
  EXPECT_EQ(first->msg.records[0].num_sources, 365u);
  EXPECT_FALSE(host.poll_output(0));  // the remaining sources are not reported
  std::vector<std::uint8_t> d;
  wire::build_igmp_datagram(wire::igmp_ip_header(kHost4, first->dst), first->msg, d);
  EXPECT_EQ(d.size(), 1500u);  // 24 + 8 + 8 + 365 * 4: exactly the MTU
}

// RFC 9776 §4.2.16: an ALLOW record too large for one report is split across reports.
TEST_F(IgmpHostTest, AllowRecordLargerThanMtuIsSplit) {
  Filter<Ipv4Addr> f{FilterMode::Include, {}};
  for (std::uint32_t i = 1; i <= 500; ++i) f.sources.insert(Ipv4Addr::from_u32(0x0A000000u + i));
  host.set_state(v4("232.1.1.1"), f, 0);
  auto a = host.poll_output(0);
  auto b = host.poll_output(0);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->msg.records[0].num_sources + b->msg.records[0].num_sources, 500u);
  EXPECT_EQ(a->msg.records[0].type, 5);
}

class MldHostTest : public ::testing::Test {
 protected:
  Rng rng{7};
  HostConfig cfg{};
  MldHost host{cfg, rng};
};

// RFC 9777 §6.1: MLDv2 join of ff3e::1:2 -> TO_EX{} to ff02::16 with hop-by-hop Router Alert.
// Linux frame 19 (full IPv6 datagram).
TEST_F(MldHostTest, Mldv2JoinAndLeaveMatchLinux) {
  host.set_state(v6("ff3e::1:2"), Filter<Ipv6Addr>{FilterMode::Exclude, {}}, 0);
  auto sent = run(host, 0, seconds(5));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(datagram(sent[0].out),
            hex("6000000000240001fe80000000000000000000fffe000002ff020000000000000000000000000016"
                "3a000502000001008f0070ca0000000104000000ff3e0000000000000000000000010002"));
  host.set_state(v6("ff3e::1:2"), Filter<Ipv6Addr>{}, seconds(10));
  auto leave = run(host, seconds(10), seconds(15));
  ASSERT_EQ(leave.size(), 2u);
  EXPECT_EQ(datagram(leave[0].out),
            hex("6000000000240001fe80000000000000000000fffe000002ff020000000000000000000000000016"
                "3a000502000001008f0071ca0000000103000000ff3e0000000000000000000000010002"));
}

// RFC 9777 §8.2.1 + RFC 2710 §4: after an MLDv1 query: report to the group (frame 26), Done
// to ff02::2 (frame 28).
TEST_F(MldHostTest, Mldv1ModeReportAndDoneMatchLinux) {
  host.handle(wire::mld_query(1, Ipv6Addr{}, 10000), 0);
  EXPECT_EQ(host.compat_mode(0), 1);
  host.set_state(v6("ff3e::2:3"), Filter<Ipv6Addr>{FilterMode::Exclude, {}}, seconds(1));
  auto sent = run(host, seconds(1), seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(datagram(sent[0].out),
            hex("6000000000200001fe80000000000000000000fffe000002ff3e0000000000000000000000020003"
                "3a00050200000100830080a200000000ff3e0000000000000000000000020003"));
  host.set_state(v6("ff3e::2:3"), Filter<Ipv6Addr>{}, seconds(30));
  auto done = run(host, seconds(30), seconds(31));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].out.dst, ipv6::kAllRouters);
  EXPECT_EQ(datagram(done[0].out),
            hex("6000000000200001fe80000000000000000000fffe000002ff020000000000000000000000000002"
                "3a0005020000010084007fe100000000ff3e0000000000000000000000020003"));
}

// RFC 9777 §6: ff02::1 and interface-local groups are never reported.
TEST_F(MldHostTest, AllNodesAndInterfaceLocalNeverReported) {
  host.set_state(ipv6::kAllNodes, Filter<Ipv6Addr>{FilterMode::Exclude, {}}, 0);
  host.set_state(v6("ff01::5"), Filter<Ipv6Addr>{FilterMode::Exclude, {}}, 0);
  host.handle(wire::mld_query(2, Ipv6Addr{}, 1000, false, 2, 125), seconds(1));
  EXPECT_TRUE(run(host, 0, seconds(30)).empty());
}

// RFC 9777 §5.1.3: Maximum Response Code 32767 is 32.767 s; 32768 is the float form
// (0 | 0x1000) << 3 = 32768 ms.
TEST_F(MldHostTest, MaxRespCode32767And32768) {
  for (auto code : {32767, 32768}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      Rng r{seed};
      MldHost h{cfg, r};
      h.set_state(v6("ff3e::9"), Filter<Ipv6Addr>{FilterMode::Exclude, {}}, 0);
      run(h, 0, seconds(5));
      h.handle(wire::mld_query(2, Ipv6Addr{}, static_cast<std::uint16_t>(code), false, 2, 125), seconds(10));
      auto sent = run(h, seconds(10), seconds(50));
      ASSERT_EQ(sent.size(), 1u);
      EXPECT_LE(sent[0].at - seconds(10), ms(code));
    }
  }
}

// DESIGN: the same seed gives the same run bit for bit.
TEST(HostDeterminism, SameSeedSameSchedule) {
  auto schedule = [](std::uint64_t seed) {
    Rng r{seed};
    IgmpHost h{HostConfig{}, r};
    for (int i = 0; i < 20; ++i) h.set_state(Ipv4Addr::from_u32(0xEF000001u + i), exclude4(), 0);
    h.handle(igmp_query_v(3, "0.0.0.0", 100), seconds(10));
    std::vector<Time> t;
    for (auto& s : run(h, 0, seconds(60))) t.push_back(s.at);
    return t;
  };
  EXPECT_EQ(schedule(3), schedule(3));
  EXPECT_NE(schedule(3), schedule(4));
}

}  // namespace
}  // namespace mcsim::host

namespace mcsim::host {
namespace {

// The socket layer drives the engine: seed 000's any-source flow (join, block, close) on a
// socket gives TO_EX{}, BLOCK{S}, TO_IN{} (RFC 9776 §3.2 merge, §5.1 records).
TEST(HostStackTest, SocketCallsReachTheEngine) {
  Rng rng{5};
  HostStack stack(api::Profile::windows(), HostConfig{}, HostConfig{}, rng);
  const Ipv4Addr addr = *Ipv4Addr::parse("10.0.0.2");
  const auto ifx = stack.add_interface("eth0", std::span<const Ipv4Addr>(&addr, 1));
  std::vector<std::uint8_t> got;
  Time now = 0;
  auto drain = [&](Time until) {
    for (int guard = 0; guard < 100; ++guard) {
      while (auto o = stack.poll_output(now)) got.push_back(std::get<HostOutput<Ipv4Traits>>(o->out).msg.records.at(0).type);
      auto d = stack.next_deadline();
      if (!d || *d > until) break;
      now = std::max(now, *d);
    }
    now = until;
  };
  const auto sock = stack.sockets(0).open(Family::V4);
  api::MembershipReq<Ipv4Addr> req{*Ipv4Addr::parse("239.1.1.1"), {}, api::IfRef::with_index(ifx)};
  ASSERT_TRUE(stack.sockets(0).set_option(sock, api::Option::IpAddMembership, req).ok());
  drain(seconds(5));
  req.source = *Ipv4Addr::parse("10.0.0.5");
  ASSERT_TRUE(stack.sockets(seconds(5)).set_option(sock, api::Option::IpBlockSource, req).ok());
  drain(seconds(10));
  ASSERT_TRUE(stack.sockets(seconds(10)).close(sock).ok());
  drain(seconds(20));
  EXPECT_EQ(got, (std::vector<std::uint8_t>{4, 4, 6, 6, 3, 3}));  // TO_EX x2, BLOCK x2, TO_IN x2
  EXPECT_EQ(stack.igmp(ifx).group_count(), 0u);
}

}  // namespace
}  // namespace mcsim::host

namespace mcsim::host {
namespace {

// RFC 4291 §2.7.1 / RFC 4861 §7.2.1: an IPv6 address makes the interface join its
// solicited-node group, which is reported like any group (Linux: frames 4-5 of
// scenarios/captures/linux-join-leave.pcap report ff02::1:ff00:2 for fe80::ff:fe00:2).
TEST(HostStackTest, SolicitedNodeGroupIsJoinedAndReported) {
  Rng rng{9};
  HostStack stack(api::Profile::linux_kernel(), HostConfig{}, HostConfig{}, rng);
  const auto ifx = stack.add_interface("eth0");
  stack.add_ipv6_address(ifx, *Ipv6Addr::parse("fe80::ff:fe00:2"), 0);
  auto o = stack.poll_output(0);
  ASSERT_TRUE(o);
  const auto& m = std::get<HostOutput<Ipv6Traits>>(o->out).msg;
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].type, 4);  // CHANGE_TO_EXCLUDE_MODE
  EXPECT_EQ(m.records[0].group, *Ipv6Addr::parse("ff02::1:ff00:2"));
  // A socket leaving the same group does not end the stack's own membership.
  EXPECT_EQ(stack.mld(ifx).state(*Ipv6Addr::parse("ff02::1:ff00:2")).mode, FilterMode::Exclude);
}

// Link down drops pending reports; link up re-announces every membership (Linux ip_mc_up).
TEST(HostLinkTest, LinkUpReannouncesMemberships) {
  Rng rng{2};
  IgmpHost h{HostConfig{}, rng};
  h.set_state(*Ipv4Addr::parse("239.1.1.1"), Filter<Ipv4Addr>::any_source(), 0);
  ASSERT_TRUE(h.poll_output(0));
  h.link_down(ms(1));
  EXPECT_FALSE(h.poll_output(seconds(2)));
  h.link_up(seconds(3));
  auto o = h.poll_output(seconds(3));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->msg.records.at(0).type, 4);
  EXPECT_EQ(o->dst, ipv4::kIgmpv3Routers);
}

}  // namespace
}  // namespace mcsim::host
