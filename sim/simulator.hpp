// Discrete-event simulation of a scenario: virtual clock in ns, one event queue, seeded
// randomness (same scenario + seed = same output byte for byte), LAN segments carrying
// real Ethernet frames between hosts (stack/host) and routers (stack/router), a pcap tap
// per LAN, and an event log (text for people, JSONL for tools).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace mcsim::sim {

/// Which renderings of the event log are built (kept in log() and passed to on_event).
/// `None` builds no log lines at all (benchmarks, large runs); expectations still run and
/// failures() / results() are unchanged.
enum class LogMode : std::uint8_t { Both, Json, Text, None };

struct SimOptions {
  std::optional<std::uint64_t> seed;     // overrides the scenario's
  std::optional<std::string> profile;    // "windows" | "linux"
  std::optional<Time> until;             // overrides the scenario's
  std::string pcap_dir;                  // "" = no pcap; else <dir>/<lan>.pcap
  LogMode log = LogMode::Both;           // the unused string of each LogEvent is left empty
};

/// One entry of the event log. `json` is a complete JSON object (no newline), `text` one line.
struct LogEvent {
  Time t = 0;
  std::string json;
  std::string text;
};

struct ExpectResult {
  SourceLoc loc;
  Time at = 0;
  bool passed = false;
  std::string what;    // what was checked
  std::string detail;  // observed value on failure
};

class Node;

class Simulation {
 public:
  /// Builds the topology. Problems found only now (e.g. a profile name) are reported
  /// through error(); run() does nothing then.
  Simulation(const Scenario& scenario, SimOptions options = {});
  /// Same, taking the scenario over (no copy: large generated scenarios).
  Simulation(Scenario&& scenario, SimOptions options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Runs every event up to and including `until` (default: the scenario's end).
  void run(std::optional<Time> until = std::nullopt);
  /// Processes the next event; false when none is left before the end.
  bool step();
  Time now() const;
  Time end() const;

  /// Performs an action at the current time (for drivers that script a run step by step,
  /// like the Python bindings): the result is "ok" or the error name; it is logged like a
  /// scheduled event and any `expect` on it counts.
  std::string apply(const EventSpec& ev);
  /// Checks an expectation at the current time and records its result.
  ExpectResult check(const ExpectSpec& x);
  /// Events processed so far (actions, deliveries, wakes, expectations).
  std::uint64_t events_processed() const;
  /// For benchmarks and tests: adds a node built in code (sim/nodes.hpp) after the
  /// scenario's; it is started at the current time.
  void add_node(std::unique_ptr<Node> node);

  /// Called for each log event as it happens (in addition to keeping it).
  void on_event(std::function<void(const LogEvent&)> cb);
  const std::vector<LogEvent>& log() const;
  const std::vector<ExpectResult>& results() const;
  /// Expectations and `expect:` on events that failed so far.
  std::size_t failures() const;
  const std::string& error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcsim::sim
