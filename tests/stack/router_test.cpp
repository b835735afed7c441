// Router/querier engine (stack/router) tests: one test per row of the RFC 9776 §6.4.1 and
// §6.4.2 action tables (and a representative subset for MLD, RFC 9777 §7.4.1/§7.4.2), the
// specific-query machinery of §6.6.3, querier election (§6.6.2), startup queries (§8.6/§8.7),
// compatibility modes (§7.3.2), acceptance checks and the forwarding decision (§6.3).
//
// Defaults throughout: RV 2, QI 125 s, QRI 10 s, LMQI 1 s, LMQC 2, so
// GMI = 2*125 + 2*10 = 270 s, LMQT = 2 s, Older Host Present = 260 s, OQPI = 255 s.
// Base states are built at t=0, the row's record arrives at t=10 s.
#include "stack/router/router_iface.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mcsim::router {
namespace {

using wire::MsgKind;

Ipv4Addr v4(const char* s) { return *Ipv4Addr::parse(s); }
Ipv6Addr v6(const char* s) { return *Ipv6Addr::parse(s); }

const Ipv4Addr kRouter4 = v4("10.0.0.254");
const Ipv4Addr kHost4 = v4("10.0.0.100");
const Ipv4Addr kG = v4("239.1.1.1");
const Ipv4Addr S1 = v4("10.0.0.1"), S2 = v4("10.0.0.2"), S3 = v4("10.0.0.3"), S4 = v4("10.0.0.4"),
               S5 = v4("10.0.0.5"), S9 = v4("10.0.0.9");
constexpr Duration GMI = seconds(270);
constexpr Time T0 = 0;
constexpr Time T10 = seconds(10);

template <class T>
struct Sent {
  Time at;
  RouterOutput<T> out;
};

/// Runs the engine from `from` to `until` (inclusive), collecting every output with its time.
template <class T>
std::vector<Sent<T>> run(RouterIface<T>& r, Time from, Time until) {
  std::vector<Sent<T>> sent;
  Time now = from;
  for (int guard = 0; guard < 100000; ++guard) {
    while (auto o = r.poll_output(now)) sent.push_back({now, std::move(*o)});
    auto d = r.next_deadline();
    if (!d || *d > until) break;
    now = std::max(now, *d);
  }
  return sent;
}

RxInfo<Ipv4Addr> rx4(Ipv4Addr src = kHost4) { return {src, v4("224.0.0.22"), 1, true, true}; }
RxInfo<Ipv6Addr> rx6(Ipv6Addr src) { return {src, ipv6::kAllMldv2Routers, 1, true, true}; }

wire::IgmpMessage rep(RecordType t, Ipv4Addr g, std::vector<Ipv4Addr> s) {
  auto m = wire::igmpv3_report();
  m.add_record(t, g, s);
  return m;
}
wire::MldMessage rep6(RecordType t, Ipv6Addr g, std::vector<Ipv6Addr> s) {
  auto m = wire::mldv2_report();
  m.add_record(t, g, s);
  return m;
}

template <class A>
using SrcTimers = std::vector<std::pair<A, Duration>>;

/// Expects a GSQ/GSSQ with exactly these fields (RFC 9776 §4.1; Max Resp = LMQI = 1 s).
void expect_query(const Sent<RouterIpv4Traits>& s, Time at, std::vector<Ipv4Addr> sources, bool s_flag) {
  SCOPED_TRACE("query at " + std::to_string(at / kMs) + " ms");
  EXPECT_EQ(s.at, at);
  EXPECT_EQ(s.out.dst, kG);
  EXPECT_EQ(s.out.msg.kind, MsgKind::Query);
  EXPECT_EQ(s.out.msg.version, 3);
  EXPECT_EQ(s.out.msg.group, kG);
  EXPECT_EQ(s.out.msg.sources, sources);
  EXPECT_EQ(s.out.msg.s_flag, s_flag);
  EXPECT_EQ(s.out.msg.max_resp_code, 10);  // 1 s in tenths
  EXPECT_EQ(s.out.msg.qrv, 2);
  EXPECT_EQ(s.out.msg.qqic, 125);
}

class IgmpRouterTest : public ::testing::Test {
 protected:
  Rng rng{7};
  RouterConfig cfg{};
  IgmpRouter r{cfg, kRouter4, rng};

  void feed(const wire::IgmpMessage& m, Time at) { r.handle(m, rx4(), at); }
  /// INCLUDE ({S1,S2,S3}) with timers GMI, set at t=0.
  void include_123() { feed(rep(RecordType::ModeIsInclude, kG, {S1, S2, S3}), T0); }
  /// EXCLUDE (X={S1,S2}, Y={S3,S4}) built at t=0: group timer and X timers GMI, Y timers 0.
  void exclude_12_34() {
    feed(rep(RecordType::ModeIsExclude, kG, {S3, S4}), T0);
    feed(rep(RecordType::AllowNewSources, kG, {S1, S2}), T0);
  }
  RouterIface<RouterIpv4Traits>::GroupView view(Time at) {
    auto v = r.group(kG, at);
    EXPECT_TRUE(v.has_value());
    return v.value_or(RouterIface<RouterIpv4Traits>::GroupView{});
  }
};

using RouterActionTable = IgmpRouterTest;

TEST_F(RouterActionTable, BaseStates) {
  exclude_12_34();
  auto v = view(T0);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI}, {S2, GMI}, {S3, 0}, {S4, 0}}));
  EXPECT_EQ(v.compat_version, 3);
}

// ---- RFC 9776 §6.4.1 (Current-State Records) -------------------------------------------------

// INCLUDE (A)    IS_IN (B)     INCLUDE (A+B)            (B)=GMI
TEST_F(RouterActionTable, Include_IsIn_AddsBWithGMI) {
  include_123();
  feed(rep(RecordType::ModeIsInclude, kG, {S3, S4}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Include);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI - T10}, {S3, GMI}, {S4, GMI}}));
  EXPECT_TRUE(run(r, T10, T10 + seconds(5)).empty());  // current-state records never trigger queries
}

// INCLUDE (A)    IS_EX (B)     EXCLUDE (A*B,B-A)        (B-A)=0, Delete (A-B), Group Timer=GMI
TEST_F(RouterActionTable, Include_IsEx_SwitchesToExcludeAStarB_BminusA) {
  include_123();
  feed(rep(RecordType::ModeIsExclude, kG, {S3, S4}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S3, GMI - T10}, {S4, 0}}));
  EXPECT_TRUE(run(r, T10, T10 + seconds(5)).empty());
}

// EXCLUDE (X,Y)  IS_IN (A)     EXCLUDE (X+A,Y-A)        (A)=GMI
TEST_F(RouterActionTable, Exclude_IsIn_XplusA_YminusA) {
  exclude_12_34();
  feed(rep(RecordType::ModeIsInclude, kG, {S2, S3, S5}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI - T10);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI}, {S3, GMI}, {S4, 0}, {S5, GMI}}));
  EXPECT_TRUE(run(r, T10, T10 + seconds(5)).empty());
}

// EXCLUDE (X,Y)  IS_EX (A)     EXCLUDE (A-Y,Y*A)        (A-X-Y)=GMI, Delete (X-A),
//                                                       Delete (Y-A), Group Timer=GMI
TEST_F(RouterActionTable, Exclude_IsEx_AminusY_YstarA) {
  exclude_12_34();
  feed(rep(RecordType::ModeIsExclude, kG, {S2, S3, S5}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S2, GMI - T10}, {S3, 0}, {S5, GMI}}));
  EXPECT_TRUE(run(r, T10, T10 + seconds(5)).empty());
}

// ---- RFC 9776 §6.4.2 (Filter-Mode-Change and Source-List-Change Records) ---------------------

// INCLUDE (A)    ALLOW (B)    INCLUDE (A+B)         (B)=GMI
TEST_F(RouterActionTable, Include_Allow_AddsBWithGMI) {
  include_123();
  feed(rep(RecordType::AllowNewSources, kG, {S3, S4}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Include);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI - T10}, {S3, GMI}, {S4, GMI}}));
  EXPECT_TRUE(run(r, T10, T10 + seconds(5)).empty());
}

// INCLUDE (A)    BLOCK (B)    INCLUDE (A)           Send Q(G,A*B)
TEST_F(RouterActionTable, Include_Block_SendsQGAstarB) {
  include_123();
  feed(rep(RecordType::BlockOldSources, kG, {S3, S4}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Include);
  // §6.6.3.2: A*B = {S3} lowered to LMQT.
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI - T10}, {S3, seconds(2)}}));
  EXPECT_TRUE(r.forwards(kG, S3, T10 + seconds(2) - 1));  // still forwarded while querying
  EXPECT_FALSE(r.forwards(kG, S3, T10 + seconds(2)));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);  // LMQC = 2 transmissions, LMQI = 1 s apart, S clear
  expect_query(sent[0], T10, {S3}, false);
  expect_query(sent[1], T10 + seconds(1), {S3}, false);
  // Nobody answered: after LMQT the source record is removed (§6.3 INCLUDE, TIMER == 0).
  EXPECT_EQ(view(T10 + seconds(2)).sources, (SrcTimers<Ipv4Addr>{{S1, GMI - seconds(12)}, {S2, GMI - seconds(12)}}));
}

// INCLUDE (A)    TO_EX (B)    EXCLUDE (A*B,B-A)     (B-A)=0, Delete (A-B), Send Q(G,A*B),
//                                                   Group Timer=GMI
TEST_F(RouterActionTable, Include_ToEx_SendsQGAstarB) {
  include_123();
  feed(rep(RecordType::ChangeToExcludeMode, kG, {S3, S4}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S3, seconds(2)}, {S4, 0}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_query(sent[0], T10, {S3}, false);
  expect_query(sent[1], T10 + seconds(1), {S3}, false);
  EXPECT_EQ(view(seconds(12)).sources, (SrcTimers<Ipv4Addr>{{S3, 0}, {S4, 0}}));
  EXPECT_FALSE(r.forwards(kG, S3, seconds(12)));
  EXPECT_FALSE(r.forwards(kG, S4, seconds(12)));
  EXPECT_TRUE(r.forwards(kG, S9, seconds(12)));
}

// INCLUDE (A)    TO_IN (B)    INCLUDE (A+B)         (B)=GMI, Send Q(G,A-B)
TEST_F(RouterActionTable, Include_ToIn_SendsQGAminusB) {
  include_123();
  feed(rep(RecordType::ChangeToIncludeMode, kG, {S3, S4}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Include);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, seconds(2)}, {S2, seconds(2)}, {S3, GMI}, {S4, GMI}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_query(sent[0], T10, {S1, S2}, false);
  expect_query(sent[1], T10 + seconds(1), {S1, S2}, false);
  EXPECT_EQ(view(seconds(12)).sources, (SrcTimers<Ipv4Addr>{{S3, GMI - seconds(2)}, {S4, GMI - seconds(2)}}));
}

// EXCLUDE (X,Y)  ALLOW (A)    EXCLUDE (X+A,Y-A)     (A)=GMI
TEST_F(RouterActionTable, Exclude_Allow_XplusA_YminusA) {
  exclude_12_34();
  feed(rep(RecordType::AllowNewSources, kG, {S2, S3, S5}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI - T10);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI}, {S3, GMI}, {S4, 0}, {S5, GMI}}));
  EXPECT_TRUE(run(r, T10, T10 + seconds(5)).empty());
}

// EXCLUDE (X,Y)  BLOCK (A)    EXCLUDE (X+(A-Y),Y)   (A-X-Y)=Group Timer, Send Q(G,A-Y)
TEST_F(RouterActionTable, Exclude_Block_SendsQGAminusY) {
  exclude_12_34();
  feed(rep(RecordType::BlockOldSources, kG, {S2, S3, S5}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI - T10);
  // S5 (A-X-Y) took the group timer (260 s) and, being queried, was lowered to LMQT with S2.
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, seconds(2)}, {S3, 0}, {S4, 0}, {S5, seconds(2)}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_query(sent[0], T10, {S2, S5}, false);
  expect_query(sent[1], T10 + seconds(1), {S2, S5}, false);
  EXPECT_TRUE(r.forwards(kG, S2, seconds(12) - 1));
  EXPECT_FALSE(r.forwards(kG, S2, seconds(12)));
  EXPECT_FALSE(r.forwards(kG, S5, seconds(12)));
  EXPECT_TRUE(r.forwards(kG, S1, seconds(12)));
}

// Without the query the group timer value given to A-X-Y is visible (non-querier router).
TEST(RouterActionTableNonQuerier, Exclude_Block_AminusXminusYTakesGroupTimer) {
  Rng rng;
  RouterConfig cfg;
  cfg.querier = false;
  IgmpRouter r(cfg, kRouter4, rng);
  r.handle(rep(RecordType::ModeIsExclude, kG, {S3, S4}), rx4(), T0);
  r.handle(rep(RecordType::AllowNewSources, kG, {S1, S2}), rx4(), T0);
  r.handle(rep(RecordType::BlockOldSources, kG, {S2, S3, S5}), rx4(), T10);
  auto v = r.group(kG, T10).value();
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI - T10}, {S3, 0}, {S4, 0}, {S5, GMI - T10}}));
  EXPECT_TRUE(run(r, T10, seconds(20)).empty());
}

// EXCLUDE (X,Y)  TO_EX (A)    EXCLUDE (A-Y,Y*A)     (A-X-Y)=Group Timer, Delete (X-A),
//                                                   Delete (Y-A), Send Q(G,A-Y), Group Timer=GMI
TEST_F(RouterActionTable, Exclude_ToEx_SendsQGAminusY) {
  exclude_12_34();
  feed(rep(RecordType::ChangeToExcludeMode, kG, {S2, S3, S5}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S2, seconds(2)}, {S3, 0}, {S5, seconds(2)}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_query(sent[0], T10, {S2, S5}, false);
  expect_query(sent[1], T10 + seconds(1), {S2, S5}, false);
  EXPECT_TRUE(r.forwards(kG, S1, seconds(12)));  // deleted from X: no record, EXCLUDE forwards
  EXPECT_FALSE(r.forwards(kG, S5, seconds(12)));
}

// EXCLUDE (X,Y)  TO_IN (A)    EXCLUDE (X+A,Y-A)     (A)=GMI, Send Q(G,X-A), Send Q(G)
TEST_F(RouterActionTable, Exclude_ToIn_SendsQGXminusA_AndQG) {
  exclude_12_34();
  feed(rep(RecordType::ChangeToIncludeMode, kG, {S2, S3, S5}), T10);
  auto v = view(T10);
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, seconds(2));  // §6.6.3.1: lowered to LMQT
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, seconds(2)}, {S2, GMI}, {S3, GMI}, {S4, 0}, {S5, GMI}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 4u);
  expect_query(sent[0], T10, {}, false);  // Q(G), S clear: group timer == LMQT
  expect_query(sent[1], T10, {S1}, false);
  expect_query(sent[2], T10 + seconds(1), {}, false);
  expect_query(sent[3], T10 + seconds(1), {S1}, false);
  // §6.5: the group timer expires with no EXCLUDE listener: INCLUDE with the running sources.
  auto after = view(seconds(12));
  EXPECT_EQ(after.mode, FilterMode::Include);
  EXPECT_EQ(after.sources, (SrcTimers<Ipv4Addr>{{S2, GMI - seconds(2)}, {S3, GMI - seconds(2)}, {S5, GMI - seconds(2)}}));
  EXPECT_FALSE(r.forwards(kG, S9, seconds(12)));
  EXPECT_TRUE(r.forwards(kG, S2, seconds(12)));
}

// ---- RFC 9776 §6.5, §6.6.1, §6.6.3 -------------------------------------------------------------

TEST_F(IgmpRouterTest, GroupTimerExpiry_SwitchesToIncludeX_DeletesY) {
  exclude_12_34();
  feed(rep(RecordType::ModeIsInclude, kG, {S1}), seconds(100));  // S1 now outlives the group timer
  EXPECT_EQ(view(GMI - 1).mode, FilterMode::Exclude);
  run(r, T0, GMI);
  auto v = view(GMI);
  EXPECT_EQ(v.mode, FilterMode::Include);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, seconds(100)}}));
  run(r, GMI, seconds(370));
  EXPECT_FALSE(r.group(kG, seconds(370)).has_value());  // last source expired: group deleted
  EXPECT_EQ(r.group_count(), 0u);
}

TEST_F(IgmpRouterTest, GroupAndSourceQuery_SplitsBySFlagWhenAReportRaisesATimer) {
  include_123();
  feed(rep(RecordType::ChangeToIncludeMode, kG, {S3}), T10);  // Q(G,{S1,S2})
  feed(rep(RecordType::ModeIsInclude, kG, {S1}), T10 + ms(500));  // a host still wants S1
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 3u);
  expect_query(sent[0], T10, {S1, S2}, false);
  // §6.6.3.2: S set for sources with timers > LMQT, S clear for those <= LMQT.
  expect_query(sent[1], T10 + seconds(1), {S1}, true);
  expect_query(sent[2], T10 + seconds(1), {S2}, false);
  EXPECT_TRUE(r.forwards(kG, S1, seconds(12)));
  EXPECT_FALSE(r.forwards(kG, S2, seconds(12)));
}

TEST_F(IgmpRouterTest, GroupQuery_SFlagSetOnRetransmissionAfterExcludeReport) {
  feed(rep(RecordType::ModeIsExclude, kG, {}), T0);
  feed(rep(RecordType::ChangeToIncludeMode, kG, {}), T10);  // like a leave: Q(G)
  feed(rep(RecordType::ModeIsExclude, kG, {}), T10 + ms(500));  // another member answers
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_query(sent[0], T10, {}, false);
  expect_query(sent[1], T10 + seconds(1), {}, true);  // §6.6.3.1: group timer > LMQT
  EXPECT_EQ(view(seconds(20)).mode, FilterMode::Exclude);
}

TEST_F(IgmpRouterTest, PendingQueriesMerge) {
  include_123();
  feed(rep(RecordType::BlockOldSources, kG, {S1}), T10);
  auto sent = run(r, T10, T10 + ms(400));
  feed(rep(RecordType::BlockOldSources, kG, {S2}), T10 + ms(500));
  for (auto& x : run(r, T10 + ms(500), seconds(20))) sent.push_back(std::move(x));
  ASSERT_EQ(sent.size(), 3u);
  expect_query(sent[0], T10, {S1}, false);
  expect_query(sent[1], T10 + ms(500), {S1, S2}, false);  // merged with the pending one (§6.6.3)
  expect_query(sent[2], T10 + ms(1500), {S2}, false);      // S1 has had its LMQC transmissions
}

TEST_F(IgmpRouterTest, GroupAndSourceQueryBytes) {
  include_123();
  feed(rep(RecordType::BlockOldSources, kG, {S3}), T10);
  auto o = r.poll_output(T10).value();
  std::vector<std::uint8_t> bytes;
  wire::encode_igmp(o.msg, bytes);
  // 0x11 query, Max Resp Code 10 (1 s), group 239.1.1.1, S=0 QRV=2, QQIC 125, 1 source.
  const std::vector<std::uint8_t> want = {0x11, 0x0a, 0xf2, 0x71, 239, 1, 1, 1, 0x02, 125, 0x00, 0x01, 10, 0, 0, 3};
  EXPECT_EQ(bytes, want);
}

TEST(RouterQueryReception, NonQuerierLowersTimersOnlyWhenSFlagClear) {
  Rng rng;
  RouterConfig cfg;
  cfg.querier = false;
  IgmpRouter r(cfg, kRouter4, rng);
  const auto q = v4("10.0.0.250");
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx4(), T0);
  r.handle(rep(RecordType::AllowNewSources, kG, {S1, S2}), rx4(), T0);
  // §6.6.1: S set: no timer update.
  r.handle(wire::igmp_query(3, kG, 10, true, 2, 125), rx4(q), T10);
  r.handle(wire::igmp_query(3, kG, 10, true, 2, 125, std::vector<Ipv4Addr>{S1}), rx4(q), T10);
  auto v = r.group(kG, T10).value();
  EXPECT_EQ(v.group_timer, GMI - T10);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, GMI - T10}, {S2, GMI - T10}}));
  // §6.6.1: S clear: Q(G,A) lowers the source timers of A, Q(G) the group timer, to LMQT.
  r.handle(wire::igmp_query(3, kG, 10, false, 2, 125, std::vector<Ipv4Addr>{S1}), rx4(q), T10);
  r.handle(wire::igmp_query(3, kG, 10, false, 2, 125), rx4(q), T10);
  v = r.group(kG, T10).value();
  EXPECT_EQ(v.group_timer, seconds(2));
  EXPECT_EQ(v.sources, (SrcTimers<Ipv4Addr>{{S1, seconds(2)}, {S2, GMI - T10}}));
  EXPECT_TRUE(run(r, T10, seconds(20)).empty());  // a non-querier sends nothing
  EXPECT_EQ(r.group(kG, seconds(12)).value().mode, FilterMode::Include);
}

// ---- startup queries and querier election ---------------------------------------------------

TEST(RouterStartup, SendsStartupQueryCountAtStartupIntervalThenEveryQueryInterval) {
  Rng rng;
  IgmpRouter r(RouterConfig{}, kRouter4, rng);
  r.start(T0);
  EXPECT_TRUE(r.is_querier());
  auto sent = run(r, T0, seconds(300));
  // RFC 9776 §8.7: Startup Query Count = RV = 2, §8.6: Startup Query Interval = QI/4.
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].at, T0);
  EXPECT_EQ(sent[1].at, ms(31250));
  EXPECT_EQ(sent[2].at, ms(31250) + seconds(125));
  EXPECT_EQ(sent[3].at, ms(31250) + seconds(250));
  for (const auto& s : sent) {
    EXPECT_EQ(s.out.dst, ipv4::kAllSystems);
    EXPECT_TRUE(s.out.msg.is_general_query());
    EXPECT_EQ(s.out.msg.version, 3);
    EXPECT_EQ(s.out.msg.max_resp_code, 100);  // QRI 10 s
    EXPECT_EQ(s.out.msg.qrv, 2);
    EXPECT_EQ(s.out.msg.qqic, 125);
    EXPECT_FALSE(s.out.msg.s_flag);
  }
}

TEST(RouterStartup, ConfiguredStartupCountAndInterval) {
  Rng rng;
  RouterConfig cfg;
  cfg.startup_query_count = 3;
  cfg.startup_query_interval = seconds(5);
  cfg.query_interval = seconds(60);
  IgmpRouter r(cfg, kRouter4, rng);
  r.start(T0);
  auto sent = run(r, T0, seconds(80));
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1].at, seconds(5));
  EXPECT_EQ(sent[2].at, seconds(10));
  EXPECT_EQ(sent[3].at, seconds(70));
  EXPECT_EQ(sent[3].out.msg.qqic, 60);
}

TEST(RouterElection, LowerAddressWinsAndOtherQuerierPresentExpiryResumesQuerying) {
  Rng rng;
  IgmpRouter a(RouterConfig{}, v4("10.0.0.1"), rng);
  IgmpRouter b(RouterConfig{}, v4("10.0.0.2"), rng);
  a.start(T0);
  b.start(T0);
  auto qa = a.poll_output(T0).value();
  auto qb = b.poll_output(T0).value();
  b.handle(qa.msg, rx4(v4("10.0.0.1")), T0);  // RFC 9776 §6.6.2: lower address wins
  a.handle(qb.msg, rx4(v4("10.0.0.2")), T0);  // a higher address does not displace a
  EXPECT_TRUE(a.is_querier());
  EXPECT_FALSE(b.is_querier());
  EXPECT_EQ(a.other_querier_present_interval(), seconds(255));  // RV*QI + QRI/2
  // b hears nothing more from a: it stays silent for the Other Querier Present Interval, then
  // resumes with a general query and continues every Query Interval.
  auto sent = run(b, T0, seconds(400));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].at, seconds(255));
  EXPECT_TRUE(sent[0].out.msg.is_general_query());
  EXPECT_EQ(sent[1].at, seconds(380));
  EXPECT_TRUE(b.is_querier());
}

TEST(RouterElection, QuerierKeepsNonQuerierSilentWhileItQueries) {
  Rng rng;
  IgmpRouter a(RouterConfig{}, v4("10.0.0.1"), rng);
  IgmpRouter b(RouterConfig{}, v4("10.0.0.2"), rng);
  a.start(T0);
  b.start(T0);
  std::vector<Time> b_sent;
  for (Time t = 0; t <= seconds(1000); t += ms(250)) {
    while (auto o = a.poll_output(t)) b.handle(o->msg, rx4(v4("10.0.0.1")), t);
    while (auto o = b.poll_output(t)) {
      b_sent.push_back(t);
      a.handle(o->msg, rx4(v4("10.0.0.2")), t);
    }
  }
  EXPECT_EQ(b_sent, std::vector<Time>{T0});  // only its first startup query
  // A non-querier also sends no group-specific queries.
  b.handle(rep(RecordType::ModeIsExclude, kG, {}), rx4(), seconds(1000));
  b.handle(rep(RecordType::ChangeToIncludeMode, kG, {}), rx4(), seconds(1000));
  EXPECT_FALSE(b.poll_output(seconds(1000)).has_value());
}

TEST(RouterElection, NonQuerierAdoptsQrvAndQqiFromQuerier) {
  Rng rng;
  IgmpRouter b(RouterConfig{}, v4("10.0.0.2"), rng);
  b.handle(wire::igmp_query(3, Ipv4Addr{}, 100, false, 3, 60), rx4(v4("10.0.0.1")), T0);
  EXPECT_FALSE(b.is_querier());
  EXPECT_EQ(b.robustness(), 3);          // RFC 9776 §4.1.6
  EXPECT_EQ(b.query_interval(), seconds(60));  // RFC 9776 §4.1.7
  EXPECT_EQ(b.gmi(), seconds(3 * 60 + 20));
}

TEST(RouterElection, MldComparesInterfaceIdentifiers) {
  Rng rng;
  MldRouter r(RouterConfig{}, v6("fe80::10"), rng);
  r.start(T0);
  // Numerically higher address, lower interface ID (RFC 9777 §7.6.2): it wins.
  r.handle(wire::mld_query(2, Ipv6Addr{}, 10000, false, 2, 125), rx6(v6("fe80:0:0:ffff::5")), T0);
  EXPECT_FALSE(r.is_querier());
  MldRouter r2(RouterConfig{}, v6("fe80::10"), rng);
  r2.start(T0);
  r2.handle(wire::mld_query(2, Ipv6Addr{}, 10000, false, 2, 125), rx6(v6("fe80::11")), T0);
  EXPECT_TRUE(r2.is_querier());
}

// ---- compatibility modes (RFC 9776 §7.3.2) ----------------------------------------------------

TEST_F(IgmpRouterTest, Compat_V2ReportSwitchesGroupToV2_BlockIgnored_ToExSourcesIgnored) {
  feed(wire::igmp_simple(wire::igmp_type::kV2Report, kG), T0);
  auto v = view(T0);
  EXPECT_EQ(v.compat_version, 2);
  EXPECT_EQ(v.mode, FilterMode::Exclude);  // Report = IS_EX( {} )
  EXPECT_EQ(v.group_timer, GMI);
  feed(rep(RecordType::BlockOldSources, kG, {S1}), T10);      // ignored
  feed(rep(RecordType::ChangeToExcludeMode, kG, {S2}), T10);  // treated as TO_EX( {} )
  v = view(T10);
  EXPECT_TRUE(v.sources.empty());
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_TRUE(run(r, T10, seconds(20)).empty());
  EXPECT_EQ(r.group(kG, seconds(259)).value().compat_version, 2);
  EXPECT_EQ(r.group(kG, seconds(260)).value().compat_version, 3);  // Older Host Present = 260 s
}

TEST_F(IgmpRouterTest, Compat_V2LeaveIsToInEmpty_SendsGroupQueries) {
  feed(wire::igmp_simple(wire::igmp_type::kV2Report, kG), T0);
  feed(wire::igmp_simple(wire::igmp_type::kV2Leave, kG), T10);
  EXPECT_TRUE(r.forwards(kG, S9, seconds(12) - 1));
  auto sent = run(r, T10, seconds(30));
  ASSERT_EQ(sent.size(), 2u);
  expect_query(sent[0], T10, {}, false);
  expect_query(sent[1], T10 + seconds(1), {}, false);
  EXPECT_FALSE(r.group(kG, seconds(12)).has_value());
  EXPECT_FALSE(r.forwards(kG, S9, seconds(12)));
}

TEST_F(IgmpRouterTest, Compat_V1ReportIgnoresLeaveAndToIn) {
  feed(wire::igmp_simple(wire::igmp_type::kV1Report, kG), T0);
  EXPECT_EQ(view(T0).compat_version, 1);
  feed(wire::igmp_simple(wire::igmp_type::kV2Leave, kG), T10);
  feed(rep(RecordType::ChangeToIncludeMode, kG, {}), T10);
  EXPECT_TRUE(run(r, T10, seconds(30)).empty());
  EXPECT_EQ(view(seconds(30)).mode, FilterMode::Exclude);
  // v1 timer expires first; a v2 timer still running gives v2 mode.
  feed(wire::igmp_simple(wire::igmp_type::kV2Report, kG), seconds(100));
  EXPECT_EQ(view(seconds(259)).compat_version, 1);
  EXPECT_EQ(view(seconds(260)).compat_version, 2);
  EXPECT_EQ(view(seconds(360)).compat_version, 3);
}

TEST_F(IgmpRouterTest, Compat_V2LeaveIgnoredInV3Mode) {
  feed(rep(RecordType::ModeIsExclude, kG, {}), T0);
  feed(wire::igmp_simple(wire::igmp_type::kV2Leave, kG), T10);
  EXPECT_TRUE(run(r, T10, seconds(30)).empty());
  EXPECT_EQ(view(seconds(30)).group_timer, GMI - seconds(30));
}

TEST(RouterCompat, Igmpv2Querier_LeaveSendsV2GroupSpecificQueries) {
  Rng rng;
  RouterConfig cfg;
  cfg.version = 2;
  IgmpRouter r(cfg, kRouter4, rng);
  r.start(T0);
  auto gq = r.poll_output(T0).value();
  EXPECT_EQ(gq.msg.version, 2);
  EXPECT_EQ(gq.msg.max_resp_code, 100);
  std::vector<std::uint8_t> bytes;
  wire::encode_igmp(gq.msg, bytes);
  EXPECT_EQ(bytes.size(), 8u);  // RFC 9776 §7.3.1: truncated at the Group Address
  r.handle(wire::igmp_simple(wire::igmp_type::kV2Report, kG), rx4(), seconds(1));
  EXPECT_EQ(r.group(kG, seconds(1)).value().compat_version, 2);
  r.handle(wire::igmp_simple(wire::igmp_type::kV2Leave, kG), rx4(), T10);
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);  // RFC 2236 §3: [LMQC] GSQs [LMQI] apart, Max Resp = LMQI
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(sent[i].at, T10 + seconds(i));
    EXPECT_EQ(sent[i].out.msg.version, 2);
    EXPECT_EQ(sent[i].out.msg.group, kG);
    EXPECT_EQ(sent[i].out.msg.max_resp_code, 10);
    EXPECT_EQ(sent[i].out.dst, kG);
  }
  EXPECT_FALSE(r.group(kG, seconds(12)).has_value());
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx4(), seconds(30));  // unknown to a v2 router
  EXPECT_EQ(r.drops().other, 1u);
  EXPECT_FALSE(r.group(kG, seconds(30)).has_value());
}

TEST(RouterCompat, Igmpv1QuerierIgnoresLeaves) {
  Rng rng;
  RouterConfig cfg;
  cfg.version = 1;
  IgmpRouter r(cfg, kRouter4, rng);
  r.start(T0);
  EXPECT_EQ(r.poll_output(T0).value().msg.max_resp_code, 0);  // RFC 9776 §7.3.1
  r.handle(wire::igmp_simple(wire::igmp_type::kV2Report, kG), rx4(), seconds(1));
  r.handle(wire::igmp_simple(wire::igmp_type::kV2Leave, kG), rx4(), T10);
  EXPECT_TRUE(run(r, T10, seconds(20)).empty());  // no group-specific query in IGMPv1
  EXPECT_EQ(r.group(kG, seconds(20)).value().compat_version, 1);
}

// ---- acceptance checks ---------------------------------------------------------------------

TEST(RouterAcceptance, RequireRouterAlertDropsAndCounts) {
  Rng rng;
  RouterConfig cfg;
  cfg.require_router_alert = true;
  IgmpRouter r(cfg, kRouter4, rng);
  auto rx = rx4();
  rx.router_alert = false;
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx, T0);
  r.handle(wire::igmp_simple(wire::igmp_type::kV2Report, kG), rx, T0);
  EXPECT_EQ(r.drops().no_router_alert, 2u);
  EXPECT_FALSE(r.group(kG, T0).has_value());
  // IGMP queries are not subject to the option.
  r.handle(wire::igmp_query(3, Ipv4Addr{}, 100, false, 2, 125), rx4(v4("10.0.0.1")), T0);
  EXPECT_FALSE(r.is_querier());
  EXPECT_EQ(r.drops().no_router_alert, 2u);
  // Without the option the same report is accepted.
  IgmpRouter lax(RouterConfig{}, kRouter4, rng);
  lax.handle(rep(RecordType::ModeIsExclude, kG, {}), rx, T0);
  EXPECT_TRUE(lax.group(kG, T0).has_value());
  EXPECT_EQ(lax.drops().no_router_alert, 0u);
}

TEST(RouterAcceptance, TtlChecksumAndSourceChecks) {
  Rng rng;
  IgmpRouter r(RouterConfig{}, kRouter4, rng);
  auto rx = rx4();
  rx.ttl = 2;
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx, T0);
  rx = rx4();
  rx.checksum_ok = false;
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx, T0);
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx4(v4("224.0.0.5")), T0);
  r.handle(rep(RecordType::ModeIsExclude, v4("10.1.1.1"), {}), rx4(), T0);  // not a group
  EXPECT_EQ(r.drops().bad_ttl, 1u);
  EXPECT_EQ(r.drops().bad_checksum, 1u);
  EXPECT_EQ(r.drops().bad_source, 1u);
  EXPECT_EQ(r.drops().other, 1u);
  EXPECT_EQ(r.group_count(), 0u);
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx4(Ipv4Addr{}), T0);  // RFC 9776 §4.2.13
  EXPECT_TRUE(r.group(kG, T0).has_value());
}

TEST(RouterAcceptance, MldReportSourceMustBeLinkLocal) {
  Rng rng;
  const auto g = v6("ff0e::1234");
  MldRouter r(RouterConfig{}, v6("fe80::1"), rng);
  r.handle(rep6(RecordType::ModeIsExclude, g, {}), rx6(v6("2001:db8::1")), T0);
  r.handle(rep6(RecordType::ModeIsExclude, g, {}), rx6(Ipv6Addr{}), T0);  // RFC 9777 §5.2.13
  EXPECT_EQ(r.drops().bad_source, 2u);
  EXPECT_FALSE(r.group(g, T0).has_value());
  r.handle(rep6(RecordType::ModeIsExclude, g, {}), rx6(v6("fe80::100")), T0);
  EXPECT_TRUE(r.group(g, T0).has_value());
  RouterConfig cfg;
  cfg.accept_unspecified_mld_source = true;
  MldRouter lax(cfg, v6("fe80::1"), rng);
  lax.handle(rep6(RecordType::ModeIsExclude, g, {}), rx6(Ipv6Addr{}), T0);
  EXPECT_TRUE(lax.group(g, T0).has_value());
  // Queries from a non-link-local source are discarded (RFC 9777 §5.1.14).
  lax.start(T0);
  lax.handle(wire::mld_query(2, Ipv6Addr{}, 10000, false, 2, 125), rx6(v6("2001:db8::0")), T0);
  EXPECT_TRUE(lax.is_querier());
  EXPECT_EQ(lax.drops().bad_source, 1u);
}

TEST(RouterAcceptance, MldRequireRouterAlertCoversQueries) {
  Rng rng;
  RouterConfig cfg;
  cfg.require_router_alert = true;
  MldRouter r(cfg, v6("fe80::10"), rng);
  auto rx = rx6(v6("fe80::1"));
  rx.router_alert = false;
  r.handle(wire::mld_query(2, Ipv6Addr{}, 10000, false, 2, 125), rx, T0);  // RFC 9777 §7.6
  EXPECT_TRUE(r.is_querier());
  EXPECT_EQ(r.drops().no_router_alert, 1u);
}

// ---- forwarding decision (RFC 9776 §6.3) ------------------------------------------------------

TEST_F(IgmpRouterTest, ForwardingDecision) {
  EXPECT_FALSE(r.forwards(kG, S1, T0));  // no state
  feed(rep(RecordType::ModeIsInclude, kG, {S1}), T0);
  EXPECT_TRUE(r.forwards(kG, S1, T0));   // INCLUDE, timer > 0
  EXPECT_FALSE(r.forwards(kG, S2, T0));  // INCLUDE, no source element
  feed(rep(RecordType::ModeIsExclude, kG, {S2}), T10);  // EXCLUDE (A*B = {}, B-A = {S2})
  EXPECT_TRUE(r.forwards(kG, S1, T10));   // EXCLUDE, no source element: forward
  EXPECT_FALSE(r.forwards(kG, S2, T10));  // EXCLUDE, timer == 0: do not forward (record kept)
  feed(rep(RecordType::AllowNewSources, kG, {S2}), seconds(11));
  EXPECT_TRUE(r.forwards(kG, S2, seconds(11)));  // EXCLUDE, timer > 0
  EXPECT_FALSE(r.forwards(v4("239.9.9.9"), S1, T10));
}

// ---- MLD (RFC 9777 §7.4) representative rows -----------------------------------------------

class MldRouterTest : public ::testing::Test {
 protected:
  Rng rng{7};
  MldRouter r{RouterConfig{}, v6("fe80::1"), rng};
  const Ipv6Addr G = v6("ff0e::1:2");
  const Ipv6Addr A1 = v6("2001:db8::1"), A2 = v6("2001:db8::2"), A3 = v6("2001:db8::3"), A4 = v6("2001:db8::4");
  const Ipv6Addr kListener = v6("fe80::100");
  void feed(const wire::MldMessage& m, Time at) { r.handle(m, rx6(kListener), at); }
  void expect_mquery(const Sent<RouterIpv6Traits>& s, Time at, std::vector<Ipv6Addr> src, bool sflag,
                     std::uint8_t version = 2) {
    SCOPED_TRACE("query at " + std::to_string(at / kMs) + " ms");
    EXPECT_EQ(s.at, at);
    EXPECT_EQ(s.out.dst, G);
    EXPECT_EQ(s.out.msg.version, version);
    EXPECT_EQ(s.out.msg.group, G);
    EXPECT_EQ(s.out.msg.sources, src);
    EXPECT_EQ(s.out.msg.s_flag, sflag);
    EXPECT_EQ(s.out.msg.max_resp_code, 1000);  // LLQI 1000 ms
  }
};

// INCLUDE (A)  BLOCK (B)  INCLUDE (A)  Send Q(MA,A*B)
TEST_F(MldRouterTest, Include_Block_SendsQMAAstarB) {
  feed(rep6(RecordType::ModeIsInclude, G, {A1, A2}), T0);
  feed(rep6(RecordType::BlockOldSources, G, {A2, A3}), T10);
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_mquery(sent[0], T10, {A2}, false);
  expect_mquery(sent[1], T10 + seconds(1), {A2}, false);
  EXPECT_EQ(r.group(G, seconds(12)).value().sources, (SrcTimers<Ipv6Addr>{{A1, GMI - seconds(12)}}));
}

// INCLUDE (A)  IS_EX (B)  EXCLUDE (A*B,B-A)  (B-A)=0, Delete (A-B), Filter Timer=MALI
TEST_F(MldRouterTest, Include_IsEx) {
  feed(rep6(RecordType::ModeIsInclude, G, {A1, A2}), T0);
  feed(rep6(RecordType::ModeIsExclude, G, {A2, A3}), T10);
  auto v = r.group(G, T10).value();
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv6Addr>{{A2, GMI - T10}, {A3, 0}}));
}

// INCLUDE (A)  TO_EX (B)  EXCLUDE (A*B,B-A)  (B-A)=0, Delete (A-B), Send Q(MA,A*B), Filter Timer=MALI
TEST_F(MldRouterTest, Include_ToEx_SendsQMAAstarB) {
  feed(rep6(RecordType::ModeIsInclude, G, {A1, A2}), T0);
  feed(rep6(RecordType::ChangeToExcludeMode, G, {A2, A3}), T10);
  auto v = r.group(G, T10).value();
  EXPECT_EQ(v.mode, FilterMode::Exclude);
  EXPECT_EQ(v.group_timer, GMI);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv6Addr>{{A2, seconds(2)}, {A3, 0}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_mquery(sent[0], T10, {A2}, false);
}

// EXCLUDE (X,Y)  BLOCK (A)  EXCLUDE (X+(A-Y),Y)  (A-X-Y)=Filter Timer, Send Q(MA,A-Y)
TEST_F(MldRouterTest, Exclude_Block_SendsQMAAminusY) {
  feed(rep6(RecordType::ModeIsExclude, G, {A3}), T0);
  feed(rep6(RecordType::AllowNewSources, G, {A1}), T0);
  feed(rep6(RecordType::BlockOldSources, G, {A1, A3, A4}), T10);
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_mquery(sent[0], T10, {A1, A4}, false);
  expect_mquery(sent[1], T10 + seconds(1), {A1, A4}, false);
  EXPECT_FALSE(r.forwards(G, A4, seconds(12)));
}

// EXCLUDE (X,Y)  TO_IN (A)  EXCLUDE (X+A,Y-A)  (A)=MALI, Send Q(MA,X-A), Send Q(MA)
TEST_F(MldRouterTest, Exclude_ToIn_SendsQMAXminusA_AndQMA) {
  feed(rep6(RecordType::ModeIsExclude, G, {A3}), T0);
  feed(rep6(RecordType::AllowNewSources, G, {A1, A2}), T0);
  feed(rep6(RecordType::ChangeToIncludeMode, G, {A2}), T10);
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 4u);
  expect_mquery(sent[0], T10, {}, false);
  expect_mquery(sent[1], T10, {A1}, false);
  auto v = r.group(G, seconds(12)).value();
  EXPECT_EQ(v.mode, FilterMode::Include);
  EXPECT_EQ(v.sources, (SrcTimers<Ipv6Addr>{{A2, GMI - seconds(2)}}));
}

// RFC 9777 §8.3.2: MLDv1 Report = IS_EX({}), Done = TO_IN({}) in MLDv1 mode.
TEST_F(MldRouterTest, Compat_Mldv1DoneSendsAddressSpecificQueries) {
  feed(wire::mld_simple(wire::mld_type::kV1Report, G), T0);
  EXPECT_EQ(r.group(G, T0).value().compat_version, 1);
  feed(rep6(RecordType::BlockOldSources, G, {A1}), T0);  // ignored in MLDv1 mode
  feed(wire::mld_simple(wire::mld_type::kV1Done, G), T10);
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_mquery(sent[0], T10, {}, false);
  expect_mquery(sent[1], T10 + seconds(1), {}, false);
  EXPECT_FALSE(r.group(G, seconds(12)).has_value());
}

TEST(MldRouterStartup, Mldv1QuerierSendsV1GeneralQueries) {
  Rng rng;
  RouterConfig cfg;
  cfg.version = 1;
  MldRouter r(cfg, v6("fe80::1"), rng);
  r.start(T0);
  auto o = r.poll_output(T0).value();
  EXPECT_EQ(o.dst, ipv6::kAllNodes);
  EXPECT_EQ(o.msg.version, 1);
  EXPECT_EQ(o.msg.max_resp_code, 10000);  // RFC 2710 §3.4: ms
}

TEST(RouterSendQuery, OnDemandQueryUsesConfiguredDefaultsAndLowersOwnTimers) {
  Rng rng;
  IgmpRouter r(RouterConfig{}, kRouter4, rng);
  r.handle(rep(RecordType::ModeIsInclude, kG, {S1, S2}), rx4(), T0);
  QueryRequest<Ipv4Addr> q;
  q.group = kG;
  q.sources = {S1};
  r.send_query(q, T10);
  auto o = r.poll_output(T10).value();
  EXPECT_EQ(o.dst, kG);
  EXPECT_EQ(o.msg.sources, std::vector<Ipv4Addr>{S1});
  EXPECT_EQ(o.msg.max_resp_code, 10);
  EXPECT_FALSE(o.msg.s_flag);
  EXPECT_EQ(r.group(kG, T10).value().sources, (SrcTimers<Ipv4Addr>{{S1, seconds(2)}, {S2, GMI - T10}}));
  QueryRequest<Ipv4Addr> g;
  g.max_resp = seconds(5);
  g.qrv = 4;
  r.send_query(g, T10);
  o = r.poll_output(T10).value();
  EXPECT_EQ(o.dst, ipv4::kAllSystems);
  EXPECT_EQ(o.msg.max_resp_code, 50);
  EXPECT_EQ(o.msg.qrv, 4);
}

}  // namespace
}  // namespace mcsim::router

namespace mcsim::router {
namespace {

TEST(RouterAcceptance, SsmAwareIgnoresExcludeRecordsAndOlderReportsInSsmRange) {
  Rng rng;
  RouterConfig cfg;
  cfg.ssm_aware = true;
  IgmpRouter r(cfg, kRouter4, rng);
  const auto ssm = v4("232.1.1.1");
  r.handle(rep(RecordType::ModeIsExclude, ssm, {}), rx4(), T0);
  r.handle(rep(RecordType::ChangeToExcludeMode, ssm, {S1}), rx4(), T0);
  r.handle(wire::igmp_simple(wire::igmp_type::kV2Report, ssm), rx4(), T0);
  EXPECT_EQ(r.drops().other, 3u);
  EXPECT_FALSE(r.group(ssm, T0).has_value());
  r.handle(rep(RecordType::ModeIsInclude, ssm, {S1}), rx4(), T0);  // INCLUDE records are fine
  EXPECT_TRUE(r.forwards(ssm, S1, T0));
  r.handle(rep(RecordType::ModeIsExclude, kG, {}), rx4(), T0);  // outside the SSM range
  EXPECT_TRUE(r.group(kG, T0).has_value());
}

}  // namespace
}  // namespace mcsim::router

// ---- the remaining RFC 9777 §7.4.1 / §7.4.2 rows for MLD ---------------------------------------
namespace mcsim::router {
namespace {

using V6Timers = SrcTimers<Ipv6Addr>;

class MldRows : public MldRouterTest {
 protected:
  void include_12() { feed(rep6(RecordType::ModeIsInclude, G, {A1, A2}), T0); }
  /// EXCLUDE (X={A1}, Y={A3}) at t=0.
  void exclude_1_3() {
    feed(rep6(RecordType::ModeIsExclude, G, {A3}), T0);
    feed(rep6(RecordType::AllowNewSources, G, {A1}), T0);
  }
  RouterIface<RouterIpv6Traits>::GroupView v(Time at) { return r.group(G, at).value(); }
};

// INCLUDE (A)  IS_IN (B)  INCLUDE (A+B)  (B)=MALI
TEST_F(MldRows, Include_IsIn) {
  include_12();
  feed(rep6(RecordType::ModeIsInclude, G, {A2, A3}), T10);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A1, GMI - T10}, {A2, GMI}, {A3, GMI}}));
  EXPECT_TRUE(run(r, T10, seconds(20)).empty());
}

// EXCLUDE (X,Y)  IS_IN (A)  EXCLUDE (X+A,Y-A)  (A)=MALI
TEST_F(MldRows, Exclude_IsIn) {
  exclude_1_3();
  feed(rep6(RecordType::ModeIsInclude, G, {A3, A4}), T10);
  EXPECT_EQ(v(T10).mode, FilterMode::Exclude);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A1, GMI - T10}, {A3, GMI}, {A4, GMI}}));
}

// EXCLUDE (X,Y)  IS_EX (A)  EXCLUDE (A-Y,Y*A)  (A-X-Y)=MALI, Delete (X-A), Delete (Y-A), Filter Timer=MALI
TEST_F(MldRows, Exclude_IsEx) {
  exclude_1_3();
  feed(rep6(RecordType::ModeIsExclude, G, {A3, A4}), T10);
  EXPECT_EQ(v(T10).group_timer, GMI);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A3, 0}, {A4, GMI}}));
}

// INCLUDE (A)  ALLOW (B)  INCLUDE (A+B)  (B)=MALI
TEST_F(MldRows, Include_Allow) {
  include_12();
  feed(rep6(RecordType::AllowNewSources, G, {A3}), T10);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A1, GMI - T10}, {A2, GMI - T10}, {A3, GMI}}));
}

// EXCLUDE (X,Y)  ALLOW (A)  EXCLUDE (X+A,Y-A)  (A)=MALI
TEST_F(MldRows, Exclude_Allow) {
  exclude_1_3();
  feed(rep6(RecordType::AllowNewSources, G, {A3}), T10);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A1, GMI - T10}, {A3, GMI}}));
  EXPECT_TRUE(r.forwards(G, A3, T10));
}

// INCLUDE (A)  TO_IN (B)  INCLUDE (A+B)  (B)=MALI, Send Q(MA,A-B)
TEST_F(MldRows, Include_ToIn_SendsQMAAminusB) {
  include_12();
  feed(rep6(RecordType::ChangeToIncludeMode, G, {A2, A3}), T10);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A1, seconds(2)}, {A2, GMI}, {A3, GMI}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_mquery(sent[0], T10, {A1}, false);
  expect_mquery(sent[1], T10 + seconds(1), {A1}, false);
}

// EXCLUDE (X,Y)  TO_EX (A)  EXCLUDE (A-Y,Y*A)  (A-X-Y)=Filter Timer, Delete (X-A), Delete (Y-A),
//                           Send Q(MA,A-Y), Filter Timer=MALI
TEST_F(MldRows, Exclude_ToEx_SendsQMAAminusY) {
  exclude_1_3();
  feed(rep6(RecordType::ChangeToExcludeMode, G, {A3, A4}), T10);
  EXPECT_EQ(v(T10).group_timer, GMI);
  EXPECT_EQ(v(T10).sources, (V6Timers{{A3, 0}, {A4, seconds(2)}}));
  auto sent = run(r, T10, seconds(20));
  ASSERT_EQ(sent.size(), 2u);
  expect_mquery(sent[0], T10, {A4}, false);
  expect_mquery(sent[1], T10 + seconds(1), {A4}, false);
}

// The other five MLD rows are in MldRouterTest above (Include_Block, Include_IsEx,
// Include_ToEx, Exclude_Block, Exclude_ToIn).

}  // namespace
}  // namespace mcsim::router
