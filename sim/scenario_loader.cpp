// YAML scenario loader (docs/scenarios.md is the reference). Two passes over the text:
// 1. an event-level pre-scan (YAML::Parser + EventHandler) that rejects aliases, nesting deeper
//    than kMaxDepth, more than kMaxNodes nodes and duplicate keys, each with its position;
// 2. YAML::Load into a node tree, walked with strict per-mapping key checks.
// Every problem becomes a LoadError (file:line:column, 1-based); nothing throws out of here.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <tuple>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/ch395/ch395.h"
#include "stack/api/profile.hpp"

namespace mcsim::sim {
namespace {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 100'000;
constexpr std::size_t kMaxFileBytes = 16u << 20;

struct Failure {
  LoadError err;
};

SourceLoc loc_of(const std::string& file, const YAML::Mark& m) {
  SourceLoc l;
  l.file = file;
  if (m.line >= 0) l.line = m.line + 1;
  if (m.column >= 0) l.column = m.column + 1;
  return l;
}

// ---- "did you mean" --------------------------------------------------------------------------

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const auto ca = static_cast<unsigned char>(a[i - 1]), cb = static_cast<unsigned char>(b[j - 1]);
      const std::size_t sub = (std::tolower(ca) == std::tolower(cb)) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 64) return {};
  std::string best;
  std::size_t best_d = 3;  // suggest only near misses (distance <= 2, case ignored)
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string quote_str(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > 80) out += "...";
  return out + "'";
}

// ---- pass 1: event pre-scan ------------------------------------------------------------------

class PreScan final : public YAML::EventHandler {
 public:
  explicit PreScan(std::string file) : file_(std::move(file)) {}

  void OnDocumentStart(const YAML::Mark& m) override {
    if (++documents_ > 1) fail(m, "only one YAML document per scenario file (found a second '---')");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
    fail(m, "YAML aliases (*name) are not supported in scenarios; write the value out");
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string& v) override {
    node(m, &v);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, nullptr);
    push(m, false);
  }
  void OnSequenceEnd() override { pop(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, nullptr);
    push(m, true);
  }
  void OnMapEnd() override { pop(); }

 private:
  struct Frame {
    bool is_map;
    bool expect_key = true;
    std::map<std::string, YAML::Mark> keys;
  };

  [[noreturn]] void fail(const YAML::Mark& m, std::string msg) { throw Failure{{loc_of(file_, m), std::move(msg)}}; }

  void node(const YAML::Mark& m, const std::string* scalar) {
    if (++nodes_ > kMaxNodes)
      fail(m, "scenario too large: more than " + std::to_string(kMaxNodes) + " YAML nodes");
    if (stack_.empty() || !stack_.back().is_map) return;
    Frame& f = stack_.back();
    if (f.expect_key && scalar != nullptr) {
      auto [it, fresh] = f.keys.emplace(*scalar, m);
      if (!fresh)
        fail(m, "duplicate key " + quote_str(*scalar) + " in one mapping (first at line " +
                    std::to_string(it->second.line + 1) + ")");
    }
    f.expect_key = !f.expect_key;
  }
  void push(const YAML::Mark& m, bool is_map) {
    if (static_cast<int>(stack_.size()) >= kMaxDepth)
      fail(m, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    stack_.push_back(Frame{is_map, true, {}});
  }
  void pop() {
    if (!stack_.empty()) stack_.pop_back();
  }

  std::string file_;
  std::vector<Frame> stack_;
  std::size_t nodes_ = 0;
  int documents_ = 0;
};

// ---- pass 2: the scenario --------------------------------------------------------------------

const std::vector<std::string> kTopKeys = {"name", "seed", "profile", "until", "lans", "routers",
                                           "hosts", "switches", "devices", "events", "expect"};
const std::vector<std::string> kDeviceKeys = {"name", "kind", "lan",    "firmware",        "mac",      "ipv4",
                                              "gateway", "mask", "groups", "report_interval", "leave_at", "runt"};
const std::vector<std::string> kLanKeys = {"name", "mtu", "latency", "loss", "duplicate"};
const std::vector<std::string> kHostKeys = {"name", "lan",  "ipv4",       "ipv6",
                                            "mac",  "igmp", "mld",        "robustness",
                                            "unsolicited_report_interval", "solicited_node"};
const std::vector<std::string> kBlockKeys = {"block", "name", "lan", "ipv4", "ipv6", "mac", "igmp", "mld", "robustness",
                                             "unsolicited_report_interval", "solicited_node", "events"};
constexpr std::uint64_t kMaxHosts = 1'000'000;  // node indexes are int; default MACs have 24 bits
const std::vector<std::string> kRouterKeys = {"name",
                                              "lan",
                                              "ipv4",
                                              "ipv6",
                                              "mac",
                                              "igmp",
                                              "mld",
                                              "require_router_alert",
                                              "robustness",
                                              "query_interval",
                                              "query_response_interval",
                                              "last_member_query_interval",
                                              "last_member_query_count"};
const std::vector<std::string> kSwitchKeys = {"name", "ports", "snooping"};
const std::vector<std::string> kEventKeys = {
    "at",    "host",   "router",    "lan",    "op",       "socket",  "group",   "source",
    "sources", "mode", "interface", "expect", "state",    "version", "max_resp", "s_flag",
    "qrv",   "qqi",    "frame",     "count",  "value",    "family"};
const std::vector<std::string> kBlockEventKeys = {
    "at",    "op",       "socket",  "group",   "source", "sources", "mode",     "interface", "expect",
    "state", "count",    "value",   "spread",  "hosts",  "groups_per_host"};
const std::vector<std::string> kExpectKeys = {"at",     "host",   "router", "group",    "mode",   "sources",
                                              "member", "socket", "source", "receives", "querier"};
const std::vector<std::string> kSpecialOps = {"CLOSE", "SET_FILTER", "LINK", "INJECT", "QUERY", "SEND"};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  Scenario load(const YAML::Node& root) {
    Scenario sc;
    sc.file = file_;
    sc.name = file_;
    if (!root.IsDefined() || root.IsNull())
      fail(root, "empty scenario: expected a mapping with at least 'hosts' or 'routers'");
    check_map(root, "the scenario (top level)", kTopKeys);
    if (auto n = root["name"]) sc.name = str(n, "name");
    if (auto n = root["seed"]) sc.seed = uint(n, "seed", 0, UINT64_MAX);
    if (auto n = root["profile"]) {
      sc.profile = str(n, "profile");
      auto p = api::Profile::by_name(sc.profile);
      if (!p) fail(n, "unknown profile " + quote_str(sc.profile) + "; valid: windows, linux" +
                          did_you_mean(sc.profile, {"windows", "linux"}));
    }
    profile_ = api::Profile::by_name(sc.profile)->kind;
    if (auto n = root["until"]) sc.until = duration(n, "until");

    if (auto n = root["lans"])
      for (auto it : list(n, "lans", "a list of LAN mappings")) sc.lans.push_back(lan(it));
    if (auto n = root["routers"])
      for (auto it : list(n, "routers", "a list of router mappings")) sc.routers.push_back(router(it));
    if (auto n = root["hosts"]) {
      for (auto it : list(n, "hosts", "a list of host mappings")) {
        if (it.IsMap() && it["block"]) sc.host_blocks.push_back(block(it, sc));
        else sc.hosts.push_back(host(it));
      }
      check_overlaps();
    }
    if (auto n = root["switches"])
      for (auto it : list(n, "switches", "a list of switch mappings")) sc.switches.push_back(sw(it));
    if (auto n = root["devices"])
      for (auto it : list(n, "devices", "a list of device mappings")) sc.devices.push_back(device(it));

    if (auto n = root["events"]) {
      Time prev = 0;
      SourceLoc prev_loc;
      for (auto it : list(n, "events", "a list of event mappings")) {
        EventSpec e = event(it, sc);
        if (e.at < prev)
          fail(it["at"], "time goes backwards: at " + fmt_time(e.at) + " is before the previous event's " +
                             fmt_time(prev) + " (line " + std::to_string(prev_loc.line) +
                             "); events must be in non-decreasing 'at' order");
        prev = e.at;
        prev_loc = e.loc;
        sc.events.push_back(std::move(e));
      }
    }
    if (auto n = root["expect"])
      for (auto it : list(n, "expect", "a list of expectation mappings")) sc.expects.push_back(expect(it, sc));
    return sc;
  }

 private:
  // ---- errors and shapes ----
  [[noreturn]] void fail(const YAML::Node& n, std::string msg) const {
    throw Failure{{loc_of(file_, n.Mark()), std::move(msg)}};
  }
  [[noreturn]] void fail_at(const SourceLoc& l, std::string msg) const { throw Failure{{l, std::move(msg)}}; }

  SourceLoc loc(const YAML::Node& n) const { return loc_of(file_, n.Mark()); }

  static std::string kind_name(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Null: return "nothing";
      case YAML::NodeType::Scalar: return "a scalar " + quote_str(n.Scalar());
      case YAML::NodeType::Sequence: return "a list";
      case YAML::NodeType::Map: return "a mapping";
      default: return "nothing";
    }
  }

  void check_map(const YAML::Node& n, const std::string& what, const std::vector<std::string>& keys) const {
    if (!n.IsMap()) fail(n, what + ": expected a mapping, got " + kind_name(n));
    std::map<std::string, int> seen;
    for (auto kv : n) {
      const YAML::Node& k = kv.first;
      if (!k.IsScalar()) fail(k, what + ": keys must be plain words, got " + kind_name(k));
      const std::string& key = k.Scalar();
      if (++seen[key] > 1) fail(k, "duplicate key " + quote_str(key) + " in " + what);
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        fail(k, "unknown key " + quote_str(key) + " in " + what + did_you_mean(key, keys) + "; valid keys: " + join(keys));
    }
  }

  std::vector<YAML::Node> list(const YAML::Node& n, const std::string& what, const std::string& expected) const {
    if (n.IsNull()) return {};
    if (!n.IsSequence()) fail(n, what + ": expected " + expected + ", got " + kind_name(n));
    std::vector<YAML::Node> v;
    for (auto it : n) v.push_back(it);
    return v;
  }

  std::string scalar(const YAML::Node& n, const std::string& what, const std::string& expected) const {
    if (!n.IsScalar()) fail(n, what + ": expected " + expected + ", got " + kind_name(n));
    return n.Scalar();
  }

  std::string str(const YAML::Node& n, const std::string& what) const {
    std::string s = scalar(n, what, "a string");
    if (s.empty()) fail(n, what + ": must not be empty");
    return s;
  }

  std::uint64_t uint(const YAML::Node& n, const std::string& what, std::uint64_t lo, std::uint64_t hi) const {
    const std::string s = scalar(n, what, "a whole number");
    const std::string range = " (" + std::to_string(lo) + ".." + std::to_string(hi) + ")";
    if (!s.empty() && s[0] == '-') fail(n, what + ": must not be negative, got " + quote_str(s) + range);
    if (s.empty() || s.size() > 40 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      fail(n, what + ": expected a whole number, got " + quote_str(s));
    std::uint64_t v = 0;
    for (char c : s) {
      const auto d = static_cast<std::uint64_t>(c - '0');
      if (v > (UINT64_MAX - d) / 10) fail(n, what + ": " + quote_str(s) + " is too large" + range);
      v = v * 10 + d;
    }
    if (v < lo || v > hi) fail(n, what + ": " + s + " is out of range" + range);
    return v;
  }

  double probability(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what, "a number between 0 and 1");
    if (!s.empty() && s[0] == '-') fail(n, what + ": must not be negative, got " + quote_str(s));
    std::size_t used = 0;
    double v = -1;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size() || !(v >= 0.0 && v <= 1.0))
      fail(n, what + ": expected a probability between 0 and 1, got " + quote_str(s));
    return v;
  }

  bool boolean(const YAML::Node& n, const std::string& what) const {
    std::string s = scalar(n, what, "true or false");
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(n, what + ": expected true or false, got " + quote_str(n.Scalar()));
  }

  Duration duration(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what, "a duration (125s, 500ms ...)");
    if (!s.empty() && s[0] == '-') fail(n, what + ": a duration must not be negative, got " + quote_str(s));
    if (!s.empty() && s != "0" && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }))
      fail(n, what + ": duration needs a unit: " + s + "s, 500ms ... (got " + quote_str(s) + ")");
    auto d = parse_duration(s);
    if (!d) fail(n, what + ": bad duration " + quote_str(s) + "; write a number and a unit: ns, us, ms, s, m, h (125s, 500ms, 1.5s)");
    return *d;
  }

  static std::string fmt_time(Time t) {
    if (t % kSec == 0) return std::to_string(t / kSec) + "s";
    if (t % kMs == 0) return std::to_string(t / kMs) + "ms";
    if (t % kUs == 0) return std::to_string(t / kUs) + "us";
    return std::to_string(t) + "ns";
  }

  Ipv4Addr ipv4_unicast(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what, "an IPv4 address");
    auto a = Ipv4Addr::parse(s);
    if (!a) fail(n, what + ": bad IPv4 address " + quote_str(s));
    if (!a->is_valid_source()) fail(n, what + ": " + s + " is not a unicast address");
    return *a;
  }
  Ipv6Addr ipv6_unicast(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what, "an IPv6 address");
    auto a = Ipv6Addr::parse(s);
    if (!a) fail(n, what + ": bad IPv6 address " + quote_str(s));
    if (!a->is_valid_source()) fail(n, what + ": " + s + " is not a unicast address");
    return *a;
  }
  MacAddr mac(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what, "a MAC address (02:00:00:00:00:01)");
    auto a = MacAddr::parse(s);
    if (!a) fail(n, what + ": bad MAC address " + quote_str(s) + " (write 02:00:00:00:00:01)");
    if (a->is_multicast()) fail(n, what + ": " + s + " is a group MAC address; a node needs a unicast one");
    return *a;
  }
  IpAddr ip(const YAML::Node& n, const std::string& what) const {
    const std::string s = scalar(n, what, "an IP address");
    auto a = IpAddr::parse(s);
    if (!a) fail(n, what + ": bad IP address " + quote_str(s) + " (IPv6 addresses in a list may need quotes)");
    return *a;
  }
  IpAddr group(const YAML::Node& n, bool strict) {
    if (template_block_ && n.IsScalar() && n.Scalar().find('/') != std::string::npos) return group_range(n);
    IpAddr g = ip(n, "group");
    if (strict && !g.is_multicast())
      fail(n, "group: " + g.to_string() + " is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)");
    return g;
  }
  IpAddr source(const YAML::Node& n, const std::string& what, const std::optional<IpAddr>& g, bool strict) const {
    IpAddr s = ip(n, what);
    if (!strict) return s;
    if (s.is_multicast()) fail(n, what + ": " + s.to_string() + " is multicast; a source must be a unicast address");
    if (s.is_unspecified()) fail(n, what + ": " + s.to_string() + " is unspecified; a source must be a unicast address");
    if (g && g->family != s.family)
      fail(n, what + ": family mismatch: source " + s.to_string() + " is " + (s.family == Family::V4 ? "IPv4" : "IPv6") +
                  " but group " + g->to_string() + " is " + (g->family == Family::V4 ? "IPv4" : "IPv6"));
    return s;
  }
  std::vector<IpAddr> sources(const YAML::Node& n, const std::optional<IpAddr>& g, bool strict) const {
    if (!n.IsSequence() && !n.IsNull()) fail(n, "sources: expected a list of addresses, got " + kind_name(n));
    std::vector<IpAddr> v;
    for (auto s : n) {
      if (!s.IsScalar()) fail(s, "sources: expected a list of addresses, got " + kind_name(s) + " in the list");
      IpAddr a = source(s, "sources", g, strict);
      if (std::find(v.begin(), v.end(), a) != v.end()) fail(s, "sources: " + a.to_string() + " listed twice");
      v.push_back(a);
    }
    return v;
  }
  FilterMode mode(const YAML::Node& n) const {
    const std::string s = scalar(n, "mode", "include or exclude");
    std::string l = s;
    std::transform(l.begin(), l.end(), l.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    if (l == "include") return FilterMode::Include;
    if (l == "exclude") return FilterMode::Exclude;
    fail(n, "mode: expected include or exclude, got " + quote_str(s));
  }

  void define_name(const std::string& name, const YAML::Node& n) {
    if (const HostBlockSpec* b = block_of(name))
      fail(n, "duplicate name " + quote_str(name) + " (host " + std::to_string(*b->index_of(name) + 1) + " of block " +
                  quote_str(b->base.name) + " at " + b->base.loc.to_string() + ")");
    auto [it, fresh] = names_.emplace(name, loc(n));
    if (!fresh) fail(n, "duplicate name " + quote_str(name) + " (first defined at " + it->second.to_string() + ")");
  }
  /// The block that has a host of this name, or nullptr.
  const HostBlockSpec* block_of(std::string_view name) const {
    for (const auto& b : blocks_)
      if (b.index_of(name)) return &b;
    return nullptr;
  }
  void check_lan_ref(const std::string& lan, const SourceLoc& l, const std::string& who) const {
    if (!lans_.count(lan)) {
      std::vector<std::string> all(lans_.begin(), lans_.end());
      fail_at(l, who + " is on unknown LAN " + quote_str(lan) + did_you_mean(lan, all) +
                     (all.empty() ? "; no LANs are defined (add them under 'lans')" : "; LANs: " + join(all)));
    }
  }
  /// The required `lan` key of a node, checked against the defined LANs.
  std::string required_lan(const YAML::Node& m, const std::string& who) {
    auto ln = m["lan"];
    if (!ln) fail(m, who + ": missing required key 'lan'");
    std::string lan = str(ln, "lan");
    check_lan_ref(lan, loc(ln), who);
    return lan;
  }
  std::string node_name(const YAML::Node& m, const std::string& what) {
    auto n = m["name"];
    if (!n) fail(m, what + ": missing required key 'name'");
    std::string s = str(n, what + " name");
    define_name(s, n);
    return s;
  }

  // ---- topology ----
  LanSpec lan(const YAML::Node& m) {
    check_map(m, "a LAN", kLanKeys);
    LanSpec l;
    l.loc = loc(m);
    l.name = node_name(m, "LAN");
    lans_.insert(l.name);
    if (auto n = m["mtu"]) l.mtu = static_cast<std::uint32_t>(uint(n, "mtu", 68, 65535));
    if (auto n = m["latency"]) l.latency = duration(n, "latency");
    if (auto n = m["loss"]) l.loss = probability(n, "loss");
    if (auto n = m["duplicate"]) l.duplicate = probability(n, "duplicate");
    return l;
  }

  HostSpec host(const YAML::Node& m) {
    check_map(m, "a host", kHostKeys);
    HostSpec h;
    h.loc = loc(m);
    h.name = node_name(m, "host");
    hosts_.insert(h.name);
    h.lan = required_lan(m, "host " + quote_str(h.name));
    const std::string who = "host " + quote_str(h.name);
    if (auto n = m["ipv4"]) {
      h.ipv4 = ipv4_unicast(n, "ipv4");
      ranges_.push_back({h.lan, 0, 0, h.ipv4->to_u32(), h.ipv4->to_u32(), who, loc(n), false, ranges_.size()});
    }
    if (auto n = m["ipv6"]) {
      h.ipv6 = ipv6_unicast(n, "ipv6");
      ranges_.push_back({h.lan, 1, high64(*h.ipv6), low64(*h.ipv6), low64(*h.ipv6), who, loc(n), false, ranges_.size()});
    }
    if (auto n = m["mac"]) {
      h.mac = mac(n, "mac");
      std::uint64_t v = 0;
      for (auto x : h.mac->b) v = v << 8 | x;
      ranges_.push_back({h.lan, 2, 0, v, v, who, loc(n), false, ranges_.size()});
    }
    if (auto n = m["igmp"]) h.igmp = static_cast<std::uint8_t>(uint(n, "igmp (IGMP version)", 1, 3));
    if (auto n = m["mld"]) h.mld = static_cast<std::uint8_t>(uint(n, "mld (MLD version)", 1, 2));
    if (auto n = m["robustness"]) h.robustness = static_cast<std::uint8_t>(uint(n, "robustness", 1, 7));
    if (auto n = m["unsolicited_report_interval"]) h.unsolicited_report_interval = duration(n, "unsolicited_report_interval");
    if (auto n = m["solicited_node"]) h.solicited_node = boolean(n, "solicited_node");
    return h;
  }

  RouterSpec router(const YAML::Node& m) {
    check_map(m, "a router", kRouterKeys);
    RouterSpec r;
    r.loc = loc(m);
    r.name = node_name(m, "router");
    routers_.insert(r.name);
    r.lan = required_lan(m, "router " + quote_str(r.name));
    if (auto n = m["ipv4"]) r.ipv4 = ipv4_unicast(n, "ipv4");
    if (auto n = m["ipv6"]) r.ipv6 = ipv6_unicast(n, "ipv6");
    if (auto n = m["mac"]) r.mac = mac(n, "mac");
    if (auto n = m["igmp"]) r.igmp = static_cast<std::uint8_t>(uint(n, "igmp (IGMP version, 0 = off)", 0, 3));
    if (auto n = m["mld"]) r.mld = static_cast<std::uint8_t>(uint(n, "mld (MLD version, 0 = off)", 0, 2));
    if (auto n = m["require_router_alert"]) r.require_router_alert = boolean(n, "require_router_alert");
    if (auto n = m["robustness"]) r.robustness = static_cast<std::uint8_t>(uint(n, "robustness", 1, 7));
    // RFC 9776 §4.1.7 / §8.2-§8.3 / §8.8: the QQIC resolution is 1 s and Max Resp Time's is
    // 100 ms; shorter (or zero) intervals are refused rather than run as a query storm.
    auto at_least = [&](const YAML::Node& n, const char* what, Duration min, const char* min_text) {
      const Duration d = duration(n, what);
      if (d < min) fail(n, std::string(what) + ": must be at least " + min_text + ", got " + fmt_time(d));
      return d;
    };
    if (auto n = m["query_interval"]) r.query_interval = at_least(n, "query_interval", kSec, "1s");
    if (auto n = m["query_response_interval"])
      r.query_response_interval = at_least(n, "query_response_interval", 100 * kMs, "100ms");
    if (auto n = m["last_member_query_interval"])
      r.last_member_query_interval = at_least(n, "last_member_query_interval", 100 * kMs, "100ms");
    if (auto n = m["last_member_query_count"])
      r.last_member_query_count = static_cast<std::uint8_t>(uint(n, "last_member_query_count", 1, 255));
    return r;
  }

  Ch395Spec device(const YAML::Node& m) {
    check_map(m, "a device", kDeviceKeys);
    Ch395Spec d;
    d.loc = loc(m);
    d.name = node_name(m, "device");
    auto kind = m["kind"];
    if (!kind) fail(m, "device " + quote_str(d.name) + ": missing required key 'kind' (ch395)");
    if (str(kind, "kind") != "ch395") fail(kind, "device kind: only ch395 is modelled, got " + quote_str(str(kind, "kind")));
    d.lan = required_lan(m, "device " + quote_str(d.name));
    auto fw = m["firmware"];
    if (!fw) fail(m, "device " + quote_str(d.name) + ": missing required key 'firmware'");
    d.firmware = str(fw, "firmware");
    if (ch395_firmware_is_path(d.firmware.c_str())) {
      // A shared object built against sim/ch395/ch395.h; relative to the scenario's folder.
      std::filesystem::path fp(d.firmware);
      if (fp.is_relative()) fp = std::filesystem::path(file_).parent_path() / fp;
      d.firmware = fp.string();
      char err[512];
      if (!ch395_load_firmware(d.firmware.c_str(), err, sizeof err)) fail(fw, std::string("firmware: ") + err);
    } else if (!ch395_find_firmware(d.firmware.c_str())) {
      std::vector<std::string> names;
      for (const Ch395Firmware* const* f = ch395_firmware_list(); *f; ++f) names.emplace_back((*f)->name);
      fail(fw, "firmware: no firmware named " + quote_str(d.firmware) + did_you_mean(d.firmware, names) +
                   "; built in: " + join(names));
    }
    auto ip4 = m["ipv4"];
    if (!ip4) fail(m, "device " + quote_str(d.name) + ": missing required key 'ipv4'");
    d.ipv4 = ipv4_unicast(ip4, "ipv4");
    if (auto n = m["gateway"]) d.gateway = ipv4_unicast(n, "gateway");
    if (auto n = m["mask"]) {
      const std::string s = scalar(n, "mask", "a netmask such as 255.255.255.0");
      auto a = Ipv4Addr::parse(s);
      if (!a) fail(n, "mask: bad IPv4 netmask " + quote_str(s));
      d.mask = *a;
    }
    if (auto n = m["mac"]) d.mac = mac(n, "mac");
    if (auto n = m["groups"]) {
      for (auto it : list(n, "groups", "a list of IPv4 group addresses")) {
        IpAddr g = group(it, true);
        if (g.family != Family::V4) fail(it, "groups: the CH395 firmware speaks IGMP only; " + g.to_string() + " is IPv6");
        d.groups.push_back(g.v4);
      }
      if (d.groups.size() > CH395_FW_MAX_GROUPS)
        fail(n, "groups: at most " + std::to_string(CH395_FW_MAX_GROUPS) + " groups per device");
    }
    if (auto n = m["report_interval"]) d.report_interval = duration(n, "report_interval");
    if (auto n = m["leave_at"]) d.leave_at = duration(n, "leave_at");
    if (auto n = m["runt"]) {
      const std::string r = str(n, "runt");
      if (r != "strict" && r != "lenient") fail(n, "runt: expected strict or lenient, got " + quote_str(r));
      d.lenient_runts = r == "lenient";
    }
    return d;
  }

  SwitchSpec sw(const YAML::Node& m) {
    check_map(m, "a switch", kSwitchKeys);
    SwitchSpec s;
    s.loc = loc(m);
    s.name = node_name(m, "switch");
    switches_.insert(s.name);
    auto p = m["ports"];
    if (!p) fail(m, "switch " + quote_str(s.name) + ": missing required key 'ports' (a list of LAN names)");
    for (auto it : list(p, "ports", "a list of LAN names")) {
      std::string l = str(it, "ports");
      check_lan_ref(l, loc(it), "switch " + quote_str(s.name) + " port");
      if (std::find(s.ports.begin(), s.ports.end(), l) != s.ports.end())
        fail(it, "switch " + quote_str(s.name) + ": LAN " + quote_str(l) + " is on two ports");
      s.ports.push_back(l);
    }
    if (s.ports.empty()) fail(p, "switch " + quote_str(s.name) + ": needs at least one port");
    if (auto n = m["snooping"]) s.snooping = boolean(n, "snooping");
    return s;
  }

  // ---- host blocks (docs/scenarios.md "Host blocks") ----
  /// "A/len" -> (address, len); plain "A" -> (address, nullopt).
  std::pair<IpAddr, std::optional<int>> prefix(const YAML::Node& n, const std::string& what, const std::string& example) const {
    const std::string s = scalar(n, what, "an address or a prefix (" + example + ")");
    const auto slash = s.find('/');
    auto a = IpAddr::parse(s.substr(0, slash));
    if (!a) fail(n, what + ": bad address " + quote_str(s) + " (write " + example + ")");
    if (slash == std::string::npos) return {*a, std::nullopt};
    const std::string len = s.substr(slash + 1);
    const int max = a->family == Family::V4 ? 32 : 128;
    if (len.empty() || len.size() > 3 || !std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(len) > max)
      fail(n, what + ": bad prefix length " + quote_str(len) + " in " + quote_str(s) + " (0.." + std::to_string(max) + ")");
    return {*a, std::stoi(len)};
  }

  static std::uint64_t low64(const Ipv6Addr& a) {
    std::uint64_t v = 0;
    for (int i = 8; i < 16; ++i) v = v << 8 | a.b[static_cast<std::size_t>(i)];
    return v;
  }
  static std::uint64_t high64(const Ipv6Addr& a) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | a.b[static_cast<std::size_t>(i)];
    return v;
  }
  static Ipv6Addr with_low64(Ipv6Addr a, std::uint64_t v) {
    for (int i = 15; i >= 8; --i, v >>= 8) a.b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    return a;
  }

  /// `group: 239.1.0.0/24` in a block's event: the first group; template_group_span_ = size.
  IpAddr group_range(const YAML::Node& n) {
    auto [g, len] = prefix(n, "group", "239.1.0.0/24 or ff3e::1:0/112");
    const bool v4 = g.family == Family::V4;
    if (!g.is_multicast())
      fail(n, "group: " + n.Scalar() + " is not a multicast range (IPv4 224.0.0.0/4, IPv6 ff00::/8)");
    const int bits = (v4 ? 32 : 128) - *len;
    if ((v4 && *len < 4) || (!v4 && *len < 96))
      fail(n, "group: " + n.Scalar() + " is too wide; a group range is at most " + (v4 ? "/4" : "/96") + " (2^" +
                  (v4 ? "28" : "32") + " groups)");
    const std::uint64_t span = std::uint64_t{1} << bits;
    const std::uint64_t host = v4 ? (g.v4.to_u32() & (span - 1)) : (low64(g.v6) & (span - 1));
    if (host != 0) {
      const IpAddr net = v4 ? IpAddr(Ipv4Addr::from_u32(g.v4.to_u32() - static_cast<std::uint32_t>(host)))
                            : IpAddr(with_low64(g.v6, low64(g.v6) - host));
      fail(n, "group: " + n.Scalar() + " has host bits set; write the range's first group: " + net.to_string() + "/" +
                  std::to_string(*len));
    }
    template_group_span_ = span;
    return g;
  }

  HostBlockSpec block(const YAML::Node& m, const Scenario& sc) {
    check_map(m, "a host block", kBlockKeys);
    HostBlockSpec b;
    b.position = sc.hosts.size();
    b.base.loc = loc(m);
    std::uint64_t total = 0;
    for (const auto& x : sc.host_blocks) total += x.count;
    total += sc.hosts.size();
    auto cn = m["block"];
    b.count = static_cast<std::uint32_t>(uint(cn, "block (number of hosts)", 1, kMaxHosts));
    if (total + b.count > kMaxHosts)
      fail(cn, "block: " + std::to_string(b.count) + " hosts bring the scenario to " + std::to_string(total + b.count) +
                   " hosts (limit " + std::to_string(kMaxHosts) + ")");
    auto nn = m["name"];
    if (!nn) fail(m, "host block: missing required key 'name' (the name prefix: 'name: e' names the hosts e1, e2 ...)");
    b.base.name = str(nn, "name");
    const char last = b.base.name.back();
    if (last >= '0' && last <= '9')
      fail(nn, "name: a block's name prefix must not end in a digit (hosts are named " + b.base.name + "1, " + b.base.name +
                   "2 ...; write e.g. " + quote_str(b.base.name + "-") + ")");
    for (const auto& o : blocks_)
      if (o.base.name == b.base.name)
        fail(nn, "duplicate block name " + quote_str(b.base.name) + " (first defined at " + o.base.loc.to_string() + ")");
    for (const auto& [name, where] : names_)
      if (b.index_of(name))
        fail(nn, "block " + quote_str(b.base.name) + " of " + std::to_string(b.count) + " hosts names a host " +
                     quote_str(name) + ", already defined at " + where.to_string());
    const std::string who = "block " + quote_str(b.base.name);
    b.base.lan = required_lan(m, who);
    const std::uint64_t n = b.count;
    if (auto a = m["ipv4"]) {
      auto [addr, len] = prefix(a, "ipv4", "10.1.0.0/16 or 10.1.0.10");
      if (addr.family != Family::V4) fail(a, "ipv4: " + a.Scalar() + " is not an IPv4 address");
      std::uint64_t first = addr.v4.to_u32(), limit = 0xDFFFFFFFull;  // below 224.0.0.0
      std::string room;
      if (len) {
        if (*len > 30) fail(a, "ipv4: a block's prefix is at most /30 (network and broadcast addresses are skipped), got /" + std::to_string(*len));
        const std::uint64_t size = std::uint64_t{1} << (32 - *len), net = first & ~(size - 1);
        if (first == net) ++first;            // the network address is not a host's
        limit = std::min(limit, net + size - 2);  // nor the broadcast address
        room = " in " + a.Scalar();
      }
      if (first == 0 || first > limit)
        fail(a, "ipv4: " + a.Scalar() + " gives no unicast host address");
      if (first + n - 1 > limit)
        fail(a, "ipv4: " + std::to_string(n) + " hosts do not fit" + room + " from " +
                    Ipv4Addr::from_u32(static_cast<std::uint32_t>(first)).to_string() + " (room for " +
                    std::to_string(limit - first + 1) + ", up to " + Ipv4Addr::from_u32(static_cast<std::uint32_t>(limit)).to_string() + ")");
      b.base.ipv4 = Ipv4Addr::from_u32(static_cast<std::uint32_t>(first));
      ranges_.push_back({b.base.lan, 0, 0, first, first + n - 1, who, loc(a), true, ranges_.size()});
    }
    if (auto a = m["ipv6"]) {
      auto [addr, len] = prefix(a, "ipv6", "fe80::/64 or fe80::1:0");
      if (addr.family != Family::V6) fail(a, "ipv6: " + a.Scalar() + " is not an IPv6 address");
      if (!addr.v6.is_valid_source()) fail(a, "ipv6: " + a.Scalar() + " is not a unicast address");
      std::uint64_t first = low64(addr.v6), limit = UINT64_MAX;
      std::string room = " in the low 64 bits";
      if (len) {
        if (*len < 64 || *len > 126) fail(a, "ipv6: a block's prefix is /64../126, got /" + std::to_string(*len));
        const int bits = 128 - *len;
        const std::uint64_t size_m1 = bits == 64 ? UINT64_MAX : (std::uint64_t{1} << bits) - 1;
        const std::uint64_t net = first & ~size_m1;
        if (first == net) ++first;  // RFC 4291 §2.6.1: the Subnet-Router anycast address is not a host's
        limit = net + size_m1;
        room = " in " + a.Scalar();
      }
      if (limit - first < n - 1)
        fail(a, "ipv6: " + std::to_string(n) + " hosts do not fit" + room + " from " + with_low64(addr.v6, first).to_string() +
                    " (room for " + std::to_string(limit - first + 1) + ")");
      b.base.ipv6 = with_low64(addr.v6, first);
      ranges_.push_back({b.base.lan, 1, high64(addr.v6), first, first + n - 1, who, loc(a), true, ranges_.size()});
    }
    if (auto a = m["mac"]) {
      const MacAddr first = mac(a, "mac");
      std::uint64_t v = 0;
      for (auto x : first.b) v = v << 8 | x;
      const std::uint64_t low = v & 0xFFFFFFFFFFull;  // below the first octet (I/G and U/L bits)
      if (low + n - 1 > 0xFFFFFFFFFFull)
        fail(a, "mac: " + std::to_string(n) + " MACs from " + first.to_string() +
                    " would carry into the first octet; start lower (room for " + std::to_string(0xFFFFFFFFFFull - low + 1) + ")");
      b.base.mac = first;
      ranges_.push_back({b.base.lan, 2, 0, v, v + n - 1, who, loc(a), true, ranges_.size()});
    }
    if (auto x = m["igmp"]) b.base.igmp = static_cast<std::uint8_t>(uint(x, "igmp (IGMP version)", 1, 3));
    if (auto x = m["mld"]) b.base.mld = static_cast<std::uint8_t>(uint(x, "mld (MLD version)", 1, 2));
    if (auto x = m["robustness"]) b.base.robustness = static_cast<std::uint8_t>(uint(x, "robustness", 1, 7));
    if (auto x = m["unsolicited_report_interval"]) b.base.unsolicited_report_interval = duration(x, "unsolicited_report_interval");
    if (auto x = m["solicited_node"]) b.base.solicited_node = boolean(x, "solicited_node");
    if (auto ev = m["events"]) {
      for (auto it : list(ev, "events", "a list of event mappings (each host of the block does each)"))
        b.events.push_back(block_event(it, b, sc));
    }
    blocks_.push_back(b);
    blocks_.back().events.clear();  // names only
    return b;
  }

  BlockEventSpec block_event(const YAML::Node& m, const HostBlockSpec& b, const Scenario& sc) {
    if (m.IsMap())
      for (const char* key : {"host", "router", "lan"})
        if (auto n = m[key])
          fail(n, std::string("key '") + key + "' does not apply to a block's events (every host of block " +
                      quote_str(b.base.name) + " acts; 'hosts: 1-100' selects some of them)");
    check_map(m, "a block's event", kBlockEventKeys);
    BlockEventSpec t;
    template_block_ = &b;
    template_group_span_ = 1;
    t.ev = event(m, sc);
    template_block_ = nullptr;
    t.group_span = template_group_span_;
    t.last = b.count - 1;
    if (auto h = m["hosts"]) {
      const std::string s = scalar(h, "hosts", "a range of the block's hosts such as 1-100");
      const auto dash = s.find('-');
      auto num = [](const std::string& x) -> std::optional<std::uint64_t> {
        if (x.empty() || x.size() > 9 || !std::all_of(x.begin(), x.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
        return std::stoull(x);
      };
      auto lo = dash == std::string::npos ? std::nullopt : num(s.substr(0, dash));
      auto hi = dash == std::string::npos ? std::nullopt : num(s.substr(dash + 1));
      if (!lo || !hi || *lo < 1 || *lo > *hi)
        fail(h, "hosts: expected a range of the block's hosts such as 1-100 (1-based, first-last), got " + quote_str(s));
      if (*hi > b.count)
        fail(h, "hosts: " + s + " goes beyond the block's " + std::to_string(b.count) + " hosts");
      t.first = static_cast<std::uint32_t>(*lo - 1);
      t.last = static_cast<std::uint32_t>(*hi - 1);
    }
    if (auto g = m["groups_per_host"]) {
      if (!t.ev.group) fail(g, "groups_per_host: needs a 'group' range (239.1.0.0/24) to take the groups from");
      t.groups_per_host = static_cast<std::uint32_t>(uint(g, "groups_per_host", 1, 65535));
      if (t.groups_per_host > t.group_span)
        fail(g, "groups_per_host: " + std::to_string(t.groups_per_host) + " is more than the " + std::to_string(t.group_span) +
                    " group(s) of " + m["group"].Scalar());
    }
    if (auto sp = m["spread"]) {
      t.spread = duration(sp, "spread");
      if (t.spread > sc.until - t.ev.at)
        fail(sp, "at " + fmt_time(t.ev.at) + " + spread " + fmt_time(t.spread) + " is beyond the end of the run (until: " +
                     fmt_time(sc.until) + ")");
    }
    return t;
  }

  /// Refuses a block whose IPv4, IPv6 or MAC range overlaps another block's or a listed
  /// host's on the same LAN (listed hosts sharing an address are left as they were).
  void check_overlaps() const {
    std::vector<const Range*> v;
    for (const auto& r : ranges_) v.push_back(&r);
    std::sort(v.begin(), v.end(), [](const Range* a, const Range* b) {
      return std::tie(a->lan, a->kind, a->hi, a->first, a->order) < std::tie(b->lan, b->kind, b->hi, b->first, b->order);
    });
    const Range* reach = nullptr;  // the range reaching furthest so far in the same space
    for (const Range* r : v) {
      if (reach && (reach->lan != r->lan || reach->kind != r->kind || reach->hi != r->hi)) reach = nullptr;
      if (reach && r->first <= reach->last && (r->block || reach->block)) {
        const Range& later = r->order > reach->order ? *r : *reach;
        const Range& other = r->order > reach->order ? *reach : *r;
        static const char* key[] = {"ipv4", "ipv6", "mac"};
        fail_at(later.loc, std::string(key[later.kind]) + ": " + later.who + " (" + range_text(later) + ") overlaps " +
                               other.who + " (" + range_text(other) + " at " + other.loc.to_string() + ") on LAN " +
                               quote_str(later.lan));
      }
      if (!reach || r->last > reach->last) reach = r;
    }
  }

  struct Range {
    std::string lan;
    int kind;  // 0 IPv4, 1 IPv6 (hi = upper 64 bits), 2 MAC
    std::uint64_t hi, first, last;
    std::string who;
    SourceLoc loc;
    bool block;
    std::size_t order;
  };
  static std::string range_text(const Range& r) {
    auto one = [&](std::uint64_t v) {
      if (r.kind == 0) return Ipv4Addr::from_u32(static_cast<std::uint32_t>(v)).to_string();
      if (r.kind == 1) {
        Ipv6Addr a{};
        for (int i = 7; i >= 0; --i) a.b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(r.hi >> (8 * (7 - i)));
        return with_low64(a, v).to_string();
      }
      std::array<std::uint8_t, 6> m{};
      for (int i = 5; i >= 0; --i, v >>= 8) m[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
      return MacAddr(m).to_string();
    };
    return r.first == r.last ? one(r.first) : one(r.first) + " to " + one(r.last);
  }

  // ---- events ----
  void node_ref(const YAML::Node& m, NodeKind& kind, std::string& name, const std::vector<NodeKind>& allowed,
                const std::string& what) {
    if (template_block_) {  // a block's event: every host of the block (or of `hosts:`) acts
      for (const char* key : {"host", "router", "lan"})
        if (auto n = m[key])
          fail(n, std::string("key '") + key + "' does not apply to a block's events (every host of block " +
                      quote_str(template_block_->base.name) + " acts; 'hosts: 1-100' selects some of them)");
      if (std::find(allowed.begin(), allowed.end(), NodeKind::Host) == allowed.end())
        fail(m["op"], what + " cannot be a block's event: a block has hosts only (write it under the top-level 'events')");
      kind = NodeKind::Host;
      name.clear();
      return;
    }
    int count = 0;
    YAML::Node which;
    for (auto [key, k] : {std::pair{"host", NodeKind::Host}, std::pair{"router", NodeKind::Router},
                          std::pair{"lan", NodeKind::Lan}}) {
      if (auto n = m[key]) {
        ++count;
        which = n;
        kind = k;
        name = str(n, key);
      }
    }
    std::vector<std::string> names;
    for (auto k : allowed) names.push_back(k == NodeKind::Host ? "host" : k == NodeKind::Router ? "router" : "lan");
    if (count == 0) fail(m, what + ": say where it happens with one of: " + join(names));
    if (count > 1) fail(m, what + ": give only one of host, router, lan");
    if (std::find(allowed.begin(), allowed.end(), kind) == allowed.end())
      fail(which, what + " needs " + join(names) + ", not " +
                      (kind == NodeKind::Host ? "host" : kind == NodeKind::Router ? "router" : "lan"));
    const std::set<std::string>& set = kind == NodeKind::Host ? hosts_ : kind == NodeKind::Router ? routers_ : lans_;
    if (!set.count(name) && !(kind == NodeKind::Host && block_of(name))) {
      const char* kn = kind == NodeKind::Host ? "host" : kind == NodeKind::Router ? "router" : "LAN";
      std::vector<std::string> all(set.begin(), set.end());
      const std::string suggestion = did_you_mean(name, all);
      if (kind == NodeKind::Host)
        for (const auto& b : blocks_) all.push_back(b.host_name(0) + ".." + b.host_name(b.count - 1));
      fail(which, std::string("unknown ") + kn + " " + quote_str(name) + suggestion +
                      (all.empty() ? std::string("; none defined") : "; defined: " + join(all)));
    }
  }

  std::vector<std::string> op_names() const {
    std::vector<std::string> v;
    for (const auto& o : api::all_options()) {
      v.emplace_back(o.name);
      if (!o.alias.empty()) v.emplace_back(o.alias);
    }
    for (const auto& i : api::all_ioctls())
      if (i.is_set) v.emplace_back(i.name);
    for (const auto& s : kSpecialOps) v.push_back(s);
    return v;
  }

  std::vector<std::string> error_names() const {
    std::vector<std::string> v;
    for (int e = 0; e <= static_cast<int>(api::Errc::NotSock); ++e) {
      std::string s(api::error_name(profile_, static_cast<api::Errc>(e)));
      if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
    }
    return v;
  }

  static void forbid(const Loader& L, const YAML::Node& m, const std::string& op, const std::vector<std::string>& keys) {
    for (const auto& k : keys)
      if (auto n = m[k]) L.fail(n, "key " + quote_str(k) + " does not apply to op " + op);
  }

  Time at(const YAML::Node& m, const Scenario& sc, const std::string& what) const {
    auto n = m["at"];
    if (!n) fail(m, what + ": missing required key 'at'");
    Time t = duration(n, "at");
    if (t > sc.until)
      fail(n, "at " + fmt_time(t) + " is beyond the end of the run (until: " + fmt_time(sc.until) + ")");
    return t;
  }

  EventSpec event(const YAML::Node& m, const Scenario& sc) {
    if (!template_block_) check_map(m, "an event", kEventKeys);
    EventSpec e;
    e.loc = loc(m);
    e.at = at(m, sc, "event");
    auto opn = m["op"];
    if (!opn) fail(m, "event: missing required key 'op'");
    e.op_name = str(opn, "op");
    if (e.op_name == "CLOSE") e.op = OpKind::Close;
    else if (e.op_name == "SET_FILTER") e.op = OpKind::SetFilter;
    else if (e.op_name == "LINK") e.op = OpKind::Link;
    else if (e.op_name == "INJECT") e.op = OpKind::Inject;
    else if (e.op_name == "QUERY") e.op = OpKind::Query;
    else if (e.op_name == "SEND") e.op = OpKind::Send;
    else if (auto o = api::option_by_name(e.op_name)) e.op = OpKind::SocketOption, e.option = *o;
    else if (auto io = api::ioctl_by_name(e.op_name); io && api::info(*io).is_set)
      e.op = OpKind::SocketOption, e.option = api::info(*io).option;  // SIO_SET_MULTICAST_FILTER, SIOCSMSFILTER
    else fail(opn, "unknown op " + quote_str(e.op_name) + did_you_mean(e.op_name, op_names()) +
                       "; ops: a socket option name (IP_ADD_MEMBERSHIP, MCAST_JOIN_SOURCE_GROUP ...) or " +
                       join(kSpecialOps));
    const std::string& op = e.op_name;
    const std::string what = "op " + op;

    // expect (socket calls only)
    if (auto n = m["expect"]) {
      if (e.op != OpKind::SocketOption && e.op != OpKind::SetFilter && e.op != OpKind::Close)
        fail(n, "key 'expect' does not apply to op " + op);
      std::string x = str(n, "expect");
      if (x != "ok") {
        auto names = error_names();
        if (std::find(names.begin(), names.end(), x) == names.end())
          fail(n, "expect: " + quote_str(x) + " is not an error of the " + sc.profile + " profile" +
                      did_you_mean(x, names) + "; valid: ok, " + join(names));
      }
      e.expect = x;
    }
    // An expected error relaxes the address rules, so error paths of the API can be scripted.
    const bool strict = !e.expect || *e.expect == "ok";

    switch (e.op) {
      case OpKind::SocketOption:
      case OpKind::SetFilter:
      case OpKind::Close: {
        node_ref(m, e.node_kind, e.node, {NodeKind::Host}, what);
        auto s = m["socket"];
        if (!s) fail(m, what + ": missing required key 'socket' (a label such as A; sockets open on first use)");
        e.socket = str(s, "socket");
        forbid(*this, m, op, {"state", "version", "max_resp", "s_flag", "qrv", "qqi", "frame", "count", "family"});
        if (auto n = m["interface"]) e.interface = str(n, "interface");
        if (e.op == OpKind::Close) {
          forbid(*this, m, op, {"group", "source", "sources", "mode", "value", "interface"});
          break;
        }
        api::MembershipOp mop = api::MembershipOp::None;
        api::OptionFamily fam = api::OptionFamily::Any;
        bool is_filter = e.op == OpKind::SetFilter;
        bool is_value = false;
        if (e.option) {
          const auto& inf = api::info(*e.option);
          mop = inf.op;
          fam = inf.family;
          is_filter = *e.option == api::Option::IpMsfilter || *e.option == api::Option::McastMsfilter;
          is_value = mop == api::MembershipOp::None && !is_filter &&
                     *e.option != api::Option::IpMulticastIf && *e.option != api::Option::Ipv6MulticastIf;
        }
        if (is_value) {
          forbid(*this, m, op, {"group", "source", "sources", "mode"});
          auto v = m["value"];
          if (!v) fail(m, what + ": missing required key 'value'");
          e.value = static_cast<std::int64_t>(uint(v, "value", 0, 255));
          break;
        }
        forbid(*this, m, op, {"value"});
        if (mop == api::MembershipOp::None && !is_filter) {  // *_MULTICAST_IF: interface only
          forbid(*this, m, op, {"group", "source", "sources", "mode"});
          break;
        }
        auto g = m["group"];
        if (!g) fail(m, what + ": missing required key 'group'");
        e.group = group(g, strict);
        if (strict && fam != api::OptionFamily::Any &&
            (e.group->family == Family::V4) != (fam == api::OptionFamily::V4))
          fail(g, "group: " + op + " is an " + (fam == api::OptionFamily::V4 ? "IPv4" : "IPv6") +
                      " option but " + e.group->to_string() + " is " +
                      (e.group->family == Family::V4 ? "IPv4" : "IPv6"));
        const bool needs_source = mop == api::MembershipOp::JoinSource || mop == api::MembershipOp::LeaveSource ||
                                  mop == api::MembershipOp::Block || mop == api::MembershipOp::Unblock;
        if (is_filter) {
          forbid(*this, m, op, {"source"});
          auto mo = m["mode"];
          if (!mo) fail(m, what + ": missing required key 'mode' (include or exclude)");
          e.mode = mode(mo);
          if (auto n = m["sources"]) e.sources = sources(n, e.group, strict);
        } else {
          forbid(*this, m, op, {"sources", "mode"});
          if (needs_source) {
            auto s2 = m["source"];
            if (!s2) fail(m, what + ": missing required key 'source'");
            e.source = source(s2, "source", e.group, strict);
          } else {
            forbid(*this, m, op, {"source"});
          }
        }
        break;
      }
      case OpKind::Link: {
        node_ref(m, e.node_kind, e.node, {NodeKind::Host, NodeKind::Router}, what);
        forbid(*this, m, op, {"socket", "group", "source", "sources", "mode", "interface", "version", "max_resp",
                              "s_flag", "qrv", "qqi", "frame", "count", "value", "family"});
        auto s = m["state"];
        if (!s) fail(m, what + ": missing required key 'state' (up or down)");
        const std::string st = str(s, "state");
        if (st == "up") e.link_up = true;
        else if (st == "down") e.link_up = false;
        else fail(s, "state: expected up or down, got " + quote_str(st));
        break;
      }
      case OpKind::Inject: {
        node_ref(m, e.node_kind, e.node, {NodeKind::Lan}, what);
        forbid(*this, m, op, {"socket", "group", "source", "sources", "mode", "interface", "state", "version",
                              "max_resp", "s_flag", "qrv", "qqi", "count", "value", "family"});
        auto f = m["frame"];
        if (!f) fail(m, what + ": missing required key 'frame' (the Ethernet frame in hex)");
        e.frame = hex(f);
        break;
      }
      case OpKind::Query: {
        node_ref(m, e.node_kind, e.node, {NodeKind::Router}, what);
        forbid(*this, m, op, {"socket", "source", "mode", "interface", "state", "frame", "count", "value"});
        if (auto g = m["group"]) {
          e.group = group(g, true);
          e.family = e.group->family;
          if (auto f = m["family"]) {
            if (family(f) != *e.family) fail(f, "family: does not match group " + e.group->to_string());
          }
        } else if (auto f = m["family"]) {
          e.family = family(f);
        }
        if (auto v = m["version"]) {
          if (!e.family) fail(v, "version: say which protocol with 'family: ipv4' (IGMP) or 'family: ipv6' (MLD), or give a group");
          if (*e.family == Family::V4) e.version = static_cast<std::uint8_t>(uint(v, "version (IGMP)", 1, 3));
          else e.version = static_cast<std::uint8_t>(uint(v, "version (MLD)", 1, 2));
        }
        if (auto n = m["sources"]) {
          if (!e.group) fail(n, "sources: a group-and-source-specific query needs a group");
          e.sources = sources(n, e.group, true);
          const std::uint8_t need = *e.family == Family::V4 ? 3 : 2;
          if (!e.sources.empty() && e.version && *e.version != need)
            fail(n, std::string("sources: only ") + (need == 3 ? "IGMPv3" : "MLDv2") + " queries carry sources");
        }
        if (auto n = m["max_resp"]) e.max_resp = duration(n, "max_resp");
        if (auto n = m["s_flag"]) e.s_flag = boolean(n, "s_flag");
        if (auto n = m["qrv"]) e.qrv = static_cast<std::uint8_t>(uint(n, "qrv", 0, 7));
        if (auto n = m["qqi"]) e.qqi = duration(n, "qqi");
        break;
      }
      case OpKind::Send: {
        node_ref(m, e.node_kind, e.node, {NodeKind::Host}, what);
        forbid(*this, m, op, {"socket", "sources", "mode", "state", "version", "max_resp", "s_flag", "qrv", "qqi",
                              "frame", "value", "family"});
        auto g = m["group"];
        if (!g) fail(m, what + ": missing required key 'group'");
        e.group = group(g, true);
        if (auto n = m["source"]) e.source = source(n, "source", e.group, true);
        if (auto n = m["count"]) e.count = static_cast<std::uint32_t>(uint(n, "count", 1, 1'000'000));
        if (auto n = m["interface"]) e.interface = str(n, "interface");
        break;
      }
    }
    return e;
  }

  Family family(const YAML::Node& n) const {
    const std::string s = str(n, "family");
    if (s == "ipv4") return Family::V4;
    if (s == "ipv6") return Family::V6;
    fail(n, "family: expected ipv4 or ipv6, got " + quote_str(s));
  }

  std::vector<std::uint8_t> hex(const YAML::Node& n) const {
    const std::string s = scalar(n, "frame", "a hex string");
    std::string digits;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == ':' || c == '-') continue;
      if (!std::isxdigit(static_cast<unsigned char>(c)))
        fail(n, "frame: non-hex character " + quote_str(std::string(1, c)) + " at offset " + std::to_string(i) +
                    " (write the frame as hex digits, e.g. \"01005e000016...\")");
      digits += c;
    }
    if (digits.size() % 2 != 0)
      fail(n, "frame: odd number of hex digits (" + std::to_string(digits.size()) + "); each byte needs two");
    if (digits.size() / 2 < 14) fail(n, "frame: " + std::to_string(digits.size() / 2) + " bytes is shorter than an Ethernet header (14)");
    if (digits.size() / 2 > 65535) fail(n, "frame: longer than 65535 bytes");
    std::vector<std::uint8_t> out;
    out.reserve(digits.size() / 2);
    auto val = [](char c) { return static_cast<std::uint8_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10)); };
    for (std::size_t i = 0; i < digits.size(); i += 2)
      out.push_back(static_cast<std::uint8_t>(val(digits[i]) << 4 | val(digits[i + 1])));
    return out;
  }

  // ---- expectations ----
  ExpectSpec expect(const YAML::Node& m, const Scenario& sc) {
    check_map(m, "an expectation", kExpectKeys);
    ExpectSpec x;
    x.loc = loc(m);
    x.at = at(m, sc, "expectation");
    if (m["lan"]) fail(m["lan"], "expectations are about a host or a router, not a LAN");
    if (auto q = m["querier"]) {
      node_ref(m, x.node_kind, x.node, {NodeKind::Router}, "querier expectation");
      forbid(*this, m, "querier expectation", {"group", "mode", "sources", "member", "socket", "source", "receives"});
      x.querier = boolean(q, "querier");
      return x;
    }
    if (auto r = m["receives"]) {
      node_ref(m, x.node_kind, x.node, {NodeKind::Host}, "delivery expectation");
      forbid(*this, m, "delivery expectation", {"mode", "sources", "member"});
      auto s = m["socket"];
      if (!s) fail(m, "delivery expectation: missing required key 'socket'");
      x.socket = str(s, "socket");
      auto g = m["group"];
      if (!g) fail(m, "delivery expectation: missing required key 'group'");
      x.group = group(g, true);
      if (auto n = m["source"]) x.source = source(n, "source", x.group, true);
      x.receives = boolean(r, "receives");
      return x;
    }
    node_ref(m, x.node_kind, x.node, {NodeKind::Host, NodeKind::Router}, "membership expectation");
    forbid(*this, m, "membership expectation", {"socket", "source"});
    auto g = m["group"];
    if (!g) fail(m, "expectation: missing required key 'group' (or give 'querier' or 'receives')");
    x.group = group(g, true);
    if (auto n = m["member"]) x.member = boolean(n, "member");
    if (auto n = m["mode"]) x.mode = mode(n);
    if (auto n = m["sources"]) {
      if (!x.mode) fail(n, "sources: give 'mode' (include or exclude) with 'sources'");
      x.sources = sources(n, x.group, true);
    }
    if (x.mode && !x.sources) x.sources = std::vector<IpAddr>{};
    if (!x.mode && !x.member) fail(m, "membership expectation: give 'mode' (with 'sources') or 'member'");
    if (x.mode && x.member) fail(m["member"], "give either 'member' or 'mode', not both");
    return x;
  }

  std::string file_;
  std::vector<HostBlockSpec> blocks_;         // blocks defined so far (for their names)
  std::vector<Range> ranges_;                 // address / MAC ranges of blocks and listed hosts
  const HostBlockSpec* template_block_ = nullptr;  // parsing this block's events
  std::uint64_t template_group_span_ = 1;
  api::ProfileKind profile_ = api::ProfileKind::Windows;
  std::map<std::string, SourceLoc> names_;
  std::set<std::string> lans_, hosts_, routers_, switches_;
};

// First invalid UTF-8 sequence: byte offset, or npos.
std::size_t find_bad_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return i;
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = cp << 6 | (d & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string::npos;
}

}  // namespace

LoadResult load_scenario_text(const std::string& text, const std::string& name) {
  try {
    if (text.size() > kMaxFileBytes)
      return LoadError{{name, 0, 0}, "scenario too large: " + std::to_string(text.size()) + " bytes (limit " +
                                         std::to_string(kMaxFileBytes) + ")"};
    if (auto bad = find_bad_utf8(text); bad != std::string::npos) {
      SourceLoc l{name, 1, 1};
      for (std::size_t i = 0; i < bad; ++i) {
        if (text[i] == '\n') ++l.line, l.column = 1;
        else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++l.column;
      }
      return LoadError{l, "the file is not valid UTF-8 (byte 0x" +
                              std::string(1, "0123456789abcdef"[static_cast<unsigned char>(text[bad]) >> 4]) +
                              std::string(1, "0123456789abcdef"[static_cast<unsigned char>(text[bad]) & 15]) + ")"};
    }
    if (text.find('\0') != std::string::npos) {
      const std::size_t z = text.find('\0');
      SourceLoc l{name, 1, 1};
      for (std::size_t i = 0; i < z; ++i) {
        if (text[i] == '\n') ++l.line, l.column = 1;
        else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++l.column;
      }
      return LoadError{l, "NUL byte in the scenario text"};
    }
    {
      std::istringstream in(text);
      YAML::Parser parser(in);
      PreScan scan(name);
      while (parser.HandleNextDocument(scan)) {
      }
    }
    const YAML::Node root = YAML::Load(text);
    Loader loader(name);
    return loader.load(root);
  } catch (const Failure& f) {
    return f.err;
  } catch (const YAML::Exception& e) {
    std::string msg = e.msg.empty() ? std::string(e.what()) : e.msg;
    return LoadError{loc_of(name, e.mark), "YAML syntax error: " + msg};
  } catch (const std::exception& e) {
    return LoadError{{name, 0, 0}, std::string("cannot load scenario: ") + e.what()};
  } catch (...) {
    return LoadError{{name, 0, 0}, "cannot load scenario: unknown error"};
  }
}

LoadResult load_scenario_file(const std::string& path) {
  try {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return LoadError{{path, 0, 0}, "cannot read file: is a directory"};
    std::ifstream in(path, std::ios::binary);
    if (!in) return LoadError{{path, 0, 0}, std::string("cannot read file: ") + std::strerror(errno)};
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      text.append(buf, static_cast<std::size_t>(in.gcount()));
      if (text.size() > kMaxFileBytes)
        return LoadError{{path, 0, 0}, "scenario file too large (limit " + std::to_string(kMaxFileBytes) + " bytes)"};
    }
    if (in.bad()) return LoadError{{path, 0, 0}, "cannot read file: I/O error"};
    return load_scenario_text(text, path);
  } catch (const std::exception& e) {
    return LoadError{{path, 0, 0}, std::string("cannot read file: ") + e.what()};
  }
}

}  // namespace mcsim::sim
