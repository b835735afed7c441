// A scenario: topology, timeline of actions and expectations, as loaded from a YAML file
// (docs/scenarios.md is the reference). Plain values; the loader (scenario_loader.cpp)
// fills them and reports errors with file:line:column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

struct Scenario {
  std::string name;
  std::string file;
  std::uint64_t seed = 1;
  std::string profile = "windows";
  Time until = seconds(60);
  std::vector<LanSpec> lans;
  std::vector<HostSpec> hosts;
  std::vector<RouterSpec> routers;
  std::vector<SwitchSpec> switches;
  std::vector<Ch395Spec> devices;
  std::vector<EventSpec> events;   // sorted by time (stable: file order within a time)
  std::vector<ExpectSpec> expects;
};

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
