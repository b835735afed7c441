// A scenario: topology, timeline of actions and expectations, as loaded from a YAML file
// (docs/scenarios.md is the reference). Plain values; the loader (scenario_loader.cpp)
// fills them and reports errors with file:line:column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stack/addr.hpp"
#include "stack/api/options.hpp"
#include "stack/filter/filter.hpp"
#include "stack/time.hpp"

namespace mcsim::sim {

/// Where something was written (for messages at run time too).
struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
  std::string to_string() const;  // "file:line:col"
};

struct LanSpec {
  std::string name;
  std::uint32_t mtu = 1500;
  Duration latency = 0;
  double loss = 0.0;       // probability a frame is lost (seeded)
  double duplicate = 0.0;  // probability a frame is delivered twice (seeded)
  SourceLoc loc;
};

struct HostSpec {
  std::string name;
  std::string lan;
  std::optional<Ipv4Addr> ipv4;
  std::optional<Ipv6Addr> ipv6;  // link-local address used as MLD source
  std::optional<MacAddr> mac;    // default: derived from the node number
  std::uint8_t igmp = 3;         // highest IGMP version (3 = follow queriers; 1/2 = that version only)
  std::uint8_t mld = 2;          // highest MLD version
  std::optional<std::uint8_t> robustness;
  std::optional<Duration> unsolicited_report_interval;
  bool solicited_node = true;    // join the solicited-node group of ipv6 (RFC 4291 §2.7.1)
  SourceLoc loc;
};

struct RouterSpec {
  std::string name;
  std::string lan;
  std::optional<Ipv4Addr> ipv4;
  std::optional<Ipv6Addr> ipv6;
  std::optional<MacAddr> mac;
  std::uint8_t igmp = 3;  // querier version; 0 = no IGMP
  std::uint8_t mld = 2;   // 0 = no MLD
  bool require_router_alert = false;
  std::optional<std::uint8_t> robustness;
  std::optional<Duration> query_interval;
  std::optional<Duration> query_response_interval;
  std::optional<Duration> last_member_query_interval;
  std::optional<std::uint8_t> last_member_query_count;
  SourceLoc loc;
};

struct SwitchSpec {
  std::string name;
  std::vector<std::string> ports;  // LAN names, port i = ports[i]
  bool snooping = true;
  SourceLoc loc;
};

/// A WCH CH395 Ethernet controller running firmware compiled into mcsim
/// (scenarios/ch395/*.c; docs/ch395.md).
struct Ch395Spec {
  std::string name;
  std::string lan;
  std::string firmware;               // seed002_ipraw, seed002_macraw, igmpv3_reporter, ...
  std::optional<MacAddr> mac;         // default: derived from the node number
  Ipv4Addr ipv4{};
  Ipv4Addr gateway{};
  Ipv4Addr mask{255, 255, 255, 0};
  std::vector<Ipv4Addr> groups;       // groups the firmware joins (at most 8)
  Duration report_interval = 0;       // periodic send of the seed002 firmware (0: its default)
  Time leave_at = 0;                  // igmpv3_reporter leaves its groups then (0: never)
  bool lenient_runts = false;         // pad MAC-RAW frames under 60 bytes (default: strict)
  SourceLoc loc;
};

enum class NodeKind : std::uint8_t { Host, Router, Switch, Lan };

enum class OpKind : std::uint8_t {
  SocketOption,  // any option of stack/api by name (option is set)
  Close,         // close a socket
  SetFilter,     // final-state filter (mode + sources), SIOCSMSFILTER/MCAST_MSFILTER
  Link,          // link up/down of a host or router
  Inject,        // raw Ethernet frame onto a LAN
  Query,         // a router sends a query now
  Send,          // data datagram from a host to a group
};

struct EventSpec {
  Time at = 0;
  NodeKind node_kind = NodeKind::Host;
  std::string node;              // host / router / lan name
  OpKind op = OpKind::SocketOption;
  std::optional<api::Option> option;  // for SocketOption
  std::string op_name;           // as written ("IP_ADD_MEMBERSHIP", "CLOSE", ...)
  std::string socket;            // socket label; sockets open on first use
  std::optional<IpAddr> group;
  std::optional<IpAddr> source;  // single source (…_SOURCE options, SEND)
  std::vector<IpAddr> sources;   // SET_FILTER, QUERY
  std::optional<FilterMode> mode;  // SET_FILTER
  std::string interface;         // optional interface (default: the node's only one)
  std::optional<std::string> expect;  // "ok" or an error name
  bool link_up = true;           // LINK state
  // QUERY: omitted fields take the router's configured values.
  std::optional<std::uint8_t> version;
  std::optional<Duration> max_resp;
  std::optional<bool> s_flag;
  std::optional<std::uint8_t> qrv;
  std::optional<Duration> qqi;
  std::vector<std::uint8_t> frame;  // INJECT
  std::uint32_t count = 1;          // SEND: datagrams
  // Added by the loader: value of IP_MULTICAST_TTL/LOOP, IPV6_MULTICAST_HOPS/LOOP (`value:`),
  // and the family of a general QUERY (from `group`, or `family: ipv4|ipv6`; nullopt = both).
  std::optional<std::int64_t> value;
  std::optional<Family> family;
  SourceLoc loc;
};

struct ExpectSpec {
  Time at = 0;
  NodeKind node_kind = NodeKind::Host;
  std::string node;
  std::optional<IpAddr> group;
  std::optional<FilterMode> mode;    // INCLUDE {} with no sources = not a member
  std::optional<std::vector<IpAddr>> sources;
  std::optional<bool> member;        // shorthand: member: false
  // Delivery expectations (data plane): {host, socket, group, source, receives}.
  std::string socket;
  std::optional<IpAddr> source;
  std::optional<bool> receives;
  // Querier expectations: {router, querier: true|false}.
  std::optional<bool> querier;
  SourceLoc loc;
};

/// A per-host event template of a host block (`hosts: [{block: N, ..., events: [...]}]`,
/// docs/scenarios.md "Host blocks"): every host k of `first..last` (0-based block indexes)
/// does `ev` at `ev.at + spread * (k - first) / n` (n = last - first + 1), once per group
/// m = (k * groups_per_host + j) mod group_span, j < groups_per_host, on the group
/// `ev.group` + m. Generated one at a time (Timeline), never expanded in memory.
struct BlockEventSpec {
  EventSpec ev;                      // node_kind Host, node = "" (each host of the range)
  std::uint64_t group_span = 1;      // groups in `group: A/len` (1: one group for every host)
  std::uint32_t groups_per_host = 1;
  Duration spread = 0;
  std::uint32_t first = 0, last = 0;  // 0-based host indexes in the block, inclusive
  std::uint64_t size() const {
    return static_cast<std::uint64_t>(last - first + 1) * groups_per_host;
  }
  /// Time of the i-th action of this template (i < size()) and its host / group index.
  Time at_of(std::uint64_t i) const;
  std::uint32_t host_of(std::uint64_t i) const { return first + static_cast<std::uint32_t>(i / groups_per_host); }
  /// The group of host k's j-th action (ev.group + (k * groups_per_host + j) mod group_span).
  IpAddr group_of(std::uint32_t k, std::uint32_t j) const;
};

/// `count` hosts in one mapping: host k (0-based) is named `base.name` + (k + 1), has IPv4
/// `base.ipv4` + k, IPv6 `base.ipv6` + k, MAC `base.mac` + k (when given; the loader checks
/// that every one is a valid unicast address inside the written prefix), the other settings
/// of `base`. Kept compact: host(k) builds one HostSpec on demand.
struct HostBlockSpec {
  HostSpec base;                 // name = the name prefix; addresses = host 0's
  std::uint32_t count = 0;
  std::size_t position = 0;      // listed hosts (Scenario::hosts) written before the block
  std::vector<BlockEventSpec> events;
  HostSpec host(std::uint32_t k) const;
  std::string host_name(std::uint32_t k) const { return base.name + std::to_string(k + 1); }
  /// The index k of a host name of this block ("e17" -> 16), or nullopt.
  std::optional<std::uint32_t> index_of(std::string_view name) const;
};

struct Scenario {
  std::string name;
  std::string file;
  std::uint64_t seed = 1;
  std::string profile = "windows";
  Time until = seconds(60);
  std::vector<LanSpec> lans;
  std::vector<HostSpec> hosts;
  std::vector<HostBlockSpec> host_blocks;  // in file order; see HostBlockSpec::position
  std::vector<RouterSpec> routers;
  std::vector<SwitchSpec> switches;
  std::vector<Ch395Spec> devices;
  std::vector<EventSpec> events;   // sorted by time (stable: file order within a time)
  std::vector<ExpectSpec> expects;
};

/// Every host of the scenario, listed ones and blocks' ones, in file order (the order of
/// node numbers): total count, and f(const HostSpec&) for each (block hosts are built on
/// the fly and live only during the call).
std::size_t host_count(const Scenario& sc);
template <class F>
void for_each_host(const Scenario& sc, F&& f) {
  std::size_t listed = 0;
  for (const auto& b : sc.host_blocks) {
    for (; listed < b.position && listed < sc.hosts.size(); ++listed) f(sc.hosts[listed]);
    for (std::uint32_t k = 0; k < b.count; ++k) f(b.host(k));
  }
  for (; listed < sc.hosts.size(); ++listed) f(sc.hosts[listed]);
}

struct LoadError {
  SourceLoc loc;
  std::string message;  // what was wrong and what would be right
  std::string to_string() const { return loc.to_string() + ": " + message; }
};

using LoadResult = std::variant<Scenario, LoadError>;

/// Reads and validates a scenario file. Never throws; every problem is a LoadError naming
/// file:line:column (unknown key, wrong type, bad address, group not multicast, time going
/// backwards, unknown node or LAN, duplicate names, unknown option or error name...).
LoadResult load_scenario_file(const std::string& path);
/// Same from text (`name` is used as the file name in messages).
LoadResult load_scenario_text(const std::string& text, const std::string& name);

/// "125s", "500ms", "2m", "1h", "1.5s", "250us", "0" -> ns; nullopt if malformed or no unit.
std::optional<Duration> parse_duration(std::string_view s);

}  // namespace mcsim::sim
