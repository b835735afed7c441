// pcap/validate: one test per rule, a clean and a broken case each, with the exact findings
// (rule@frame) expected. Frames are built with the stack/wire builders (or edited bytes)
// and fed as raw-IP frames with hand-picked timestamps.
#include "pcap/validate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "pcap/decode.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/ip.hpp"
#include "stack/wire/mld.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::pcap {
namespace {

using namespace mcsim::wire;

const Ipv4Addr kHost{10, 0, 0, 5};
const Ipv4Addr kRouter{10, 0, 0, 1};
const Ipv4Addr kG{239, 1, 1, 1};
const Ipv6Addr kHost6 = ipv6::make(0xfe80, 0, 0, 0, 0, 0, 0, 5);
const Ipv6Addr kRouter6 = ipv6::make(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const Ipv6Addr kG6 = ipv6::make(0xff3e, 0, 0, 0, 0, 0, 0, 0x101);

struct Cap {
  explicit Cap(Role r) : v(r) {}
  Validator v;
  std::uint64_t n = 0;
  std::vector<std::uint8_t> buf;

  void feed(double t, std::uint32_t wire_len = 0) {
    Frame f;
    f.number = ++n;
    f.ts_sec = static_cast<std::int64_t>(std::floor(t));
    f.ts_nsec = static_cast<std::uint32_t>(std::llround((t - std::floor(t)) * 1e9));
    f.linktype = linktype::kRaw;
    f.data = buf;
    f.caplen = static_cast<std::uint32_t>(buf.size());
    f.len = wire_len ? wire_len : f.caplen;
    DecodedPacket p;
    ASSERT_TRUE(decode_frame(f, p));
    v.feed(f, p);
  }
  void igmp(double t, const Ipv4Header& ip, const IgmpMessage& m) {
    buf.clear();
    build_igmp_datagram(ip, m, buf);
    feed(t);
  }
  void mld(double t, const Ipv6Header& ip, const MldMessage& m) {
    buf.clear();
    build_mld_datagram(ip, m, buf);
    feed(t);
  }
  /// "RULE@frame" per finding, after finish().
  std::vector<std::string> result() {
    v.finish();
    std::vector<std::string> r;
    for (const auto& f : v.findings) r.push_back(f.rule + "@" + std::to_string(f.frame));
    return r;
  }
};
using V = std::vector<std::string>;

Ipv4Header hdr(Ipv4Addr src, Ipv4Addr dst) { return igmp_ip_header(src, dst); }
IgmpMessage v2report(Ipv4Addr g) { return igmp_simple(igmp_type::kV2Report, g); }
IgmpMessage v2leave(Ipv4Addr g) { return igmp_simple(igmp_type::kV2Leave, g); }
IgmpMessage v3rec(RecordType t, Ipv4Addr g, std::vector<Ipv4Addr> s = {}) {
  IgmpMessage m = igmpv3_report();
  m.add_record(t, g, s);
  return m;
}
IgmpMessage gq3(std::uint8_t mrc = 100, std::uint8_t qrv = 2, std::uint8_t qqic = 125) {
  return igmp_query(3, {}, mrc, false, qrv, qqic);
}
IgmpMessage gsq3(Ipv4Addr g, std::uint8_t mrc = 10, std::uint8_t qrv = 2, bool s = false) {
  return igmp_query(3, g, mrc, s, qrv, 125);
}

// ------------------------------------------------------------ per message

TEST(Validate, CleanHostTrafficHasNoFindings) {
  Cap c(Role::Host);
  c.igmp(0, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToExcludeMode, kG));
  c.igmp(1, hdr(kHost, kG), v2report(kG));
  c.igmp(2, hdr(kHost, ipv4::kAllRouters), v2leave(kG));
  c.mld(3, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), [] {
    MldMessage m = mldv2_report();
    m.add_record(RecordType::ChangeToExcludeMode, kG6, std::span<const Ipv6Addr>{});
    return m;
  }());
  c.mld(4, mld_ip_header({}, ipv6::kAllMldv2Routers), [] {  // :: is allowed for reports
    MldMessage m = mldv2_report();
    m.add_record(RecordType::ChangeToExcludeMode, ipv6::kAllNodes.solicited_node(), std::span<const Ipv6Addr>{});
    return m;
  }());
  c.mld(5, mld_ip_header(kHost6, kG6), mld_simple(mld_type::kV1Report, kG6));
  c.mld(6, mld_ip_header(kHost6, ipv6::kAllRouters), mld_simple(mld_type::kV1Done, kG6));
  EXPECT_EQ(c.result(), V{});
  EXPECT_EQ(c.v.messages(), 7u);
  EXPECT_EQ(c.v.violations(), 0u);
}

TEST(Validate, Wf1NamesTheDecodeError) {
  Cap c(Role::Host);
  std::vector<std::uint8_t> payload;
  encode_igmp(v2report(kG), payload);
  payload.insert(payload.end(), {0, 0, 0, 0});  // zeros keep the checksum valid
  c.buf.clear();
  emit_ipv4(hdr(kHost, kG), payload, c.buf);
  c.feed(0);
  c.igmp(1, hdr(kHost, kG), v2report(kG));
  EXPECT_EQ(c.result(), (V{"WF-1@1"}));
  EXPECT_NE(c.v.findings[0].reason.find("trailing_bytes"), std::string::npos);
}

TEST(Validate, Wf2SnapTruncationIsInfoOnly) {
  Cap c(Role::Host);
  c.buf.clear();
  build_igmp_datagram(hdr(kHost, kG), v2report(kG), c.buf);
  c.feed(0, static_cast<std::uint32_t>(c.buf.size() + 10));
  EXPECT_EQ(c.result(), (V{"WF-2@1"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Info);
  EXPECT_EQ(c.v.violations(), 0u);
}

TEST(Validate, Cksum1And2) {
  Cap c(Role::Host);
  c.buf.clear();
  build_igmp_datagram(hdr(kHost, kG), v2report(kG), c.buf);
  c.buf[24 + 2] ^= 0x55;  // IGMP checksum (after the 24-byte header with Router Alert)
  c.feed(0);
  c.buf.clear();
  build_igmp_datagram(hdr(kHost, kG), v2report(kG), c.buf);
  c.buf[10] ^= 0x55;  // IPv4 header checksum
  c.feed(11);
  c.buf.clear();
  build_igmp_datagram(hdr(kHost, kG), v2report(kG), c.buf);
  c.buf[10] = c.buf[11] = 0;  // left for the NIC to fill in (transmit offload)
  c.feed(22);
  c.igmp(33, hdr(kHost, kG), v2report(kG));
  EXPECT_EQ(c.result(), (V{"CKSUM-1@1", "CKSUM-2@2", "CKSUM-3@3"}));
  EXPECT_EQ(c.v.findings[2].severity, Severity::Info);
}

TEST(Validate, TtlAndHopLimit) {
  Cap c(Role::Host);
  auto h = hdr(kHost, kG);
  h.ttl = 2;
  c.igmp(0, h, v2report(kG));
  auto h6 = mld_ip_header(kHost6, kG6);
  h6.hop_limit = 255;
  c.mld(1, h6, mld_simple(mld_type::kV1Report, kG6));
  c.igmp(2, hdr(kHost, kG), v2report(kG));
  c.mld(3, mld_ip_header(kHost6, kG6), mld_simple(mld_type::kV1Report, kG6));
  EXPECT_EQ(c.result(), (V{"IGMP-TTL-1@1", "MLD-HOPLIMIT-1@2"}));
}

TEST(Validate, RouterAlertSeverityByVersion) {
  Cap c(Role::Host);
  auto h = hdr(kHost, ipv4::kIgmpv3Routers);
  h.router_alert = false;
  c.igmp(0, h, v3rec(RecordType::ChangeToExcludeMode, kG));
  auto h2 = hdr(kHost, kG);
  h2.router_alert = false;
  c.igmp(1, h2, v2report(kG));
  c.igmp(2, h2, igmp_simple(igmp_type::kV1Report, kG));  // IGMPv1 predates Router Alert
  auto h6 = mld_ip_header(kHost6, kG6);
  h6.router_alert = false;
  c.mld(3, h6, mld_simple(mld_type::kV1Report, kG6));
  EXPECT_EQ(c.result(), (V{"IGMP-RA-1@1", "IGMP-RA-2@2", "MLD-RA-1@4"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Must);
  EXPECT_EQ(c.v.findings[1].severity, Severity::Should);
}

TEST(Validate, Igmpv3Tos) {
  Cap c(Role::Host);
  auto h = hdr(kHost, ipv4::kIgmpv3Routers);
  h.tos = 0;
  c.igmp(0, h, v3rec(RecordType::ChangeToExcludeMode, kG));
  auto h2 = hdr(kHost, kG);
  h2.tos = 0;
  c.igmp(1, h2, v2report(kG));  // TOS is an IGMPv3 rule only
  EXPECT_EQ(c.result(), (V{"IGMP-TOS-1@1"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Should);
}

TEST(Validate, HostDestinations) {
  Cap c(Role::Host);
  c.igmp(0, hdr(kHost, kG), v3rec(RecordType::ChangeToExcludeMode, kG));
  c.mld(1, mld_ip_header(kHost6, ipv6::kAllNodes), [] {
    MldMessage m = mldv2_report();
    m.add_record(RecordType::ChangeToExcludeMode, kG6, std::span<const Ipv6Addr>{});
    return m;
  }());
  c.igmp(2, hdr(kHost, kG), v2leave(kG));
  c.mld(3, mld_ip_header(kHost6, kG6), mld_simple(mld_type::kV1Done, kG6));
  c.igmp(4, hdr(kHost, ipv4::kAllSystems), v2report(kG));
  c.mld(5, mld_ip_header(kHost6, ipv6::kAllRouters), mld_simple(mld_type::kV1Report, kG6));
  EXPECT_EQ(c.result(), (V{"DST-V3REPORT-1@1", "DST-MLDV2REPORT-1@2", "DST-LEAVE-1@3", "DST-DONE-1@4",
                           "DST-REPORT-1@5", "DST-REPORT-1@6"}));
}

TEST(Validate, QueryDestinationsAndRoleSeparation) {
  Cap c(Role::Router);
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3());
  c.igmp(0.5, hdr(kRouter, kG), gq3());                   // general query to a group
  c.igmp(1, hdr(kRouter, ipv4::kAllSystems), gsq3(kG));   // GSQ to all-systems
  c.igmp(1.5, hdr(kRouter, kG), gsq3(kG));
  c.mld(2, mld_ip_header(kRouter6, kG6), mld_query(2, {}, 10000, false, 2, 125));
  auto h = hdr(kHost, ipv4::kAllSystems);
  h.ttl = 9;
  c.igmp(3, h, v2report(kG));  // a host's message: not judged in router role
  EXPECT_EQ(c.result(), (V{"DST-GQ-1@2", "DST-GSQ-1@3", "DST-GQ-1@5"}));
}

TEST(Validate, MldSourceAddresses) {
  Cap c(Role::Host);
  c.mld(0, mld_ip_header(ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 5), kG6), mld_simple(mld_type::kV1Report, kG6));
  c.mld(1, mld_ip_header({}, kG6), mld_simple(mld_type::kV1Report, kG6));
  EXPECT_EQ(c.result(), (V{"MLD-SRC-1@1"}));
  Cap r(Role::Router);
  r.mld(0, mld_ip_header({}, ipv6::kAllNodes), mld_query(2, {}, 10000, false, 2, 125));
  r.mld(125, mld_ip_header(kRouter6, ipv6::kAllNodes), mld_query(2, {}, 10000, false, 2, 125));
  EXPECT_EQ(r.result(), (V{"MLD-SRC-2@1"}));
}

TEST(Validate, GroupAddresses) {
  Cap c(Role::Host);
  const Ipv4Addr uni{10, 9, 9, 9};
  c.igmp(0, hdr(kHost, uni), v2report(uni));
  c.igmp(1, hdr(kHost, ipv4::kAllSystems), v2report(ipv4::kAllSystems));
  c.igmp(2, hdr(kHost, ipv4::kAllRouters), v2leave(ipv4::kAllSystems));
  c.mld(3, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), [] {
    MldMessage m = mldv2_report();
    m.add_record(RecordType::ModeIsExclude, ipv6::kAllNodes, std::span<const Ipv6Addr>{});
    m.add_record(RecordType::ModeIsExclude, ipv6::make(0xff01, 0, 0, 0, 0, 0, 0, 5), std::span<const Ipv6Addr>{});
    m.add_record(RecordType::ModeIsExclude, ipv6::make(0xff02, 0, 0, 0, 0, 0, 0, 0xfb), std::span<const Ipv6Addr>{});
    return m;
  }());
  EXPECT_EQ(c.result(), (V{"GROUP-1@1", "GROUP-2@2", "GROUP-2@3", "GROUP-2@4", "GROUP-2@4"}));
}

TEST(Validate, RecordTypesAndDuplicates) {
  Cap c(Role::Host);
  c.igmp(0, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(static_cast<RecordType>(7), kG));
  IgmpMessage dup = igmpv3_report();
  dup.add_record(RecordType::ModeIsExclude, kG, std::span<const Ipv4Addr>{});
  dup.add_record(RecordType::ModeIsExclude, kG, std::span<const Ipv4Addr>{});
  c.igmp(1, hdr(kHost, ipv4::kIgmpv3Routers), dup);
  IgmpMessage ab = igmpv3_report();  // RFC 9776 §5.1: ALLOW + BLOCK of one source-list change
  const Ipv4Addr s1{10, 1, 1, 1}, s2{10, 1, 1, 2};
  ab.add_record(RecordType::AllowNewSources, kG, std::span<const Ipv4Addr>(&s1, 1));
  ab.add_record(RecordType::BlockOldSources, kG, std::span<const Ipv4Addr>(&s2, 1));
  c.igmp(2, hdr(kHost, ipv4::kIgmpv3Routers), ab);
  EXPECT_EQ(c.result(), (V{"REC-TYPE-1@1", "REC-DUP-1@2"}));
}

TEST(Validate, SourcesMustBeUnicast) {
  Cap c(Role::Host);
  c.igmp(0, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::AllowNewSources, kG, {Ipv4Addr{224, 1, 1, 1}}));
  c.igmp(1, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::AllowNewSources, kG, {Ipv4Addr{10, 1, 1, 1}}));
  EXPECT_EQ(c.result(), (V{"SRC-UNICAST-1@1"}));
  Cap r(Role::Router);
  const Ipv4Addr zero{};
  r.igmp(0, hdr(kRouter, kG), igmp_query(3, kG, 10, false, 2, 125, std::span<const Ipv4Addr>(&zero, 1)));
  EXPECT_EQ(r.result(), (V{"SRC-UNICAST-1@1"}));
}

TEST(Validate, GeneralQuerySourcesAndQrv) {
  Cap r(Role::Router);
  const Ipv4Addr s{10, 1, 1, 1};
  r.igmp(0, hdr(kRouter, ipv4::kAllSystems), igmp_query(3, {}, 100, false, 2, 125, std::span<const Ipv4Addr>(&s, 1)));
  r.igmp(125, hdr(kRouter, ipv4::kAllSystems), gq3(100, 0));
  r.igmp(250, hdr(kRouter, ipv4::kAllSystems), gq3(100, 2));
  EXPECT_EQ(r.result(), (V{"QUERY-GQSRC-1@1", "QUERY-QRV-1@2"}));
  EXPECT_EQ(r.v.findings[1].severity, Severity::Should);
}

// ------------------------------------------------------------ router timing

TEST(Validate, MaxRespTimeBelowQueryInterval) {
  Cap r(Role::Router);
  r.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3(200, 2, 10));  // 20 s MRT, QQI 10 s
  r.igmp(10, hdr(kRouter, ipv4::kAllSystems), gq3(50, 2, 10));
  EXPECT_EQ(r.result(), (V{"Q-MRT-1@1"}));
}

// IGMPv2 announces no QI: it is learned from the spacing, which carries the capture's
// jitter. 1.0 s MRT with queries 0.987 s apart (seen from FRR pimd under load) is within
// max(20 ms, 2%); 1.0 s MRT with queries 0.95 s apart is not.
TEST(Validate, MaxRespTimeAgainstALearnedIntervalAllowsJitter) {
  Cap r(Role::Router);
  for (double t : {0.0, 0.987, 1.987}) r.igmp(t, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 10));
  EXPECT_EQ(r.result(), V{});
  Cap r2(Role::Router);
  for (double t : {0.0, 0.95, 1.9}) r2.igmp(t, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 10));
  EXPECT_EQ(r2.result(), (V{"Q-MRT-1@2", "Q-MRT-1@3"}));
  EXPECT_EQ(r2.v.findings[0].severity, Severity::Should);
}

TEST(Validate, StartupThenSteadyIsClean) {
  Cap r(Role::Router);
  for (double t : {0.0, 31.25, 156.25, 281.25, 406.3}) r.igmp(t, hdr(kRouter, ipv4::kAllSystems), gq3());
  EXPECT_EQ(r.result(), V{});
}

TEST(Validate, StartupSpacedBeyondQueryInterval) {
  Cap r(Role::Router);
  r.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3());
  r.igmp(200, hdr(kRouter, ipv4::kAllSystems), gq3());  // QQI 125 s
  EXPECT_EQ(r.result(), (V{"Q-STARTUP-1@2"}));
  EXPECT_EQ(r.v.findings[0].severity, Severity::Must);
}

TEST(Validate, IntervalLearnedWhenNotAnnounced) {
  // IGMPv2 carries no QQIC: a 60 s querier is consistent, a 30 s gap afterwards is not.
  Cap ok(Role::Router);
  for (double t : {0.0, 60.0, 120.0, 180.0}) ok.igmp(t, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 100));
  EXPECT_EQ(ok.result(), V{});
  Cap c(Role::Router);  // startup gap 15 s, then 60 s, then 30 s
  for (double t : {0.0, 15.0, 75.0, 135.0, 165.0}) c.igmp(t, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 100));
  EXPECT_EQ(c.result(), (V{"Q-INTERVAL-1@5"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Should);
}

TEST(Validate, DuplicateCaptureFramesJudgedOnce) {
  Cap r(Role::Router);
  r.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3(100, 2, 60));
  r.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3(100, 2, 60));
  r.igmp(60, hdr(kRouter, ipv4::kAllSystems), gq3(100, 2, 60));
  EXPECT_EQ(r.result(), V{});
  EXPECT_EQ(r.v.messages(), 2u);
}

TEST(Validate, QueryIntervalFromQqic) {
  Cap r(Role::Router);
  for (double t : {0.0, 60.0, 120.0, 200.0, 260.0}) r.igmp(t, hdr(kRouter, ipv4::kAllSystems), gq3(100, 2, 60));
  EXPECT_EQ(r.result(), (V{"Q-INTERVAL-1@4"}));
  EXPECT_EQ(r.v.findings[0].severity, Severity::Must);
}

TEST(Validate, LastMemberQueriesAfterLeave) {
  // Clean: two GSQs 1 s apart after the leave.
  Cap ok(Role::Router);
  ok.igmp(0, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 100));
  ok.igmp(1, hdr(kHost, kG), v2report(kG));
  ok.igmp(5, hdr(kHost, ipv4::kAllRouters), v2leave(kG));
  ok.igmp(5.01, hdr(kRouter, kG), igmp_query(2, kG, 10));
  ok.igmp(6.01, hdr(kRouter, kG), igmp_query(2, kG, 10));
  ok.igmp(20, hdr(kHost, kG), v2report(Ipv4Addr{239, 9, 9, 9}));
  EXPECT_EQ(ok.result(), V{});
  // Broken: one GSQ only; and a leave answered by no query at all.
  Cap c(Role::Router);
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 100));
  c.igmp(1, hdr(kHost, kG), v2report(kG));
  c.igmp(5, hdr(kHost, ipv4::kAllRouters), v2leave(kG));
  c.igmp(5.01, hdr(kRouter, kG), igmp_query(2, kG, 10));
  const Ipv4Addr g2{239, 2, 2, 2};
  c.igmp(8, hdr(kHost, g2), v2report(g2));
  c.igmp(9, hdr(kHost, ipv4::kAllRouters), v2leave(g2));
  c.igmp(20, hdr(kHost, kG), v2report(Ipv4Addr{239, 9, 9, 9}));
  EXPECT_EQ(c.result(), (V{"Q-LMQ-1@4", "Q-LMQ-1@6"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Should);  // LMQC from the default RV
  EXPECT_EQ(c.v.findings[1].severity, Severity::Must);
}

TEST(Validate, LastMemberQueriesV3CountFromQrvAndReportInBetween) {
  Cap c(Role::Router);
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3(100, 3));
  c.igmp(1, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, kG));
  c.igmp(5, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToIncludeMode, kG));
  c.igmp(5.01, hdr(kRouter, kG), gsq3(kG, 10, 3));
  c.igmp(6.01, hdr(kRouter, kG), gsq3(kG, 10, 3));
  // Same again, but another member answers: the querier may stop early.
  const Ipv4Addr g2{239, 2, 2, 2};
  c.igmp(10, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, g2));
  c.igmp(11, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToIncludeMode, g2));
  c.igmp(11.01, hdr(kRouter, g2), gsq3(g2, 10, 3));
  c.igmp(11.5, hdr(Ipv4Addr{10, 0, 0, 6}, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, g2));
  c.igmp(30, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, Ipv4Addr{239, 9, 9, 9}));
  EXPECT_EQ(c.result(), (V{"Q-LMQ-1@5"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Must);
}

TEST(Validate, LastMemberQuerySpacing) {
  Cap c(Role::Router);
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3());
  c.igmp(1, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, kG));
  c.igmp(5, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToIncludeMode, kG));
  c.igmp(5.01, hdr(kRouter, kG), gsq3(kG));
  c.igmp(7.51, hdr(kRouter, kG), gsq3(kG, 10, 2, true));
  c.igmp(30, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, Ipv4Addr{239, 9, 9, 9}));
  EXPECT_EQ(c.result(), (V{"Q-LMQ-2@5"}));
}

TEST(Validate, SFlagClearOnFirstQueryAfterLeave) {
  Cap c(Role::Router);
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3());
  c.igmp(1, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, kG));
  c.igmp(5, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToIncludeMode, kG));
  c.igmp(5.01, hdr(kRouter, kG), gsq3(kG, 10, 2, true));
  c.igmp(6.01, hdr(kRouter, kG), gsq3(kG, 10, 2, true));  // retransmission: S allowed
  c.igmp(30, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, Ipv4Addr{239, 9, 9, 9}));
  EXPECT_EQ(c.result(), (V{"Q-SFLAG-1@4"}));
}

TEST(Validate, QuerierElection) {
  Cap c(Role::Router);
  const Ipv4Addr hi{10, 0, 0, 2};
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3());  // 10.0.0.1, querying before .2 starts
  c.igmp(10, hdr(hi, ipv4::kAllSystems), gq3());      // .2 starts: not yet heard .1
  c.igmp(11, hdr(kRouter, ipv4::kAllSystems), gq3()); // .2 hears .1 now
  c.igmp(135, hdr(hi, ipv4::kAllSystems), gq3());     // 124 s later: within one QI, tolerated
  c.igmp(136, hdr(kRouter, ipv4::kAllSystems), gq3());
  c.igmp(260, hdr(hi, ipv4::kAllSystems), gq3());     // 249 s after hearing .1
  EXPECT_EQ(c.result(), (V{"Q-ELECT-1@6"}));
  Cap ok(Role::Router);  // the lower address may keep querying
  ok.igmp(0, hdr(hi, ipv4::kAllSystems), gq3());
  ok.igmp(10, hdr(kRouter, ipv4::kAllSystems), gq3());
  ok.igmp(135, hdr(kRouter, ipv4::kAllSystems), gq3());
  EXPECT_EQ(ok.result(), V{});
}

// ------------------------------------------------------------ host timing

TEST(Validate, ReportsWithinMaxRespTime) {
  Cap c(Role::Host);
  c.igmp(0, hdr(kRouter, ipv4::kAllSystems), gq3(100));  // 10 s
  c.igmp(5, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, kG));
  c.igmp(10.05, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, Ipv4Addr{239, 3, 3, 3}));
  c.igmp(12, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ModeIsExclude, Ipv4Addr{239, 4, 4, 4}));
  EXPECT_EQ(c.result(), (V{"HOST-RESP-1@4"}));
  // IGMPv2: only reports of a known member are taken as answers.
  Cap v2(Role::Host);
  v2.igmp(0, hdr(kHost, kG), v2report(kG));
  v2.igmp(10, hdr(kRouter, ipv4::kAllSystems), igmp_query(2, {}, 100));
  v2.igmp(25, hdr(kHost, kG), v2report(kG));                     // late answer
  v2.igmp(26, hdr(kHost, Ipv4Addr{239, 5, 5, 5}), v2report(Ipv4Addr{239, 5, 5, 5}));  // new join
  EXPECT_EQ(v2.result(), (V{"HOST-RESP-1@3"}));
}

TEST(Validate, StateChangeRepeats) {
  Cap c(Role::Host);
  for (double t : {0.0, 0.5, 1.0}) c.igmp(t, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToExcludeMode, kG));
  for (double t : {20.0, 20.5}) c.igmp(t, hdr(kHost, ipv4::kIgmpv3Routers), v3rec(RecordType::ChangeToIncludeMode, kG));
  const Ipv4Addr g2{239, 2, 2, 2};
  for (double t : {30.0, 33.0, 36.0}) c.igmp(t, hdr(kHost, g2), v2report(g2));  // "once or twice" repeated: ok
  const Ipv4Addr g3{239, 3, 3, 3};
  for (double t : {40.0, 42.0, 44.0, 46.0}) c.igmp(t, hdr(kHost, g3), v2report(g3));
  EXPECT_EQ(c.result(), (V{"HOST-REPEAT-1@3", "HOST-REPEAT-1@12"}));
  EXPECT_EQ(c.v.findings[0].severity, Severity::Should);
}

TEST(Validate, MldRouterTiming) {
  auto rep = [](RecordType t) {
    MldMessage m = mldv2_report();
    m.add_record(t, kG6, std::span<const Ipv6Addr>{});
    return m;
  };
  const auto all = ipv6::kAllNodes;
  Cap c(Role::Router);
  c.mld(0, mld_ip_header(kRouter6, all), mld_query(2, {}, 10000, false, 2, 125));
  c.mld(1, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), rep(RecordType::ModeIsExclude));
  c.mld(5, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), rep(RecordType::ChangeToIncludeMode));
  c.mld(5.01, mld_ip_header(kRouter6, kG6), mld_query(2, kG6, 1000, false, 2, 125));
  c.mld(6.01, mld_ip_header(kRouter6, kG6), mld_query(2, kG6, 1000, true, 2, 125));
  c.mld(10, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), rep(RecordType::ModeIsExclude));
  c.mld(20, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), rep(RecordType::ChangeToIncludeMode));
  c.mld(20.01, mld_ip_header(kRouter6, kG6), mld_query(2, kG6, 1000, false, 2, 125));
  const Ipv6Addr hi = ipv6::make(0xfe80, 0, 0, 0, 0, 0, 0, 9);
  c.mld(60, mld_ip_header(hi, all), mld_query(2, {}, 10000, false, 2, 125));
  c.mld(125, mld_ip_header(kRouter6, all), mld_query(2, {}, 10000, false, 2, 125));
  c.mld(185, mld_ip_header(hi, all), mld_query(2, {}, 10000, false, 2, 125));  // heard fe80::1 60 s ago
  c.mld(250, mld_ip_header(kRouter6, all), mld_query(2, {}, 10000, false, 2, 125));
  c.mld(310, mld_ip_header(hi, all), mld_query(2, {}, 10000, false, 2, 125));  // 185 s after
  EXPECT_EQ(c.result(), (V{"Q-LMQ-1@8", "Q-ELECT-1@13"}));
  // MLDv1: a Done for a reported group answered by no query at all.
  Cap d(Role::Router);
  d.mld(0, mld_ip_header(kRouter6, all), mld_query(1, {}, 10000));
  d.mld(1, mld_ip_header(kHost6, kG6), mld_simple(mld_type::kV1Report, kG6));
  d.mld(5, mld_ip_header(kHost6, ipv6::kAllRouters), mld_simple(mld_type::kV1Done, kG6));
  d.mld(9, mld_ip_header(kHost6, kG6), mld_simple(mld_type::kV1Report, ipv6::make(0xff3e, 0, 0, 0, 0, 0, 0, 9)));
  EXPECT_EQ(d.result(), (V{"Q-LMQ-1@3"}));
}

TEST(Validate, MldHostResponse) {
  Cap c(Role::Host);
  c.mld(0, mld_ip_header(kRouter6, ipv6::kAllNodes), mld_query(2, {}, 10000, false, 2, 125));
  auto rep = [] {
    MldMessage m = mldv2_report();
    m.add_record(RecordType::ModeIsInclude, kG6, std::span<const Ipv6Addr>(&kHost6, 1));
    return m;
  }();
  c.mld(9.95, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), rep);
  c.mld(10.5, mld_ip_header(kHost6, ipv6::kAllMldv2Routers), rep);
  EXPECT_EQ(c.result(), (V{"HOST-RESP-1@3"}));
}

TEST(Validate, RuleTableIsComplete) {
  std::set<std::string> ids;
  for (const auto& r : validate_rules()) EXPECT_TRUE(ids.insert(r.id).second) << r.id;
  EXPECT_EQ(ids.size(), 36u);
}

}  // namespace
}  // namespace mcsim::pcap
