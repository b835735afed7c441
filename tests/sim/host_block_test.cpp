// Host blocks (docs/scenarios.md "Host blocks"): how a block names and numbers its hosts,
// how its event templates expand (timeline order, group distribution, spread), that a
// simulation of a block equals the simulation of the same hosts and events written out,
// and every loader error for bad blocks with its file:line:col.
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario.hpp"
#include "sim/send_queue.hpp"
#include "sim/simulator.hpp"
#include "sim/timeline.hpp"

namespace mcsim::sim {
namespace {

Scenario load_ok(const std::string& text) {
  auto r = load_scenario_text(text, "t.yaml");
  if (auto* e = std::get_if<LoadError>(&r)) {
    ADD_FAILURE() << e->to_string();
    return {};
  }
  return std::get<Scenario>(r);
}

void expect_error(const std::string& text, const std::string& where, const std::string& what) {
  auto r = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(std::holds_alternative<LoadError>(r)) << "loaded, expected error " << what;
  const auto& e = std::get<LoadError>(r);
  EXPECT_EQ(e.loc.to_string(), where) << e.to_string();
  EXPECT_EQ(e.message, what) << e.to_string();
}

const std::string kHead = "until: 60s\nlans: [{name: lan0}, {name: lan1}]\nhosts:\n";

TEST(HostBlock, NamesAddressesAndMacs) {
  const Scenario sc = load_ok(kHead +
                              "  - {name: h1, lan: lan0, ipv4: 10.2.0.1}\n"
                              "  - {block: 300, name: e, lan: lan0, ipv4: 10.1.0.0/16, ipv6: fe80::/64, mac: 02:00:00:01:00:00, igmp: 2, mld: 1}\n"
                              "  - {name: h2, lan: lan0}\n"
                              "  - {block: 3, name: x-, lan: lan1, ipv4: 10.1.0.250/24}\n");
  ASSERT_EQ(sc.host_blocks.size(), 2u);
  EXPECT_EQ(host_count(sc), 305u);
  const HostBlockSpec& b = sc.host_blocks[0];
  EXPECT_EQ(b.count, 300u);
  EXPECT_EQ(b.position, 1u);
  const HostSpec h0 = b.host(0), h299 = b.host(299);
  EXPECT_EQ(h0.name, "e1");
  EXPECT_EQ(h299.name, "e300");
  EXPECT_EQ(h0.ipv4->to_string(), "10.1.0.1");  // the network address is skipped
  EXPECT_EQ(h299.ipv4->to_string(), "10.1.1.44");
  EXPECT_EQ(h0.ipv6->to_string(), "fe80::1");   // the Subnet-Router anycast address is skipped
  EXPECT_EQ(h299.ipv6->to_string(), "fe80::12c");
  EXPECT_EQ(h0.mac->to_string(), "02:00:00:01:00:00");
  EXPECT_EQ(h299.mac->to_string(), "02:00:00:01:01:2b");
  EXPECT_EQ(h299.igmp, 2);
  EXPECT_EQ(h299.mld, 1);
  EXPECT_EQ(h299.lan, "lan0");
  EXPECT_EQ(b.index_of("e17"), 16u);
  EXPECT_FALSE(b.index_of("e0"));
  EXPECT_FALSE(b.index_of("e017"));
  EXPECT_FALSE(b.index_of("e301"));
  EXPECT_FALSE(b.index_of("e"));
  // A written address that is not the network address is the first one.
  EXPECT_EQ(sc.host_blocks[1].host(0).ipv4->to_string(), "10.1.0.250");
  // File order: h1, e1..e300, h2, x-1..x-3.
  std::vector<std::string> names;
  for_each_host(sc, [&](const HostSpec& h) { names.push_back(h.name); });
  ASSERT_EQ(names.size(), 305u);
  EXPECT_EQ(names[0], "h1");
  EXPECT_EQ(names[1], "e1");
  EXPECT_EQ(names[300], "e300");
  EXPECT_EQ(names[301], "h2");
  EXPECT_EQ(names[302], "x-1");
}

TEST(HostBlock, TemplatesExpandInTimeOrder) {
  const Scenario sc = load_ok(kHead +
                              "  - block: 4\n"
                              "    name: e\n"
                              "    lan: lan0\n"
                              "    ipv4: 10.1.0.0/24\n"
                              "    events:\n"
                              "      - {at: 1s, spread: 2s, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0/30, groups_per_host: 2}\n"
                              "      - {at: 10s, hosts: 2-3, socket: A, op: IP_DROP_MEMBERSHIP, group: 239.1.0.0/30, groups_per_host: 2}\n"
                              "      - {at: 20s, socket: B, op: MCAST_JOIN_SOURCE_GROUP, group: ff3e::1:0/112, source: \"2001:db8::5\"}\n"
                              "events:\n"
                              "  - {at: 1s, host: e3, socket: C, op: IP_ADD_MEMBERSHIP, group: 239.9.9.9}\n");
  Timeline t(sc);
  EXPECT_EQ(t.size(), 1u + 8u + 4u + 4u);
  std::vector<std::string> got;
  while (!t.done()) {
    int host = -2;
    const EventSpec& e = t.next(host);
    got.push_back(std::to_string(e.at / kMs) + " " + e.node + " " + std::to_string(host) + " " + e.socket + " " + e.op_name +
                  " " + e.group->to_string());
  }
  const std::vector<std::string> want = {
      // at one instant: the scenario's events first, then the templates host by host
      "1000 e3 -1 C IP_ADD_MEMBERSHIP 239.9.9.9",
      // host k at 1s + 2s * k / 4, groups (2k + j) mod 4
      "1000 e1 0 A IP_ADD_MEMBERSHIP 239.1.0.0",
      "1000 e1 0 A IP_ADD_MEMBERSHIP 239.1.0.1",
      "1500 e2 1 A IP_ADD_MEMBERSHIP 239.1.0.2",
      "1500 e2 1 A IP_ADD_MEMBERSHIP 239.1.0.3",
      "2000 e3 2 A IP_ADD_MEMBERSHIP 239.1.0.0",
      "2000 e3 2 A IP_ADD_MEMBERSHIP 239.1.0.1",
      "2500 e4 3 A IP_ADD_MEMBERSHIP 239.1.0.2",
      "2500 e4 3 A IP_ADD_MEMBERSHIP 239.1.0.3",
      // hosts 2-3 leave the groups they joined (the block index decides the group)
      "10000 e2 1 A IP_DROP_MEMBERSHIP 239.1.0.2",
      "10000 e2 1 A IP_DROP_MEMBERSHIP 239.1.0.3",
      "10000 e3 2 A IP_DROP_MEMBERSHIP 239.1.0.0",
      "10000 e3 2 A IP_DROP_MEMBERSHIP 239.1.0.1",
      "20000 e1 0 B MCAST_JOIN_SOURCE_GROUP ff3e::1:0",
      "20000 e2 1 B MCAST_JOIN_SOURCE_GROUP ff3e::1:1",
      "20000 e3 2 B MCAST_JOIN_SOURCE_GROUP ff3e::1:2",
      "20000 e4 3 B MCAST_JOIN_SOURCE_GROUP ff3e::1:3",
  };
  EXPECT_EQ(got, want);
}

// Spread times are exact floors, also where spread * k overflows 64 bits.
TEST(HostBlock, SpreadTimesAreExact) {
  BlockEventSpec t;
  t.ev.at = seconds(1);
  t.spread = seconds(3600);
  t.last = 999'999;  // 1,000,000 hosts
  EXPECT_EQ(t.at_of(0), seconds(1));
  EXPECT_EQ(t.at_of(999'999), seconds(1) + 3'599'996'400'000);  // 3600 s * 999999 / 1000000
  t.ev.at = 0;
  t.spread = Duration{1} << 62;
  t.last = 2;  // 3 hosts: 2^62 * 2 / 3 = 3074457345618258602.67
  EXPECT_EQ(t.at_of(2), 3'074'457'345'618'258'602);
  t.groups_per_host = 4;  // the 4 actions of a host share its time
  EXPECT_EQ(t.at_of(11), 3'074'457'345'618'258'602);
  EXPECT_EQ(t.host_of(11), 2u);
}

// 10,000 hosts in a file of a few lines: the 100,000-YAML-node limit does not count hosts.
TEST(HostBlock, TenThousandHostsInFiveLines) {
  const Scenario sc = load_ok(kHead + "  - {block: 10000, name: e, lan: lan0, ipv4: 10.1.0.0/16, events: [{at: 1s, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0/16}]}\n");
  EXPECT_EQ(host_count(sc), 10000u);
  EXPECT_TRUE(sc.hosts.empty());
  EXPECT_TRUE(sc.events.empty());
  EXPECT_EQ(Timeline(sc).size(), 10000u);
  EXPECT_EQ(sc.host_blocks[0].host(9999).ipv4->to_string(), "10.1.39.16");
}

std::vector<std::string> run_log(const Scenario& sc) {
  SimOptions opt;
  opt.log = LogMode::Json;
  Simulation s(sc, opt);
  EXPECT_EQ(s.error(), "");
  s.run();
  EXPECT_EQ(s.failures(), 0u);
  std::vector<std::string> v;
  for (const auto& e : s.log()) v.push_back(e.json.substr(0, e.json.find(",\"at\":\"t.yaml")));  // lines differ
  return v;
}

// A block runs exactly like its hosts and events written out one by one.
TEST(HostBlock, SimulatesLikeTheWrittenOutScenario) {
  const std::string common = "seed: 3\nuntil: 12s\nlans: [{name: lan0}]\n"
                             "routers: [{name: r1, lan: lan0, ipv4: 10.1.0.250, query_interval: 5s, query_response_interval: 1s}]\n";
  const Scenario block = load_ok(common +
                                 "hosts:\n"
                                 "  - {name: h0, lan: lan0, ipv4: 10.1.1.1}\n"
                                 "  - block: 3\n"
                                 "    name: e\n"
                                 "    lan: lan0\n"
                                 "    ipv4: 10.1.0.0/24\n"
                                 "    mac: 02:00:00:01:00:00\n"
                                 "    events:\n"
                                 "      - {at: 1s, spread: 300ms, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0/31}\n"
                                 "      - {at: 8s, hosts: 2-2, socket: A, op: IP_DROP_MEMBERSHIP, group: 239.1.0.0/31}\n"
                                 "  - {name: h9, lan: lan0, ipv4: 10.1.1.9}\n"
                                 "events:\n"
                                 "  - {at: 1s, host: h9, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.1}\n"
                                 "expect:\n"
                                 "  - {at: 7s, host: e3, group: 239.1.0.0, mode: exclude}\n"
                                 "  - {at: 11s, router: r1, group: 239.1.0.1, mode: exclude}\n"
                                 "  - {at: 11s, host: e2, group: 239.1.0.1, member: false}\n");
  const Scenario flat = load_ok(common +
                                "hosts:\n"
                                "  - {name: h0, lan: lan0, ipv4: 10.1.1.1}\n"
                                "  - {name: e1, lan: lan0, ipv4: 10.1.0.1, mac: 02:00:00:01:00:00}\n"
                                "  - {name: e2, lan: lan0, ipv4: 10.1.0.2, mac: 02:00:00:01:00:01}\n"
                                "  - {name: e3, lan: lan0, ipv4: 10.1.0.3, mac: 02:00:00:01:00:02}\n"
                                "  - {name: h9, lan: lan0, ipv4: 10.1.1.9}\n"
                                "events:\n"
                                "  - {at: 1s, host: h9, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.1}\n"
                                "  - {at: 1s, host: e1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0}\n"
                                "  - {at: 1100ms, host: e2, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.1}\n"
                                "  - {at: 1200ms, host: e3, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0}\n"
                                "  - {at: 8s, host: e2, socket: A, op: IP_DROP_MEMBERSHIP, group: 239.1.0.1}\n"
                                "expect:\n"
                                "  - {at: 7s, host: e3, group: 239.1.0.0, mode: exclude}\n"
                                "  - {at: 11s, router: r1, group: 239.1.0.1, mode: exclude}\n"
                                "  - {at: 11s, host: e2, group: 239.1.0.1, member: false}\n");
  const auto a = run_log(block), b = run_log(flat);
  ASSERT_GT(a.size(), 30u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "log line " << i;
}

TEST(HostBlock, Errors) {
  const std::string b = "  - {block: 10, name: e, lan: lan0";
  expect_error(kHead + b + ", ipv4: 10.1.0.0/29}\n", "t.yaml:4:43",
               "ipv4: 10 hosts do not fit in 10.1.0.0/29 from 10.1.0.1 (room for 6, up to 10.1.0.6)");
  expect_error(kHead + b + ", ipv4: 10.1.0.250/24}\n", "t.yaml:4:43",
               "ipv4: 10 hosts do not fit in 10.1.0.250/24 from 10.1.0.250 (room for 5, up to 10.1.0.254)");
  expect_error(kHead + b + ", ipv4: 223.255.255.250}\n", "t.yaml:4:43",
               "ipv4: 10 hosts do not fit from 223.255.255.250 (room for 6, up to 223.255.255.255)");
  expect_error(kHead + b + ", ipv4: 10.1.0.0/31}\n", "t.yaml:4:43",
               "ipv4: a block's prefix is at most /30 (network and broadcast addresses are skipped), got /31");
  expect_error(kHead + b + ", ipv4: 10.1.0.0/33}\n", "t.yaml:4:43", "ipv4: bad prefix length '33' in '10.1.0.0/33' (0..32)");
  expect_error(kHead + b + ", ipv4: fe80::1}\n", "t.yaml:4:43", "ipv4: fe80::1 is not an IPv4 address");
  expect_error(kHead + b + ", ipv6: fe80::fff8/125}\n", "t.yaml:4:43",
               "ipv6: 10 hosts do not fit in fe80::fff8/125 from fe80::fff9 (room for 7)");
  expect_error(kHead + b + ", ipv6: fe80::ffff:ffff:ffff:fff8}\n", "t.yaml:4:43",
               "ipv6: 10 hosts do not fit in the low 64 bits from fe80::ffff:ffff:ffff:fff8 (room for 8)");
  expect_error(kHead + b + ", mac: 02:ff:ff:ff:ff:fa}\n", "t.yaml:4:42",
               "mac: 10 MACs from 02:ff:ff:ff:ff:fa would carry into the first octet; start lower (room for 6)");
  expect_error(kHead + "  - {block: 0, name: e, lan: lan0}\n", "t.yaml:4:13", "block (number of hosts): 0 is out of range (1..1000000)");
  expect_error(kHead + "  - {block: 600000, name: e, lan: lan0}\n  - {block: 600000, name: f, lan: lan0}\n", "t.yaml:5:13",
               "block: 600000 hosts bring the scenario to 1200000 hosts (limit 1000000)");
  expect_error(kHead + "  - {block: 10, name: e1, lan: lan0}\n", "t.yaml:4:23",
               "name: a block's name prefix must not end in a digit (hosts are named e11, e12 ...; write e.g. 'e1-')");
  expect_error(kHead + "  - {block: 10, lan: lan0}\n", "t.yaml:4:5",
               "host block: missing required key 'name' (the name prefix: 'name: e' names the hosts e1, e2 ...)");
  expect_error(kHead + "  - {name: e7, lan: lan0}\n" + b + "}\n", "t.yaml:5:23",
               "block 'e' of 10 hosts names a host 'e7', already defined at t.yaml:4:12");
  expect_error(kHead + b + "}\n  - {name: e10, lan: lan0}\n", "t.yaml:5:12",
               "duplicate name 'e10' (host 10 of block 'e' at t.yaml:4:5)");
  expect_error(kHead + b + "}\n" + b + "}\n", "t.yaml:5:23", "duplicate block name 'e' (first defined at t.yaml:4:5)");
  expect_error(kHead + b + ", ipv4: 10.1.0.0/24}\n  - {name: h1, lan: lan0, ipv4: 10.1.0.5}\n", "t.yaml:5:33",
               "ipv4: host 'h1' (10.1.0.5) overlaps block 'e' (10.1.0.1 to 10.1.0.10 at t.yaml:4:43) on LAN 'lan0'");
  expect_error(kHead + b + ", mac: 02:00:00:00:01:00}\n  - {block: 5, name: f, lan: lan0, mac: 02:00:00:00:00:fc}\n",
               "t.yaml:5:41",
               "mac: block 'f' (02:00:00:00:00:fc to 02:00:00:00:01:00) overlaps block 'e' (02:00:00:00:01:00 to 02:00:00:00:01:09 at t.yaml:4:42) on LAN 'lan0'");
  // The same addresses on another LAN are another link.
  load_ok(kHead + b + ", ipv4: 10.1.0.0/24}\n  - {name: h1, lan: lan1, ipv4: 10.1.0.5}\n");
  expect_error(kHead + b + ", mtu: 1500}\n", "t.yaml:4:37",
               "unknown key 'mtu' in a host block (did you mean 'mac'?); valid keys: block, name, lan, ipv4, ipv6, mac, igmp, mld, robustness, "
               "unsolicited_report_interval, solicited_node, events");
  // Event templates.
  const std::string ev = b + ", events: [{at: 1s, socket: A, op: IP_ADD_MEMBERSHIP";
  expect_error(kHead + ev + ", group: 239.1.0.0/24, host: e1}]}\n", "t.yaml:4:116",
               "key 'host' does not apply to a block's events (every host of block 'e' acts; 'hosts: 1-100' selects some of them)");
  expect_error(kHead + b + ", events: [{at: 1s, op: QUERY}]}\n", "t.yaml:4:59",
               "op QUERY cannot be a block's event: a block has hosts only (write it under the top-level 'events')");
  expect_error(kHead + ev + ", group: 239.1.0.1/24}]}\n", "t.yaml:4:96",
               "group: 239.1.0.1/24 has host bits set; write the range's first group: 239.1.0.0/24");
  expect_error(kHead + ev + ", group: 10.1.0.0/24}]}\n", "t.yaml:4:96",
               "group: 10.1.0.0/24 is not a multicast range (IPv4 224.0.0.0/4, IPv6 ff00::/8)");
  expect_error(kHead + ev + ", group: 224.0.0.0/3}]}\n", "t.yaml:4:96",
               "group: 224.0.0.0/3 is too wide; a group range is at most /4 (2^28 groups)");
  expect_error(kHead + ev + ", group: ff3e::/64}]}\n", "t.yaml:4:96",
               "group: ff3e::/64 is too wide; a group range is at most /96 (2^32 groups)");
  expect_error(kHead + ev + ", group: ff3e::/120}]}\n", "t.yaml:4:96",
               "group: IP_ADD_MEMBERSHIP is an IPv4 option but ff3e:: is IPv6");
  expect_error(kHead + ev + ", group: 239.1.0.0/30, groups_per_host: 5}]}\n", "t.yaml:4:127",
               "groups_per_host: 5 is more than the 4 group(s) of 239.1.0.0/30");
  expect_error(kHead + b + ", events: [{at: 1s, socket: A, op: CLOSE, groups_per_host: 2}]}\n", "t.yaml:4:94",
               "groups_per_host: needs a 'group' range (239.1.0.0/24) to take the groups from");
  expect_error(kHead + ev + ", group: 239.1.0.0/24, hosts: 5-11}]}\n", "t.yaml:4:117",
               "hosts: 5-11 goes beyond the block's 10 hosts");
  expect_error(kHead + ev + ", group: 239.1.0.0/24, hosts: 5}]}\n", "t.yaml:4:117",
               "hosts: expected a range of the block's hosts such as 1-100 (1-based, first-last), got '5'");
  expect_error(kHead + ev + ", group: 239.1.0.0/24, spread: 60s}]}\n", "t.yaml:4:118",
               "at 1s + spread 60s is beyond the end of the run (until: 60s)");
  expect_error(kHead + ev + ", group: 239.1.0.0/24, sprea: 1s}]}\n", "t.yaml:4:110",
               "unknown key 'sprea' in a block's event (did you mean 'spread'?); valid keys: at, op, socket, group, source, "
               "sources, mode, interface, expect, state, count, value, spread, hosts, groups_per_host");
  // Names of block hosts are known to events and expectations; others are not.
  expect_error(kHead + b + "}\nevents: [{at: 1s, host: e11, op: LINK, state: down}]\n", "t.yaml:5:25",
               "unknown host 'e11'; defined: e1..e10");
}

// RFC 9776 §5.2: answers leave before queued state changes; FIFO within a class.
TEST(SendQueue, AnswersFirstThenStateChangesInOrder) {
  SendQueue<int> q;
  for (int i = 0; i < 1000; ++i) q.push(i, SendClass::StateChange);  // a join storm
  q.push(5000, SendClass::Answer);                                     // a query arrives
  q.push(5001, SendClass::Answer);
  q.push(1000, SendClass::StateChange);
  EXPECT_EQ(q.size(), 1003u);
  EXPECT_EQ(q.answers(), 2u);
  EXPECT_EQ(q.pop(), 5000);
  EXPECT_EQ(q.pop(), 5001);
  for (int i = 0; i <= 1000; ++i) EXPECT_EQ(q.pop(), i);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace mcsim::sim
