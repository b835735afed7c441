// The live runner's queue of frames waiting for the rate cap (docs/live.md "Rate cap"):
// answers go first. A host must answer a query within its Max Resp Time (RFC 9776 §5.2,
// RFC 3810 §6.2 and RFC 2236 §3: the report is sent when a delay timer drawn in
// [0, Max Resp Time] expires, and the querier's Other-Querier/Group Membership timers count
// on it), while a state-change report has no such deadline (RFC 9776 §5.1: it is sent "as
// soon as possible" and retransmitted at random within the Unsolicited Report Interval). So
// when a join storm fills the queue, the answers to a query that arrives meanwhile are sent
// ahead of the storm; within a class the order is first in, first out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

namespace mcsim::sim {

enum class SendClass : std::uint8_t {
  Answer,       // current-state reports answering a query, ARP replies, neighbor advertisements
  StateChange,  // state-change reports, leaves/dones, retransmissions, data
};

template <class T>
class SendQueue {
 public:
  void push(T v, SendClass c) { (c == SendClass::Answer ? answers_ : others_).push_back(std::move(v)); }
  bool empty() const { return answers_.empty() && others_.empty(); }
  std::size_t size() const { return answers_.size() + others_.size(); }
  std::size_t answers() const { return answers_.size(); }
  /// The next frame to send: the oldest answer, else the oldest other frame (not empty()).
  T pop() {
    std::deque<T>& q = answers_.empty() ? others_ : answers_;
    T v = std::move(q.front());
    q.pop_front();
    return v;
  }

 private:
  std::deque<T> answers_, others_;
};

}  // namespace mcsim::sim
