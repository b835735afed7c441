#include "sim/timeline.hpp"

namespace mcsim::sim {

// At one instant: the scenario's `events` first (file order), then the blocks' templates in
// file order, each host by host (docs/scenarios.md "Host blocks").
Timeline::Timeline(const Scenario& sc) : sc_(sc) {
  size_ = sc.events.size();
  std::size_t listed = 0, base = 0;
  for (const auto& b : sc.host_blocks) {
    base += b.position - listed;  // listed hosts written before this block
    listed = b.position;
    for (const auto& t : b.events) {
      templates_.push_back({&b, &t, base, 0});
      size_ += t.size();
    }
    base += b.count;
  }
  push_stream(0);
  for (std::size_t t = 0; t < templates_.size(); ++t) push_stream(static_cast<std::uint32_t>(t + 1));
}

void Timeline::push_stream(std::uint32_t s) {
  if (s == 0) {
    if (next_event_ < sc_.events.size()) heap_.push({sc_.events[next_event_].at, 0});
    return;
  }
  const Template& t = templates_[s - 1];
  if (t.i < t.spec->size()) heap_.push({t.spec->at_of(t.i), s});
}

const EventSpec& Timeline::next(int& host) {
  const std::uint32_t s = heap_.top().stream;
  heap_.pop();
  if (s == 0) {
    const EventSpec& e = sc_.events[next_event_++];
    push_stream(0);
    host = -1;
    return e;
  }
  Template& t = templates_[s - 1];
  const BlockEventSpec& spec = *t.spec;
  const std::uint32_t k = spec.host_of(t.i);
  const auto j = static_cast<std::uint32_t>(t.i % spec.groups_per_host);
  scratch_ = spec.ev;
  scratch_.at = spec.at_of(t.i);
  scratch_.node = t.block->host_name(k);
  if (spec.ev.group) scratch_.group = spec.group_of(k, j);
  host = static_cast<int>(t.host_base + k);
  ++t.i;
  push_stream(s);
  return scratch_;
}

}  // namespace mcsim::sim
