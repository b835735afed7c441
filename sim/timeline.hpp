// The scenario's actions in time order: its `events` merged with the host blocks' per-host
// event templates (docs/scenarios.md "Host blocks"), generated one at a time, so a block of
// 100,000 hosts costs one cursor per template, not 100,000 EventSpecs. Used by the simulator
// and the live runner.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "sim/scenario.hpp"

namespace mcsim::sim {

class Timeline {
 public:
  explicit Timeline(const Scenario& sc);

  bool done() const { return heap_.empty(); }
  /// Time of the next action (done() must be false).
  Time next_at() const { return heap_.top().at; }
  /// The next action and advances. The reference stays valid until the following call.
  /// `host` is the action's host as an index in for_each_host order for block actions, -1
  /// for the scenario's own events (their node is named).
  const EventSpec& next(int& host);
  /// Actions in all (events + every template's hosts x groups).
  std::uint64_t size() const { return size_; }

 private:
  struct Cursor {
    Time at;
    std::uint32_t stream;  // 0: sc.events; 1 + t: templates_[t]
    bool operator>(const Cursor& o) const { return at != o.at ? at > o.at : stream > o.stream; }
  };
  struct Template {
    const HostBlockSpec* block;
    const BlockEventSpec* spec;
    std::size_t host_base;  // index of the block's host 0 in for_each_host order
    std::uint64_t i = 0;    // next action
  };
  void push_stream(std::uint32_t s);

  const Scenario& sc_;
  std::vector<Template> templates_;
  std::size_t next_event_ = 0;
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heap_;
  std::uint64_t size_ = 0;
  EventSpec scratch_;
};

}  // namespace mcsim::sim
