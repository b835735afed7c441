#include "stack/host/host_iface.hpp"

#include <algorithm>

#include "stack/filter/state_change.hpp"
#include "stack/grow.hpp"

namespace mcsim::host {

namespace {

template <class A>
void set_count(std::vector<A>& v, const decltype(A::source)& s, std::uint8_t n) {
  auto it = std::lower_bound(v.begin(), v.end(), A{s, 0});
  if (it != v.end() && it->source == s)
    it->left = n;
  else
    v.insert(it, A{s, n});
}

template <class A>
void remove_count(std::vector<A>& v, const decltype(A::source)& s) {
  auto it = std::lower_bound(v.begin(), v.end(), A{s, 0});
  if (it != v.end() && it->source == s) v.erase(it);
}

/// Takes the sources whose count is non-zero and decrements them (RFC 9776 §5.1: each source
/// is retransmitted [Robustness Variable] times in total).
template <class A, class Addr>
void take_pending(std::vector<A>& v, std::vector<Addr>& out) {
  for (auto& c : v) {
    out.push_back(c.source);
    --c.left;
  }
  v.erase(std::remove_if(v.begin(), v.end(), [](const A& c) { return c.left == 0; }), v.end());
}

}  // namespace

template <class T>
HostIface<T>::HostIface(HostConfig cfg, Rng& rng)
    : cfg_(cfg),
      rng_(rng),
      qrv_(cfg.robustness),
      qi_(cfg.query_interval),
      qri_(cfg.query_response_interval),
      last_mode_(cfg.force_version ? cfg.force_version : T::kMaxVersion) {}

template <class T>
std::uint8_t HostIface<T>::compat_mode(Time now) const {
  if (cfg_.force_version) return cfg_.force_version;
  // RFC 9776 §7.2.1: IGMPv1 mode while the IGMPv1 Querier Present timer runs, else IGMPv2
  // mode while the IGMPv2 timer runs, else IGMPv3. RFC 9777 §8.2.1 likewise for MLDv1.
  for (std::uint8_t v = 1; v < T::kMaxVersion; ++v)
    if (older_querier_until_[v] > now) return v;
  return T::kMaxVersion;
}

template <class T>
typename HostIface<T>::Group* HostIface<T>::find(const Addr& g) {
  auto it = std::lower_bound(groups_.begin(), groups_.end(), g, [](const Group& e, const Addr& a) { return e.group < a; });
  return it != groups_.end() && it->group == g ? &*it : nullptr;
}

template <class T>
const typename HostIface<T>::Group* HostIface<T>::find(const Addr& g) const {
  return const_cast<HostIface*>(this)->find(g);
}

template <class T>
typename HostIface<T>::Group& HostIface<T>::find_or_add(const Addr& g) {
  auto it = std::lower_bound(groups_.begin(), groups_.end(), g, [](const Group& e, const Addr& a) { return e.group < a; });
  if (it != groups_.end() && it->group == g) return *it;
  Group e;
  e.group = g;
  const auto pos = it - groups_.begin();
  grow_for_one(groups_);  // room for exactly-ish the groups joined (stack/grow.hpp)
  return *groups_.insert(groups_.begin() + pos, std::move(e));
}

template <class T>
void HostIface<T>::erase_if_idle(const Addr& g) {
  auto it = std::lower_bound(groups_.begin(), groups_.end(), g, [](const Group& e, const Addr& a) { return e.group < a; });
  if (it == groups_.end() || !(it->group == g)) return;
  if (!it->member() && !it->pending_change() && it->timer < 0) groups_.erase(it);
}

template <class T>
void HostIface<T>::arm_group_timer(Group& e, Time at) {
  e.timer = at;
  heap_.emplace(at, e.group);
}

template <class T>
Filter<typename T::Addr> HostIface<T>::state(const Addr& group) const {
  const Group* e = find(group);
  return e ? e->state : Filter<Addr>{};
}

template <class T>
void HostIface<T>::cancel_all_pending() {
  general_timer_ = -1;
  state_change_timer_ = -1;
  for (auto& e : groups_) {
    e.timer = -1;
    e.mode_retrans = 0;
    e.unsolicited_left = 0;
    e.query_sources_pending = false;
    e.src.reset();
  }
  std::erase_if(groups_, [](const Group& e) { return !e.member(); });
}

template <class T>
void HostIface<T>::check_mode_change(Time now) {
  for (std::uint8_t v = 1; v < T::kMaxVersion; ++v)
    if (older_querier_until_[v] >= 0 && older_querier_until_[v] <= now) older_querier_until_[v] = -1;
  const std::uint8_t m = compat_mode(now);
  if (m == last_mode_) return;
  // RFC 9776 §7.2.1 / RFC 9777 §8.2.1: on a change of Host Compatibility Mode, cancel all
  // pending responses and retransmission timers.
  cancel_all_pending();
  last_mode_ = m;
}

template <class T>
void HostIface<T>::set_state(const Addr& group, const Filter<Addr>& st, Time now) {
  check_mode_change(now);
  const Group* cur = find(group);
  const Filter<Addr> old = cur ? cur->state : Filter<Addr>{};
  if (old == st) return;
  Group& e = find_or_add(group);
  e.state = st;
  if (!link_up_ || T::never_reported(group)) {
    erase_if_idle(group);
    return;
  }
  const std::uint8_t mode = compat_mode(now);
  if (mode == T::kMaxVersion) {
    // RFC 9776 §5.1 / RFC 9777 §6.1: State-Change records from the old and new state; a
    // filter-mode change is retransmitted as TO_IN/TO_EX, source changes per source.
    std::vector<GroupRecord<Addr>> recs;
    append_state_change(group, old, st, recs);
    for (const auto& r : recs) {
      switch (r.type) {
        case RecordType::ChangeToIncludeMode:
        case RecordType::ChangeToExcludeMode:
          e.mode_retrans = qrv_;
          if (e.src) {
            e.src->allow_retrans.clear();
            e.src->block_retrans.clear();
            e.trim();
          }
          break;
        case RecordType::AllowNewSources:
          for (const auto& s : r.sources) {
            set_count(e.sources().allow_retrans, s, qrv_);
            remove_count(e.sources().block_retrans, s);
          }
          break;
        case RecordType::BlockOldSources:
          for (const auto& s : r.sources) {
            set_count(e.sources().block_retrans, s, qrv_);
            remove_count(e.sources().allow_retrans, s);
          }
          break;
        default:
          break;
      }
    }
    // RFC 9776 §5.1: each change triggers the immediate transmission of a State-Change Report.
    state_change_timer_ = now;
  } else if (!old.is_member() && st.is_member()) {
    // Older version join (RFC 2236 §3, RFC 2710 §4): report now, repeat [Robustness] - 1 times
    // within the Unsolicited Report Interval. Source lists are not expressible: ignored.
    e.unsolicited_left = static_cast<std::uint8_t>(qrv_ > 0 ? qrv_ - 1 : 0);
    e.timer = -1;
    queue_older(now, e);
  } else if (old.is_member() && !st.is_member()) {
    // RFC 2236 §3 / RFC 2710 §4: Leave/Done only if we were the last host to report.
    if (T::has_leave(mode) && e.last_reporter) out_.push_back({T::leave(group), T::kLeaveDst});
    e.timer = -1;
    e.unsolicited_left = 0;
    e.last_reporter = false;
  }
  erase_if_idle(group);
}

template <class T>
void HostIface<T>::queue_older(Time now, Group& e) {
  const std::uint8_t mode = compat_mode(now);
  // RFC 2236 §3: reports go to the group itself.
  out_.push_back({T::older_report(mode, e.group), e.group});
  e.last_reporter = true;
  if (e.unsolicited_left > 0) {
    --e.unsolicited_left;
    arm_group_timer(e, now + random_upto(cfg_.unsolicited_report_interval_older));
  }
}

template <class T>
void HostIface<T>::handle(const Msg& m, Time now) {
  if (!link_up_) return;
  check_mode_change(now);
  if (m.kind == wire::MsgKind::Query) {
    handle_query(m, now);
    return;
  }
  if (m.kind == wire::MsgKind::V1Report || m.kind == wire::MsgKind::V2Report) {
    // RFC 2236 §3 / RFC 2710 §4: hearing another member's report cancels our pending one
    // and makes it the last reporter. IGMPv3/MLDv2 hosts do not suppress (RFC 9776 §5.2).
    if (compat_mode(now) == T::kMaxVersion) return;
    if (Group* e = find(m.group)) {
      e->timer = -1;
      e->unsolicited_left = 0;
      e->last_reporter = false;
    }
  }
}

template <class T>
void HostIface<T>::handle_query(const Msg& q, Time now) {
  const std::uint8_t qv = q.version;
  if (qv == 0) return;  // undecodable (RFC 9776 §7.1: silently ignored)
  if (qv < T::kMaxVersion && !cfg_.force_version) {
    // RFC 9776 §7.2.1 / §8.12: Older Version Querier Present Timeout = RV * QI + QRI.
    older_querier_until_[qv] = now + qrv_ * qi_ + qri_;
    check_mode_change(now);
  }
  const std::uint8_t mode = compat_mode(now);
  if (mode == T::kMaxVersion)
    handle_v3_query(q, now);
  else
    handle_older_query(q, mode, now);
}

template <class T>
void HostIface<T>::handle_v3_query(const Msg& q, Time now) {
  const bool full = q.version == T::kMaxVersion;
  if (full) {
    // RFC 9776 §4.1.6: adopt a non-zero QRV, else the configured default.
    qrv_ = q.qrv ? q.qrv : cfg_.robustness;
    // RFC 9776 §4.1.7: adopt QQI; 0 means "use the default".
    const Duration qqi = std::int64_t{wire::decode_qqic(q.qqic)} * kSec;
    qi_ = qqi ? qqi : cfg_.query_interval;
  }
  const Duration max_resp = T::max_resp(q);
  if (full) qri_ = max_resp;  // RFC 9776 §8.3: the Max Resp Time of the last query
  const Time deadline = now + random_upto(max_resp);
  // RFC 9776 §5.2 rule 1: a pending General Query response due sooner makes this one moot.
  if (general_timer_ >= 0 && general_timer_ <= deadline) return;
  const bool general = q.group == Addr{};
  if (general) {
    if (full && !q.sources.empty()) return;  // a General Query carries no sources (§4.1.9); ignore
    general_timer_ = deadline;  // rule 2: the interface timer, replacing any pending one
    return;
  }
  Group* e = find(q.group);
  if (!e || !e->member() || T::never_reported(q.group)) return;  // no state to report
  const bool gssq = full && !q.sources.empty();
  if (e->timer < 0) {
    // Rule 3: schedule with the group timer; record the queried sources of a GSSQ.
    if (gssq) {
      e->sources().recorded_sources.assign(q.sources.begin(), q.sources.end());
    } else if (e->src) {
      e->src->recorded_sources.clear();
      e->trim();
    }
    e->query_sources_pending = gssq;
    arm_group_timer(*e, deadline);
    return;
  }
  const Time at = std::min(e->timer, deadline);
  if (!gssq || !e->query_sources_pending) {
    // Rule 4: a group-specific query (or a pending one without sources) clears the list.
    if (e->src) {
      e->src->recorded_sources.clear();
      e->trim();
    }
    e->query_sources_pending = false;
  } else {
    // Rule 5: augment the recorded source list.
    auto& rec = e->sources().recorded_sources;
    rec.insert(rec.end(), q.sources.begin(), q.sources.end());
  }
  if (at != e->timer) arm_group_timer(*e, at);
}

template <class T>
void HostIface<T>::handle_older_query(const Msg& q, std::uint8_t mode, Time now) {
  Duration max_resp = T::max_resp(q);
  Addr group = q.group;
  if (mode == 1 && q.version > 2 && T::kMaxVersion == 3) {
    // An IGMPv3 query heard in IGMPv1 mode is answered as an IGMPv1 general query
    // (RFC 9776 §7.2.1; Linux igmp_heard_query does the same): 10 s, all groups.
    max_resp = seconds(10);
    group = Addr{};
  }
  for (auto& e : groups_) {
    if (!(group == Addr{}) && !(e.group == group)) continue;
    if (!e.member() || T::never_reported(e.group)) continue;
    // RFC 2236 §3: reset a running timer only if Max Resp Time is below its remaining value.
    if (e.timer >= 0 && e.timer - now <= max_resp) continue;
    e.unsolicited_left = 0;
    arm_group_timer(e, now + random_upto(max_resp));
  }
}

template <class T>
void HostIface<T>::queue_records(std::span<const std::uint8_t> types, std::span<const Addr> groups,
                                 std::span<const std::vector<Addr>> sources) {
  const std::size_t budget = cfg_.mtu > T::kIpOverhead + T::kReportHeader + T::kRecordHeader + T::kAddrSize
                                 ? cfg_.mtu - T::kIpOverhead - T::kReportHeader
                                 : T::kRecordHeader + T::kAddrSize;
  Msg cur = T::report();
  std::size_t used = 0;
  auto flush = [&] {
    if (cur.records.empty()) return;
    out_.push_back({std::move(cur), T::kReportDst});
    cur = T::report();
    used = 0;
  };
  for (std::size_t i = 0; i < types.size(); ++i) {
    const auto& srcs = sources[i];
    const std::size_t need = T::kRecordHeader + srcs.size() * T::kAddrSize;
    const auto type = static_cast<wire::RecordType>(types[i]);
    if (need <= budget) {
      // RFC 9776 §4.2.16: records that do not fit go into further Report messages.
      if (used + need > budget) flush();
      cur.add_record(type, groups[i], srcs);
      used += need;
      continue;
    }
    flush();
    const std::size_t max_src = (budget - T::kRecordHeader) / T::kAddrSize;
    if (type == wire::RecordType::ModeIsExclude || type == wire::RecordType::ChangeToExcludeMode) {
      // RFC 9776 §4.2.16 / RFC 9777 §5.2.15: an EXCLUDE record that cannot fit is sent once
      // with as many sources as fit; the rest are not reported.
      cur.add_record(type, groups[i], std::span<const Addr>(srcs).first(max_src));
      flush();
    } else {
      // Other records are split into several records, each in its own Report.
      for (std::size_t off = 0; off < srcs.size(); off += max_src) {
        cur.add_record(type, groups[i], std::span<const Addr>(srcs).subspan(off, std::min(max_src, srcs.size() - off)));
        flush();
      }
    }
  }
  flush();
}

template <class T>
void HostIface<T>::send_state_change_report(Time now) {
  std::vector<std::uint8_t> types;
  std::vector<Addr> groups;
  std::vector<std::vector<Addr>> sources;
  bool more = false;
  for (auto& e : groups_) {
    if (!e.pending_change()) continue;
    if (e.mode_retrans) {
      // RFC 9776 §5.1: while filter-mode retransmissions remain, the record is TO_IN/TO_EX
      // with the current source list.
      --e.mode_retrans;
      types.push_back(static_cast<std::uint8_t>(e.state.mode == FilterMode::Exclude ? RecordType::ChangeToExcludeMode
                                                                                    : RecordType::ChangeToIncludeMode));
      groups.push_back(e.group);
      sources.emplace_back(e.state.sources.begin(), e.state.sources.end());
      if (e.mode_retrans == 0 && e.src) {
        e.src->allow_retrans.clear();
        e.src->block_retrans.clear();
        e.trim();
      }
    } else {
      std::vector<Addr> allow, block;
      if (e.src) {
        take_pending(e.src->allow_retrans, allow);
        take_pending(e.src->block_retrans, block);
        e.trim();
      }
      if (!allow.empty()) {
        types.push_back(static_cast<std::uint8_t>(RecordType::AllowNewSources));
        groups.push_back(e.group);
        sources.push_back(std::move(allow));
      }
      if (!block.empty()) {
        types.push_back(static_cast<std::uint8_t>(RecordType::BlockOldSources));
        groups.push_back(e.group);
        sources.push_back(std::move(block));
      }
    }
    more = more || e.pending_change();
  }
  queue_records(types, groups, sources);
  // RFC 9776 §5.1: retransmissions at random times within [Unsolicited Report Interval].
  state_change_timer_ = more ? now + random_upto(cfg_.unsolicited_report_interval) : -1;
  std::erase_if(groups_, [](const Group& e) { return !e.member() && !e.pending_change() && e.timer < 0; });
}

template <class T>
void HostIface<T>::send_general_response() {
  // RFC 9776 §5.2: the interface timer expired: one Current-State Record per group with
  // reception state (IS_IN / IS_EX with the current source list).
  std::vector<std::uint8_t> types;
  std::vector<Addr> groups;
  std::vector<std::vector<Addr>> sources;
  for (const auto& e : groups_) {
    if (!e.member() || T::never_reported(e.group)) continue;
    types.push_back(static_cast<std::uint8_t>(e.state.mode == FilterMode::Exclude ? RecordType::ModeIsExclude
                                                                                  : RecordType::ModeIsInclude));
    groups.push_back(e.group);
    sources.emplace_back(e.state.sources.begin(), e.state.sources.end());
  }
  queue_records(types, groups, sources);
}

template <class T>
void HostIface<T>::fire_group_timer(Group& e, Time now) {
  const std::uint8_t mode = compat_mode(now);
  if (mode < T::kMaxVersion) {
    if (e.member()) queue_older(now, e);
    return;
  }
  if (!e.member()) return;
  std::uint8_t type;
  std::vector<Addr> srcs;
  if (e.query_sources_pending) {
    // RFC 9776 §5.2 (GSSQ response): INCLUDE(A) -> IS_IN(A*B); EXCLUDE(A) -> IS_IN(B-A);
    // nothing when the set is empty.
    SourceSet<Addr> b = SourceSet<Addr>::from_unsorted(e.sources().recorded_sources);
    SourceSet<Addr> r = e.state.mode == FilterMode::Include ? (e.state.sources & b) : (b - e.state.sources);
    e.src->recorded_sources.clear();
    e.trim();
    e.query_sources_pending = false;
    if (r.empty()) return;
    type = static_cast<std::uint8_t>(RecordType::ModeIsInclude);
    srcs.assign(r.begin(), r.end());
  } else {
    // Group-specific query: the current state of the group.
    type = static_cast<std::uint8_t>(e.state.mode == FilterMode::Exclude ? RecordType::ModeIsExclude
                                                                         : RecordType::ModeIsInclude);
    srcs.assign(e.state.sources.begin(), e.state.sources.end());
  }
  const Addr g = e.group;
  queue_records(std::span<const std::uint8_t>(&type, 1), std::span<const Addr>(&g, 1),
                std::span<const std::vector<Addr>>(&srcs, 1));
}

template <class T>
void HostIface<T>::fire_timers(Time now) {
  check_mode_change(now);
  if (!link_up_) return;
  if (state_change_timer_ >= 0 && state_change_timer_ <= now) send_state_change_report(now);
  if (general_timer_ >= 0 && general_timer_ <= now) {
    general_timer_ = -1;
    send_general_response();
  }
  while (!heap_.empty() && heap_.top().first <= now) {
    const auto [t, g] = heap_.top();
    heap_.pop();
    Group* e = find(g);
    if (!e || e->timer != t) continue;  // stale entry
    e->timer = -1;
    fire_group_timer(*e, now);
    erase_if_idle(g);
  }
}

template <class T>
std::optional<HostOutput<T>> HostIface<T>::poll_output(Time now) {
  fire_timers(now);
  if (out_empty()) return std::nullopt;
  HostOutput<T> o = std::move(out_[out_head_++]);
  if (out_empty()) {
    decltype(out_)().swap(out_);  // frees the buffer (`out_ = {}` would keep it): a host sends a report or two per query interval
    out_head_ = 0;
  }
  return o;
}

template <class T>
std::optional<Time> HostIface<T>::next_deadline() const {
  auto& heap = const_cast<decltype(heap_)&>(heap_);
  while (!heap.empty()) {
    const Group* e = find(heap.top().second);
    if (e && e->timer == heap.top().first) break;
    heap.pop();  // drop stale entries so the deadline is exact
  }
  std::optional<Time> best;
  auto consider = [&](Time t) {
    if (t >= 0 && (!best || t < *best)) best = t;
  };
  if (!out_empty()) consider(0);
  if (link_up_) {
    consider(state_change_timer_);
    consider(general_timer_);
    if (!heap.empty()) consider(heap.top().first);
  }
  for (std::uint8_t v = 1; v < T::kMaxVersion; ++v) consider(older_querier_until_[v]);
  return best;
}

template <class T>
void HostIface<T>::link_down(Time now) {
  (void)now;
  // A down link sends nothing; pending reports die with it.
  link_up_ = false;
  cancel_all_pending();
  out_.clear();
  out_head_ = 0;
}

template <class T>
void HostIface<T>::link_up(Time now) {
  link_up_ = true;
  // Linux ip_mc_up/ip_mc_reset: learned querier values and older-querier state are reset.
  qrv_ = cfg_.robustness;
  qi_ = cfg_.query_interval;
  qri_ = cfg_.query_response_interval;
  for (auto& t : older_querier_until_) t = -1;
  last_mode_ = compat_mode(now);
  // Re-announce every membership as if joined now (Linux igmp_group_added on ip_mc_up).
  std::vector<std::pair<Addr, Filter<Addr>>> members;
  for (const auto& e : groups_)
    if (e.member()) members.emplace_back(e.group, e.state);
  groups_.clear();
  for (const auto& [g, st] : members) set_state(g, st, now);
}

template <class T>
std::size_t HostIface<T>::memory_bytes() const {
  std::size_t n = groups_.capacity() * sizeof(Group);
  for (const auto& e : groups_) {
    n += e.state.sources.size() * sizeof(Addr);
    if (e.src) {
      n += sizeof(typename Group::SourceState);
      n += (e.src->allow_retrans.capacity() + e.src->block_retrans.capacity()) * sizeof(SourceCount);
      n += e.src->recorded_sources.capacity() * sizeof(Addr);
    }
  }
  return n;
}

template class HostIface<Ipv4Traits>;
template class HostIface<Ipv6Traits>;

}  // namespace mcsim::host
