// A host's whole multicast stack: the socket-option layer (stack/api) plus one IGMP and
// one MLD engine per interface, wired so that every interface-state change made by a
// socket call reaches the engine of that interface (RFC 9776 §3.2 -> §5.1).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "stack/api/socket_api.hpp"
#include "stack/host/host_iface.hpp"

namespace mcsim::host {

struct StackOutput {
  api::IfIndex ifindex = 0;
  std::variant<HostOutput<Ipv4Traits>, HostOutput<Ipv6Traits>> out;
};

class HostStack final : private api::StateListener {
 public:
  HostStack(api::Profile profile, HostConfig igmp_cfg, HostConfig mld_cfg, Rng& rng);
  HostStack(const HostStack&) = delete;
  HostStack& operator=(const HostStack&) = delete;

  api::IfIndex add_interface(std::string_view name, std::span<const Ipv4Addr> ipv4 = {}, bool ipv6 = true);

  /// The socket layer, with the virtual time of the calls about to be made.
  api::SocketApi& sockets(Time now) {
    now_ = now;
    return api_;
  }
  const api::SocketApi& sockets() const { return api_; }
  /// The interface's engines, created on first use: a host that never touches a family
  /// holds no engine for it (memory per host in large simulations).
  IgmpHost& igmp(api::IfIndex i);
  MldHost& mld(api::IfIndex i);
  /// Link state of interface `i` for both engines (including ones created later).
  void link_down(api::IfIndex i, Time now);
  void link_up(api::IfIndex i, Time now);

  /// Stack-internal membership, as a kernel joins groups for itself: an IPv6 interface joins
  /// the solicited-node group of each of its unicast addresses (RFC 4291 §2.7.1, RFC 4861
  /// §7.2.1) and reports it like any other group. Merged with the sockets' state as an
  /// EXCLUDE {} member (RFC 9777 §4.2).
  void kernel_join(api::IfIndex i, const Ipv6Addr& group, Time now);
  void kernel_leave(api::IfIndex i, const Ipv6Addr& group, Time now);
  /// Adds a unicast address to interface `i` and joins its solicited-node group.
  void add_ipv6_address(api::IfIndex i, const Ipv6Addr& unicast, Time now) {
    kernel_join(i, unicast.solicited_node(), now);
  }

  /// A received IGMP or MLD message on interface `i`.
  void handle(api::IfIndex i, const wire::IgmpMessage& m, Time now) {
    now_ = now;
    igmp(i).handle(m, now);
  }
  void handle(api::IfIndex i, const wire::MldMessage& m, Time now) {
    now_ = now;
    mld(i).handle(m, now);
  }

  std::optional<StackOutput> poll_output(Time now);
  std::optional<Time> next_deadline() const;

 private:
  void on_state_change(const api::IfaceStateChange<Ipv4Addr>& c) override;
  void on_state_change(const api::IfaceStateChange<Ipv6Addr>& c) override;

  struct Iface {
    std::unique_ptr<IgmpHost> igmp;
    std::unique_ptr<MldHost> mld;
    std::vector<std::pair<Ipv6Addr, int>> kernel_groups;  // sorted; join count
    bool exists = false;
    bool link_up = true;
  };
  bool kernel_member(api::IfIndex i, const Ipv6Addr& g) const;
  void refresh_mld(api::IfIndex i, const Ipv6Addr& g, Time now);
  api::SocketApi api_;
  HostConfig igmp_cfg_;
  std::unique_ptr<HostConfig> mld_cfg_;  // null: the same as igmp_cfg_ (the usual case; 40 bytes per host)
  Rng& rng_;
  std::vector<Iface> ifaces_;  // interface i at ifaces_[i - 1]
  Iface& slot(api::IfIndex i) { return ifaces_.at(i - 1); }  // i = 0: out_of_range
  const Iface& slot(api::IfIndex i) const { return ifaces_.at(i - 1); }
  Time now_ = 0;
};

}  // namespace mcsim::host
