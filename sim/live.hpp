// Live mode: the scenario's hosts as emulated hosts on a real interface, driven by the wall
// clock (docs/live.md). The same host nodes as the simulator (make_host_node); frames
// captured on the interface are offered to every emulated host whose NIC filter takes the
// destination, frames the hosts produce are injected (paced), ARP/ND are answered for the
// hosts' addresses. Nothing but IGMP/MLD/ARP/ND and scenario-declared data (SEND) is sent.
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcap/validate.hpp"
#include "sim/scenario.hpp"

namespace mcsim::sim {

struct LiveOptions {
  std::string iface;
  std::string pcap_path;              // every frame sent and received ("" = none)
  std::optional<Duration> duration;   // default: the scenario's `until`
  std::uint64_t rate = 10000;         // frames/s cap on injection
  std::optional<std::uint64_t> seed;
  std::optional<std::string> profile;
  bool check_device = true;           // judge the device's queries (router-role validator)
  std::optional<std::uint16_t> vlan;  // 802.1Q VLAN ID of the hosts: tagged sends, tagged-only capture
};

/// One query seen on the wire and the emulated hosts' responses to it.
struct LiveQuery {
  Time at = 0;                 // since start
  Family family = Family::V4;
  std::uint8_t version = 0;    // IGMP 1..3 / MLD 1..2
  IpAddr source;
  IpAddr group;                // unspecified for a general query
  Duration max_resp = 0;
  std::vector<Duration> delays;  // first response of each host that had something to report
  std::uint64_t late = 0;        // delays above max_resp + 10 ms (timer granularity)
};

struct LiveSummary {
  std::string iface;
  Time elapsed = 0;
  std::uint64_t hosts = 0;
  std::uint64_t joins = 0, leaves = 0;       // scenario actions that joined / left
  std::uint64_t actions = 0, action_errors = 0;
  std::uint64_t skipped_events = 0;          // events for routers/LANs (not emulated)
  std::uint64_t frames_rx = 0, frames_tx = 0, kernel_drops = 0;
  std::uint64_t reports_sent = 0;            // IGMP/MLD reports and leaves/dones injected
  std::uint64_t arp_replies = 0, na_sent = 0, data_sent = 0;
  std::uint64_t tx_backlog_max = 0;          // most frames waiting for the rate cap
  std::uint64_t expects_passed = 0, expects_failed = 0;
  std::vector<LiveQuery> queries;
  std::optional<IpAddr> querier4, querier6;  // source of the last query of each family
  std::uint8_t querier4_version = 0, querier6_version = 0;
  // The device's querier behaviour: every frame of the run (what `--pcap` records, in that
  // order and numbering) through the router-role validator (docs/validate.md), as
  // `mcsim validate --role router` of the capture would judge it.
  bool device_checked = false;
  std::uint64_t device_messages = 0;              // membership messages judged
  std::uint64_t device_findings[3] = {0, 0, 0};   // by severity: must, should, info
  std::vector<pcap::Finding> device_finding_list; // the first kMaxDeviceFindings, frame order
  static constexpr std::size_t kMaxDeviceFindings = 1000;
  double wall_start = 0;                          // wall clock of t=0 (findings' times)
  bool interrupted = false;

  std::string text() const;
  std::string json() const;
};

class LiveRunner {
 public:
  LiveRunner(const Scenario& sc, LiveOptions opt);
  ~LiveRunner();
  LiveRunner(const LiveRunner&) = delete;
  LiveRunner& operator=(const LiveRunner&) = delete;
  /// Non-empty when the runner could not be set up (interface, pcap file, profile).
  const std::string& error() const;
  /// Runs until the duration is over or *stop becomes non-zero (a signal handler sets it).
  /// Returns false on an I/O error (error() says what); the pcap is flushed either way.
  bool run(const volatile std::sig_atomic_t* stop);
  const LiveSummary& summary() const;
  /// Warnings from setup (ignored routers, switches, devices, several LANs).
  const std::vector<std::string>& warnings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcsim::sim
