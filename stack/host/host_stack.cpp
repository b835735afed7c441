#include "stack/host/host_stack.hpp"

#include <algorithm>

namespace mcsim::host {

HostStack::HostStack(api::Profile profile, HostConfig igmp_cfg, HostConfig mld_cfg, Rng& rng)
    : api_(std::move(profile)),
      igmp_cfg_(igmp_cfg),
      mld_cfg_(mld_cfg == igmp_cfg ? nullptr : std::make_unique<HostConfig>(mld_cfg)),
      rng_(rng) {
  api_.set_listener(this);
}

api::IfIndex HostStack::add_interface(std::string_view name, std::span<const Ipv4Addr> ipv4, bool ipv6) {
  const api::IfIndex i = api_.add_interface(name, ipv4, ipv6);
  if (ifaces_.size() < i) {
    ifaces_.reserve(i);  // exact: one slot per interface
    ifaces_.resize(i);
  }
  slot(i).exists = true;
  return i;
}

IgmpHost& HostStack::igmp(api::IfIndex i) {
  Iface& f = slot(i);
  if (!f.igmp) {
    f.igmp = std::make_unique<IgmpHost>(igmp_cfg_, rng_);
    if (!f.link_up) f.igmp->link_down(now_);
  }
  return *f.igmp;
}

MldHost& HostStack::mld(api::IfIndex i) {
  Iface& f = slot(i);
  if (!f.mld) {
    f.mld = std::make_unique<MldHost>(mld_cfg_ ? *mld_cfg_ : igmp_cfg_, rng_);
    if (!f.link_up) f.mld->link_down(now_);
  }
  return *f.mld;
}

void HostStack::link_down(api::IfIndex i, Time now) {
  Iface& f = slot(i);
  f.link_up = false;
  if (f.igmp) f.igmp->link_down(now);
  if (f.mld) f.mld->link_down(now);
}

void HostStack::link_up(api::IfIndex i, Time now) {
  Iface& f = slot(i);
  f.link_up = true;
  if (f.igmp) f.igmp->link_up(now);
  if (f.mld) f.mld->link_up(now);
}

void HostStack::on_state_change(const api::IfaceStateChange<Ipv4Addr>& c) {
  if (c.ifindex >= 1 && c.ifindex <= ifaces_.size() && slot(c.ifindex).exists) igmp(c.ifindex).set_state(c.group, c.new_state, now_);
}

void HostStack::on_state_change(const api::IfaceStateChange<Ipv6Addr>& c) {
  if (c.ifindex >= 1 && c.ifindex <= ifaces_.size() && slot(c.ifindex).exists) refresh_mld(c.ifindex, c.group, now_);
}

bool HostStack::kernel_member(api::IfIndex i, const Ipv6Addr& g) const {
  const auto& v = slot(i).kernel_groups;
  auto it = std::lower_bound(v.begin(), v.end(), std::pair<Ipv6Addr, int>{g, 0},
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  return it != v.end() && it->first == g;
}

void HostStack::refresh_mld(api::IfIndex i, const Ipv6Addr& g, Time now) {
  // RFC 9777 §4.2: a stack-internal member counts as an EXCLUDE {} socket, so the merged
  // state is EXCLUDE {} whatever the sockets ask for.
  Filter<Ipv6Addr> st = kernel_member(i, g) ? Filter<Ipv6Addr>::any_source() : api_.interface_state(i, g);
  mld(i).set_state(g, st, now);
}

void HostStack::kernel_join(api::IfIndex i, const Ipv6Addr& group, Time now) {
  auto& v = slot(i).kernel_groups;
  auto it = std::lower_bound(v.begin(), v.end(), std::pair<Ipv6Addr, int>{group, 0},
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  if (it != v.end() && it->first == group)
    ++it->second;
  else
    v.insert(it, {group, 1});
  refresh_mld(i, group, now);
}

void HostStack::kernel_leave(api::IfIndex i, const Ipv6Addr& group, Time now) {
  auto& v = slot(i).kernel_groups;
  auto it = std::lower_bound(v.begin(), v.end(), std::pair<Ipv6Addr, int>{group, 0},
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  if (it == v.end() || !(it->first == group)) return;
  if (--it->second == 0) v.erase(it);
  refresh_mld(i, group, now);
}

std::optional<StackOutput> HostStack::poll_output(Time now) {
  for (api::IfIndex i = 1; i <= ifaces_.size(); ++i) {
    Iface& f = slot(i);
    if (f.igmp)
      if (auto o = f.igmp->poll_output(now)) return StackOutput{i, std::move(*o)};
    if (f.mld)
      if (auto o = f.mld->poll_output(now)) return StackOutput{i, std::move(*o)};
  }
  return std::nullopt;
}

std::optional<Time> HostStack::next_deadline() const {
  std::optional<Time> best;
  for (const auto& f : ifaces_) {
    for (auto d : {f.igmp ? f.igmp->next_deadline() : std::nullopt, f.mld ? f.mld->next_deadline() : std::nullopt})
      if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

}  // namespace mcsim::host
