#include "sim/compare.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "sim/json.hpp"
#include "stack/wire/codes.hpp"
#include "stack/wire/errors.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::sim::compare {
namespace {

using wire::MsgKind;

/// The fields of one message as `mcsim decode --format jsonl` has them (pcap/format.cpp);
/// both inputs fill this, so a capture and the event log of the same run give equal Msgs.
struct Fields {
  std::uint64_t where = 0;
  double time = 0;
  std::string src, dst, kind;
  std::optional<int> version;
  std::optional<std::string> group;
  std::optional<std::uint64_t> max_resp_ms, qqi_s;
  std::optional<bool> s_flag;
  std::optional<int> qrv;
  std::optional<std::vector<std::string>> sources;
  std::optional<std::vector<Msg::Record>> records;
  bool checksum_ok = true;
  std::vector<std::string> errors;
};

const char* abbrev(int type) {
  static constexpr const char* k[] = {"?", "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK"};
  return type >= 1 && type <= 6 ? k[type] : "?";
}

bool is_current_state(int type) { return type == 1 || type == 2; }  // RFC 9776 §4.2.12
bool is_state_change(int type) { return type >= 3 && type <= 6; }   // RFC 9776 §4.2.12

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string set_text(const std::vector<std::string>& s) {
  std::string out = "{";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + s[i];
  return out + "}";
}

std::string record_text(const Msg::Record& r) {
  std::string t = abbrev(r.type);
  if (t == "?") t = "type" + std::to_string(r.type);
  return t + " " + r.group + " " + set_text(r.sources);
}

/// Addresses are sorted by value (numerically), not as text.
bool addr_text_less(const std::string& a, const std::string& b) {
  auto pa = IpAddr::parse(a), pb = IpAddr::parse(b);
  if (pa && pb) {
    if (pa->family != pb->family) return pa->family < pb->family;
    return pa->family == Family::V4 ? pa->v4 < pb->v4 : pa->v6 < pb->v6;
  }
  return a < b;
}

void sort_addrs(std::vector<std::string>& v) { std::sort(v.begin(), v.end(), addr_text_less); }

/// Returns false (and sets `ignored`) for messages that are not membership messages.
bool make_msg(Fields&& f, Msg& m, bool& ignored, std::string& error) {
  ignored = false;
  auto src = IpAddr::parse(f.src);
  if (!src) {
    error = "source address '" + f.src + "' is not an IP address";
    return false;
  }
  m = Msg{};
  m.where = f.where;
  m.time = f.time;
  m.src = *src;
  const std::string& k = f.kind;
  m.query = k == "igmp_query" || k == "mld_query";
  m.report_v3 = k == "igmpv3_report" || k == "mldv2_report";
  m.join_v2 = k == "igmpv1_report" || k == "igmpv2_report" || k == "mldv1_report";
  m.leave = k == "igmpv2_leave" || k == "mldv1_done";
  if (!m.query && !m.report_v3 && !m.join_v2 && !m.leave) {
    ignored = true;  // igmp_other (DVMRP, PIMv1, mtrace, ...), mld_other
    return false;
  }
  m.head = k;
  if (f.version && m.query) m.head += " v" + std::to_string(*f.version);
  m.head += " > " + f.dst;
  if (f.group) {
    m.group = *f.group;
    const bool general = m.query && (m.group == "0.0.0.0" || m.group == "::");
    m.head += general ? " general" : " group " + m.group;
  }
  if (m.query) {
    if (f.max_resp_ms) m.head += ", max resp " + std::to_string(*f.max_resp_ms) + " ms";
    if (f.s_flag) m.head += std::string(", S ") + (*f.s_flag ? "1" : "0");
    if (f.qrv) m.head += ", QRV " + std::to_string(*f.qrv);
    if (f.qqi_s) m.head += ", QQI " + std::to_string(*f.qqi_s) + " s";
    if (f.sources) {
      sort_addrs(*f.sources);
      m.head += ", sources " + set_text(*f.sources);
    }
  }
  if (f.records) {
    m.records = std::move(*f.records);
    for (auto& r : m.records) sort_addrs(r.sources);
    // Record order inside one report carries no meaning (RFC 9776 §4.2.10: each record
    // stands alone); sort for a canonical form.
    std::sort(m.records.begin(), m.records.end(), [](const Msg::Record& a, const Msg::Record& b) {
      if (a.group != b.group) return addr_text_less(a.group, b.group);
      if (a.type != b.type) return a.type < b.type;
      return a.sources < b.sources;
    });
  }
  if (!f.errors.empty()) {
    m.tail = " [errors:";
    for (const auto& e : f.errors) m.tail += " " + e;
    m.tail += "]";
  } else if (!f.checksum_ok) {
    m.tail = " [bad checksum]";
  }
  return true;
}

// Adds one decoded message to the trace, or counts it when it is not a membership message
// (DVMRP, mtrace, ...); false with `why` when it cannot be judged (the caller names where).
bool add_msg(Trace& t, Fields&& f, std::string& why) {
  Msg m;
  bool ignored = false;
  if (make_msg(std::move(f), m, ignored, why)) {
    t.msgs.push_back(std::move(m));
    return true;
  }
  if (ignored) ++t.ignored_other;
  return ignored;
}

// ---- captures --------------------------------------------------------------------------

template <class A>
std::vector<std::string> addr_list(std::span<const A> v) {
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& a : v) out.push_back(a.to_string());
  return out;
}

/// Fills Fields with the presence rules of put_json_message (pcap/format.cpp).
template <class A>
void fill_message(Fields& f, const wire::Message<A>& m, bool usable, bool is_mld) {
  const bool is_query = m.kind == MsgKind::Query;
  if (is_query && usable) f.version = m.version;
  if (m.kind != MsgKind::V3Report && m.kind != MsgKind::Other &&
      (usable || m.errors.has(wire::WireError::BadQueryLength)))
    f.group = m.group.to_string();
  if (is_query && usable) {
    f.max_resp_ms = wire::max_resp_ms(m);
    if ((is_mld && m.version == 2) || (!is_mld && m.version == 3)) {
      f.s_flag = m.s_flag;
      f.qrv = m.qrv;
      f.qqi_s = wire::decode_qqic(m.qqic);  // RFC 9776 §4.1.7 / RFC 9777 §5.1.9
      f.sources = addr_list<A>(m.sources);
    }
  }
  if (m.kind == MsgKind::V3Report) {
    f.records.emplace();
    for (const auto& r : m.records)
      f.records->push_back({r.type, r.group.to_string(), addr_list<A>(m.sources_of(r))});
  }
  f.checksum_ok = m.checksum_ok;
}

std::optional<Trace> trace_of_capture(const std::string& path, std::string& error) {
  auto reader = pcap::Reader::open(path, error);
  if (!reader) return std::nullopt;
  if (!pcap::linktype_supported(reader->linktype())) {
    error = path + ": unsupported link type " + std::to_string(reader->linktype()) +
            " (supported: Ethernet 1, Linux SLL 113, SLL2 276, raw IP 101/228/229, BSD null 0, loop 108)";
    return std::nullopt;
  }
  Trace t;
  t.name = path;
  pcap::Frame fr;
  wire::DecodedPacket p;
  while (reader->next(fr)) {
    if (!pcap::decode_frame(fr, p)) continue;  // not IGMP/MLD: ARP, ND, data, ...
    Fields f;
    f.where = fr.number;
    f.time = static_cast<double>(fr.ts_sec) + fr.ts_nsec * 1e-9;
    f.kind = pcap::message_kind_name(p);
    if (p.family == Family::V4) {
      f.src = p.ip4.src.to_string();
      f.dst = p.ip4.dst.to_string();
    } else {
      f.src = p.ip6.src.to_string();
      f.dst = p.ip6.dst.to_string();
    }
    if (p.proto == wire::PacketProto::Igmp)
      fill_message(f, p.igmp, p.usable, false);
    else
      fill_message(f, p.mld, p.usable, true);
    p.errors.for_each([&](wire::WireError e) { f.errors.emplace_back(wire::error_id(e)); });
    std::string why;
    if (!add_msg(t, std::move(f), why)) {
      error = path + ": frame " + std::to_string(fr.number) + ": " + why;
      return std::nullopt;
    }
  }
  if (!reader->error().empty()) {
    error = reader->error();
    return std::nullopt;
  }
  return t;
}

// ---- event logs ------------------------------------------------------------------------

std::vector<std::string> string_list(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence())
    for (const auto& x : n) out.push_back(x.as<std::string>());
  return out;
}

}  // namespace

std::optional<Trace> trace_of_log(const std::vector<std::string>& lines, const std::string& name, std::string& error) {
  Trace t;
  t.name = name;
  t.log = true;
  bool live_summary = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const std::string where = name + ":" + std::to_string(i + 1);
    if (line[first] != '{') {
      error = where + ": not a JSON object (an event log has one JSON object per line: mcsim run --format jsonl, "
                      "mcsim decode --format jsonl)";
      return std::nullopt;
    }
    YAML::Node n;
    try {
      n = YAML::Load(line);
    } catch (const std::exception& e) {
      error = where + ": not valid JSON";
      return std::nullopt;
    }
    if (!n.IsMap()) {
      error = where + ": not a JSON object";
      return std::nullopt;
    }
    try {
      const std::string ev = n["event"] ? n["event"].as<std::string>() : "";
      if (ev == "live_summary") live_summary = true;
      // `mcsim run` logs: "tx" is a node's own transmission ("fwd" is a switch's copy of it
      // onto another segment, the same message again). `mcsim decode` objects have no event.
      if (n["event"] ? ev != "tx" : !n["kind"]) {
        ++t.log_lines_skipped;
        continue;
      }
      if (!n["kind"] || !n["src"] || !n["dst"]) {
        if (n["event"] && !n["kind"]) {  // a tx of data (SEND) carries no kind
          ++t.log_lines_skipped;
          continue;
        }
        error = where + ": a message without kind/src/dst";
        return std::nullopt;
      }
      Fields f;
      f.where = i + 1;
      f.time = n["t"] ? n["t"].as<double>() : n["time"] ? n["time"].as<double>() : 0.0;
      f.kind = n["kind"].as<std::string>();
      f.src = n["src"].as<std::string>();
      f.dst = n["dst"].as<std::string>();
      if (n["version"]) f.version = n["version"].as<int>();
      if (n["group"]) f.group = n["group"].as<std::string>();
      if (n["max_resp_ms"]) f.max_resp_ms = n["max_resp_ms"].as<std::uint64_t>();
      if (n["s_flag"]) f.s_flag = n["s_flag"].as<bool>();
      if (n["qrv"]) f.qrv = n["qrv"].as<int>();
      if (n["qqi_s"]) f.qqi_s = n["qqi_s"].as<std::uint64_t>();
      if (n["sources"]) f.sources = string_list(n["sources"]);
      if (n["records"]) {
        f.records.emplace();
        for (const auto& r : n["records"])
          f.records->push_back({r["type"].as<int>(), r["group"].as<std::string>(), string_list(r["sources"])});
      }
      if (n["checksum_ok"]) f.checksum_ok = n["checksum_ok"].as<bool>();
      f.errors = string_list(n["errors"]);
      std::string why;
      if (!add_msg(t, std::move(f), why)) {
        error = where + ": " + why;
        return std::nullopt;
      }
    } catch (const YAML::Exception& e) {
      error = where + ": a field has the wrong type (" + e.msg + ")";
      return std::nullopt;
    }
  }
  if (t.msgs.empty() && live_summary) {
    error = name + ": the summary of mcsim live, not an event log; compare the capture written with mcsim live --pcap";
    return std::nullopt;
  }
  return t;
}

std::optional<Trace> load_trace(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open (no such file or not readable)";
    return std::nullopt;
  }
  const bool jsonl_name = path.ends_with(".jsonl") || path.ends_with(".json");
  if (in.peek() == '{' || jsonl_name) {  // a JSONL log; pcap/pcapng files start with their magic
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(std::move(l));
    return trace_of_log(lines, path, error);
  }
  in.close();
  return trace_of_capture(path, error);
}

// ---- comparison ------------------------------------------------------------------------

namespace {

struct AddrLess {
  bool operator()(const IpAddr& a, const IpAddr& b) const {
    if (a.family != b.family) return a.family < b.family;
    return a.family == Family::V4 ? a.v4 < b.v4 : a.v6 < b.v6;
  }
};

struct Item {
  std::string text;
  std::uint64_t where = 0;
  double time = 0;
};

struct GroupState {
  bool exclude = false;
  std::set<std::string> sources;
};

struct Host {
  std::vector<Item> sc, resp, queries;
  std::map<std::string, GroupState> state;  // by group: what the host's own state changes gave it
  std::set<std::string> seen;                // groups this host mentioned so far in the trace
  std::uint64_t resp_bad = 0;
  Item first_bad;
  std::string first_bad_why;
  /// Current-state records that did not match the state where they stand: they may still
  /// match the state right after the host's next state change of their group.
  struct Pending {
    Msg::Record rec;
    Item item;
    std::string why;
  };
  std::vector<Pending> pending;

  void bad(const Item& it, const std::string& why) {
    if (resp_bad++ == 0) {
      first_bad = it;
      first_bad_why = why;
    }
  }
};

using Hosts = std::map<IpAddr, Host, AddrLess>;

std::string state_text(const Host& h, const std::string& group) {
  auto it = h.state.find(group);
  if (it == h.state.end()) return "no member of " + group;
  std::vector<std::string> s(it->second.sources.begin(), it->second.sources.end());
  sort_addrs(s);
  return std::string(it->second.exclude ? "EXCLUDE " : "INCLUDE ") + set_text(s) + " for " + group;
}

/// RFC 9776 §5.1 / RFC 9777 §6.1: what a state-change record says the new state is.
void apply_state_change(Host& h, const Msg::Record& r) {
  std::set<std::string> s(r.sources.begin(), r.sources.end());
  auto it = h.state.find(r.group);
  switch (r.type) {
    case 3:  // TO_IN: INCLUDE S; INCLUDE {} is no membership
      if (s.empty())
        h.state.erase(r.group);
      else
        h.state[r.group] = {false, std::move(s)};
      break;
    case 4:  // TO_EX: EXCLUDE S
      h.state[r.group] = {true, std::move(s)};
      break;
    case 5:  // ALLOW: INCLUDE gains S; EXCLUDE no longer excludes S
      if (it == h.state.end())
        h.state[r.group] = {false, std::move(s)};
      else if (it->second.exclude)
        for (const auto& x : s) it->second.sources.erase(x);
      else
        it->second.sources.insert(s.begin(), s.end());
      break;
    case 6:  // BLOCK: INCLUDE loses S; EXCLUDE also excludes S
      if (it == h.state.end()) break;
      if (it->second.exclude)
        it->second.sources.insert(s.begin(), s.end());
      else {
        for (const auto& x : s) it->second.sources.erase(x);
        if (it->second.sources.empty()) h.state.erase(it);
      }
      break;
    default: break;
  }
}

/// Empty when a current-state record matches the host's state (RFC 9776 §5.2 / RFC 9777
/// §6.2). IS_EX X: the host is in EXCLUDE X. IS_IN S: the host receives every source of S —
/// S within I in INCLUDE I (all of I for general and group-specific queries, the asked ones
/// for a source-specific query), S disjoint from X in EXCLUDE X; IS_IN {} claims nothing
/// (RFC 9776 §5.2 says not to send it; some hosts do, `mcsim validate` judges that).
///
/// A group the host has not mentioned before in the trace was joined before the trace began
/// (a capture started mid-run): its first current-state record is taken as its state.
std::string mismatch(const Host& h, const Msg::Record& r) {
  auto it = h.state.find(r.group);
  bool ok;
  if (r.type == 2) {
    ok = it != h.state.end() && it->second.exclude &&
         std::set<std::string>(r.sources.begin(), r.sources.end()) == it->second.sources;
  } else {
    ok = it != h.state.end() || r.sources.empty();
    for (const auto& x : r.sources)
      ok = ok && (it->second.exclude ? !it->second.sources.count(x) : it->second.sources.count(x) > 0);
  }
  if (ok) return "";
  return "answers " + record_text(r) + " but its state changes so far " +
         (it == h.state.end() ? "leave it " : "make it ") + state_text(h, r.group);
}

std::string check_current_state(Host& h, const Msg::Record& r) {
  if (h.seen.insert(r.group).second) {
    if (r.type == 2 || !r.sources.empty()) h.state[r.group] = {r.type == 2, {r.sources.begin(), r.sources.end()}};
    return "";
  }
  return mismatch(h, r);
}

/// After a state change of `group`: a pending answer for it matches now or never. (mcsim
/// live's send queue puts answers ahead of state changes still waiting for the rate cap,
/// RFC 9776 §5.2 / docs/live.md, so an answer may be captured before the state change it
/// already reflects.)
void settle(Host& h, const std::string& group) {
  for (auto it = h.pending.begin(); it != h.pending.end();) {
    if (it->rec.group != group) {
      ++it;
      continue;
    }
    if (!mismatch(h, it->rec).empty()) h.bad(it->item, it->why);
    it = h.pending.erase(it);
  }
}

Hosts split(const Trace& t, const Options& opt, std::uint64_t& queries, std::uint64_t& sc, std::uint64_t& resp) {
  Hosts hosts;
  Hosts queriers;
  for (const auto& m : t.msgs) {
    if (std::find(opt.exclude.begin(), opt.exclude.end(), m.src) != opt.exclude.end()) continue;
    if (m.query) {
      ++queries;
      if (opt.queries) queriers[m.src].queries.push_back({m.head + m.tail, m.where, m.time});
      continue;
    }
    Host& h = hosts[m.src];
    if (m.report_v3) {
      std::string sc_text, cs_text;
      for (const auto& r : m.records) (is_current_state(r.type) ? cs_text : sc_text) += ", " + record_text(r);
      if (!sc_text.empty() || m.records.empty()) {
        h.sc.push_back({m.head + (m.records.empty() ? " (no records)" : ":" + sc_text.substr(1)) + m.tail, m.where, m.time});
        for (const auto& r : m.records)
          if (is_state_change(r.type)) {
            h.seen.insert(r.group);
            apply_state_change(h, r);
            settle(h, r.group);
          }
      }
      if (!cs_text.empty()) {
        Item it{m.head + ":" + cs_text.substr(1) + m.tail, m.where, m.time};
        for (const auto& r : m.records) {
          if (!is_current_state(r.type)) continue;
          std::string why = check_current_state(h, r);
          if (!why.empty()) h.pending.push_back({r, it, std::move(why)});
        }
        h.resp.push_back(std::move(it));
      }
    } else if (m.join_v2) {
      // RFC 2236 §3 / RFC 2710 §4: the first report for a group is the join; later ones are
      // repeats of it or answers to queries (the querier decides how many).
      Item it{m.head + m.tail, m.where, m.time};
      h.seen.insert(m.group);
      if (h.state.count(m.group)) {
        h.resp.push_back(std::move(it));
      } else {
        h.sc.push_back(std::move(it));
        h.state[m.group] = {true, {}};
        settle(h, m.group);
      }
    } else {  // leave / done
      h.sc.push_back({m.head + m.tail, m.where, m.time});
      h.seen.insert(m.group);
      h.state.erase(m.group);
      settle(h, m.group);
    }
  }
  for (auto& [addr, h] : hosts) {
    for (const auto& p : h.pending) h.bad(p.item, p.why);
    h.pending.clear();
    sc += h.sc.size();
    resp += h.resp.size();
  }
  if (opt.queries)
    for (auto& [addr, q] : queriers) hosts[addr].queries = std::move(q.queries);
  return hosts;
}

/// The first index where two streams differ, or nullopt when equal.
std::optional<std::size_t> first_difference(const std::vector<Item>& a, const std::vector<Item>& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i].text == b[i].text) ++i;
  if (i == a.size() && i == b.size()) return std::nullopt;
  return i;
}

Finding stream_difference(const std::string& host, const char* what, const std::vector<Item>& a,
                          const std::vector<Item>& b, std::size_t i, const char* noun) {
  Finding f;
  f.host = host;
  f.what = what;
  f.index = i + 1;
  f.a_count = a.size();
  f.b_count = b.size();
  if (i < a.size()) {
    f.a = a[i].text;
    f.a_where = a[i].where;
  }
  if (i < b.size()) {
    f.b = b[i].text;
    f.b_where = b[i].where;
  }
  for (std::size_t k = i >= 2 ? i - 2 : 0; k < i; ++k) f.context.push_back(a[k].text);
  f.detail = std::string(noun) + " differ at #" + std::to_string(i + 1) + " (A has " + std::to_string(a.size()) +
             ", B has " + std::to_string(b.size()) + ")";
  return f;
}

std::string where_text(bool log, std::uint64_t where) {
  return (log ? "line " : "frame ") + std::to_string(where);
}

const char* responses_name(Responses r) {
  return r == Responses::State ? "state" : r == Responses::Count ? "count" : "exact";
}

}  // namespace

Result compare_traces(const Trace& a, const Trace& b, const Options& opt) {
  Result res;
  res.a_name = a.name;
  res.b_name = b.name;
  res.a_log = a.log;
  res.b_log = b.log;
  res.a_msgs = a.msgs.size();
  res.b_msgs = b.msgs.size();
  res.opt = opt;
  Hosts ha = split(a, opt, res.a_queries, res.a_state_changes, res.a_responses);
  Hosts hb = split(b, opt, res.b_queries, res.b_state_changes, res.b_responses);
  std::set<IpAddr, AddrLess> all;
  for (const auto& [k, v] : ha) all.insert(k);
  for (const auto& [k, v] : hb) all.insert(k);
  static const Host kNone;
  for (const auto& addr : all) {
    const std::string host = addr.to_string();
    const auto ia = ha.find(addr), ib = hb.find(addr);
    const Host& x = ia == ha.end() ? kNone : ia->second;
    const Host& y = ib == hb.end() ? kNone : ib->second;
    const bool sends_a = !x.sc.empty() || !x.resp.empty(), sends_b = !y.sc.empty() || !y.resp.empty();
    if (sends_a || sends_b) ++res.hosts;
    const std::size_t before = res.differences.size();
    std::size_t host_findings = 0;
    if (sends_a != sends_b) {
      const Host& h = sends_a ? x : y;
      Finding f;
      f.host = host;
      f.what = "host_missing";
      f.side = sends_a ? "b" : "a";
      f.a_count = x.sc.size() + x.resp.size();
      f.b_count = y.sc.size() + y.resp.size();
      const Item& first = !h.sc.empty() ? h.sc.front() : h.resp.front();
      (sends_a ? f.a : f.b) = first.text;
      (sends_a ? f.a_where : f.b_where) = first.where;
      f.detail = std::string("sent ") + std::to_string(h.sc.size()) + " state changes and " +
                 std::to_string(h.resp.size()) + " current-state reports in " + (sends_a ? "A" : "B") +
                 ", nothing in " + (sends_a ? "B" : "A");
      res.differences.push_back(std::move(f));
    } else if (sends_a) {
      if (auto i = first_difference(x.sc, y.sc))
        res.differences.push_back(stream_difference(host, "state_changes", x.sc, y.sc, *i, "state changes"));
      for (int side = 0; side < 2; ++side) {
        const Host& h = side == 0 ? x : y;
        if (!h.resp_bad) continue;
        Finding f;
        f.host = host;
        f.what = "response_state";
        f.side = side == 0 ? "a" : "b";
        f.a_count = x.resp.size();
        f.b_count = y.resp.size();
        (side == 0 ? f.a : f.b) = h.first_bad.text;
        (side == 0 ? f.a_where : f.b_where) = h.first_bad.where;
        f.detail = std::string("a current-state report in ") + (side == 0 ? "A" : "B") + " " + h.first_bad_why;
        if (h.resp_bad > 1) f.detail += " (and " + std::to_string(h.resp_bad - 1) + " more such records)";
        res.differences.push_back(std::move(f));
      }
      if (opt.responses == Responses::Exact) {
        if (auto i = first_difference(x.resp, y.resp))
          res.differences.push_back(stream_difference(host, "responses", x.resp, y.resp, *i, "current-state reports"));
      } else if (x.resp.size() != y.resp.size()) {
        Finding f;
        f.host = host;
        f.what = "responses";
        f.a_count = x.resp.size();
        f.b_count = y.resp.size();
        f.detail = std::to_string(x.resp.size()) + (x.resp.size() == 1 ? " current-state report" : " current-state reports") +
                   " in A, " + std::to_string(y.resp.size()) + " in B";
        (opt.responses == Responses::Count ? res.differences : res.notes).push_back(std::move(f));
      }
    }
    host_findings = res.differences.size() - before;
    if (opt.queries) {
      const bool qa = !x.queries.empty(), qb = !y.queries.empty();
      if (qa != qb) {
        Finding f;
        f.host = host;
        f.what = "queries";
        f.side = qa ? "b" : "a";
        f.index = 1;
        f.a_count = x.queries.size();
        f.b_count = y.queries.size();
        const Item& first = qa ? x.queries.front() : y.queries.front();
        (qa ? f.a : f.b) = first.text;
        (qa ? f.a_where : f.b_where) = first.where;
        f.detail = std::string("querier sent ") + std::to_string(qa ? f.a_count : f.b_count) + " queries in " +
                   (qa ? "A" : "B") + ", none in " + (qa ? "B" : "A");
        res.differences.push_back(std::move(f));
      } else if (auto i = first_difference(x.queries, y.queries)) {
        res.differences.push_back(stream_difference(host, "queries", x.queries, y.queries, *i, "queries"));
      }
    }
    if (host_findings) ++res.hosts_differ;
    if (res.differences.size() > before + host_findings) ++res.queriers_differ;
  }
  return res;
}

namespace {

constexpr std::size_t kTextHostLimit = 20;  // host differences printed by text(); jsonl() has all

void append_finding_text(std::string& out, const Result& r, const Finding& f) {
  const std::string who = f.what == "queries" ? "querier " : "host ";
  out += who + f.host + ": " + f.detail + "\n";
  if (f.what == "state_changes" || f.what == "responses" || f.what == "queries") {
    if (f.what == "responses" && f.index == 0) return;
    std::uint64_t n = f.index - f.context.size();
    for (const auto& c : f.context) out += "      #" + std::to_string(n++) + " " + c + "\n";
    auto side = [&](const char* label, const std::string& text, std::uint64_t where, bool log) {
      out += std::string("  ") + label + "   #" + std::to_string(f.index) + " ";
      out += text.empty() ? "(none)" : text + "   (" + where_text(log, where) + ")";
      out += "\n";
    };
    side("A", f.a, f.a_where, r.a_log);
    side("B", f.b, f.b_where, r.b_log);
  } else if (!f.a.empty() || !f.b.empty()) {
    const bool in_a = !f.a.empty();
    out += std::string("  ") + (in_a ? "A" : "B") + "   " + (in_a ? f.a : f.b) + "   (" +
           where_text(in_a ? r.a_log : r.b_log, in_a ? f.a_where : f.b_where) + ")\n";
  }
}

std::string trace_line(const char* label, const std::string& name, bool log, std::uint64_t msgs, std::uint64_t sc,
                       std::uint64_t resp, std::uint64_t queries) {
  return std::string("  ") + label + ": " + name + (log ? " (event log)" : " (capture)") + ": " +
         plural(msgs, "IGMP/MLD message", "IGMP/MLD messages") + ": " + plural(sc, "state change", "state changes") +
         ", " + plural(resp, "current-state report", "current-state reports") + ", " + plural(queries, "query", "queries") +
         "\n";
}

}  // namespace

std::string Result::diff_text() const {
  std::string out;
  std::set<std::string> senders;  // hosts and queriers with a difference
  for (const auto& f : differences) senders.insert(f.host);
  std::size_t shown = 0;
  std::string last;
  for (const auto& f : differences) {
    if (shown == 0 || f.host != last) {
      last = f.host;
      if (++shown > kTextHostLimit) {
        out += "... and the differences of " + std::to_string(senders.size() - kTextHostLimit) +
               " more senders (--format jsonl lists all)\n";
        break;
      }
    }
    append_finding_text(out, *this, f);
  }
  return out;
}

std::string Result::text() const {
  std::string out = "mcsim compare\n";
  out += trace_line("A", a_name, a_log, a_msgs, a_state_changes, a_responses, a_queries);
  out += trace_line("B", b_name, b_log, b_msgs, b_state_changes, b_responses, b_queries);
  out += "compared per host (source address): state changes in order (kind, destination, group, record types, "
         "source sets); ";
  out += opt.responses == Responses::State ? "each current-state report against the host's state"
         : opt.responses == Responses::Count ? "each current-state report against the host's state, and their number"
                                             : "current-state reports in order";
  out += opt.queries ? "; each querier's queries in order" : "";
  out += "\nnot compared: timing and random delays, interleaving between hosts, ARP/ND and data, record order "
         "inside a report";
  out += opt.queries ? "" : ", the queriers' queries (--queries compares them)";
  if (opt.responses == Responses::State) out += ", the number of current-state reports (--responses count)";
  if (!opt.exclude.empty()) {
    out += ", messages from";
    for (const auto& e : opt.exclude) out += " " + e.to_string();
  }
  out += "\n";
  if (!differences.empty()) out += "\n" + diff_text();
  if (!notes.empty()) {
    std::uint64_t ra = 0, rb = 0;
    std::string eg;
    for (const auto& n : notes) {
      ra += n.a_count;
      rb += n.b_count;
      if (eg.empty()) eg = "host " + n.host + ": " + n.detail;
    }
    out += "\nnote: " + std::to_string(notes.size()) + (notes.size() == 1 ? " host sent" : " hosts sent") +
           " a different number of current-state reports (" + std::to_string(ra) + " in A, " + std::to_string(rb) +
           " in B in all; they follow the querier's queries), e.g. " + eg + "; each one matched its host's state\n";
  }
  out += "\n";
  if (equal())
    out += "EQUAL: " + plural(hosts, "host", "hosts") + ", " + plural(a_state_changes, "state change", "state changes") +
           " each, every current-state report matches its host's state\n";
  else
    out += "DIFFERENT: " + std::to_string(hosts_differ) + " of " + plural(hosts, "host", "hosts") +
           (hosts_differ == 1 ? " differs" : " differ") +
           (queriers_differ ? ", " + plural(queriers_differ, "querier differs", "queriers differ") : "") + " (" +
           std::to_string(differences.size()) + (differences.size() == 1 ? " difference" : " differences") + ")\n";
  return out;
}

std::string Result::jsonl() const {
  std::string out;
  auto finding = [&](const char* key, const Finding& f) {
    JsonObject o;
    o.str(key, f.what).str("host", f.host);
    if (!f.side.empty()) o.str("missing_in", f.side);
    if (f.index) o.num("index", static_cast<std::int64_t>(f.index));
    o.num("a_count", static_cast<std::int64_t>(f.a_count)).num("b_count", static_cast<std::int64_t>(f.b_count));
    if (!f.a.empty()) o.str("a", f.a).num(a_log ? "a_line" : "a_frame", static_cast<std::int64_t>(f.a_where));
    if (!f.b.empty()) o.str("b", f.b).num(b_log ? "b_line" : "b_frame", static_cast<std::int64_t>(f.b_where));
    std::string ctx = "[";
    for (std::size_t i = 0; i < f.context.size(); ++i) {
      if (i) ctx += ",";
      pcap::append_json_string(ctx, f.context[i]);
    }
    o.merge("{\"context\":" + ctx + "]}").str("detail", f.detail);
    out += o.done() + "\n";
  };
  for (const auto& f : differences) finding("difference", f);
  for (const auto& f : notes) finding("note", f);
  JsonObject s;
  s.str("a", a_name).str("b", b_name).boolean("equal", equal())
      .num("hosts", static_cast<std::int64_t>(hosts)).num("hosts_differ", static_cast<std::int64_t>(hosts_differ))
      .num("queriers_differ", static_cast<std::int64_t>(queriers_differ))
      .num("differences", static_cast<std::int64_t>(differences.size()))
      .num("notes", static_cast<std::int64_t>(notes.size()))
      .num("a_messages", static_cast<std::int64_t>(a_msgs)).num("b_messages", static_cast<std::int64_t>(b_msgs))
      .num("a_state_changes", static_cast<std::int64_t>(a_state_changes))
      .num("b_state_changes", static_cast<std::int64_t>(b_state_changes))
      .num("a_responses", static_cast<std::int64_t>(a_responses)).num("b_responses", static_cast<std::int64_t>(b_responses))
      .num("a_queries", static_cast<std::int64_t>(a_queries)).num("b_queries", static_cast<std::int64_t>(b_queries))
      .boolean("queries_compared", opt.queries).str("responses", responses_name(opt.responses));
  out += "{\"summary\":" + s.done() + "}\n";
  return out;
}

}  // namespace mcsim::sim::compare
