// Scenario loader: the reference example, one test per error class, mutation fuzzing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "sim/scenario.hpp"

namespace mcsim::sim {
namespace {

// Line numbers matter: the error tests below name positions in texts derived from this.
const std::string kExample = R"(name: any-source join, block, leave
seed: 7
profile: windows
until: 30s
lans:
  - {name: lan0, mtu: 1500, latency: 1ms, loss: 0.01, duplicate: 0.0}
  - {name: lan1}
routers:
  - {name: r1, lan: lan0, ipv4: 10.0.0.1, ipv6: fe80::1, igmp: 3, mld: 2, require_router_alert: true, robustness: 3, query_interval: 125s, query_response_interval: 10s, last_member_query_interval: 1s, last_member_query_count: 2, mac: 02:00:00:00:00:01}
hosts:
  - {name: h1, lan: lan0, ipv4: 10.0.0.2, ipv6: fe80::2, igmp: 3, mld: 2, mac: 02:00:00:00:00:02, robustness: 2, unsolicited_report_interval: 1s, solicited_node: false}
switches:
  - {name: sw1, ports: [lan0, lan1], snooping: true}
events:
  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}
  - {at: 2s, host: h1, socket: A, op: IP_BLOCK_SOURCE, group: 239.1.1.1, source: 10.0.0.5}
  - {at: 3s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1, expect: WSAEADDRNOTAVAIL}
  - {at: 4s, host: h1, socket: B, op: MCAST_JOIN_SOURCE_GROUP, group: ff3e::1:2, source: 2001:db8::5}
  - {at: 5s, host: h1, socket: B, op: SET_FILTER, group: 239.1.1.1, mode: include, sources: [10.0.0.7]}
  - {at: 6s, host: h1, op: LINK, state: down}
  - {at: 7s, router: r1, op: QUERY, version: 3, group: 239.1.1.1, sources: [10.0.0.5], max_resp: 10s, s_flag: false, qrv: 2, qqi: 125s}
  - {at: 8s, lan: lan0, op: INJECT, frame: "01005e000016 020000000099 0800 4600"}
  - {at: 8s, host: h1, op: SEND, group: 239.1.1.1, count: 3}
  - {at: 9s, host: h1, socket: A, op: CLOSE}
  - {at: 9s, host: h1, socket: C, op: IPV6_JOIN_GROUP, group: "ff02::1:3"}
  - {at: 9s, host: h1, socket: C, op: IP_MULTICAST_TTL, value: 4}
expect:
  - {at: 5s, router: r1, group: 239.1.1.1, mode: exclude, sources: [10.0.0.5]}
  - {at: 5s, host: h1, group: ff3e::1:2, mode: include, sources: ["2001:db8::5"]}
  - {at: 9s, host: h1, socket: A, group: 239.1.1.1, source: 10.0.0.5, receives: false}
  - {at: 9s, router: r1, querier: true}
  - {at: 9s, host: h1, group: 239.1.1.2, member: false}
)";

IpAddr A(const char* s) { return *IpAddr::parse(s); }

Scenario load_ok(const std::string& text) {
  auto r = load_scenario_text(text, "t.yaml");
  if (auto* e = std::get_if<LoadError>(&r)) {
    ADD_FAILURE() << e->to_string();
    return {};
  }
  return std::get<Scenario>(r);
}

// Asserts an error at `where` ("t.yaml:L:C") whose message contains `what`.
void expect_error(const std::string& text, const std::string& where, const std::string& what) {
  auto r = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(std::holds_alternative<LoadError>(r)) << "loaded, expected error " << what;
  const auto& e = std::get<LoadError>(r);
  EXPECT_EQ(e.loc.to_string(), where) << e.to_string();
  EXPECT_NE(e.message.find(what), std::string::npos) << e.to_string();
}

// The example with line `line` (1-based) replaced.
std::string with_line(int line, const std::string& repl) {
  std::string out;
  int n = 1;
  std::size_t pos = 0;
  while (pos < kExample.size()) {
    std::size_t nl = kExample.find('\n', pos);
    if (nl == std::string::npos) nl = kExample.size();
    out += (n == line ? repl : kExample.substr(pos, nl - pos)) + "\n";
    pos = nl + 1;
    ++n;
  }
  return out;
}

const std::string kMini = "lans: [{name: lan0}]\nhosts:\n  - {name: h1, lan: lan0, ipv4: 10.0.0.2}\n";

TEST(ScenarioLoader, ExampleLoadsWithEveryField) {
  const Scenario sc = load_ok(kExample);
  EXPECT_EQ(sc.name, "any-source join, block, leave");
  EXPECT_EQ(sc.file, "t.yaml");
  EXPECT_EQ(sc.seed, 7u);
  EXPECT_EQ(sc.profile, "windows");
  EXPECT_EQ(sc.until, seconds(30));
  ASSERT_EQ(sc.lans.size(), 2u);
  EXPECT_EQ(sc.lans[0].name, "lan0");
  EXPECT_EQ(sc.lans[0].mtu, 1500u);
  EXPECT_EQ(sc.lans[0].latency, ms(1));
  EXPECT_DOUBLE_EQ(sc.lans[0].loss, 0.01);
  EXPECT_DOUBLE_EQ(sc.lans[0].duplicate, 0.0);
  EXPECT_EQ(sc.lans[0].loc.to_string(), "t.yaml:6:5");
  EXPECT_EQ(sc.lans[1].mtu, 1500u);

  ASSERT_EQ(sc.routers.size(), 1u);
  const RouterSpec& r = sc.routers[0];
  EXPECT_EQ(r.name, "r1");
  EXPECT_EQ(r.lan, "lan0");
  EXPECT_EQ(r.ipv4, Ipv4Addr::parse("10.0.0.1"));
  EXPECT_EQ(r.ipv6, Ipv6Addr::parse("fe80::1"));
  EXPECT_EQ(r.mac, MacAddr::parse("02:00:00:00:00:01"));
  EXPECT_EQ(r.igmp, 3);
  EXPECT_EQ(r.mld, 2);
  EXPECT_TRUE(r.require_router_alert);
  EXPECT_EQ(r.robustness, 3);
  EXPECT_EQ(r.query_interval, seconds(125));
  EXPECT_EQ(r.query_response_interval, seconds(10));
  EXPECT_EQ(r.last_member_query_interval, seconds(1));
  EXPECT_EQ(r.last_member_query_count, 2);
  EXPECT_EQ(r.loc.line, 9);

  ASSERT_EQ(sc.hosts.size(), 1u);
  const HostSpec& h = sc.hosts[0];
  EXPECT_EQ(h.name, "h1");
  EXPECT_EQ(h.lan, "lan0");
  EXPECT_EQ(h.ipv4, Ipv4Addr::parse("10.0.0.2"));
  EXPECT_EQ(h.ipv6, Ipv6Addr::parse("fe80::2"));
  EXPECT_EQ(h.mac, MacAddr::parse("02:00:00:00:00:02"));
  EXPECT_EQ(h.igmp, 3);
  EXPECT_EQ(h.mld, 2);
  EXPECT_EQ(h.robustness, 2);
  EXPECT_EQ(h.unsolicited_report_interval, seconds(1));
  EXPECT_FALSE(h.solicited_node);

  ASSERT_EQ(sc.switches.size(), 1u);
  EXPECT_EQ(sc.switches[0].name, "sw1");
  EXPECT_EQ(sc.switches[0].ports, (std::vector<std::string>{"lan0", "lan1"}));
  EXPECT_TRUE(sc.switches[0].snooping);

  ASSERT_EQ(sc.events.size(), 12u);
  const auto& ev = sc.events;
  EXPECT_EQ(ev[0].at, seconds(1));
  EXPECT_EQ(ev[0].node_kind, NodeKind::Host);
  EXPECT_EQ(ev[0].node, "h1");
  EXPECT_EQ(ev[0].socket, "A");
  EXPECT_EQ(ev[0].op, OpKind::SocketOption);
  EXPECT_EQ(ev[0].option, api::Option::IpAddMembership);
  EXPECT_EQ(ev[0].op_name, "IP_ADD_MEMBERSHIP");
  EXPECT_EQ(ev[0].group, A("239.1.1.1"));
  EXPECT_FALSE(ev[0].expect);
  EXPECT_EQ(ev[0].loc.to_string(), "t.yaml:15:5");

  EXPECT_EQ(ev[1].option, api::Option::IpBlockSource);
  EXPECT_EQ(ev[1].source, A("10.0.0.5"));
  EXPECT_EQ(ev[2].expect, "WSAEADDRNOTAVAIL");
  EXPECT_EQ(ev[3].option, api::Option::McastJoinSourceGroup);
  EXPECT_EQ(ev[3].group, A("ff3e::1:2"));
  EXPECT_EQ(ev[3].source, A("2001:db8::5"));
  EXPECT_EQ(ev[3].socket, "B");

  EXPECT_EQ(ev[4].op, OpKind::SetFilter);
  EXPECT_FALSE(ev[4].option);
  EXPECT_EQ(ev[4].mode, FilterMode::Include);
  EXPECT_EQ(ev[4].sources, (std::vector<IpAddr>{A("10.0.0.7")}));

  EXPECT_EQ(ev[5].op, OpKind::Link);
  EXPECT_FALSE(ev[5].link_up);
  EXPECT_EQ(ev[5].node, "h1");

  EXPECT_EQ(ev[6].op, OpKind::Query);
  EXPECT_EQ(ev[6].node_kind, NodeKind::Router);
  EXPECT_EQ(ev[6].node, "r1");
  EXPECT_EQ(ev[6].version, 3);
  EXPECT_EQ(ev[6].group, A("239.1.1.1"));
  EXPECT_EQ(ev[6].family, Family::V4);
  EXPECT_EQ(ev[6].sources, (std::vector<IpAddr>{A("10.0.0.5")}));
  EXPECT_EQ(ev[6].max_resp, seconds(10));
  EXPECT_EQ(ev[6].s_flag, false);
  EXPECT_EQ(ev[6].qrv, 2);
  EXPECT_EQ(ev[6].qqi, seconds(125));

  EXPECT_EQ(ev[7].op, OpKind::Inject);
  EXPECT_EQ(ev[7].node_kind, NodeKind::Lan);
  EXPECT_EQ(ev[7].node, "lan0");
  EXPECT_EQ(ev[7].frame, (std::vector<std::uint8_t>{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x00,
                                                     0x99, 0x08, 0x00, 0x46, 0x00}));
  EXPECT_EQ(ev[8].op, OpKind::Send);
  EXPECT_EQ(ev[8].count, 3u);
  EXPECT_EQ(ev[8].group, A("239.1.1.1"));
  EXPECT_EQ(ev[9].op, OpKind::Close);
  EXPECT_EQ(ev[9].socket, "A");
  EXPECT_EQ(ev[10].option, api::Option::Ipv6AddMembership);
  EXPECT_EQ(ev[10].op_name, "IPV6_JOIN_GROUP");
  EXPECT_EQ(ev[11].option, api::Option::IpMulticastTtl);
  EXPECT_EQ(ev[11].value, 4);

  ASSERT_EQ(sc.expects.size(), 5u);
  const auto& x = sc.expects;
  EXPECT_EQ(x[0].at, seconds(5));
  EXPECT_EQ(x[0].node_kind, NodeKind::Router);
  EXPECT_EQ(x[0].node, "r1");
  EXPECT_EQ(x[0].group, A("239.1.1.1"));
  EXPECT_EQ(x[0].mode, FilterMode::Exclude);
  EXPECT_EQ(x[0].sources, (std::vector<IpAddr>{A("10.0.0.5")}));
  EXPECT_EQ(x[1].node_kind, NodeKind::Host);
  EXPECT_EQ(x[1].mode, FilterMode::Include);
  EXPECT_EQ(x[1].sources, (std::vector<IpAddr>{A("2001:db8::5")}));
  EXPECT_EQ(x[2].socket, "A");
  EXPECT_EQ(x[2].source, A("10.0.0.5"));
  EXPECT_EQ(x[2].receives, false);
  EXPECT_EQ(x[3].querier, true);
  EXPECT_EQ(x[4].member, false);
  EXPECT_FALSE(x[4].mode);
}

TEST(ScenarioLoader, DocExampleLoads) {
  std::ifstream in(std::string(MCSIM_SOURCE_DIR) + "/docs/scenarios.md");
  ASSERT_TRUE(in) << "docs/scenarios.md";
  std::string line, yaml;
  bool inside = false, done = false;
  while (!done && std::getline(in, line)) {
    if (!inside && line == "```yaml") inside = true;
    else if (inside && line == "```") done = true;
    else if (inside) yaml += line + "\n";
  }
  ASSERT_TRUE(done);
  const Scenario sc = load_ok(yaml);
  EXPECT_EQ(sc.events.size(), 11u);
  EXPECT_EQ(sc.expects.size(), 5u);
  ASSERT_GE(sc.events.size(), 9u);
  EXPECT_EQ(sc.events[8].frame.size(), 46u);
}

TEST(ScenarioLoader, Defaults) {
  const Scenario sc = load_ok(kMini);
  EXPECT_EQ(sc.seed, 1u);
  EXPECT_EQ(sc.profile, "windows");
  EXPECT_EQ(sc.until, seconds(60));
  EXPECT_EQ(sc.lans.at(0).mtu, 1500u);
  EXPECT_EQ(sc.hosts.at(0).igmp, 3);
  EXPECT_EQ(sc.hosts.at(0).mld, 2);
}

TEST(ScenarioLoader, LinuxProfileErrorNames) {
  load_ok("profile: linux\n" + kMini +
          "events:\n  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1, expect: ENODEV}\n");
  expect_error("profile: linux\n" + kMini +
                   "events:\n  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1, expect: WSAEINVAL}\n",
               "t.yaml:6:84", "not an error of the linux profile");
}

TEST(ScenarioLoader, YamlSyntaxError) {
  expect_error("lans: [{name: lan0}\nhosts: []\n", "t.yaml:2:1", "YAML syntax error: end of sequence flow not found");
}

TEST(ScenarioLoader, UnknownKey) {
  expect_error(with_line(7, "  - {name: lan1, mtuu: 1400}"), "t.yaml:7:18", "unknown key 'mtuu' in a LAN (did you mean 'mtu'?); valid keys: name, mtu");
  expect_error("nmae: x\n", "t.yaml:1:1", "unknown key 'nmae' in the scenario (top level) (did you mean 'name'?)");
}

TEST(ScenarioLoader, WrongType) {
  expect_error("lans: {name: lan0}\n", "t.yaml:1:7", "lans: expected a list of LAN mappings, got a mapping");
  expect_error("lans: [lan0]\n", "t.yaml:1:8", "a LAN: expected a mapping, got a scalar 'lan0'");
  expect_error(with_line(18, "  - {at: 5s, host: h1, socket: B, op: SET_FILTER, group: 239.1.1.1, mode: include, sources: 10.0.0.7}"),
               "t.yaml:18:93", "expected a list of addresses");
}

TEST(ScenarioLoader, BadAddress) {
  expect_error(with_line(11, "  - {name: h1, lan: lan0, ipv4: 10.0.0.256}"), "t.yaml:11:33", "bad IPv4 address '10.0.0.256'");
  expect_error(with_line(15, "  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1}"), "t.yaml:15:65",
               "bad IP address '239.1.1'");
}

TEST(ScenarioLoader, GroupNotMulticast) {
  expect_error(with_line(15, "  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 10.1.1.1}"), "t.yaml:15:65",
               "10.1.1.1 is not a multicast address");
  // An expected error relaxes the rule so error paths can be scripted.
  load_ok(with_line(15, "  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 10.1.1.1, expect: WSAEINVAL}"));
}

TEST(ScenarioLoader, SourceMulticastOrUnspecified) {
  expect_error(with_line(16, "  - {at: 2s, host: h1, socket: A, op: IP_BLOCK_SOURCE, group: 239.1.1.1, source: 239.0.0.5}"),
               "t.yaml:16:82", "239.0.0.5 is multicast; a source must be a unicast address");
  expect_error(with_line(16, "  - {at: 2s, host: h1, socket: A, op: IP_BLOCK_SOURCE, group: 239.1.1.1, source: 0.0.0.0}"),
               "t.yaml:16:82", "0.0.0.0 is unspecified");
}

TEST(ScenarioLoader, FamilyMismatch) {
  expect_error(with_line(18, "  - {at: 4s, host: h1, socket: B, op: MCAST_JOIN_SOURCE_GROUP, group: ff3e::1:2, source: 10.0.0.5}"),
               "t.yaml:18:90", "family mismatch: source 10.0.0.5 is IPv4 but group ff3e::1:2 is IPv6");
  expect_error(with_line(15, "  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: ff3e::1}"), "t.yaml:15:65",
               "IP_ADD_MEMBERSHIP is an IPv4 option but ff3e::1 is IPv6");
}

TEST(ScenarioLoader, DurationWithoutUnit) {
  expect_error(with_line(9, "  - {name: r1, lan: lan0, query_interval: 125}"), "t.yaml:9:43",
               "duration needs a unit: 125s, 500ms ...");
  expect_error("until: 5 parsecs\n", "t.yaml:1:8", "bad duration '5 parsecs'");
}

TEST(ScenarioLoader, NegativeOrHugeNumbers) {
  expect_error("seed: -3\n", "t.yaml:1:7", "seed: must not be negative");
  expect_error("seed: 99999999999999999999999\n", "t.yaml:1:7", "is too large");
  expect_error(with_line(7, "  - {name: lan1, mtu: 70000}"), "t.yaml:7:23", "mtu: 70000 is out of range (68..65535)");
  expect_error("until: -5s\n", "t.yaml:1:8", "must not be negative");
  expect_error(with_line(23, "  - {at: 8s, host: h1, op: SEND, group: 239.1.1.1, count: 5000000000}"), "t.yaml:23:59",
               "count: 5000000000 is out of range");
}

TEST(ScenarioLoader, TimeGoingBackwards) {
  expect_error(with_line(17, "  - {at: 1500ms, host: h1, socket: B, op: MCAST_JOIN_SOURCE_GROUP, group: ff3e::1:2, source: 2001:db8::5}"),
               "t.yaml:17:10", "time goes backwards: at 1500ms is before the previous event's 2s (line 16)");
}

TEST(ScenarioLoader, AtBeyondUntil) {
  expect_error(with_line(4, "until: 8s"), "t.yaml:24:10", "at 9s is beyond the end of the run (until: 8s)");
}

TEST(ScenarioLoader, UnknownReference) {
  expect_error(with_line(15, "  - {at: 1s, host: h2, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}"), "t.yaml:15:20",
               "unknown host 'h2' (did you mean 'h1'?)");
  expect_error(with_line(21, "  - {at: 7s, router: r9, op: QUERY}"), "t.yaml:21:22", "unknown router 'r9'");
  expect_error(with_line(22, "  - {at: 8s, lan: lan7, op: INJECT, frame: 01005e0000160200000000990800}"), "t.yaml:22:19",
               "unknown LAN 'lan7'");
  expect_error(with_line(13, "  - {name: sw1, ports: [lan0, lan2]}"), "t.yaml:13:31", "unknown LAN 'lan2'");
  expect_error(with_line(21, "  - {at: 7s, host: h1, op: QUERY}"), "t.yaml:21:20", "op QUERY needs router, not host");
}

TEST(ScenarioLoader, DuplicateNames) {
  expect_error(with_line(7, "  - {name: lan0}"), "t.yaml:7:12", "duplicate name 'lan0' (first defined at t.yaml:6:12)");
  expect_error(with_line(13, "  - {name: h1, ports: [lan0]}"), "t.yaml:13:12", "duplicate name 'h1'");
}

TEST(ScenarioLoader, MissingRequiredKeys) {
  expect_error(with_line(7, "  - {mtu: 1400}"), "t.yaml:7:5", "LAN: missing required key 'name'");
  expect_error(with_line(11, "  - {name: h1, ipv4: 10.0.0.2}"), "t.yaml:11:5", "host 'h1': missing required key 'lan'");
  expect_error(with_line(15, "  - {host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}"), "t.yaml:15:5",
               "event: missing required key 'at'");
  expect_error(with_line(15, "  - {at: 1s, host: h1, socket: A, group: 239.1.1.1}"), "t.yaml:15:5",
               "event: missing required key 'op'");
  expect_error(with_line(15, "  - {at: 1s, host: h1, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}"), "t.yaml:15:5",
               "missing required key 'socket'");
}

TEST(ScenarioLoader, NodeOnUnknownLan) {
  expect_error(with_line(9, "  - {name: r1, lan: lan9}"), "t.yaml:9:21", "router 'r1' is on unknown LAN 'lan9'");
  expect_error(with_line(11, "  - {name: h1, lan: lam0}"), "t.yaml:11:21", "host 'h1' is on unknown LAN 'lam0' (did you mean 'lan0'?)");
}

TEST(ScenarioLoader, BadHexFrame) {
  expect_error(with_line(22, "  - {at: 8s, lan: lan0, op: INJECT, frame: 01005e0000160200000000990800f}"), "t.yaml:22:44",
               "odd number of hex digits");
  expect_error(with_line(22, "  - {at: 8s, lan: lan0, op: INJECT, frame: \"01005e000016...\"}"), "t.yaml:22:44",
               "non-hex character '.'");
}

TEST(ScenarioLoader, BadMode) {
  expect_error(with_line(18, "  - {at: 5s, host: h1, socket: B, op: SET_FILTER, group: 239.1.1.1, mode: allow, sources: []}"),
               "t.yaml:18:75", "mode: expected include or exclude, got 'allow'");
}

TEST(ScenarioLoader, VersionOutOfRange) {
  expect_error(with_line(21, "  - {at: 7s, router: r1, op: QUERY, version: 3, group: ff3e::1}"), "t.yaml:21:46",
               "version (MLD): 3 is out of range (1..2)");
  expect_error(with_line(11, "  - {name: h1, lan: lan0, igmp: 4}"), "t.yaml:11:33", "igmp (IGMP version): 4 is out of range (1..3)");
  expect_error(with_line(11, "  - {name: h1, lan: lan0, mld: 0}"), "t.yaml:11:32", "out of range (1..2)");
}

TEST(ScenarioLoader, UnknownOpAndError) {
  expect_error(with_line(15, "  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIPP, group: 239.1.1.1}"), "t.yaml:15:39",
               "unknown op 'IP_ADD_MEMBERSHIPP' (did you mean 'IP_ADD_MEMBERSHIP'?)");
  expect_error(with_line(15, "  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1, expect: WSAEINVALL}"),
               "t.yaml:15:84", "(did you mean 'WSAEINVAL'?)");
}

TEST(ScenarioLoader, DuplicateKeys) {
  expect_error(with_line(7, "  - {name: lan1, mtu: 1400, mtu: 9000}"), "t.yaml:7:29", "duplicate key 'mtu' in one mapping");
  expect_error("seed: 1\nseed: 2\n", "t.yaml:2:1", "duplicate key 'seed'");
}

TEST(ScenarioLoader, AliasesRejected) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 0; i < 9; ++i)
    bomb += std::string(1, static_cast<char>('b' + i)) + ": &" + static_cast<char>('b' + i) + " [*" +
            static_cast<char>('a' + i) + ", *" + static_cast<char>('a' + i) + ", *" + static_cast<char>('a' + i) + "]\n";
  expect_error(bomb, "t.yaml:2:8", "YAML aliases (*name) are not supported");
}

TEST(ScenarioLoader, TooManyNodes) {
  std::string big = "lans:\n";
  for (int i = 0; i < 100001; ++i) big += "- {}\n";
  auto r = load_scenario_text(big, "t.yaml");
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_NE(std::get<LoadError>(r).message.find("scenario too large"), std::string::npos);
}

TEST(ScenarioLoader, NestingTooDeep) {
  expect_error("x: " + std::string(70, '[') + std::string(70, ']') + "\n", "t.yaml:1:67", "nesting deeper than 64 levels");
  // Deep enough to overflow a naive recursive parser: still a clean error.
  auto r = load_scenario_text(std::string(100000, '[') + std::string(100000, ']'), "t.yaml");
  EXPECT_TRUE(std::holds_alternative<LoadError>(r));
}

TEST(ScenarioLoader, NonUtf8) {
  expect_error("name: caf\xC3\xA9 \xFF\n", "t.yaml:1:12", "not valid UTF-8 (byte 0xff)");
  load_ok("name: caf\xC3\xA9\n" + kMini);
}

TEST(ScenarioLoader, FileNotReadable) {
  auto r = load_scenario_file("/nonexistent/dir/x.yaml");
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_EQ(std::get<LoadError>(r).loc.file, "/nonexistent/dir/x.yaml");
  EXPECT_NE(std::get<LoadError>(r).message.find("cannot read file"), std::string::npos);
  r = load_scenario_file(testing::TempDir());
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_NE(std::get<LoadError>(r).message.find("is a directory"), std::string::npos);
}

TEST(ScenarioLoader, IoctlNamesAndFilterOption) {
  const Scenario sc = load_ok(kMini +
      "events:\n"
      "  - {at: 1s, host: h1, socket: A, op: SIOCSMSFILTER, group: 239.1.1.1, mode: exclude, sources: [10.0.0.9]}\n"
      "  - {at: 1s, host: h1, socket: A, op: IP_MSFILTER, group: 239.1.1.1, mode: include}\n"
      "  - {at: 2s, router: r1, op: QUERY, family: ipv6, version: 1}\n"
      "routers: [{name: r1, lan: lan0}]\n");
  ASSERT_EQ(sc.events.size(), 3u);
  EXPECT_EQ(sc.events[0].option, api::Option::McastMsfilter);
  EXPECT_EQ(sc.events[0].mode, FilterMode::Exclude);
  EXPECT_EQ(sc.events[1].option, api::Option::IpMsfilter);
  EXPECT_TRUE(sc.events[1].sources.empty());
  EXPECT_EQ(sc.events[2].family, Family::V6);
  EXPECT_FALSE(sc.events[2].group);
  EXPECT_EQ(sc.events[2].version, 1);
}

TEST(ScenarioLoader, KeyNotForOp) {
  expect_error(with_line(20, "  - {at: 6s, host: h1, op: LINK, state: down, group: 239.1.1.1}"), "t.yaml:20:54",
               "key 'group' does not apply to op LINK");
  expect_error(with_line(20, "  - {at: 6s, host: h1, op: LINK, state: sideways}"), "t.yaml:20:41",
               "state: expected up or down");
}

TEST(ScenarioLoader, FileLoads) {
  const std::string path = testing::TempDir() + "scenario_loader_test.yaml";
  {
    std::ofstream out(path, std::ios::binary);
    out << with_line(4, "until: 8s");
  }
  auto r = load_scenario_file(path);
  ASSERT_TRUE(std::holds_alternative<LoadError>(r));
  EXPECT_EQ(std::get<LoadError>(r).loc.to_string(), path + ":24:10");
  {
    std::ofstream out(path, std::ios::binary);
    out << kExample;
  }
  r = load_scenario_file(path);
  ASSERT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<LoadError>(r).to_string();
  EXPECT_EQ(std::get<Scenario>(r).file, path);
  std::remove(path.c_str());
}

TEST(ScenarioLoader, EmptyAndScalarDocuments) {
  expect_error("", "t.yaml", "empty scenario");
  expect_error("just text\n", "t.yaml:1:1", "expected a mapping");
}

TEST(ScenarioLoader, FuzzMutationsNeverThrow) {
  std::mt19937 rng(12345);
  int iters = 2000;  // MCSIM_FUZZ_ITERS=<n> for a longer run
  if (const char* env = std::getenv("MCSIM_FUZZ_ITERS")) iters = std::max(1, std::atoi(env));
  if (const char* env = std::getenv("MCSIM_FUZZ_SEED")) rng.seed(static_cast<unsigned>(std::atoi(env)));
  int loaded = 0, errors = 0;
  for (int i = 0; i < iters; ++i) {
    std::string t = kExample;
    const int kind = static_cast<int>(rng() % 4);
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < n && !t.empty(); ++k) {
      const std::size_t pos = rng() % t.size();
      switch (kind) {
        case 0: t[pos] = static_cast<char>(t[pos] ^ (1u << (rng() % 8))); break;   // bit flip
        case 1: t[pos] = static_cast<char>(rng() % 256); break;                    // byte replace
        case 2: t.resize(pos); break;                                              // truncation
        default: t.insert(pos, 1, "[]{}:-,&*!|>'\"#\n "[rng() % 17]); break;       // YAML punctuation
      }
    }
    LoadResult r;
    EXPECT_NO_THROW(r = load_scenario_text(t, "fuzz.yaml"));
    if (std::holds_alternative<Scenario>(r)) ++loaded;
    else {
      ++errors;
      EXPECT_FALSE(std::get<LoadError>(r).message.empty());
    }
  }
  EXPECT_EQ(loaded + errors, iters);
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace mcsim::sim
