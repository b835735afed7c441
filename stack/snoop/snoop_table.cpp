#include "stack/snoop/snoop_table.hpp"

#include <algorithm>

#include "stack/wire/codes.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/mld.hpp"

namespace mcsim::snoop {

namespace {

// RFC 4541 §2.1.2 (2): 224.0.0.0/24 (RFC 5771 Local Network Control Block) is never
// constrained: hosts do not report it (RFC 9776 §5) so there is nothing to learn from.
bool always_flooded(const Ipv4Addr& g) { return !g.is_multicast() || g.is_link_local_multicast(); }
// RFC 4541 §3: MLD is mandated for link scope and wider, so only ff02::1 (for which MLD
// messages are never sent) is flooded; other link-scope groups (ff02::fb, solicited-node
// groups) are snooped like any group, as the Linux bridge does. Scopes 0 and 1 never leave
// a node; they are flooded rather than learned.
bool always_flooded(const Ipv6Addr& g) {
  return !g.is_multicast() || g == ipv6::kAllNodes || g.scope() < McastScope::LinkLocal;
}

Duration max_resp(const wire::IgmpMessage& q) {
  // RFC 2236 §4: an IGMPv1 query (Max Resp 0) means 10 s.
  if (q.version == 1) return seconds(10);
  return Duration{wire::igmp_max_resp_ms(q)} * kMs;
}
Duration max_resp(const wire::MldMessage& q) { return Duration{wire::mld_max_resp_ms(q)} * kMs; }

}  // namespace

template <class A>
bool SnoopTable<A>::PortState::live(Time now) const {
  if (mode == FilterMode::Exclude && group_timer > now) return true;
  return std::any_of(sources.begin(), sources.end(), [&](const SourceTimer& s) { return s.until > now; });
}

template <class A>
bool SnoopTable<A>::PortState::admits(const A& s, Time now) const {
  auto it = std::lower_bound(sources.begin(), sources.end(), s,
                             [](const SourceTimer& t, const A& a) { return t.source < a; });
  const bool listed = it != sources.end() && it->source == s;
  // RFC 9776 §6.3: EXCLUDE mode forwards every source but those whose timer is 0 (the
  // excluded list); INCLUDE mode (or EXCLUDE whose group timer ran out, §6.5) forwards the
  // sources whose timers run.
  if (mode == FilterMode::Exclude && group_timer > now) return !listed || it->until > now;
  return listed && it->until > now;
}

template <class A>
SnoopTable<A>::SnoopTable(SnoopConfig cfg) : cfg_(cfg) {
  cfg_.ports = std::min(cfg_.ports, PortSet::kMaxPorts);
  router_until_.assign(cfg_.ports, -1);
}

template <class A>
Duration SnoopTable<A>::group_membership_interval() const {
  // RFC 9776 §8.4 / RFC 9777 §9.4: GMI = Robustness Variable * Query Interval + 2 * Query
  // Response Interval (the bis text; RFC 3376 had one QRI), as the router model uses.
  return learned_general_ ? Duration{qrv_} * qi_ + 2 * qri_ : cfg_.default_gmi;
}

template <class A>
Duration SnoopTable<A>::last_member_query_time() const {
  if (cfg_.fast_leave) return 0;
  // RFC 9776 §8.9: LMQT = LMQC (§8.7: defaults to the Robustness Variable) * LMQI (§8.8: the
  // Max Resp Time the querier puts in group-specific queries).
  return learned_lmqi_ ? Duration{qrv_} * lmqi_ : cfg_.default_lmqt;
}

template <class A>
Duration SnoopTable<A>::router_port_age() const {
  // RFC 9776 §8.5 / RFC 9777 §9.5: Other Querier Present Interval = RV * QI + QRI / 2.
  return learned_general_ ? Duration{qrv_} * qi_ + qri_ / 2 : cfg_.router_port_age;
}

template <class A>
void SnoopTable<A>::learn_timers(const wire::Message<A>& q) {
  const Duration mrt = max_resp(q);
  if (q.qrv != 0) qrv_ = q.qrv;  // RFC 9776 §4.1.6 / RFC 9777 §5.1.8: 0 keeps the last value
  if (q.group == A{}) {
    if (q.qqic != 0) qi_ = Duration{wire::decode_qqic(q.qqic)} * kSec;  // RFC 9776 §4.1.7
    qri_ = mrt;  // RFC 9776 §8.3: the Max Resp Time of general queries
    learned_general_ = true;
  } else if (mrt > 0) {
    lmqi_ = mrt;  // RFC 9776 §8.8: the Max Resp Time of group-specific queries
    learned_lmqi_ = true;
  }
}

template <class A>
typename SnoopTable<A>::PortState* SnoopTable<A>::find(const A& g, unsigned port) {
  auto it = std::lower_bound(table_.begin(), table_.end(), std::pair{g, port}, [](const PortState& e, const auto& k) {
    return std::pair{e.group, e.port} < k;
  });
  return it != table_.end() && it->group == g && it->port == port ? &*it : nullptr;
}

template <class A>
typename SnoopTable<A>::PortState& SnoopTable<A>::find_or_add(const A& g, unsigned port) {
  auto it = std::lower_bound(table_.begin(), table_.end(), std::pair{g, port}, [](const PortState& e, const auto& k) {
    return std::pair{e.group, e.port} < k;
  });
  if (it != table_.end() && it->group == g && it->port == port) return *it;
  PortState e;
  e.group = g;
  e.port = port;
  return *table_.insert(it, std::move(e));
}

template <class A>
void SnoopTable<A>::normalize(PortState& e, Time now) {
  if (e.mode == FilterMode::Exclude && e.group_timer <= now) {
    // RFC 9776 §6.5: group timer expiry in EXCLUDE mode switches to INCLUDE with the sources
    // whose timers still run; the excluded ones are deleted.
    e.mode = FilterMode::Include;
    e.group_timer = 0;
  }
  if (e.mode == FilterMode::Include) {
    // RFC 9776 §6.3: in INCLUDE mode an expired source is deleted.
    std::erase_if(e.sources, [&](const SourceTimer& s) { return s.until <= now; });
  } else {
    // RFC 9776 §6.3: in EXCLUDE mode it stays, as an excluded source (timer 0).
    for (auto& s : e.sources)
      if (s.until <= now) s.until = 0;
  }
}

template <class A>
void SnoopTable<A>::reschedule(PortState& e, Time now) {
  Time next = -1;
  auto consider = [&](Time t) {
    if (t > now && (next < 0 || t < next)) next = t;
  };
  if (e.mode == FilterMode::Exclude) consider(e.group_timer);
  for (const auto& s : e.sources) consider(s.until);
  if (next != e.next) {
    e.next = next;
    if (next >= 0) heap_.emplace(next, std::pair{e.group, e.port});
  }
}

template <class A>
void SnoopTable<A>::apply_record(PortState& e, RecordType t, std::span<const A> srcs, Time now) {
  scratch_ = SourceSet<A>::from_unsorted(srcs);
  const SourceSet<A>& b = scratch_;
  const Time gmi = now + group_membership_interval();
  const Time lmqt = now + last_member_query_time();
  auto at = [&](const A& a) -> SourceTimer* {
    auto it = std::lower_bound(e.sources.begin(), e.sources.end(), a,
                               [](const SourceTimer& s, const A& x) { return s.source < x; });
    return it != e.sources.end() && it->source == a ? &*it : nullptr;
  };
  auto set = [&](const A& a, Time until) {
    auto it = std::lower_bound(e.sources.begin(), e.sources.end(), a,
                               [](const SourceTimer& s, const A& x) { return s.source < x; });
    if (it != e.sources.end() && it->source == a)
      it->until = until;
    else
      e.sources.insert(it, SourceTimer{a, until});
  };
  // The querier answers TO_IN/TO_EX/BLOCK with Q(G) / Q(G,S) and, when nobody reports,
  // the timers run out after LMQT (RFC 9776 §6.6.3); the switch lowers them likewise.
  auto lower = [&](SourceTimer& s) { s.until = std::min(s.until, lmqt); };
  // Builds the new list for IS_EX/TO_EX: only sources in B survive (RFC 9776 §6.4 "Delete").
  auto keep_only_b = [&](auto&& timer_for) {
    std::vector<SourceTimer> next;
    next.reserve(b.size());
    for (const A& a : b) next.push_back(SourceTimer{a, timer_for(a, at(a))});
    e.sources.swap(next);
  };

  const auto type = t;
  if (e.mode == FilterMode::Include) {
    switch (type) {
      case RecordType::ModeIsInclude:
      case RecordType::AllowNewSources:
        // RFC 9776 §6.4.1 / §6.4.2: INCLUDE (A) + IS_IN/ALLOW (B) -> INCLUDE (A+B); (B)=GMI.
        for (const A& a : b) set(a, gmi);
        break;
      case RecordType::ChangeToIncludeMode:
        // RFC 9776 §6.4.2: INCLUDE (A) + TO_IN (B) -> INCLUDE (A+B); (B)=GMI; Q(G,A-B).
        for (auto& s : e.sources)
          if (!b.contains(s.source)) lower(s);
        for (const A& a : b) set(a, gmi);
        break;
      case RecordType::BlockOldSources:
        // RFC 9776 §6.4.2: INCLUDE (A) + BLOCK (B) -> INCLUDE (A); Q(G,A*B).
        for (auto& s : e.sources)
          if (b.contains(s.source)) lower(s);
        break;
      case RecordType::ModeIsExclude:
      case RecordType::ChangeToExcludeMode: {
        // RFC 9776 §6.4.1 / §6.4.2: INCLUDE (A) + IS_EX/TO_EX (B) -> EXCLUDE (A*B, B-A);
        // (B-A)=0; Delete (A-B); Group Timer=GMI; TO_EX also sends Q(G,A*B).
        const bool to_ex = type == RecordType::ChangeToExcludeMode;
        keep_only_b([&](const A&, SourceTimer* old) -> Time {
          if (!old) return 0;
          return to_ex ? std::min(old->until, lmqt) : old->until;
        });
        e.mode = FilterMode::Exclude;
        e.group_timer = gmi;
        break;
      }
    }
    return;
  }
  // EXCLUDE (X, Y): X = sources with a running timer (forwarded), Y = timer 0 (excluded).
  switch (type) {
    case RecordType::ModeIsInclude:
    case RecordType::AllowNewSources:
      // RFC 9776 §6.4.1 / §6.4.2: EXCLUDE (X,Y) + IS_IN/ALLOW (A) -> EXCLUDE (X+A, Y-A); (A)=GMI.
      for (const A& a : b) set(a, gmi);
      break;
    case RecordType::ChangeToIncludeMode:
      // RFC 9776 §6.4.2: EXCLUDE (X,Y) + TO_IN (A) -> EXCLUDE (X+A, Y-A); (A)=GMI;
      // Q(G,X-A); Q(G): the group timer is lowered to LMQT (a leave, RFC 4541 §2.1.1: the
      // port stays until the querier's group-specific queries go unanswered).
      for (auto& s : e.sources)
        if (s.until > now && !b.contains(s.source)) lower(s);
      for (const A& a : b) set(a, gmi);
      e.group_timer = std::min(e.group_timer, lmqt);
      break;
    case RecordType::BlockOldSources:
      // RFC 9776 §6.4.2: EXCLUDE (X,Y) + BLOCK (A) -> EXCLUDE (X+(A-Y), Y);
      // (A-X-Y)=Group Timer; Q(G,A-Y).
      for (const A& a : b) {
        SourceTimer* s = at(a);
        if (!s)
          set(a, std::min(e.group_timer, lmqt));
        else if (s->until > now)
          lower(*s);
      }
      break;
    case RecordType::ModeIsExclude:
    case RecordType::ChangeToExcludeMode: {
      // RFC 9776 §6.4.1: EXCLUDE (X,Y) + IS_EX (A) -> EXCLUDE (A-Y, Y*A); (A-X-Y)=GMI;
      // Delete (X-A), (Y-A); Group Timer=GMI.
      // RFC 9776 §6.4.2: EXCLUDE (X,Y) + TO_EX (A) -> EXCLUDE (A-Y, Y*A);
      // (A-X-Y)=Group Timer; Delete (X-A), (Y-A); Q(G,A-Y); Group Timer=GMI.
      const bool to_ex = type == RecordType::ChangeToExcludeMode;
      const Time gt = e.group_timer;
      keep_only_b([&](const A&, SourceTimer* old) -> Time {
        if (old && old->until <= now) return 0;  // in Y: stays excluded
        Time v = old ? old->until : (to_ex ? gt : gmi);
        return to_ex ? std::min(v, lmqt) : v;
      });
      e.group_timer = gmi;
      break;
    }
  }
}

template <class A>
void SnoopTable<A>::handle(unsigned in_port, const wire::Message<A>& m, const A& ip_src, Time now) {
  if (in_port >= cfg_.ports) return;
  auto report = [&](const A& g, RecordType t, std::span<const A> srcs) {
    if (always_flooded(g)) return;  // RFC 4541 §2.1.2 (2) / §3: nothing to constrain
    if (!find(g, in_port) && (t == RecordType::ChangeToIncludeMode || t == RecordType::BlockOldSources) && srcs.empty())
      return;  // a leave from a port that is no member creates nothing
    PortState& e = find_or_add(g, in_port);
    normalize(e, now);
    apply_record(e, t, srcs, now);
    normalize(e, now);  // fast leave lowers timers to `now`
    if (!e.live(now)) {
      table_.erase(table_.begin() + (&e - table_.data()));
      return;
    }
    reschedule(e, now);
  };
  switch (m.kind) {
    case wire::MsgKind::Query:
      learn_timers(m);
      // RFC 4541 §2.1.1 (1)(b): the arrival port of queries whose source is not 0.0.0.0 is a
      // router port; it ages with the Other Querier Present Interval (RFC 9776 §8.5).
      if (!ip_src.is_unspecified()) router_until_[in_port] = now + router_port_age();
      break;
    case wire::MsgKind::V1Report:
    case wire::MsgKind::V2Report:
      // RFC 9776 §7.3.2 / RFC 9777 §8.3.2: an IGMPv1/v2 report or MLDv1 report is IS_EX({}).
      report(m.group, RecordType::ModeIsExclude, {});
      break;
    case wire::MsgKind::Leave:
      // RFC 9776 §7.3.2 / RFC 9777 §8.3.2: an IGMPv2 Leave or MLDv1 Done is TO_IN({}).
      report(m.group, RecordType::ChangeToIncludeMode, {});
      break;
    case wire::MsgKind::V3Report:
      for (const auto& r : m.records) {
        // RFC 9776 §4.2.12: records of unknown type are ignored.
        if (r.type < 1 || r.type > 6) continue;
        report(r.group, static_cast<RecordType>(r.type), m.sources_of(r));
      }
      break;
    case wire::MsgKind::Other:
      break;
  }
}

template <class A>
void SnoopTable<A>::expire(Time now) {
  for (auto& r : router_until_)
    if (r >= 0 && r <= now) r = -1;
  while (!heap_.empty() && heap_.top().first <= now) {
    const auto [t, key] = heap_.top();
    heap_.pop();
    PortState* e = find(key.first, key.second);
    if (!e || e->next != t) continue;  // stale
    normalize(*e, now);
    if (!e->live(now)) {
      table_.erase(table_.begin() + (e - table_.data()));
      continue;
    }
    reschedule(*e, now);
  }
}

template <class A>
std::optional<Time> SnoopTable<A>::next_deadline() const {
  while (!heap_.empty()) {
    const auto& [t, key] = heap_.top();
    const PortState* e = const_cast<SnoopTable*>(this)->find(key.first, key.second);
    if (e && e->next == t) break;
    heap_.pop();  // drop stale entries so the deadline is exact
  }
  std::optional<Time> best;
  if (!heap_.empty()) best = heap_.top().first;
  for (Time r : router_until_)
    if (r >= 0 && (!best || r < *best)) best = r;
  return best;
}

template <class A>
PortSet SnoopTable<A>::router_ports(Time now) const {
  PortSet s;
  for (unsigned p = 0; p < router_until_.size(); ++p)
    if (router_until_[p] > now) s.set(p);
  return s;
}

template <class A>
PortSet SnoopTable<A>::member_ports(const A& g, Time now) const {
  PortSet s;
  auto it = std::lower_bound(table_.begin(), table_.end(), g, [](const PortState& e, const A& a) { return e.group < a; });
  for (; it != table_.end() && it->group == g; ++it)
    if (it->live(now)) s.set(it->port);
  return s;
}

template <class A>
PortSet SnoopTable<A>::forward_data(const A& group, const A& source, unsigned in_port, Time now) const {
  PortSet out = all_ports();
  out.reset(in_port);
  // RFC 4541 §2.1.2 (2) / §3: link-local groups go to every port.
  if (always_flooded(group)) return out;
  const PortSet routers = router_ports(now);
  PortSet members;
  bool registered = false;
  auto it = std::lower_bound(table_.begin(), table_.end(), group,
                             [](const PortState& e, const A& a) { return e.group < a; });
  for (; it != table_.end() && it->group == group; ++it) {
    if (!it->live(now)) continue;
    registered = true;
    // RFC 4541 §2.1.2 (3): per-port (G,S) filtering, INCLUDE and EXCLUDE lists.
    if (it->admits(source, now)) members.set(it->port);
  }
  if (registered) {
    // RFC 4541 §2.1.2 (1): by the membership table, and always on router ports.
    members |= routers;
    members.reset(in_port);
    return members;
  }
  // RFC 4541 §2.1.2 (1): unregistered packets must go to router ports and may be flooded.
  // Choice: router ports only, so unknown groups do not load host ports; but with no router
  // port known (a querier-less LAN) flood, since then no port is known to want the data.
  if (routers.empty()) return out;
  return routers & out;
}

template <class A>
PortSet SnoopTable<A>::forward_control(unsigned in_port, const wire::Message<A>& m, Time now) const {
  PortSet all = all_ports();
  all.reset(in_port);
  switch (m.kind) {
    case wire::MsgKind::Query:
      // RFC 4541 §2.1.1: queries reach every port (every host must be able to answer).
      return all;
    case wire::MsgKind::Other:
      // RFC 4541 §2.1.1 (3): unrecognized IGMP messages are flooded to all other ports.
      return all;
    case wire::MsgKind::V1Report:
    case wire::MsgKind::V2Report:
    case wire::MsgKind::Leave:
      if (cfg_.report_suppression) {
        // RFC 4541 §2.1.1 (2) (optional, off by default): while another port is a member the
        // router already keeps the group, so older-version reports and leaves are not passed on.
        PortSet others = member_ports(m.group, now);
        others.reset(in_port);
        if (!others.empty()) return {};
      }
      [[fallthrough]];
    case wire::MsgKind::V3Report: {
      // RFC 4541 §2.1.1 (1): reports (and leaves) go to router ports only. IGMPv3/MLDv2
      // reports are never suppressed: each carries its host's own source state.
      PortSet out = router_ports(now);
      out.reset(in_port);
      return out;
    }
  }
  return {};
}

template <class A>
std::vector<typename SnoopTable<A>::Entry> SnoopTable<A>::entries(Time now) const {
  std::vector<Entry> out;
  for (const auto& e : table_) {
    if (!e.live(now)) continue;
    Entry x;
    x.group = e.group;
    x.port = e.port;
    if (e.mode == FilterMode::Exclude && e.group_timer > now) {
      x.mode = FilterMode::Exclude;
      x.expires = e.group_timer;
      for (const auto& s : e.sources)
        if (s.until <= now) x.sources.push_back(s.source);
    } else {
      x.mode = FilterMode::Include;
      for (const auto& s : e.sources)
        if (s.until > now) {
          x.sources.push_back(s.source);
          x.expires = std::max(x.expires, s.until);
        }
    }
    out.push_back(std::move(x));
  }
  return out;
}

template class SnoopTable<Ipv4Addr>;
template class SnoopTable<Ipv6Addr>;

}  // namespace mcsim::snoop
