// The host side of IGMP (v1/v2/v3) and MLD (v1/v2) on one interface, as one sans-IO
// state machine over the address-family traits. Driven by the caller:
//   set_state(group, filter, now)   the interface state changed (socket API, RFC 9776 §3.2)
//   handle(message, src, now)        a query or another host's report arrived
//   poll_output(now)                 next message to transmit, if any
//   next_deadline()                  earliest pending timer
// Randomness (report delays, RFC 9776 §5.2) comes from the injected Rng.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <span>
#include <vector>

#include "stack/filter/filter.hpp"
#include "stack/host/traits.hpp"
#include "stack/rng.hpp"
#include "stack/time.hpp"

namespace mcsim::host {

/// Host-side timers and knobs, with Linux-like defaults.
struct HostConfig {  // (the 1-byte fields last: 40 bytes, held by every host's stack and engine)
  Duration query_interval = seconds(125);              // RFC 9776 §8.2
  Duration query_response_interval = seconds(10);      // RFC 9776 §8.3
  Duration unsolicited_report_interval = seconds(1);   // RFC 9776 §8.11 (v3 / MLDv2)
  Duration unsolicited_report_interval_older = seconds(10);  // RFC 2236 §8.10 / RFC 2710 §7.10
  std::uint32_t mtu = 1500;
  std::uint8_t robustness = 2;                         // RFC 9776 §8.1 / RFC 9777 §9.1
  /// 0: follow the queriers (compatibility modes); otherwise always this version
  /// (like Linux force_igmp_version / force_mld_version).
  std::uint8_t force_version = 0;
  friend bool operator==(const HostConfig&, const HostConfig&) = default;
};

template <class T>
struct HostOutput {
  typename T::Msg msg;
  typename T::Addr dst{};
};

/// Why a message was sent (for event logs).
enum class SendReason : std::uint8_t { StateChange, Retransmission, QueryResponse, Leave, Unsolicited };

template <class T>
class HostIface {
 public:
  using Addr = typename T::Addr;
  using Msg = typename T::Msg;

  HostIface(HostConfig cfg, Rng& rng);

  // --- inputs ---------------------------------------------------------------
  /// The interface's merged filter for `group` is now `state` (INCLUDE {} = left).
  void set_state(const Addr& group, const Filter<Addr>& state, Time now);
  /// A received IGMP/MLD message (queries; v1/v2 reports of other hosts suppress ours).
  void handle(const Msg& m, Time now);
  void link_down(Time now);
  void link_up(Time now);

  // --- outputs --------------------------------------------------------------
  std::optional<HostOutput<T>> poll_output(Time now);
  std::optional<Time> next_deadline() const;

  // --- state ----------------------------------------------------------------
  /// Host compatibility mode now (RFC 9776 §7.2.1 / RFC 9777 §8.2.1).
  std::uint8_t compat_mode(Time now) const;
  Filter<Addr> state(const Addr& group) const;
  std::uint8_t robustness() const { return qrv_; }
  Duration query_interval() const { return qi_; }
  const HostConfig& config() const { return cfg_; }
  std::size_t group_count() const { return groups_.size(); }
  /// Bytes of engine state held for group memberships (for the memory benchmark).
  std::size_t memory_bytes() const;

 private:
  struct SourceCount {
    Addr source{};
    std::uint8_t left = 0;
    friend bool operator<(const SourceCount& a, const SourceCount& b) { return a.source < b.source; }
  };
  struct Group {
    // Field order packs an IPv4 Group into 40 bytes (memory per membership).
    Addr group{};
    std::uint8_t mode_retrans = 0;        // pending TO_IN/TO_EX transmissions (RFC 9776 §5.1)
    std::uint8_t unsolicited_left = 0;    // older-version join repetitions still due
    bool last_reporter = false;           // RFC 2236 §3: we sent the last report heard
    bool query_sources_pending = false;   // pending response is to a GSSQ (sources recorded)
    Filter<Addr> state;                   // current interface state
    Time timer = -1;                      // per-group response / unsolicited timer (-1: idle)
    /// Per-source state that only source-list changes and GSSQs need; allocated on first use
    /// so a plain membership stays small (the engine holds one Group per joined group).
    struct SourceState {
      std::vector<SourceCount> allow_retrans;  // per-source retransmission counts (RFC 9776 §5.1)
      std::vector<SourceCount> block_retrans;
      std::vector<Addr> recorded_sources;      // RFC 9776 §5.2 rule 3/5
    };
    std::unique_ptr<SourceState> src;
    SourceState& sources() {
      if (!src) src = std::make_unique<SourceState>();
      return *src;
    }
    /// Frees the per-source state once nothing is pending in it.
    void trim() {
      if (src && src->allow_retrans.empty() && src->block_retrans.empty() && src->recorded_sources.empty()) src.reset();
    }
    bool member() const { return state.is_member(); }
    bool pending_change() const {
      return mode_retrans || (src && (!src->allow_retrans.empty() || !src->block_retrans.empty()));
    }
  };

  Group* find(const Addr& g);
  const Group* find(const Addr& g) const;
  Group& find_or_add(const Addr& g);
  void erase_if_idle(const Addr& g);
  void arm_group_timer(Group& e, Time at);
  /// RFC 9776 §7.2.1: a change of compatibility mode cancels pending responses and
  /// retransmissions.
  void check_mode_change(Time now);
  void cancel_all_pending();
  void handle_query(const Msg& q, Time now);
  void handle_older_query(const Msg& q, std::uint8_t mode, Time now);
  void handle_v3_query(const Msg& q, Time now);
  void fire_timers(Time now);
  void fire_group_timer(Group& e, Time now);
  void send_state_change_report(Time now);
  void send_general_response();
  /// Packs records into as many report messages as the MTU needs (RFC 9776 §4.2.16).
  void queue_records(std::span<const std::uint8_t> types, std::span<const Addr> groups,
                     std::span<const std::vector<Addr>> sources);
  void queue_older(Time now, Group& e);
  Duration random_upto(Duration d) { return rng_.uniform(d); }

  HostConfig cfg_;
  Rng& rng_;
  std::uint8_t qrv_;
  Duration qi_;
  Duration qri_;
  bool link_up_ = true;
  std::uint8_t last_mode_;
  Time older_querier_until_[3] = {-1, -1, -1};  // index = version (1..kMaxVersion-1)
  Time general_timer_ = -1;                     // RFC 9776 §5.2 interface timer
  Time state_change_timer_ = -1;                // pending state-change transmission
  std::uint8_t state_change_left_ = 0;
  std::vector<Group> groups_;                   // sorted by group
  // Min-heap of (deadline, group); entries whose deadline no longer matches are stale.
  using HeapItem = std::pair<Time, Addr>;
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap_;
  // Pending outputs, consumed from out_head_ (a vector: an empty std::deque already holds
  // ~600 bytes, which dominates an idle engine's footprint).
  std::vector<HostOutput<T>> out_;
  std::size_t out_head_ = 0;
  bool out_empty() const { return out_head_ == out_.size(); }
};

extern template class HostIface<Ipv4Traits>;
extern template class HostIface<Ipv6Traits>;
using IgmpHost = HostIface<Ipv4Traits>;
using MldHost = HostIface<Ipv6Traits>;

}  // namespace mcsim::host
