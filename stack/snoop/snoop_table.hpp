// IGMP/MLD snooping switch table (RFC 4541), one sans-IO value per address family.
//
// Driven by the caller (DESIGN.md "The core is sans-IO"):
//   handle(in_port, message, ip_src, now)      an IGMP/MLD message arrived on a port
//   forward_control(in_port, message, now)     where that message goes
//   forward_data(group, source, in_port, now)  where a multicast datagram goes
//   next_deadline() / expire(now)              timers (state is also correct lazily:
//                                              every query is evaluated at `now`)
//
// Per (group, port) the table keeps the router-side state of RFC 9776 §6.4 / RFC 9777 §7.4
// (filter mode, group timer, per-source timers) as RFC 4541 §2.1.1 (the membership timeout
// "such as the router-side functionality of the IGMP protocol") suggests, without sending
// queries: the querier sends the group(-and-source)-specific queries, the switch only lowers
// its timers to the Last Member Query Time as that querier does.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <span>
#include <vector>

#include "stack/addr.hpp"
#include "stack/filter/filter.hpp"
#include "stack/filter/source_set.hpp"
#include "stack/snoop/port_set.hpp"
#include "stack/time.hpp"
#include "stack/wire/message.hpp"

namespace mcsim::snoop {

struct SnoopConfig {
  unsigned ports = 8;                          // ports 0..ports-1 (at most PortSet::kMaxPorts)
  bool fast_leave = false;                     // vendor "immediate leave": LMQT 0 (one host per port only)
  bool report_suppression = false;             // RFC 4541 §2.1.1 (2); off by default
  Duration default_gmi = seconds(270);         // RFC 9776 §8.4 with RV 2, QI 125 s, QRI 10 s
  Duration default_lmqt = seconds(2);          // RFC 9776 §8.9: LMQC 2 * LMQI 1 s
  Duration router_port_age = seconds(255);     // RFC 9776 §8.5 Other Querier Present Interval
};

template <class A>
class SnoopTable {
 public:
  /// One (group, port) membership as seen at some time. EXCLUDE: `sources` are the
  /// excluded ones (not forwarded), `expires` is the group timer. INCLUDE: `sources` are
  /// the forwarded ones, `expires` is the latest source timer.
  struct Entry {
    A group{};
    unsigned port = 0;
    FilterMode mode = FilterMode::Include;
    std::vector<A> sources;
    Time expires = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  explicit SnoopTable(SnoopConfig cfg);

  // --- inputs ---------------------------------------------------------------
  /// A received IGMP/MLD message. `ip_src` is the IP source (queries from 0.0.0.0 / ::
  /// are proxy queries of another switch and do not make a router port, RFC 4541 §2.1.1 (1)).
  void handle(unsigned in_port, const wire::Message<A>& m, const A& ip_src, Time now);
  /// Drops expired state (timers at or before `now`). Optional: every query is exact anyway.
  void expire(Time now);

  // --- forwarding -------------------------------------------------------------
  /// Ports a multicast datagram (group, source) received on `in_port` leaves on.
  PortSet forward_data(const A& group, const A& source, unsigned in_port, Time now) const;
  /// Ports an IGMP/MLD message received on `in_port` leaves on. With report suppression the
  /// answer depends on the other ports only, so it may be asked before or after handle().
  PortSet forward_control(unsigned in_port, const wire::Message<A>& m, Time now) const;

  // --- timers and state -----------------------------------------------------------
  std::optional<Time> next_deadline() const;
  std::vector<Entry> entries(Time now) const;
  PortSet router_ports(Time now) const;
  /// Ports with a live membership of `group` (any source).
  PortSet member_ports(const A& group, Time now) const;
  PortSet all_ports() const { return PortSet::first(cfg_.ports); }
  /// Timers in use now: learned from the querier or the configured defaults.
  Duration group_membership_interval() const;
  Duration last_member_query_time() const;
  Duration router_port_age() const;
  const SnoopConfig& config() const { return cfg_; }

 private:
  struct SourceTimer {
    A source{};
    Time until = 0;  // forwarded while until > now; EXCLUDE mode keeps 0 for excluded sources
  };
  struct PortState {
    A group{};
    unsigned port = 0;
    FilterMode mode = FilterMode::Include;
    Time group_timer = 0;              // EXCLUDE mode only (RFC 9776 §6.2.2)
    std::vector<SourceTimer> sources;  // sorted by source
    Time next = -1;                    // earliest timer still ahead (heap key)
    bool admits(const A& s, Time now) const;
    bool live(Time now) const;
  };

  PortState* find(const A& g, unsigned port);
  PortState& find_or_add(const A& g, unsigned port);
  void apply_record(PortState& e, RecordType t, std::span<const A> srcs, Time now);
  void normalize(PortState& e, Time now);
  void reschedule(PortState& e, Time now);
  void erase_dead(Time now);
  void learn_timers(const wire::Message<A>& q);

  SnoopConfig cfg_;
  // Values learned from the querier's queries (RFC 9776 §8 / RFC 9777 §9).
  bool learned_general_ = false;
  bool learned_lmqi_ = false;
  std::uint32_t qrv_ = 2;
  Duration qi_ = seconds(125);
  Duration qri_ = seconds(10);
  Duration lmqi_ = seconds(1);
  std::vector<Time> router_until_;  // per port; router port while > now
  std::vector<PortState> table_;    // sorted by (group, port)
  using HeapItem = std::pair<Time, std::pair<A, unsigned>>;
  mutable std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap_;
  SourceSet<A> scratch_;
};

extern template class SnoopTable<Ipv4Addr>;
extern template class SnoopTable<Ipv6Addr>;
using IgmpSnoopTable = SnoopTable<Ipv4Addr>;
using MldSnoopTable = SnoopTable<Ipv6Addr>;

}  // namespace mcsim::snoop
