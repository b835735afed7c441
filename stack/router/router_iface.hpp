// The router/querier side of IGMP (v1/v2/v3) and MLD (v1/v2) on one interface, as one
// sans-IO state machine over the address-family traits (RFC 9776 §6, RFC 9777 §7,
// RFC 2236, RFC 2710). Driven by the caller:
//   start(now)                       startup queries (RFC 9776 §8.6/§8.7)
//   handle(message, rx, now)         a received query or report, with its IP facts
//   send_query(request, now)         an on-demand query from a scenario
//   poll_output(now)                 next message to transmit, if any
//   next_deadline()                  earliest pending timer
// State: per group the router filter mode, group timer, source records with timers
// (RFC 9776 §6.2), older-host-present timers (§7.3.2) and pending specific queries (§6.6.3).
// Timers are stored as absolute expiry times; "timer = 0" is an expiry at or before now.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "stack/filter/filter.hpp"
#include "stack/rng.hpp"
#include "stack/router/traits.hpp"
#include "stack/time.hpp"

namespace mcsim::router {

/// Router knobs; 0 means "derived as the RFC says". Defaults are RFC 9776 §8 / RFC 9777 §9.
struct RouterConfig {
  std::uint8_t version = 3;                             // the querier's own version (IGMP 1..3, MLD 1..2)
  std::uint8_t robustness = 2;                          // RFC 9776 §8.1
  Duration query_interval = seconds(125);               // RFC 9776 §8.2
  Duration query_response_interval = seconds(10);       // RFC 9776 §8.3
  Duration last_member_query_interval = seconds(1);     // RFC 9776 §8.8
  std::uint8_t last_member_query_count = 0;             // RFC 9776 §8.9 (0 = robustness)
  Duration startup_query_interval = 0;                  // RFC 9776 §8.6 (0 = QI/4)
  std::uint8_t startup_query_count = 0;                 // RFC 9776 §8.7 (0 = robustness)
  Duration other_querier_present_interval = 0;          // RFC 9776 §8.5 (0 = RV*QI + QRI/2)
  Duration group_membership_interval = 0;               // RFC 9776 §8.4 (0 = RV*QI + 2*QRI)
  Duration older_host_present_interval = 0;             // RFC 9776 §8.13 (0 = RV*QI + QRI)
  bool require_router_alert = false;                    // RFC 9776 §9.2: ignore reports without RA
  bool querier = true;                                  // take part in querier election
  bool accept_unspecified_mld_source = false;           // RFC 9777 §5.2.13 discards :: reports
  /// RFC 9776 §6.4 / RFC 4604: in the SSM range ignore IS_EX/TO_EX records and
  /// v1/v2 reports and leaves (counted in DropCounters::other).
  bool ssm_aware = false;
};

/// IP-level facts about a received message that the acceptance checks need.
template <class A>
struct RxInfo {
  A src{};
  A dst{};
  std::uint8_t ttl = 1;  // TTL / Hop Limit
  bool router_alert = true;
  bool checksum_ok = true;
};

template <class T>
struct RouterOutput {
  typename T::Msg msg;
  typename T::Addr dst{};
};

/// An on-demand query; omitted fields take the configured values.
template <class A>
struct QueryRequest {
  std::uint8_t version = 0;  // 0 = configured version
  A group{};                 // :: / 0.0.0.0 = general query
  std::vector<A> sources;
  std::optional<Duration> max_resp;
  std::optional<bool> s_flag;
  std::optional<std::uint8_t> qrv;
  std::optional<Duration> qqi;
};

/// Messages dropped by the acceptance checks, by reason.
struct DropCounters {
  std::uint64_t no_router_alert = 0;  // require_router_alert (RFC 9776 §9.2) / RFC 9777 §7.2
  std::uint64_t bad_ttl = 0;          // TTL / Hop Limit != 1 (RFC 9776 §4, RFC 9777 §5)
  std::uint64_t bad_source = 0;       // RFC 9776 §4.2.13 / RFC 9777 §5.1.14, §5.2.13
  std::uint64_t bad_checksum = 0;     // RFC 9776 §4.1.2 / RFC 4443 §2.3
  std::uint64_t other = 0;            // unusable messages, unknown record types, v3 query to a v1/v2 router...
};

template <class T>
class RouterIface {
 public:
  using Addr = typename T::Addr;
  using Msg = typename T::Msg;

  struct GroupView {
    Addr group{};
    FilterMode mode = FilterMode::Include;
    Duration group_timer = 0;                          // remaining; 0 when expired or INCLUDE
    std::vector<std::pair<Addr, Duration>> sources;    // source, remaining timer (0 = expired)
    std::uint8_t compat_version = 0;                   // RFC 9776 §7.3.2 Group Compatibility Mode
  };

  RouterIface(RouterConfig cfg, Addr own_address, Rng& rng);

  // --- inputs ---------------------------------------------------------------
  void start(Time now);
  void handle(const Msg& m, const RxInfo<Addr>& rx, Time now);
  void send_query(const QueryRequest<Addr>& q, Time now);

  // --- outputs --------------------------------------------------------------
  std::optional<RouterOutput<T>> poll_output(Time now);
  std::optional<Time> next_deadline() const;

  // --- state ----------------------------------------------------------------
  bool is_querier() const { return querier_; }
  std::vector<GroupView> groups(Time now) const;
  std::optional<GroupView> group(const Addr& g, Time now) const;
  /// RFC 9776 §6.3 / RFC 9777 §7.3: should traffic (g, s) be forwarded onto this link?
  bool forwards(const Addr& g, const Addr& s, Time now) const;
  const DropCounters& drops() const { return drops_; }
  std::uint8_t robustness() const { return rv_; }
  Duration query_interval() const { return qi_; }
  std::size_t group_count() const { return groups_.size(); }
  /// Bytes of engine state held for groups and sources (for the memory benchmark).
  std::size_t memory_bytes() const;

  // Derived intervals (RFC 9776 §8).
  Duration gmi() const;
  Duration lmqt() const { return cfg_.last_member_query_interval * lmqc(); }
  std::uint8_t lmqc() const { return cfg_.last_member_query_count ? cfg_.last_member_query_count : rv_; }
  Duration other_querier_present_interval() const;
  Duration older_host_present_interval() const;

 private:
  struct Source {                // timer first: 16 bytes per IPv4 entry, 32 per IPv6 entry
    Time timer = 0;             // absolute expiry; <= now means "timer = 0"
    Addr source{};
    std::uint8_t retrans = 0;   // pending Q(G,S) transmissions (RFC 9776 §6.6.3.2)
  };
  struct Group {
    Addr group{};
    FilterMode mode = FilterMode::Include;
    Time group_timer = 0;       // absolute expiry (meaningful in EXCLUDE)
    Time v1_host_until = -1;    // RFC 9776 §7.3.2 IGMPv1 / MLDv1 Host Present timer
    Time v2_host_until = -1;    // RFC 9776 §7.3.2 IGMPv2 Host Present timer
    Time query_at = -1;         // next specific-query transmission (-1: none)
    Time scheduled = -1;        // deadline of this group's live heap entry
    std::uint8_t gsq_left = 0;  // pending Q(G) transmissions (RFC 9776 §6.6.3.1)
    std::vector<Source> sources;  // sorted by source
  };
  using SourceList = std::vector<Addr>;  // sorted

  std::size_t index_of(const Addr& g) const {
    return static_cast<std::size_t>(std::lower_bound(keys_.begin(), keys_.end(), g, FastLess{}) - keys_.begin());
  }
  Group* find(const Addr& g);
  const Group* find(const Addr& g) const;
  Group& find_or_add(const Addr& g);
  std::uint8_t compat(const Group& e, Time now) const;
  bool accept(const Msg& m, const RxInfo<Addr>& rx);
  void advance(Time now);
  void service(Group& e, Time now);
  void reschedule(Group& e);
  Time next_event(const Group& e) const;
  void erase_if_empty(const Addr& g);

  // RFC 9776 §6.4 record processing.
  void apply_record(Group& e, RecordType type, const SourceList& b, Time now);
  void current_state(Group& e, RecordType type, const SourceList& b, Time now);
  void state_change(Group& e, RecordType type, const SourceList& b, Time now);
  void older_report(const Addr& g, std::uint8_t version, Time now);
  void older_leave(const Addr& g, Time now);

  // RFC 9776 §6.6.3 specific queries.
  void send_qg(Group& e, Time now);
  void send_qgs(Group& e, const SourceList& x, Time now);
  void transmit_specific(Group& e, Time now);

  // General queries and election (RFC 9776 §6.6.2, §8.5-§8.7).
  void handle_query(const Msg& q, const RxInfo<Addr>& rx, Time now);
  void send_general_query(Time now);
  void emit(Msg msg, const Addr& dst) { out_.push_back(RouterOutput<T>{std::move(msg), dst}); }
  std::uint8_t wire_version() const { return cfg_.version; }

  RouterConfig cfg_;
  Addr own_;
  Rng& rng_;
  std::uint8_t rv_;
  Duration qi_;
  bool querier_;
  bool started_ = false;
  Time general_at_ = -1;            // next general query (querier only)
  std::uint8_t startup_left_ = 0;   // startup queries still due after the next one
  Time other_querier_until_ = -1;   // RFC 9776 §6.6.2 Other Querier Present timer
  DropCounters drops_;
  std::vector<Group> groups_;       // sorted by group
  std::vector<Addr> keys_;          // groups_[i].group, packed: the binary search stays in cache
  using HeapItem = std::pair<Time, Addr>;
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap_;
  std::deque<RouterOutput<T>> out_;
  SourceList scratch_b_;
};

extern template class RouterIface<RouterIpv4Traits>;
extern template class RouterIface<RouterIpv6Traits>;
using IgmpRouter = RouterIface<RouterIpv4Traits>;
using MldRouter = RouterIface<RouterIpv6Traits>;

}  // namespace mcsim::router
