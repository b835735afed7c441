#include "stack/router/router_iface.hpp"

#include <algorithm>

namespace mcsim::router {

namespace {

template <class V, class A>
bool sorted_contains(const V& v, const A& a) {
  return std::binary_search(v.begin(), v.end(), a, FastLess{});
}

}  // namespace

// --- construction and derived intervals ---------------------------------------------------

template <class T>
RouterIface<T>::RouterIface(RouterConfig cfg, Addr own_address, Rng& rng)
    : cfg_(cfg), own_(own_address), rng_(rng), rv_(cfg.robustness), qi_(cfg.query_interval), querier_(cfg.querier) {
  if (cfg_.version < 1 || cfg_.version > T::kMaxVersion) cfg_.version = T::kMaxVersion;
  if (rv_ == 0) rv_ = 2;  // RFC 9776 §8.1: the Robustness Variable MUST NOT be zero
}

template <class T>
Duration RouterIface<T>::gmi() const {
  if (cfg_.group_membership_interval) return cfg_.group_membership_interval;
  // RFC 9776 §8.4 / RFC 9777 §9.4: (RV * QI) + (2 * QRI) (Erratum 6725 text of the bis drafts).
  return rv_ * qi_ + 2 * cfg_.query_response_interval;
}

template <class T>
Duration RouterIface<T>::other_querier_present_interval() const {
  if (cfg_.other_querier_present_interval) return cfg_.other_querier_present_interval;
  return rv_ * qi_ + cfg_.query_response_interval / 2;  // RFC 9776 §8.5 / RFC 9777 §9.5
}

template <class T>
Duration RouterIface<T>::older_host_present_interval() const {
  if (cfg_.older_host_present_interval) return cfg_.older_host_present_interval;
  return rv_ * qi_ + cfg_.query_response_interval;  // RFC 9776 §8.13 / RFC 9777 §9.13
}

// --- group table --------------------------------------------------------------------------

template <class T>
typename RouterIface<T>::Group* RouterIface<T>::find(const Addr& g) {
  const std::size_t i = index_of(g);
  return i < keys_.size() && keys_[i] == g ? &groups_[i] : nullptr;
}

template <class T>
const typename RouterIface<T>::Group* RouterIface<T>::find(const Addr& g) const {
  return const_cast<RouterIface*>(this)->find(g);
}

template <class T>
typename RouterIface<T>::Group& RouterIface<T>::find_or_add(const Addr& g) {
  const std::size_t i = index_of(g);
  if (i < keys_.size() && keys_[i] == g) return groups_[i];
  Group e;
  e.group = g;  // RFC 9776 §6.4: a group without state is INCLUDE {}
  keys_.insert(keys_.begin() + static_cast<std::ptrdiff_t>(i), g);
  return *groups_.insert(groups_.begin() + static_cast<std::ptrdiff_t>(i), std::move(e));
}

template <class T>
std::uint8_t RouterIface<T>::compat(const Group& e, Time now) const {
  // RFC 9776 §7.3.2 table / RFC 9777 §8.3.2: v1 while the v1 Host Present timer runs, else v2
  // while the v2 timer runs, else the newest version; never above the configured version.
  std::uint8_t v = T::kMaxVersion;
  if (e.v1_host_until > now) v = 1;
  else if (T::kMaxVersion > 2 && e.v2_host_until > now) v = 2;
  return std::min(v, cfg_.version);
}

template <class T>
Time RouterIface<T>::next_event(const Group& e) const {
  Time t = -1;
  auto consider = [&](Time x) {
    if (x >= 0 && (t < 0 || x < t)) t = x;
  };
  if (e.mode == FilterMode::Exclude) {
    consider(e.group_timer);  // RFC 9776 §6.5: EXCLUDE -> INCLUDE when the group timer expires
  } else {
    for (const auto& s : e.sources) consider(s.timer);  // RFC 9776 §6.3: INCLUDE source expiry
    if (e.sources.empty()) consider(std::max(e.v1_host_until, e.v2_host_until));
  }
  consider(e.query_at);
  return t;
}

template <class T>
void RouterIface<T>::reschedule(Group& e) {
  const Time t = next_event(e);
  // The live heap entry fires no later than the new deadline: keep it (it re-arms when it
  // fires). This keeps one heap push per group per timer period instead of one per report.
  if (e.scheduled >= 0 && (t < 0 || t >= e.scheduled)) return;
  e.scheduled = t;
  if (t >= 0) heap_.emplace(t, e.group);
}

template <class T>
void RouterIface<T>::erase_if_empty(const Addr& g) {
  const std::size_t i = index_of(g);
  if (i >= keys_.size() || !(keys_[i] == g)) return;
  const Group& e = groups_[i];
  // RFC 9776 §6.2.1: INCLUDE with no source records is no state; the record is deleted
  // (kept while older-host timers or pending queries still matter).
  if (e.mode == FilterMode::Include && e.sources.empty() && e.query_at < 0 && e.scheduled < 0) {
    groups_.erase(groups_.begin() + static_cast<std::ptrdiff_t>(i));
    keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

// --- driving --------------------------------------------------------------------------------

template <class T>
void RouterIface<T>::start(Time now) {
  started_ = true;
  if (!cfg_.querier) return;
  // RFC 9776 §8.6/§8.7 / RFC 9777 §9.6/§9.7: on startup the router assumes it is the querier
  // and sends [Startup Query Count] general queries [Startup Query Interval] apart.
  querier_ = true;
  const std::uint8_t count = cfg_.startup_query_count ? cfg_.startup_query_count : rv_;
  startup_left_ = static_cast<std::uint8_t>(count > 0 ? count - 1 : 0);
  general_at_ = now;
  advance(now);
}

template <class T>
void RouterIface<T>::advance(Time now) {
  for (;;) {
    while (!heap_.empty()) {  // drop stale heap entries (lazy deletion)
      const Group* e = find(heap_.top().second);
      if (e && e->scheduled == heap_.top().first) break;
      heap_.pop();
    }
    Time t = -1;
    int which = 0;
    auto consider = [&](Time x, int w) {
      if (x >= 0 && x <= now && (t < 0 || x < t)) {
        t = x;
        which = w;
      }
    };
    consider(other_querier_until_, 1);
    consider(general_at_, 2);
    if (!heap_.empty()) consider(heap_.top().first, 3);
    if (t < 0) return;
    if (which == 1) {
      // RFC 9776 §6.6.2 / RFC 9777 §7.6.2: Other Querier Present expired; resume querying.
      other_querier_until_ = -1;
      if (cfg_.querier) {
        querier_ = true;
        startup_left_ = 0;
        general_at_ = t;
      }
    } else if (which == 2) {
      send_general_query(t);
    } else {
      const Addr g = heap_.top().second;
      heap_.pop();
      Group* e = find(g);
      e->scheduled = -1;
      service(*e, t);
      reschedule(*e);
      erase_if_empty(g);
    }
  }
}

template <class T>
void RouterIface<T>::service(Group& e, Time t) {
  if (e.v1_host_until >= 0 && e.v1_host_until <= t) e.v1_host_until = -1;  // RFC 9776 §7.3.2
  if (e.v2_host_until >= 0 && e.v2_host_until <= t) e.v2_host_until = -1;
  if (e.mode == FilterMode::Exclude && e.group_timer <= t) {
    // RFC 9776 §6.5 / RFC 9777 §7.5: switch to INCLUDE with the sources whose timers run;
    // source records whose timers are zero are deleted.
    std::erase_if(e.sources, [t](const Source& s) { return s.timer <= t; });
    e.mode = FilterMode::Include;
    e.gsq_left = 0;
  } else if (e.mode == FilterMode::Include) {
    // RFC 9776 §6.3 table: INCLUDE, TIMER == 0: remove the source record.
    std::erase_if(e.sources, [t](const Source& s) { return s.timer <= t; });
  }
  if (e.query_at >= 0 && e.query_at <= t) transmit_specific(e, t);
}

template <class T>
std::optional<RouterOutput<T>> RouterIface<T>::poll_output(Time now) {
  advance(now);
  if (out_.empty()) return std::nullopt;
  RouterOutput<T> o = std::move(out_.front());
  out_.pop_front();
  return o;
}

template <class T>
std::optional<Time> RouterIface<T>::next_deadline() const {
  auto& heap = const_cast<decltype(heap_)&>(heap_);
  while (!heap.empty()) {
    const Group* e = find(heap.top().second);
    if (e && e->scheduled == heap.top().first) break;
    heap.pop();  // drop stale entries so the deadline is exact
  }
  std::optional<Time> best;
  auto consider = [&](Time t) {
    if (t >= 0 && (!best || t < *best)) best = t;
  };
  if (!out_.empty()) consider(0);
  consider(general_at_);
  consider(other_querier_until_);
  if (!heap.empty()) consider(heap.top().first);
  return best;
}

// --- acceptance checks ---------------------------------------------------------------------

template <class T>
bool RouterIface<T>::accept(const Msg& m, const RxInfo<Addr>& rx) {
  const bool query = m.kind == wire::MsgKind::Query;
  if (!rx.checksum_ok) {  // RFC 9776 §4.1.2 / RFC 9777 §5.1.2 (ICMPv6, RFC 4443 §2.3)
    ++drops_.bad_checksum;
    return false;
  }
  if (rx.ttl != 1) {  // RFC 9776 §4 (TTL 1) / RFC 9777 §7.2 (Hop Limit 1)
    ++drops_.bad_ttl;
    return false;
  }
  if (cfg_.require_router_alert && !rx.router_alert && (!query || T::kRouterAlertOnQueries)) {
    ++drops_.no_router_alert;  // RFC 9776 §9.2/§9.3 option; RFC 9777 §7.2 / §7.6
    return false;
  }
  const bool src_ok = query ? T::valid_query_source(rx.src)
                            : T::valid_report_source(rx.src, cfg_.accept_unspecified_mld_source);
  if (!src_ok) {  // RFC 9776 §4.2.13, §9.2 / RFC 9777 §5.1.14, §5.2.13
    ++drops_.bad_source;
    return false;
  }
  if (m.kind == wire::MsgKind::Other) {
    ++drops_.other;
    return false;
  }
  return true;
}

// --- input ----------------------------------------------------------------------------------

template <class T>
void RouterIface<T>::handle(const Msg& m, const RxInfo<Addr>& rx, Time now) {
  advance(now);
  if (!accept(m, rx)) return;
  switch (m.kind) {
    case wire::MsgKind::Query:
      handle_query(m, rx, now);
      break;
    case wire::MsgKind::V1Report:
    case wire::MsgKind::V2Report:
    case wire::MsgKind::Leave:
      if (cfg_.ssm_aware && m.group.is_ssm()) {
        ++drops_.other;  // RFC 9776 §6.4: SSM-aware routers ignore v1/v2 reports and leaves
        break;
      }
      if (m.kind == wire::MsgKind::Leave)
        older_leave(m.group, now);
      else
        older_report(m.group, m.version, now);
      break;
    case wire::MsgKind::V3Report:
      if (cfg_.version < T::kMaxVersion) {
        ++drops_.other;  // an IGMPv1/v2 (MLDv1) router does not know this type (RFC 2236 §2.1)
        break;
      }
      for (const auto& r : m.records) {
        if (!r.group.is_multicast() || r.type < 1 || r.type > 6) {
          ++drops_.other;
          continue;
        }
        if (cfg_.ssm_aware && r.group.is_ssm() &&
            (r.type == static_cast<std::uint8_t>(RecordType::ModeIsExclude) ||
             r.type == static_cast<std::uint8_t>(RecordType::ChangeToExcludeMode))) {
          ++drops_.other;  // RFC 9776 §6.4: SSM-aware routers ignore EXCLUDE records for SSM
          continue;
        }
        auto src = m.sources_of(r);
        scratch_b_.assign(src.begin(), src.end());
        std::sort(scratch_b_.begin(), scratch_b_.end(), FastLess{});
        scratch_b_.erase(std::unique(scratch_b_.begin(), scratch_b_.end()), scratch_b_.end());
        Group& e = find_or_add(r.group);
        apply_record(e, static_cast<RecordType>(r.type), scratch_b_, now);
        reschedule(e);
        erase_if_empty(r.group);
      }
      break;
    case wire::MsgKind::Other:
      break;
  }
  advance(now);  // queries due now (RFC 9776 §6.6.3: "immediately send")
}

template <class T>
void RouterIface<T>::older_report(const Addr& g, std::uint8_t version, Time now) {
  if (!g.is_multicast()) {
    ++drops_.other;
    return;
  }
  Group& e = find_or_add(g);
  // RFC 9776 §7.3.2 / RFC 9777 §8.3.2: the IGMPv1 (MLDv1) or IGMPv2 Host Present timer is set
  // to the Older Host Present Interval; the mode switches immediately.
  if (version == 1) e.v1_host_until = now + older_host_present_interval();
  else e.v2_host_until = now + older_host_present_interval();
  // RFC 9776 §7.3.2: v1/v2 Report = IS_EX( {} ).
  scratch_b_.clear();
  apply_record(e, RecordType::ModeIsExclude, scratch_b_, now);
  reschedule(e);
}

template <class T>
void RouterIface<T>::older_leave(const Addr& g, Time now) {
  Group* e = find(g);
  if (!e) return;
  const std::uint8_t c = compat(*e, now);
  // RFC 9776 §7.3.2: Leave = TO_IN( {} ) in IGMPv2 mode; ignored in IGMPv1 mode (RFC 9776
  // §7.3.1) and in IGMPv3 mode, where the group has no IGMPv2 member. RFC 9777 §8.3.2: Done
  // likewise in MLDv1 mode.
  if (c == T::kMaxVersion || !T::has_leave(c)) return;
  scratch_b_.clear();
  apply_record(*e, RecordType::ChangeToIncludeMode, scratch_b_, now);
  reschedule(*e);
  erase_if_empty(g);
}

// --- RFC 9776 §6.4 action tables ---------------------------------------------------------------

template <class T>
void RouterIface<T>::apply_record(Group& e, RecordType type, const SourceList& b, Time now) {
  // Lazy timers: bring the group up to date (RFC 9776 §6.5) before applying a record.
  if (e.mode == FilterMode::Exclude && e.group_timer <= now) service(e, now);
  const std::uint8_t c = compat(e, now);
  if (c < T::kMaxVersion) {
    // RFC 9776 §7.3.2 / RFC 9777 §8.3.2: in older compatibility mode BLOCK is ignored and
    // TO_EX( B ) is treated as TO_EX( {} ); in IGMPv1 mode TO_IN is ignored as well.
    if (type == RecordType::BlockOldSources) return;
    if (type == RecordType::ChangeToIncludeMode && !T::has_leave(c)) return;
    if (type == RecordType::ChangeToExcludeMode && !b.empty()) {
      static const SourceList kEmpty;
      state_change(e, type, kEmpty, now);
      return;
    }
  }
  if (type == RecordType::ModeIsInclude || type == RecordType::ModeIsExclude)
    current_state(e, type, b, now);
  else
    state_change(e, type, b, now);
}

namespace {

/// (B)=timer: every source of B gets `timer`, created when absent.
template <class Src, class A>
void set_timers(std::vector<Src>& v, const std::vector<A>& b, Time timer) {
  std::size_t missing = 0;  // grow once, to the exact size (memory per entry matters)
  auto before = [](const Src& x, const A& a) { return fast_less(x.source, a); };
  for (const A& s : b) {
    auto it = std::lower_bound(v.begin(), v.end(), s, before);
    if (it == v.end() || !(it->source == s)) ++missing;
  }
  if (v.size() + missing > v.capacity()) v.reserve(v.size() + missing);
  for (const A& s : b) {
    auto it = std::lower_bound(v.begin(), v.end(), s, [](const Src& x, const A& a) { return fast_less(x.source, a); });
    if (it != v.end() && it->source == s)
      it->timer = timer;
    else
      v.insert(it, Src{timer, s, 0});
  }
}

/// Keeps the records of sources in B, creates the missing ones with `timer_new`, deletes
/// the records of sources not in B. Records that stay keep their timers.
template <class Src, class A>
void restrict_to(std::vector<Src>& v, const std::vector<A>& b, Time timer_new) {
  std::vector<Src> out;
  out.reserve(b.size());
  auto i = v.begin();
  for (const A& s : b) {
    while (i != v.end() && fast_less(i->source, s)) ++i;
    if (i != v.end() && i->source == s)
      out.push_back(*i);
    else
      out.push_back(Src{timer_new, s, 0});
  }
  v.swap(out);
}

}  // namespace

template <class T>
void RouterIface<T>::current_state(Group& e, RecordType type, const SourceList& b, Time now) {
  const Time gmi_at = now + gmi();
  if (e.mode == FilterMode::Include) {
    if (type == RecordType::ModeIsInclude) {
      // RFC 9776 §6.4.1: INCLUDE (A)  IS_IN (B)  -> INCLUDE (A+B)  (B)=GMI
      set_timers(e.sources, b, gmi_at);
    } else {
      // RFC 9776 §6.4.1: INCLUDE (A)  IS_EX (B)  -> EXCLUDE (A*B,B-A)  (B-A)=0, Delete (A-B),
      // Group Timer=GMI
      restrict_to(e.sources, b, now);
      e.mode = FilterMode::Exclude;
      e.group_timer = gmi_at;
    }
  } else {
    if (type == RecordType::ModeIsInclude) {
      // RFC 9776 §6.4.1: EXCLUDE (X,Y)  IS_IN (A)  -> EXCLUDE (X+A,Y-A)  (A)=GMI
      set_timers(e.sources, b, gmi_at);
    } else {
      // RFC 9776 §6.4.1: EXCLUDE (X,Y)  IS_EX (A)  -> EXCLUDE (A-Y,Y*A)  (A-X-Y)=GMI,
      // Delete (X-A), Delete (Y-A), Group Timer=GMI
      restrict_to(e.sources, b, gmi_at);
      e.group_timer = gmi_at;
    }
  }
}

template <class T>
void RouterIface<T>::state_change(Group& e, RecordType type, const SourceList& b, Time now) {
  const Time gmi_at = now + gmi();
  SourceList q;  // the source list of the Q(G,...) the row sends, from the state before it
  auto running = [&](const Source& s) { return s.timer > now; };
  if (e.mode == FilterMode::Include) {
    switch (type) {
      case RecordType::AllowNewSources:
        // RFC 9776 §6.4.2: INCLUDE (A)  ALLOW (B)  -> INCLUDE (A+B)  (B)=GMI
        set_timers(e.sources, b, gmi_at);
        break;
      case RecordType::BlockOldSources:
        // RFC 9776 §6.4.2: INCLUDE (A)  BLOCK (B)  -> INCLUDE (A)  Send Q(G,A*B)
        for (const auto& s : e.sources)
          if (sorted_contains(b, s.source)) q.push_back(s.source);
        send_qgs(e, q, now);
        break;
      case RecordType::ChangeToExcludeMode:
        // RFC 9776 §6.4.2: INCLUDE (A)  TO_EX (B)  -> EXCLUDE (A*B,B-A)  (B-A)=0,
        // Delete (A-B), Send Q(G,A*B), Group Timer=GMI
        for (const auto& s : e.sources)
          if (sorted_contains(b, s.source)) q.push_back(s.source);
        restrict_to(e.sources, b, now);
        e.mode = FilterMode::Exclude;
        e.group_timer = gmi_at;
        send_qgs(e, q, now);
        break;
      case RecordType::ChangeToIncludeMode:
        // RFC 9776 §6.4.2: INCLUDE (A)  TO_IN (B)  -> INCLUDE (A+B)  (B)=GMI, Send Q(G,A-B)
        for (const auto& s : e.sources)
          if (!sorted_contains(b, s.source)) q.push_back(s.source);
        set_timers(e.sources, b, gmi_at);
        send_qgs(e, q, now);
        break;
      default:
        break;
    }
    return;
  }
  switch (type) {
    case RecordType::AllowNewSources:
      // RFC 9776 §6.4.2: EXCLUDE (X,Y)  ALLOW (A)  -> EXCLUDE (X+A,Y-A)  (A)=GMI
      set_timers(e.sources, b, gmi_at);
      break;
    case RecordType::BlockOldSources: {
      // RFC 9776 §6.4.2: EXCLUDE (X,Y)  BLOCK (A)  -> EXCLUDE (X+(A-Y),Y)
      // (A-X-Y)=Group Timer, Send Q(G,A-Y)
      for (const auto& a : b) {
        auto it = std::lower_bound(e.sources.begin(), e.sources.end(), a,
                                   [](const Source& x, const Addr& s) { return fast_less(x.source, s); });
        const bool present = it != e.sources.end() && it->source == a;
        if (!present) {
          e.sources.insert(it, Source{e.group_timer, a, 0});  // A-X-Y
          q.push_back(a);
        } else if (running(*it)) {
          q.push_back(a);  // A*X
        }
      }
      send_qgs(e, q, now);
      break;
    }
    case RecordType::ChangeToExcludeMode:
      // RFC 9776 §6.4.2: EXCLUDE (X,Y)  TO_EX (A)  -> EXCLUDE (A-Y,Y*A)  (A-X-Y)=Group Timer,
      // Delete (X-A), Delete (Y-A), Send Q(G,A-Y), Group Timer=GMI
      for (const auto& a : b) {
        auto it = std::lower_bound(e.sources.begin(), e.sources.end(), a,
                                   [](const Source& x, const Addr& s) { return fast_less(x.source, s); });
        if (it == e.sources.end() || !(it->source == a) || running(*it)) q.push_back(a);
      }
      restrict_to(e.sources, b, e.group_timer);
      send_qgs(e, q, now);
      e.group_timer = gmi_at;
      break;
    case RecordType::ChangeToIncludeMode:
      // RFC 9776 §6.4.2: EXCLUDE (X,Y)  TO_IN (A)  -> EXCLUDE (X+A,Y-A)  (A)=GMI,
      // Send Q(G,X-A), Send Q(G)
      for (const auto& s : e.sources)
        if (running(s) && !sorted_contains(b, s.source)) q.push_back(s.source);
      set_timers(e.sources, b, gmi_at);
      send_qgs(e, q, now);
      send_qg(e, now);
      break;
    default:
      break;
  }
}

// --- RFC 9776 §6.6.3 group-specific and group-and-source-specific queries ---------------------

template <class T>
void RouterIface<T>::send_qg(Group& e, Time now) {
  // RFC 9776 §6.6.3: only the querier sends; IGMPv1 has no group-specific query.
  if (!querier_ || !T::has_leave(cfg_.version)) return;
  // RFC 9776 §6.6.3.1: "Send Q(G)": lower the group timer to LMQT, send now, and schedule
  // [Last Member Query Count - 1] retransmissions every [Last Member Query Interval].
  e.group_timer = std::min(e.group_timer, now + lmqt());
  e.gsq_left = lmqc();
  e.query_at = now;
}

template <class T>
void RouterIface<T>::send_qgs(Group& e, const SourceList& x, Time now) {
  if (x.empty() || !querier_ || !T::has_leave(cfg_.version)) return;  // "null list: no query"
  bool any = false;
  for (const auto& a : x) {
    auto it = std::lower_bound(e.sources.begin(), e.sources.end(), a,
                               [](const Source& s, const Addr& v) { return fast_less(s.source, v); });
    if (it == e.sources.end() || !(it->source == a)) continue;
    // RFC 9776 §6.6.3.2: for each source of X with source timer > LMQT: retransmissions =
    // [Last Member Query Count]; source timer lowered to LMQT.
    if (it->timer - now > lmqt()) {
      it->retrans = lmqc();
      it->timer = now + lmqt();
      any = true;
    }
  }
  if (any) e.query_at = now;  // "immediately send", merged with pending ones (§6.6.3)
}

template <class T>
void RouterIface<T>::transmit_specific(Group& e, Time t) {
  const Duration lmqi = cfg_.last_member_query_interval;
  if (e.gsq_left > 0) {
    // RFC 9776 §6.6.3.1: S flag set when the group timer is larger than LMQT.
    const bool s = e.mode == FilterMode::Exclude && e.group_timer - t > lmqt();
    emit(T::query(cfg_.version, e.group, lmqi, s, rv_, qi_, {}), e.group);
    --e.gsq_left;
  }
  // RFC 9776 §6.6.3.2: two queries: S set with the sources whose timers are > LMQT, S clear
  // with those <= LMQT; an empty one is not sent.
  std::vector<Addr> with_s, without_s;
  for (auto& s : e.sources) {
    if (s.retrans == 0) continue;
    (s.timer - t > lmqt() ? with_s : without_s).push_back(s.source);
    --s.retrans;
  }
  if (!with_s.empty()) emit(T::query(cfg_.version, e.group, lmqi, true, rv_, qi_, with_s), e.group);
  if (!without_s.empty()) emit(T::query(cfg_.version, e.group, lmqi, false, rv_, qi_, without_s), e.group);
  const bool more = e.gsq_left > 0 || std::any_of(e.sources.begin(), e.sources.end(), [](const Source& s) { return s.retrans > 0; });
  e.query_at = more ? t + lmqi : -1;
}

// --- queries: election, timer updates, general queries ----------------------------------------

template <class T>
void RouterIface<T>::handle_query(const Msg& q, const RxInfo<Addr>& rx, Time now) {
  if (q.is_general_query() && T::election_source(rx.src) && T::lower(rx.src, own_)) {
    // RFC 9776 §6.6.2 / RFC 9777 §7.6.2: a general query from a lower address: set the Other
    // Querier Present timer and stop sending queries.
    if (querier_) {
      querier_ = false;
      general_at_ = -1;
      startup_left_ = 0;
      for (auto& e : groups_) {  // a non-querier sends no specific queries either
        e.gsq_left = 0;
        for (auto& s : e.sources) s.retrans = 0;
        e.query_at = -1;
        reschedule(e);
      }
    }
    other_querier_until_ = now + other_querier_present_interval();
  }
  if (!querier_ && q.version == T::kMaxVersion) {
    // RFC 9776 §4.1.6: routers adopt a non-zero QRV of the querier's query; §4.1.7:
    // non-queriers adopt a non-zero QQI.
    if (q.qrv) rv_ = q.qrv;
    if (q.qqic) qi_ = seconds(wire::decode_qqic(q.qqic));
  }
  if (q.is_general_query() || q.s_flag) return;  // RFC 9776 §6.6.1: S set -> no timer update
  Group* e = find(q.group);
  if (!e) return;
  const Time low = now + lmqt();
  if (q.sources.empty()) {
    // RFC 9776 §6.6.1: Q(G) with S clear: group timer lowered to LMQT.
    if (e->mode == FilterMode::Exclude) e->group_timer = std::min(e->group_timer, low);
  } else {
    // RFC 9776 §6.6.1: Q(G,A) with S clear: source timers of A lowered to LMQT.
    for (auto& s : e->sources)
      if (std::find(q.sources.begin(), q.sources.end(), s.source) != q.sources.end()) s.timer = std::min(s.timer, low);
  }
  reschedule(*e);
}

template <class T>
void RouterIface<T>::send_general_query(Time t) {
  if (!querier_) {
    general_at_ = -1;
    return;
  }
  // RFC 9776 §6.6 / §8.2 / §8.3: general query to 224.0.0.1 (RFC 9777: ff02::1) with Max
  // Resp = Query Response Interval, QRV and QQIC of this querier.
  emit(T::query(cfg_.version, Addr{}, cfg_.query_response_interval, false, rv_, qi_, {}), T::kGeneralQueryDst);
  if (startup_left_ > 0) {
    --startup_left_;  // RFC 9776 §8.6: startup queries [Startup Query Interval] apart
    general_at_ = t + (cfg_.startup_query_interval ? cfg_.startup_query_interval : qi_ / 4);
  } else {
    general_at_ = t + qi_;  // RFC 9776 §8.2: every [Query Interval]
  }
}

template <class T>
void RouterIface<T>::send_query(const QueryRequest<Addr>& r, Time now) {
  advance(now);
  const std::uint8_t v = r.version ? r.version : cfg_.version;
  const bool general = r.group == Addr{};
  const Duration resp = r.max_resp.value_or(general ? cfg_.query_response_interval : cfg_.last_member_query_interval);
  const bool s = r.s_flag.value_or(false);
  emit(T::query(v, r.group, resp, s, r.qrv.value_or(rv_), r.qqi.value_or(qi_), r.sources),
       general ? T::kGeneralQueryDst : r.group);
  if (general || s) return;
  // RFC 9776 §6.6.1: a router that sends a specific query with S clear lowers its own timers.
  if (Group* e = find(r.group)) {
    const Time low = now + lmqt();
    if (r.sources.empty()) {
      if (e->mode == FilterMode::Exclude) e->group_timer = std::min(e->group_timer, low);
    } else {
      for (auto& src : e->sources)
        if (std::find(r.sources.begin(), r.sources.end(), src.source) != r.sources.end())
          src.timer = std::min(src.timer, low);
    }
    reschedule(*e);
  }
}

// --- views ----------------------------------------------------------------------------------

template <class T>
std::optional<typename RouterIface<T>::GroupView> RouterIface<T>::group(const Addr& g, Time now) const {
  const Group* e = find(g);
  if (!e) return std::nullopt;
  GroupView v;
  v.group = e->group;
  v.compat_version = compat(*e, now);
  // Evaluated at `now` without mutating: an expired EXCLUDE group reads as the INCLUDE state
  // §6.5 switches it to; expired INCLUDE sources are gone (§6.3).
  const bool excl = e->mode == FilterMode::Exclude && e->group_timer > now;
  v.mode = excl ? FilterMode::Exclude : FilterMode::Include;
  v.group_timer = excl ? e->group_timer - now : 0;
  for (const auto& s : e->sources) {
    const Duration left = std::max<Duration>(0, s.timer - now);
    if (excl || left > 0) v.sources.emplace_back(s.source, left);
  }
  if (!excl && v.sources.empty()) return std::nullopt;
  return v;
}

template <class T>
std::vector<typename RouterIface<T>::GroupView> RouterIface<T>::groups(Time now) const {
  std::vector<GroupView> out;
  for (const auto& e : groups_)
    if (auto v = group(e.group, now)) out.push_back(std::move(*v));
  return out;
}

template <class T>
bool RouterIface<T>::forwards(const Addr& g, const Addr& s, Time now) const {
  const Group* e = find(g);
  if (!e) return false;
  auto it = std::lower_bound(e->sources.begin(), e->sources.end(), s,
                             [](const Source& x, const Addr& a) { return fast_less(x.source, a); });
  const bool has = it != e->sources.end() && it->source == s;
  if (e->mode == FilterMode::Exclude && e->group_timer > now) {
    // RFC 9776 §6.3: EXCLUDE: forward unless the source has a record with timer == 0.
    return !has || it->timer > now;
  }
  // RFC 9776 §6.3: INCLUDE: forward only sources with a running timer.
  return has && it->timer > now;
}

template <class T>
std::size_t RouterIface<T>::memory_bytes() const {
  std::size_t n = groups_.capacity() * sizeof(Group) + keys_.capacity() * sizeof(Addr);
  for (const auto& e : groups_) n += e.sources.capacity() * sizeof(Source);
  n += heap_.size() * sizeof(HeapItem);
  return n;
}

template class RouterIface<RouterIpv4Traits>;
template class RouterIface<RouterIpv6Traits>;

}  // namespace mcsim::router
