// The nodes of a simulated LAN: each wraps sans-IO engines (stack/host, stack/router) and
// turns their messages into Ethernet frames and back. Internal to the simulator.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "stack/api/profile.hpp"

namespace mcsim::sim {

struct NodeEnv {
  api::Profile profile;
  std::uint64_t seed = 1;
  bool log = true;  // false: nodes build no log lines (SimOptions.log = None)
};

struct LogLine {
  std::string json;
  std::string text;
};

struct ActionOutcome {
  std::string result = "ok";  // "ok" or the error name
  std::vector<LogLine> log;
};

struct CheckOutcome {
  bool passed = false;
  std::string what;      // the expectation in words
  std::string observed;  // what the node holds
  std::string detail;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual const std::string& name() const = 0;
  virtual const std::string& lan() const = 0;
  /// Every LAN the node is attached to (a switch has one per port).
  virtual std::vector<std::string> lan_names() const { return {lan()}; }
  /// True for nodes that forward frames between their LANs (switches).
  virtual bool bridges() const { return false; }
  /// For bridges: the ports (indexes into lan_names()) a frame arriving on `in_port` leaves by.
  virtual std::vector<int> forward(const std::vector<std::uint8_t>&, int, Time) { return {}; }
  virtual const SourceLoc& loc() const = 0;
  virtual void start(Time now) = 0;
  virtual std::optional<Time> next_deadline() const = 0;
  /// Next frame the node transmits at `now`, if any.
  virtual std::optional<std::vector<std::uint8_t>> poll_frame(Time now) = 0;
  virtual void receive(const std::vector<std::uint8_t>& frame, Time now) = 0;
  /// NIC filtering (RFC 1112 §6.4, RFC 2464 §7): true when the node takes only the
  /// multicast frames whose destination MAC is in accepted_macs() (hosts; unicast and
  /// broadcast frames are not filtered); false = every frame (routers, switches). The
  /// simulator asks again after start() and after every act().
  virtual bool filters_macs() const { return false; }
  virtual void accepted_macs(std::vector<MacAddr>& out) const { (void)out; }
  virtual ActionOutcome act(const EventSpec& ev, Time now) = 0;
  virtual CheckOutcome check(const ExpectSpec& x, Time now) = 0;
  /// Log lines the node produced on its own (e.g. a router dropping a report).
  virtual std::vector<LogLine> take_log() { return {}; }
};

/// Default MAC of node number n (1-based, hosts then routers): 02:00:00:00:HH:LL.
MacAddr default_mac(int number);

/// `spec` must outlive the node (the simulation keeps its scenario).
std::unique_ptr<Node> make_host_node(const HostSpec& spec, const NodeEnv& env, int number, std::uint32_t mtu);
/// Host k of a block: refers to `block.base` (which must outlive the node) for everything but
/// its name and addresses.
std::unique_ptr<Node> make_block_host_node(const HostBlockSpec& block, std::uint32_t k, const NodeEnv& env, int number,
                                           std::uint32_t mtu);
std::unique_ptr<Node> make_router_node(const RouterSpec& spec, const NodeEnv& env, int number);
std::unique_ptr<Node> make_switch_node(const SwitchSpec& spec);
std::unique_ptr<Node> make_ch395_node(const Ch395Spec& spec, const NodeEnv& env, int number);

}  // namespace mcsim::sim
