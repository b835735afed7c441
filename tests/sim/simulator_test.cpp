// The simulator driven by scenarios built in code: determinism, the pcap tap, expectations
// and `expect:` on socket calls (seed table rows as the reference).
#include "sim/simulator.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"

namespace mcsim::sim {
namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

Scenario one_host() {
  Scenario sc;
  sc.name = "one host";
  sc.file = "inline";
  sc.seed = 7;
  sc.until = seconds(20);
  LanSpec lan;
  lan.name = "lan0";
  sc.lans.push_back(lan);
  HostSpec h;
  h.name = "h1";
  h.lan = "lan0";
  h.ipv4 = *Ipv4Addr::parse("10.0.0.2");
  h.ipv6 = *Ipv6Addr::parse("fe80::2");
  h.solicited_node = false;
  sc.hosts.push_back(h);
  return sc;
}

EventSpec sockopt(Time at, const char* socket, api::Option o, const char* group, const char* source = nullptr,
                  const char* expect = nullptr) {
  EventSpec e;
  e.at = at;
  e.node = "h1";
  e.socket = socket;
  e.op = OpKind::SocketOption;
  e.option = o;
  e.op_name = std::string(api::to_string(o));
  e.group = ip(group);
  if (source) e.source = ip(source);
  if (expect) e.expect = expect;
  return e;
}

std::vector<std::string> run_jsonl(const Scenario& sc, SimOptions opt = {}) {
  Simulation s(sc, opt);
  EXPECT_EQ(s.error(), "");
  s.run();
  std::vector<std::string> v;
  for (const auto& e : s.log()) v.push_back(e.json);
  return v;
}

// Seed 000 any-source flow: join, block a source, a second join fails (seed table row 13:
// IP_BLOCK_SOURCE then IP_ADD_MEMBERSHIP is WSAEINVAL), the state is EXCLUDE {blocked source}.
TEST(Simulator, AnySourceFlowWithSeedTableRow13) {
  Scenario sc = one_host();
  sc.events.push_back(sockopt(seconds(1), "A", api::Option::IpAddMembership, "239.1.1.1"));
  sc.events.push_back(sockopt(seconds(2), "A", api::Option::IpBlockSource, "239.1.1.1", "10.0.0.5"));
  sc.events.push_back(sockopt(seconds(3), "A", api::Option::IpAddMembership, "239.1.1.1", nullptr, "WSAEINVAL"));
  ExpectSpec x;
  x.at = seconds(5);
  x.node = "h1";
  x.group = ip("239.1.1.1");
  x.mode = FilterMode::Exclude;
  x.sources = std::vector<IpAddr>{ip("10.0.0.5")};
  sc.expects.push_back(x);
  Simulation s(sc);
  s.run();
  EXPECT_EQ(s.failures(), 0u);
  ASSERT_EQ(s.results().size(), 2u);  // the expect: on the event and the state expectation
  std::size_t tx = 0;
  for (const auto& e : s.log()) tx += e.json.find("\"event\":\"tx\"") != std::string::npos;
  EXPECT_EQ(tx, 4u);  // TO_EX x2 (RFC 9776 §5.1, robustness 2), BLOCK x2
}

TEST(Simulator, WrongExpectationIsAFailureNotACrash) {
  Scenario sc = one_host();
  sc.events.push_back(sockopt(seconds(1), "A", api::Option::IpAddMembership, "239.1.1.1", nullptr, "WSAEINVAL"));
  sc.events.push_back(sockopt(seconds(2), "A", api::Option::IpAddMembership, "239.1.1.1", nullptr, "ok"));
  Simulation s(sc);
  s.run();
  EXPECT_EQ(s.failures(), 2u);  // ok where WSAEINVAL was expected; row 1 where ok was
}

TEST(Simulator, SameSeedSameLogDifferentSeedDifferentTiming) {
  Scenario sc = one_host();
  for (int i = 0; i < 5; ++i) {
    std::string g = "239.1.1." + std::to_string(i + 1);
    sc.events.push_back(sockopt(seconds(1), "A", api::Option::IpAddMembership, g.c_str()));
  }
  EXPECT_EQ(run_jsonl(sc), run_jsonl(sc));
  SimOptions other;
  other.seed = 8;
  EXPECT_NE(run_jsonl(sc), run_jsonl(sc, other));
}

TEST(Simulator, PcapTapHoldsEveryTransmittedFrame) {
  const auto dir = std::filesystem::temp_directory_path() / ("mcsim_sim_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Scenario sc = one_host();
  sc.events.push_back(sockopt(seconds(1), "A", api::Option::IpAddMembership, "239.1.1.1"));
  sc.events.push_back(sockopt(seconds(2), "B", api::Option::Ipv6AddMembership, "ff3e::1:2"));
  SimOptions opt;
  opt.pcap_dir = dir.string();
  auto log = run_jsonl(sc, opt);
  std::string err;
  auto r = pcap::Reader::open((dir / "lan0.pcap").string(), err);
  ASSERT_TRUE(r) << err;
  pcap::Frame f;
  wire::DecodedPacket p;
  std::vector<std::string> kinds;
  while (r->next(f)) {
    ASSERT_TRUE(pcap::decode_frame(f, p));
    EXPECT_TRUE(p.errors.empty());  // checksums valid, TTL 1
    kinds.push_back(p.proto == wire::PacketProto::Igmp ? "igmp" : "mld");
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"igmp", "igmp", "mld", "mld"}));
  std::filesystem::remove_all(dir);
}

TEST(Simulator, UnknownProfileIsAnError) {
  SimOptions opt;
  opt.profile = "beos";
  Simulation s(one_host(), opt);
  EXPECT_NE(s.error().find("unknown profile 'beos'"), std::string::npos);
}

}  // namespace
}  // namespace mcsim::sim

namespace mcsim::sim {
namespace {

Scenario load(const std::string& text) {
  auto r = load_scenario_text(text, "inline.yaml");
  if (auto* e = std::get_if<LoadError>(&r)) ADD_FAILURE() << e->to_string();
  return std::get<Scenario>(r);
}

// A querier and a host: the router's view follows the host's reports (RFC 9776 §6.4), the
// leave is followed by Last Member Query Count group-specific queries (§6.6.3.1) and the
// group is gone after the Last Member Query Time.
TEST(SimulatorRouter, QuerierFollowsHostAndAgesGroupAfterLeave) {
  Simulation s(load(R"(
name: querier and one host
seed: 7
until: 30s
lans: [{name: lan0}]
routers: [{name: r1, lan: lan0, ipv4: 10.0.0.1, ipv6: "fe80::1"}]
hosts: [{name: h1, lan: lan0, ipv4: 10.0.0.2, ipv6: "fe80::2"}]
events:
  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}
  - {at: 2s, host: h1, socket: A, op: IP_BLOCK_SOURCE, group: 239.1.1.1, source: 10.0.0.5}
  - {at: 4s, host: h1, socket: B, op: MCAST_JOIN_SOURCE_GROUP, group: "ff3e::1:2", source: "2001:db8::5"}
  - {at: 9s, host: h1, socket: A, op: CLOSE}
expect:
  - {at: 5s, router: r1, group: 239.1.1.1, mode: exclude, sources: [10.0.0.5]}
  - {at: 5s, router: r1, group: "ff3e::1:2", mode: include, sources: ["2001:db8::5"]}
  - {at: 5s, router: r1, querier: true}
  - {at: 20s, router: r1, group: 239.1.1.1, member: false}
)"));
  s.run();
  for (const auto& r : s.results()) EXPECT_TRUE(r.passed) << r.loc.to_string() << " " << r.what << " " << r.detail;
  EXPECT_EQ(s.results().size(), 4u);
  std::size_t gsq = 0;
  for (const auto& e : s.log())
    gsq += e.json.find("\"node\":\"r1\",\"event\":\"tx\"") != std::string::npos &&
           e.json.find("\"dst\":\"239.1.1.1\"") != std::string::npos &&
           e.json.find("\"sources\":[]") != std::string::npos;
  EXPECT_GE(gsq, 2u);  // [Last Member Query Count] Q(G) after the TO_IN{}
}

// RFC 9776 §9.2 option: a router that requires Router Alert drops an IGMPv3 report sent
// without it (the seed 002 CH395 IP-RAW method) and logs why.
TEST(SimulatorRouter, RequireRouterAlertDropsReportWithoutIt) {
  // Seed 002's 16-byte report in an IPv4 header without options, TTL 1 (checksum 0x1810).
  Simulation s(load(R"(
name: seed 002 without router alert
until: 5s
lans: [{name: lan0}]
routers: [{name: r1, lan: lan0, ipv4: 192.168.1.1, mld: 0, require_router_alert: true}]
events:
  - {at: 1s, lan: lan0, op: INJECT, frame: "01005e000016b405000000000800450000240000000001021810c0a8010ae00000162200f9020000000104000000e00000fb"}
expect:
  - {at: 2s, router: r1, group: 224.0.0.251, member: false}
)"));
  s.run();
  ASSERT_EQ(s.error(), "");
  ASSERT_EQ(s.results().size(), 1u);
  EXPECT_TRUE(s.results()[0].passed) << s.results()[0].detail;
  bool dropped = false;
  for (const auto& e : s.log()) dropped |= e.json.find("\"reason\":\"no_router_alert\"") != std::string::npos;
  EXPECT_TRUE(dropped);
}

}  // namespace
}  // namespace mcsim::sim
