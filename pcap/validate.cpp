#include "pcap/validate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>

#include "stack/wire/codes.hpp"

namespace mcsim::pcap {

using wire::MsgKind;

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Must: return "must";
    case Severity::Should: return "should";
    case Severity::Info: return "info";
  }
  return "must";
}

// The rule table. Keep in step with docs/validate.md.
const std::vector<RuleInfo>& validate_rules() {
  static const std::vector<RuleInfo> rules = {
      {"WF-1", "RFC 9776 §4 / RFC 9777 §5", Severity::Must, "message is malformed (names the decode error id)"},
      {"WF-2", "-", Severity::Info, "capture snap length cut the frame (not a protocol violation)"},
      {"CKSUM-1", "RFC 9776 §4.1.2 / RFC 2236 §2.3 / RFC 4443 §2.3", Severity::Must, "IGMP / ICMPv6 checksum wrong"},
      {"CKSUM-2", "RFC 791 §3.1", Severity::Must, "IPv4 header checksum wrong"},
      {"CKSUM-3", "RFC 791 §3.1", Severity::Info,
       "IPv4 header checksum 0: transmit checksum offload on the capturing sender (not judged)"},
      {"IGMP-TTL-1", "RFC 9776 §4 / RFC 2236 §2", Severity::Must, "IGMP message with IP TTL other than 1"},
      {"MLD-HOPLIMIT-1", "RFC 9777 §5 / RFC 2710 §3", Severity::Must, "MLD message with hop limit other than 1"},
      {"IGMP-RA-1", "RFC 9776 §4", Severity::Must, "IGMPv3 message without IPv4 Router Alert option"},
      {"IGMP-RA-2", "RFC 2236 §2", Severity::Should, "IGMPv2 message without IPv4 Router Alert option"},
      {"MLD-RA-1", "RFC 9777 §5 / RFC 2710 §3", Severity::Must, "MLD message without hop-by-hop Router Alert"},
      {"IGMP-TOS-1", "RFC 9776 §4", Severity::Should, "IGMPv3 message with TOS other than 0xC0"},
      {"DST-V3REPORT-1", "RFC 9776 §4.2.14", Severity::Must, "IGMPv3 report not sent to 224.0.0.22"},
      {"DST-MLDV2REPORT-1", "RFC 9777 §5.2.14", Severity::Must, "MLDv2 report not sent to ff02::16"},
      {"DST-LEAVE-1", "RFC 2236 §3", Severity::Must, "IGMPv2 leave not sent to 224.0.0.2"},
      {"DST-DONE-1", "RFC 2710 §3", Severity::Must, "MLDv1 done not sent to ff02::2"},
      {"DST-REPORT-1", "RFC 2236 §3 / RFC 1112 App. I / RFC 2710 §3", Severity::Must,
       "IGMPv1/v2 or MLDv1 report not sent to the reported group"},
      {"DST-GQ-1", "RFC 9776 §4.1.12 / RFC 9777 §5.1.14 / RFC 2236 §2", Severity::Must,
       "general query not sent to 224.0.0.1 / ff02::1"},
      {"DST-GSQ-1", "RFC 9776 §4.1.12 / RFC 9777 §5.1.14 / RFC 2236 §2", Severity::Must,
       "group(-and-source)-specific query not sent to its group"},
      {"MLD-SRC-1", "RFC 9777 §5.2.13 / RFC 3590 §4", Severity::Must,
       "MLD report/done source neither link-local nor ::"},
      {"MLD-SRC-2", "RFC 9777 §5.1.13 / RFC 2710 §3", Severity::Must, "MLD query source not link-local"},
      {"GROUP-1", "RFC 9776 §4.1.3, §4.2.8 / RFC 9777 §5.1.5, §5.2.8", Severity::Must,
       "group address in a query, report, leave or record is not multicast"},
      {"GROUP-2", "RFC 9776 §5 / RFC 2236 §6 / RFC 9777 §6 / RFC 2710 §5", Severity::Must,
       "never-reported group in a report/leave (224.0.0.1, ff02::1, IPv6 scope 0/1)"},
      {"REC-TYPE-1", "RFC 9776 §4.2.12 / RFC 9777 §5.2.12", Severity::Must, "record type outside 1..6"},
      {"REC-DUP-1", "RFC 9776 §5.1 / RFC 9777 §6.1", Severity::Should,
       "two records for one group in a report (other than one ALLOW + one BLOCK)"},
      {"SRC-UNICAST-1", "RFC 9776 §4.1.9, §4.2.9 / RFC 9777 §5.1.10, §5.2.9", Severity::Must,
       "source address in a query or record is multicast, broadcast or unspecified"},
      {"QUERY-GQSRC-1", "RFC 9776 §4.1.8 / RFC 9777 §5.1.9", Severity::Must, "general query carrying sources"},
      {"QUERY-QRV-1", "RFC 9776 §4.1.6 / RFC 9777 §5.1.7", Severity::Should,
       "query with QRV 0 (allowed only when the Robustness Variable exceeds 7)"},
      {"Q-MRT-1", "RFC 9776 §8.3 / RFC 2236 §8.3 / RFC 9777 §9.3", Severity::Must,
       "general query Max Resp Time not below the Query Interval"},
      {"Q-STARTUP-1", "RFC 9776 §8.6, §8.7 / RFC 2236 §8.6, §8.7", Severity::Must,
       "startup general queries spaced more than one Query Interval (+10%)"},
      {"Q-INTERVAL-1", "RFC 9776 §8.2, §4.1.7 / RFC 2236 §8.2 / RFC 9777 §9.2", Severity::Must,
       "general queries of a querier not spaced QI +-10% (QI from QQIC, else default 125 s: should)"},
      {"Q-LMQ-1", "RFC 9776 §6.6.3, §8.8, §8.9 / RFC 2236 §3, §8.8, §8.9", Severity::Must,
       "fewer than LMQC group(-and-source)-specific queries after a leave / TO_IN / BLOCK"},
      {"Q-LMQ-2", "RFC 9776 §6.6.3, §8.8 / RFC 2236 §3, §8.8", Severity::Must,
       "last-member queries not spaced LMQI (their Max Resp Time) +-25%"},
      {"Q-SFLAG-1", "RFC 9776 §6.6.3.1 / RFC 9777 §7.6.3.1", Severity::Must,
       "S flag set on the first group-specific query after a leave / TO_IN"},
      {"Q-ELECT-1", "RFC 9776 §6.6.2 / RFC 2236 §3 / RFC 9777 §7.6.2", Severity::Must,
       "higher-address querier still querying one Query Interval after hearing a lower one"},
      {"HOST-RESP-1", "RFC 9776 §5.2 / RFC 2236 §3 / RFC 9777 §6.2 / RFC 2710 §4", Severity::Must,
       "report answering a query later than its Max Resp Time (+100 ms)"},
      {"HOST-REPEAT-1", "RFC 9776 §5.1 / RFC 2236 §3 / RFC 9777 §6.1 / RFC 2710 §4", Severity::Should,
       "identical state-change report repeated more than [Robustness Variable] times within 10 s"},
  };
  return rules;
}

namespace {

constexpr double kTol = 0.1;         // capture timing tolerance, seconds
constexpr double kDefaultQi = 125;   // RFC 9776 §8.2 / RFC 2236 §8.2 / RFC 2710 §7.2
constexpr int kDefaultRv = 2;        // RFC 9776 §8.1
constexpr double kRepeatWindow = 10; // seconds (RFC 2236 §8.10 Unsolicited Report Interval)

struct Key {
  Family fam = Family::V4;
  std::array<std::uint8_t, 16> b{};
  auto operator<=>(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, k.b.data(), 8);
    std::memcpy(&hi, k.b.data() + 8, 8);
    std::uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull) ^ static_cast<std::uint64_t>(k.fam)) * 0xFF51AFD7ED558CCDull;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};
Key key(const Ipv4Addr& a) {
  Key k;
  k.fam = Family::V4;
  for (int i = 0; i < 4; ++i) k.b[i] = a.b[i];
  return k;
}
Key key(const Ipv6Addr& a) {
  Key k;
  k.fam = Family::V6;
  k.b = a.b;
  return k;
}
std::string str(const Key& k) {
  if (k.fam == Family::V4) return Ipv4Addr(k.b[0], k.b[1], k.b[2], k.b[3]).to_string();
  return Ipv6Addr(k.b).to_string();
}
template <class A>
std::string str(const A& a) {
  return a.to_string();
}
std::string fmt_s(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}
template <class A>
A pick(const Ipv4Addr& a4, const Ipv6Addr& a6) {
  if constexpr (std::is_same_v<A, Ipv6Addr>) return a6;
  else return a4;
}
const RuleInfo& rule_info(const char* id) {
  for (const auto& r : validate_rules())
    if (std::string_view(r.id) == id) return r;
  static const RuleInfo none{"?", "?", Severity::Must, "?"};
  return none;
}

}  // namespace

struct Validator::State {
  struct Querier {
    double first = -1;         // first general query of the current streak
    double last = -1;          // last general query
    int count = 0;             // general queries in the current streak
    bool startup = false;      // the streak began with startup-spaced queries
    double qi = kDefaultQi;    // seconds
    bool qi_known = false;     // from QQIC
    double mrt = 10;           // seconds, of the last general query
    int rv = kDefaultRv;
    double learned_qi = -1;    // versions without QQIC
    std::map<Key, double> heard_lower;  // lower-address queriers heard during this streak
  };
  struct Lmq {
    enum class Kind { Leave, ToIn, Block } kind = Kind::Leave;
    double t = 0;
    std::uint64_t frame = 0;
    int triggers = 1;
    bool members_known = false;
    bool report_seen = false;
    double deadline = 0;
    struct Q {
      double t;
      std::uint64_t frame;
      bool with_sources;
      bool s_flag;
      bool v3;
      double mrt;
      int qrv;
    };
    std::vector<Q> queries;
  };
  struct QueryRec {
    double t = -1;
    double mrt = 10;
    std::uint64_t frame = 0;
  };
  struct Repeat {
    std::string sig;
    int count = 0;
    double first = 0;
  };

  Validator& v;
  Role role;
  explicit State(Validator& val, Role r) : v(val), role(r) {}

  std::map<Key, Querier> queriers;
  std::map<Key, Lmq> lmq;                    // by group
  // Groups reported on the link (router view); only looked up, never iterated, so hashed:
  // a std::set of 100,000 groups cost a tenth of mcsim live's engines' thread.
  std::unordered_set<Key, KeyHash> reported;
  std::set<int> queriers_heard;              // families with a query seen
  std::map<int, int> last_qrv;               // by family: QRV of the last query (0: none/default)
  std::map<int, QueryRec> last_general;      // by family
  std::map<Key, QueryRec> last_gsq;          // by group
  std::map<std::pair<Key, Key>, double> member_since;  // (host, group)
  std::map<std::pair<Key, Key>, double> last_report;   // (host, group)
  std::map<std::pair<Key, Key>, Repeat> repeats;       // (host, group)
  double now = 0;
  bool any = false;
  std::int64_t prev_sec = -1;
  std::uint32_t prev_nsec = 0;
  std::vector<std::uint8_t> prev;

  void add(const char* rule, const Frame& f, double t, std::string reason, Severity sev) {
    Finding fd;
    fd.rule = rule;
    fd.frame = f.number;
    fd.time = t;
    fd.severity = sev;
    fd.reason = std::move(reason);
    fd.rfc = rule_info(rule).rfc;
    v.findings.push_back(std::move(fd));
  }
  void add(const char* rule, const Frame& f, double t, std::string reason) {
    add(rule, f, t, std::move(reason), rule_info(rule).severity);
  }
  void add_at(const char* rule, std::uint64_t frame, double t, std::string reason, Severity sev) {
    Frame f;
    f.number = frame;
    add(rule, f, t, std::move(reason), sev);
  }

  // ---------------------------------------------------------------- per message
  template <class A>
  void check_message(const Frame& f, double t, const wire::DecodedPacket& p, const wire::Message<A>& m) {
    constexpr bool v6 = std::is_same_v<A, Ipv6Addr>;
    const bool query = m.kind == MsgKind::Query;
    A src, dst;
    if constexpr (v6) {
      src = p.ip6.src;
      dst = p.ip6.dst;
    } else {
      src = p.ip4.src;
      dst = p.ip4.dst;
    }
    // Checksums.
    if (p.errors.has(wire::WireError::BadChecksum))
      add("CKSUM-1", f, t, v6 ? "ICMPv6 checksum is wrong" : "IGMP checksum is wrong");
    if (p.errors.has(wire::WireError::BadIpChecksum)) {
      if (p.ip4.checksum == 0)
        add("CKSUM-3", f, t, "IPv4 header checksum is 0: filled in by the NIC after capture (checksum offload)");
      else
        add("CKSUM-2", f, t, "IPv4 header checksum is wrong");
    }
    // TTL / hop limit, Router Alert, TOS.
    if constexpr (v6) {
      if (p.ip6.hop_limit != 1)
        add("MLD-HOPLIMIT-1", f, t, "hop limit " + std::to_string(p.ip6.hop_limit) + ", must be 1");
      if (!p.ip6.router_alert) add("MLD-RA-1", f, t, "no hop-by-hop Router Alert option");
    } else {
      if (p.ip4.ttl != 1) add("IGMP-TTL-1", f, t, "TTL " + std::to_string(p.ip4.ttl) + ", must be 1");
      if (!p.ip4.router_alert) {
        if (m.version == 3) add("IGMP-RA-1", f, t, "IGMPv3 message without the Router Alert option");
        else if (m.version == 2) add("IGMP-RA-2", f, t, "IGMPv2 message without the Router Alert option");
      }
      if (m.version == 3 && p.ip4.tos != 0xC0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "IGMPv3 message with TOS 0x%02X, should be 0xC0", p.ip4.tos);
        add("IGMP-TOS-1", f, t, buf);
      }
    }
    auto never_reported = [](const A& g) {
      if constexpr (v6) {
        return g == ipv6::kAllNodes || (g.is_multicast() && g.scope() <= McastScope::InterfaceLocal);
      } else {
        return g == ipv4::kAllSystems;
      }
    };
    if (query) {
      if constexpr (v6) {
        if (!src.is_link_local_unicast()) add("MLD-SRC-2", f, t, "query from " + str(src) + ", not link-local");
      }
      const A all = pick<A>(ipv4::kAllSystems, ipv6::kAllNodes);
      if (m.is_general_query()) {
        if (dst != all) add("DST-GQ-1", f, t, "general query sent to " + str(dst) + ", not " + str(all));
        if (!m.sources.empty())
          add("QUERY-GQSRC-1", f, t, "general query carries " + std::to_string(m.sources.size()) + " sources");
      } else {
        if (!m.group.is_multicast()) add("GROUP-1", f, t, "query for " + str(m.group) + ", not a multicast group");
        if (dst != m.group) add("DST-GSQ-1", f, t, "query for " + str(m.group) + " sent to " + str(dst));
      }
      for (const auto& s : m.sources)
        if (!s.is_valid_source()) add("SRC-UNICAST-1", f, t, "query source " + str(s) + " is not unicast");
      if ((v6 ? m.version == 2 : m.version == 3) && m.qrv == 0)
        add("QUERY-QRV-1", f, t, "QRV 0: should carry the querier's Robustness Variable");
      return;
    }
    // Host messages.
    if constexpr (v6) {
      if (!src.is_link_local_unicast() && !src.is_unspecified())
        add("MLD-SRC-1", f, t, "sent from " + str(src) + ", neither link-local nor ::");
    }
    switch (m.kind) {
      case MsgKind::V3Report: {
        const A want = pick<A>(ipv4::kIgmpv3Routers, ipv6::kAllMldv2Routers);
        if (dst != want)
          add(v6 ? "DST-MLDV2REPORT-1" : "DST-V3REPORT-1", f, t, "report sent to " + str(dst) + ", not " + str(want));
        std::map<A, std::pair<int, unsigned>> per_group;  // count, type bitmask
        for (const auto& r : m.records) {
          if (r.type < 1 || r.type > 6)
            add("REC-TYPE-1", f, t, "record type " + std::to_string(r.type) + " for " + str(r.group));
          if (!r.group.is_multicast()) add("GROUP-1", f, t, "record for " + str(r.group) + ", not a multicast group");
          else if (never_reported(r.group)) add("GROUP-2", f, t, "record for " + str(r.group) + ", which is never reported");
          for (const auto& s : m.sources_of(r))
            if (!s.is_valid_source())
              add("SRC-UNICAST-1", f, t, "record for " + str(r.group) + " lists source " + str(s) + ", not unicast");
          auto& pg = per_group[r.group];
          pg.first++;
          pg.second |= 1u << (r.type & 7);
        }
        for (const auto& [g, pg] : per_group) {
          const unsigned allow_block = (1u << 5) | (1u << 6);
          if (pg.first > 1 && !(pg.first == 2 && pg.second == allow_block))
            add("REC-DUP-1", f, t, std::to_string(pg.first) + " records for " + str(g) + " in one report");
        }
        break;
      }
      case MsgKind::Leave: {
        const A want = pick<A>(ipv4::kAllRouters, ipv6::kAllRouters);
        if (dst != want)
          add(v6 ? "DST-DONE-1" : "DST-LEAVE-1", f, t, std::string(v6 ? "done" : "leave") + " sent to " + str(dst) +
                                                          ", not " + str(want));
        if (!m.group.is_multicast()) add("GROUP-1", f, t, "leave for " + str(m.group) + ", not a multicast group");
        else if (never_reported(m.group)) add("GROUP-2", f, t, "leave for " + str(m.group) + ", which is never reported");
        break;
      }
      case MsgKind::V1Report:
      case MsgKind::V2Report: {
        if (dst != m.group) add("DST-REPORT-1", f, t, "report for " + str(m.group) + " sent to " + str(dst));
        if (!m.group.is_multicast()) add("GROUP-1", f, t, "report for " + str(m.group) + ", not a multicast group");
        else if (never_reported(m.group)) add("GROUP-2", f, t, "report for " + str(m.group) + ", which is never reported");
        break;
      }
      default: break;
    }
  }

  // ---------------------------------------------------------------- router timing
  void close_lmq(const Key& g, Lmq& s) {
    using Q = Lmq::Q;
    std::vector<Q> gsq, gssq;
    for (const auto& q : s.queries) (q.with_sources ? gssq : gsq).push_back(q);
    const std::vector<Q>& qs = s.kind == Lmq::Kind::Block ? (gssq.empty() ? gsq : gssq) : (gsq.empty() ? gssq : gsq);
    const char* what = s.kind == Lmq::Kind::Leave ? "leave" : s.kind == Lmq::Kind::ToIn ? "TO_IN" : "BLOCK";
    const std::string trig = std::string(what) + " for " + str(g) + " in frame " + std::to_string(s.frame);
    if (qs.empty()) {
      if (s.kind == Lmq::Kind::Leave && s.members_known && !s.report_seen)
        add_at("Q-LMQ-1", s.frame, s.t, "no group-specific query after the " + trig + " (group had members)",
               Severity::Must);
      return;
    }
    const bool rv_known = qs.front().v3 && qs.front().qrv != 0;
    const int lmqc = rv_known ? qs.front().qrv : kDefaultRv;
    const double lmqi = qs.front().mrt;
    if (qs.front().s_flag && s.kind != Lmq::Kind::Block)
      add_at("Q-SFLAG-1", qs.front().frame, qs.front().t, "S flag set on the first query after the " + trig,
             Severity::Must);
    if (!s.report_seen && static_cast<int>(qs.size()) < lmqc)
      add_at("Q-LMQ-1", qs.back().frame, qs.back().t,
             std::to_string(qs.size()) + " of " + std::to_string(lmqc) + " last-member queries after the " + trig +
                 (rv_known ? "" : " (LMQC = default Robustness Variable 2: not announced by this version)"),
             rv_known ? Severity::Must : Severity::Should);
    if (s.triggers == 1) {
      const double tol = std::max(kTol, 0.25 * lmqi);
      for (std::size_t i = 1; i < qs.size() && static_cast<int>(i) < lmqc; ++i) {
        const double gap = qs[i].t - qs[i - 1].t;
        if (std::fabs(gap - lmqi) > tol)
          add_at("Q-LMQ-2", qs[i].frame, qs[i].t,
                 "last-member query " + fmt_s(gap) + " after the previous one, LMQI is " + fmt_s(lmqi) + " (" + trig +
                     ")",
                 Severity::Must);
      }
    }
  }

  void expire_lmq(double t, bool at_end) {
    for (auto it = lmq.begin(); it != lmq.end();) {
      if (t > it->second.deadline || (at_end && t >= it->second.deadline)) {
        close_lmq(it->first, it->second);
        it = lmq.erase(it);
      } else {
        ++it;
      }
    }
  }

  void lmq_trigger(const Key& g, Lmq::Kind kind, const Frame& f, double t) {
    auto it = lmq.find(g);
    if (it != lmq.end()) {
      if (it->second.kind == kind) {  // a retransmission of the same state change
        it->second.triggers++;
        return;
      }
      close_lmq(g, it->second);
      lmq.erase(it);
    }
    Lmq s;
    s.kind = kind;
    s.t = t;
    s.frame = f.number;
    // Only judged when the group had reported members and a querier is heard on the link.
    s.members_known = reported.count(g) != 0 && queriers_heard.count(static_cast<int>(g.fam)) != 0;
    s.deadline = t + 1.0 + 0.5;  // first query expected within the default LMQI (1 s)
    lmq.emplace(g, std::move(s));
  }

  void router_query(const Frame& f, double t, const Key& src, const Key& group, bool general, int version, bool v3,
                    double mrt, int qrv, std::uint8_t qqic, bool s_flag, bool with_sources) {
    if (!general) {
      auto it = lmq.find(group);
      if (it != lmq.end()) {
        auto& s = it->second;
        s.queries.push_back({t, f.number, with_sources, s_flag, v3, mrt, qrv});
        const int lmqc = (v3 && qrv) ? qrv : kDefaultRv;
        const double lmqi = s.queries.front().mrt;
        // Twice the expected span, so late retransmissions are judged for spacing (Q-LMQ-2).
        s.deadline = std::max(s.deadline, s.queries.front().t + 2 * (lmqc - 1) * lmqi + std::max(0.5, 0.25 * lmqi));
      }
      return;
    }
    if (version == 1) return;  // IGMPv1: no QQI, no election (RFC 1112)
    auto& q = queriers[src];
    const bool qi_known = v3 && qqic != 0;
    // Versions without QQIC: the interval is learned from the querier's own spacing (the first
    // gap, or the second when the first was a startup gap); until then the default 125 s.
    if (!qi_known && q.count > 0 && t - q.last <= 3 * std::max(q.learned_qi, kDefaultQi)) {
      const double gap = t - q.last;
      if (q.learned_qi < 0 || (q.count == 2 && gap > 1.5 * q.learned_qi)) q.learned_qi = gap;
    }
    const bool learned = !qi_known && q.learned_qi > 0;
    const double qi = qi_known ? wire::decode_qqic(qqic) : learned ? q.learned_qi : kDefaultQi;
    const Severity sev = qi_known ? Severity::Must : Severity::Should;
    const std::string qi_note = qi_known ? " (QQI from QQIC)"
                                : learned ? " (QI learned from this querier's spacing: not announced by this version)"
                                          : " (default QI 125 s: not announced by this version)";
    // A QI learned from this querier's spacing carries the capture's timestamp jitter (and a
    // busy querier's timer slack): a 1 s MRT beside queries 0.987 s apart is not judged.
    const double tol = learned ? std::max(0.02, 0.02 * qi) : 0.0;
    if (mrt >= qi + tol)
      add("Q-MRT-1", f, t, "Max Resp Time " + fmt_s(mrt) + " is not below the Query Interval " + fmt_s(qi) + qi_note,
          sev);
    const int rv = (v3 && qrv) ? qrv : kDefaultRv;
    const double oqpi = rv * qi + mrt / 2;  // RFC 9776 §8.5
    // Querier election: still querying more than one QI after hearing a lower address that
    // is still present (heard = its first query since this querier's streak began).
    for (auto it = q.heard_lower.begin(); it != q.heard_lower.end();) {
      const auto& other = queriers[it->first];
      if (t - other.last >= oqpi - kTol) {  // the lower querier went away (its OQPI ran out)
        it = q.heard_lower.erase(it);
        continue;
      }
      if (t - it->second > qi + kTol)
        add("Q-ELECT-1", f, t,
            "querier " + str(src) + " still queries " + fmt_s(t - it->second) + " after hearing lower-address querier " +
                str(it->first) + " (last heard " + fmt_s(t - other.last) + " ago)",
            Severity::Must);
      ++it;
    }
    // This query is heard by every higher-address querier with an active streak.
    for (auto& [addr, other] : queriers)
      if (addr.fam == src.fam && src < addr && other.count > 0 && !other.heard_lower.count(src))
        other.heard_lower[src] = t;
    if (q.count > 0) {
      const double gap = t - q.last;
      if (gap > oqpi) {
        q.heard_lower.clear();
        q.count = 0;  // the querier had stopped (lost an election, or the capture skipped): a new streak
      } else if (q.count == 1) {
        if (qi_known && gap > qi * 1.1 + kTol)
          add("Q-STARTUP-1", f, t,
              "second general query " + fmt_s(gap) + " after the first: neither the Startup Query Interval " +
                  fmt_s(qi / 4) + " nor the Query Interval " + fmt_s(qi) + qi_note,
              sev);
        q.startup = gap < 0.9 * qi;
      } else if (!qi_known && q.count == 2) {
        // the gap the interval was (re)learned from
      } else if (q.startup && q.count < rv) {
        if (qi_known && gap > qi * 1.1 + kTol)
          add("Q-STARTUP-1", f, t,
              "startup general query " + std::to_string(q.count + 1) + " " + fmt_s(gap) +
                  " after the previous one, Startup Query Interval is " + fmt_s(qi / 4) + qi_note,
              sev);
      } else if (gap < 0.9 * qi - kTol || gap > 1.1 * qi + kTol) {
        add("Q-INTERVAL-1", f, t,
            "general query " + fmt_s(gap) + " after the previous one from " + str(src) + ", Query Interval is " +
                fmt_s(qi) + qi_note,
            sev);
      }
    }
    if (q.count == 0) q.first = t;
    q.count++;
    q.last = t;
    q.qi = qi;
    q.qi_known = qi_known;
    q.mrt = mrt;
    q.rv = rv;
  }

  // ---------------------------------------------------------------- host timing
  void host_report_group(const Frame& f, double t, const Key& host, const Key& g, bool current_state, bool legacy,
                         int family) {
    const auto hg = std::make_pair(host, g);
    // The latest query covering g.
    QueryRec q;
    if (auto it = last_general.find(family); it != last_general.end()) q = it->second;
    if (auto it = last_gsq.find(g); it != last_gsq.end() && it->second.t > q.t) q = it->second;
    if (q.t >= 0) {
      bool response = false;
      if (current_state) response = true;
      if (legacy) {
        auto ms = member_since.find(hg);
        auto lr = last_report.find(hg);
        response = ms != member_since.end() && ms->second < q.t && (lr == last_report.end() || lr->second < q.t);
      }
      if (response && t - q.t > q.mrt + kTol)
        add("HOST-RESP-1", f, t,
            "report for " + str(g) + " " + fmt_s(t - q.t) + " after the query in frame " + std::to_string(q.frame) +
                ", Max Resp Time " + fmt_s(q.mrt),
            Severity::Must);
    }
    last_report[hg] = t;
    if (!member_since.count(hg)) member_since[hg] = t;
  }

  void host_repeat(const Frame& f, double t, const Key& host, const Key& g, const std::string& sig, int limit,
                   const char* what) {
    auto& r = repeats[{host, g}];
    if (r.sig == sig && t - r.first <= kRepeatWindow) {
      r.count++;
      if (r.count == limit + 1)
        add("HOST-REPEAT-1", f, t,
            std::string(what) + " for " + str(g) + " sent " + std::to_string(r.count) + " times in " +
                fmt_s(t - r.first) + ", at most " + std::to_string(limit) + " expected",
            Severity::Should);
    } else {
      r.sig = sig;
      r.count = 1;
      r.first = t;
    }
  }

  void reset_repeats_for(const Key* group, Family fam) {
    for (auto it = repeats.begin(); it != repeats.end(); ++it)
      if (it->first.second.fam == fam && (!group || it->first.second == *group)) it->second.count = 0, it->second.sig.clear();
  }

  // ---------------------------------------------------------------- dispatch
  template <class A>
  void timing(const Frame& f, double t, const wire::DecodedPacket& p, const wire::Message<A>& m) {
    constexpr bool v6 = std::is_same_v<A, Ipv6Addr>;
    const Family fam = v6 ? Family::V6 : Family::V4;
    const int famk = v6 ? 6 : 4;
    const Key src = v6 ? key(p.ip6.src) : key(p.ip4.src);
    double mrt = 0;
    if constexpr (v6) mrt = wire::mld_max_resp_ms(m) / 1000.0;
    else mrt = wire::igmp_max_resp_ms(m) / 1000.0;
    const bool v3 = v6 ? m.version == 2 : m.version == 3;
    if (m.kind == MsgKind::Query) {
      if (!v6 && m.version == 1) mrt = 10;  // RFC 1112: hosts answer within 10 s
      const bool general = m.is_general_query();
      const Key g = key(m.group);
      if (v3 && m.qrv) last_qrv[famk] = m.qrv;
      queriers_heard.insert(static_cast<int>(fam));
      // Host view: what reports must answer.
      QueryRec rec{t, mrt, f.number};
      if (general) {
        last_general[famk] = rec;
        reset_repeats_for(nullptr, fam);
      } else {
        last_gsq[g] = rec;
        reset_repeats_for(&g, fam);
      }
      if (role == Role::Router)
        router_query(f, t, src, g, general, m.version, v3, mrt, m.qrv, m.qqic, m.s_flag, !m.sources.empty());
      return;
    }
    const int rv = last_qrv.count(famk) ? last_qrv[famk] : kDefaultRv;
    auto note_report = [&](const Key& g) {
      reported.insert(g);
      if (auto it = lmq.find(g); it != lmq.end()) it->second.report_seen = true;
    };
    switch (m.kind) {
      case MsgKind::V1Report:
      case MsgKind::V2Report: {
        const Key g = key(m.group);
        note_report(g);
        if (role == Role::Host) {
          host_report_group(f, t, src, g, false, true, famk);
          host_repeat(f, t, src, g, "report", std::max(rv, 3), "unsolicited report");
        }
        break;
      }
      case MsgKind::Leave: {
        const Key g = key(m.group);
        if (role == Role::Router) lmq_trigger(g, Lmq::Kind::Leave, f, t);
        member_since.erase({src, g});
        if (role == Role::Host) host_repeat(f, t, src, g, "leave", std::max(rv, 3), v6 ? "done" : "leave");
        break;
      }
      case MsgKind::V3Report: {
        for (const auto& r : m.records) {
          const Key g = key(r.group);
          const auto srcs = m.sources_of(r);
          const bool to_in = r.type == static_cast<std::uint8_t>(RecordType::ChangeToIncludeMode);
          const bool block = r.type == static_cast<std::uint8_t>(RecordType::BlockOldSources);
          if (role == Role::Router) {
            if (to_in) lmq_trigger(g, Lmq::Kind::ToIn, f, t);
            else if (block) lmq_trigger(g, Lmq::Kind::Block, f, t);
            else note_report(g);
            if (to_in && !srcs.empty()) reported.insert(g);
            if (!to_in && !block) reported.insert(g);
          } else {
            const bool current = r.type == 1 || r.type == 2;
            if (to_in && srcs.empty()) member_since.erase({src, g});
            if (current || (!to_in && !block) || !srcs.empty()) host_report_group(f, t, src, g, current, false, famk);
            if (!current && r.type >= 3 && r.type <= 6) {
              std::string sig = std::to_string(r.type) + ":";
              std::vector<A> ss(srcs.begin(), srcs.end());
              std::sort(ss.begin(), ss.end());
              for (const auto& s : ss) sig += str(s) + ",";
              host_repeat(f, t, src, g, sig, rv, wire::record_type_name(r.type));
            }
          }
        }
        break;
      }
      default: break;
    }
  }

  void feed(const Frame& f, const wire::DecodedPacket& p) {
    if (p.proto == wire::PacketProto::None) return;
    // The same frame captured twice (same time, same bytes, e.g. on two interfaces of a
    // bridge) is one message on the link: judge it once.
    if (f.ts_sec == prev_sec && f.ts_nsec == prev_nsec && prev.size() == f.data.size() &&
        std::equal(prev.begin(), prev.end(), f.data.begin()))
      return;
    prev_sec = f.ts_sec;
    prev_nsec = f.ts_nsec;
    prev.assign(f.data.begin(), f.data.end());
    const double t = static_cast<double>(f.ts_sec) + f.ts_nsec * 1e-9;
    now = t;
    any = true;
    expire_lmq(t, false);
    if (p.errors.has(wire::WireError::SnapTruncated))
      add("WF-2", f, t, "frame cut by the capture snap length (" + std::to_string(f.caplen) + " of " +
                            std::to_string(f.len) + " bytes)");
    const bool usable = p.usable;
    const MsgKind kind = p.proto == wire::PacketProto::Igmp ? p.igmp.kind : p.mld.kind;
    if (usable && kind == MsgKind::Other) return;  // DVMRP, PIMv1, mtrace, RGMP
    const bool mine = !usable || ((kind == MsgKind::Query) == (role == Role::Router));
    if (mine) {
      v.messages_++;
      bool wf = false;
      p.errors.for_each([&](wire::WireError e) {
        using E = wire::WireError;
        if (e == E::BadTtl || e == E::BadChecksum || e == E::BadIpChecksum || e == E::BadRecordType ||
            e == E::SnapTruncated)
          return;
        wf = true;
        add("WF-1", f, t, std::string(wire::error_id(e)) + ": " + wire::error_reason(e));
      });
      if (!usable) {
        if (!wf) add("WF-1", f, t, "message could not be decoded from this frame");
        return;
      }
      if (p.proto == wire::PacketProto::Igmp) check_message(f, t, p, p.igmp);
      else check_message(f, t, p, p.mld);
    }
    if (p.proto == wire::PacketProto::Igmp) timing(f, t, p, p.igmp);
    else timing(f, t, p, p.mld);
  }
};

Validator::Validator(Role role) : role_(role), st_(std::make_unique<State>(*this, role)) {}
Validator::~Validator() = default;

void Validator::feed(const Frame& f, const wire::DecodedPacket& p) { st_->feed(f, p); }

void Validator::finish() {
  if (st_->any) st_->expire_lmq(st_->now, true);
  st_->lmq.clear();
  finished_ = true;
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.frame < b.frame; });
}

std::size_t Validator::drain(std::vector<Finding>& out) {
  if (findings.empty()) return 0;
  auto by_frame = [](const Finding& a, const Finding& b) { return a.frame < b.frame; };
  // [0, sorted_) is in frame order from the last drain; bring the new tail in. Equal
  // frames keep insertion order (prefix first), so this equals one stable_sort.
  const auto mid = findings.begin() + static_cast<std::ptrdiff_t>(std::min(sorted_, findings.size()));
  if (!std::is_sorted(mid, findings.end(), by_frame)) std::stable_sort(mid, findings.end(), by_frame);
  if (mid != findings.begin() && mid != findings.end() && mid->frame < std::prev(mid)->frame)
    std::inplace_merge(findings.begin(), mid, findings.end(), by_frame);
  // Every finding added later is on the current frame or on the frame of an open
  // last-member-query sequence (add_at in expire_lmq), never on an earlier one.
  std::uint64_t watermark = UINT64_MAX;
  if (!finished_)
    for (const auto& [g, s] : st_->lmq) watermark = std::min(watermark, s.frame);
  auto end = std::partition_point(findings.begin(), findings.end(),
                                  [&](const Finding& f) { return f.frame < watermark; });
  // Bounded memory even when a window never closes (a capture whose clock stands still):
  // past kMaxHeldFindings the held findings go out, and a later finding of that window
  // comes after them, out of frame order.
  if (static_cast<std::size_t>(findings.end() - end) > kMaxHeldFindings) end = findings.end();
  const auto n = static_cast<std::size_t>(end - findings.begin());
  for (auto it = findings.begin(); it != end; ++it) {
    if (it->severity != Severity::Info) ++drained_violations_;
    out.push_back(std::move(*it));
  }
  findings.erase(findings.begin(), end);
  sorted_ = findings.size();
  drained_ += n;
  return n;
}

std::size_t Validator::violations() const {
  return drained_violations_ +
         static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [](const Finding& f) { return f.severity != Severity::Info; }));
}

}  // namespace mcsim::pcap
