// Socket table, interfaces, dispatch, scalar options and the per-interface
// merged state. The profile rules live in socket_api_windows.cpp and
// socket_api_linux.cpp.
#include "stack/api/socket_api.hpp"

#include <algorithm>

#include "stack/api/socket_api_impl.hpp"

namespace mcsim::api {

template <>
std::vector<Membership<Ipv4Addr>>& SocketApi::Socket::members<Ipv4Addr>() { return m4; }
template <>
std::vector<Membership<Ipv6Addr>>& SocketApi::Socket::members<Ipv6Addr>() { return m6; }
template <>
const std::vector<Membership<Ipv4Addr>>& SocketApi::Socket::members<Ipv4Addr>() const { return m4; }
template <>
const std::vector<Membership<Ipv6Addr>>& SocketApi::Socket::members<Ipv6Addr>() const { return m6; }
template <>
SocketApi::FamilyState<Ipv4Addr>& SocketApi::fam<Ipv4Addr>() { return v4_; }
template <>
SocketApi::FamilyState<Ipv6Addr>& SocketApi::fam<Ipv6Addr>() {
  if (!v6_.p) v6_.p = std::make_unique<FamilyState<Ipv6Addr>>();
  return *v6_.p;
}
template <>
const SocketApi::FamilyState<Ipv4Addr>& SocketApi::fam<Ipv4Addr>() const { return v4_; }
template <>
const SocketApi::FamilyState<Ipv6Addr>& SocketApi::fam<Ipv6Addr>() const {
  static const FamilyState<Ipv6Addr> kNone;  // no IPv6 call yet: no state, no changes
  return v6_.p ? *v6_.p : kNone;
}

SocketApi::SocketApi(Profile profile) : profile_(profile) {}

// --- interfaces ---------------------------------------------------------------

IfIndex SocketApi::add_interface(std::string_view name, std::span<const Ipv4Addr> ipv4, bool ipv6) {
  IfIndex next = 1;
  for (const auto& i : ifaces_) next = std::max(next, i.index + 1);
  add_interface_with_index(next, name, ipv4, ipv6);
  return next;
}

void SocketApi::add_interface_with_index(IfIndex index, std::string_view name, std::span<const Ipv4Addr> ipv4,
                                         bool ipv6) {
  InterfaceInfo info{index, std::string(name), std::vector<Ipv4Addr>(ipv4.begin(), ipv4.end()), ipv6};
  ifaces_.push_back(std::move(info));
  if (!default_v4_) default_v4_ = index;
  if (!default_v6_ && ipv6) default_v6_ = index;
}

void SocketApi::set_default_interface(Family f, std::optional<IfIndex> index) {
  (f == Family::V4 ? default_v4_ : default_v6_) = index;
}

const InterfaceInfo* SocketApi::iface_by_index(IfIndex i) const {
  for (const auto& x : ifaces_)
    if (x.index == i) return &x;
  return nullptr;
}

std::optional<IfIndex> SocketApi::resolve(Family f, IfRef r) const {
  if (r.is_any()) return f == Family::V4 ? default_v4_ : default_v6_;  // like a route lookup for the group
  if (r.by == IfRef::By::Index) {
    const auto* i = iface_by_index(r.index);
    if (!i || (f == Family::V6 && !i->ipv6)) return std::nullopt;
    return r.index;
  }
  for (const auto& i : ifaces_)  // IPv4 interface by local address (ip_mreq imr_interface)
    if (std::find(i.ipv4.begin(), i.ipv4.end(), r.address) != i.ipv4.end()) return i.index;
  return std::nullopt;
}

// --- sockets ------------------------------------------------------------------

SocketId SocketApi::open(Family f) {
  Socket s;
  s.family = f;
  s.open = true;
  sockets_.push_back(std::move(s));
  return static_cast<SocketId>(sockets_.size());
}

SocketApi::Socket* SocketApi::sock(SocketId s) {
  if (s == 0 || s > sockets_.size() || !sockets_[s - 1].open) return nullptr;
  return &sockets_[s - 1];
}
const SocketApi::Socket* SocketApi::sock(SocketId s) const {
  if (s == 0 || s > sockets_.size() || !sockets_[s - 1].open) return nullptr;
  return &sockets_[s - 1];
}
bool SocketApi::is_open(SocketId s) const { return sock(s) != nullptr; }

void SocketApi::begin_call() {
  v4_.changes.clear();
  if (v6_.p) v6_.p->changes.clear();
}

template <class A>
void SocketApi::refresh_all_of(const Socket& s) {
  for (const auto& m : s.members<A>()) refresh(m.ifindex, m.group);
}

Status SocketApi::close(SocketId id) {
  begin_call();
  Socket* s = sock(id);
  if (!s) return err(Errc::NotSock, "not an open socket");
  // igmp.c ip_mc_drop_socket / mcast.c ipv6_sock_mc_close: every membership is dropped.
  auto m4 = std::move(s->m4);
  auto m6 = std::move(s->m6);
  s->m4.clear();
  s->m6.clear();
  s->open = false;
  for (const auto& m : m4) refresh(m.ifindex, m.group);
  for (const auto& m : m6) refresh(m.ifindex, m.group);
  return {};
}

// --- merged interface state ---------------------------------------------------

template <class A>
void SocketApi::refresh(IfIndex ifindex, const A& group) {
  auto& f = fam<A>();
  // A local merger (not a member): 80 bytes per family per host otherwise; its source
  // sets allocate only when a socket has sources.
  FilterMerger<A> merger;
  for (const auto& s : sockets_) {
    if (!s.open) continue;
    for (const auto& m : s.members<A>())
      if (m.ifindex == ifindex && m.group == group) merger.add(m.filter());  // RFC 9776 §3.2
  }
  Filter<A> merged;
  merger.result(merged);
  auto key_less = [](const IfaceGroupState<A>& e, std::pair<IfIndex, const A*> k) {
    return e.ifindex != k.first ? e.ifindex < k.first : e.group < *k.second;
  };
  auto it = std::lower_bound(f.state.begin(), f.state.end(), std::pair<IfIndex, const A*>{ifindex, &group}, key_less);
  const bool found = it != f.state.end() && it->ifindex == ifindex && it->group == group;
  Filter<A> old = found ? it->state : Filter<A>::none();
  if (old == merged) return;
  IfaceStateChange<A> change{ifindex, group, old, merged};
  if (!merged.is_member()) {
    if (found) f.state.erase(it);
  } else if (found) {
    it->state = merged;
  } else {
    const auto pos = it - f.state.begin();
    grow_for_one(f.state);  // stack/grow.hpp
    f.state.insert(f.state.begin() + pos, IfaceGroupState<A>{ifindex, group, merged});
  }
  if (listener_) listener_->on_state_change(change);
  f.changes.push_back(std::move(change));
}

template <class A>
Filter<A> SocketApi::interface_state(IfIndex ifindex, const A& group) const {
  for (const auto& e : fam<A>().state)
    if (e.ifindex == ifindex && e.group == group) return e.state;
  return Filter<A>::none();
}

template <class A>
std::span<const IfaceGroupState<A>> SocketApi::interface_states() const {
  return fam<A>().state;
}

template <class A>
std::span<const IfaceStateChange<A>> SocketApi::last_changes() const {
  return fam<A>().changes;
}

template <class A>
std::span<const Membership<A>> SocketApi::memberships(SocketId id) const {
  const Socket* s = sock(id);
  if (!s) return {};
  return s->members<A>();
}

// --- dispatch -----------------------------------------------------------------

template <class A>
Status SocketApi::precheck(SocketId id, Option opt, Socket*& out) const {
  out = const_cast<Socket*>(sock(id));
  if (!out) return err(Errc::NotSock, "not an open socket");
  const OptionInfo& oi = info(opt);
  const bool opt_ok = oi.family == OptionFamily::Any || (oi.family == OptionFamily::V4) == (out->family == Family::V4);
  if (!opt_ok)
    return err(Errc::NoProtoOpt, out->family == Family::V4 ? "IPv6-only option on an IPv4 socket"
                                                           : "IPv4-only option on an IPv6 socket");
  if (A::family != out->family) {
    if (profile_.is_windows()) return err(Errc::Inval, "group address family does not match the socket's family");
    // Linux ip_mcast_join_leave: EINVAL; do_mcast_group_source / set_mcast_msfilter: EADDRNOTAVAIL.
    if (oi.op == MembershipOp::Join || oi.op == MembershipOp::Leave)
      return err(Errc::Inval, "ip_mcast_join_leave: gr_group family is not the socket's");
    return err(Errc::AddrNotAvail, "do_mcast_group_source: address family is not the socket's");
  }
  return {};
}

template <class A>
Status SocketApi::set_option(SocketId id, Option opt, const MembershipReq<A>& req) {
  begin_call();
  Socket* s = nullptr;
  if (auto st = precheck<A>(id, opt, s); !st) return st;
  const MembershipOp op = info(opt).op;
  if (op == MembershipOp::None) return err(Errc::NoProtoOpt, "not a membership option; use set_int_option/set_filter");
  IfIndex touched = 0;
  Status st = profile_.is_windows() ? windows_membership(*s, op, req, touched)
                                    : linux_membership(*s, opt, op, req, touched);
  // Refresh even after an error: a Linux call may change state and still fail
  // (ip_mc_source switches an empty-list mode before looking up the source).
  if (touched) refresh(touched, req.group);
  return st;
}

template <class A>
Status SocketApi::set_filter(SocketId id, Option opt, IfRef iface, const A& group, FilterMode mode,
                             std::span<const A> sources) {
  return set_filter_raw<A>(id, opt, iface, group, mode, sources);
}

template <class A>
Status SocketApi::set_filter_raw(SocketId id, Option opt, IfRef iface, const A& group, std::optional<FilterMode> mode,
                                 std::span<const A> sources) {
  begin_call();
  Socket* s = nullptr;
  if (opt != Option::IpMsfilter && opt != Option::McastMsfilter)
    return err(Errc::NoProtoOpt, "not a full-state filter call");
  if (auto st = precheck<A>(id, opt, s); !st) return st;
  IfIndex touched = 0;
  Status st = profile_.is_windows() ? windows_set_filter(*s, iface, group, mode, sources, touched)
                                    : linux_set_filter(*s, opt, iface, group, mode, sources, touched);
  if (touched) refresh(touched, group);
  return st;
}

template <class A>
Result<Filter<A>> SocketApi::get_filter(SocketId id, Option opt, IfRef iface, const A& group) const {
  Socket* s = nullptr;
  if (opt != Option::IpMsfilter && opt != Option::McastMsfilter)
    return err(Errc::NoProtoOpt, "not a full-state filter call");
  if (auto st = precheck<A>(id, opt, s); !st) return st.error();
  return profile_.is_windows() ? windows_get_filter(*s, iface, group) : linux_get_filter(*s, opt, iface, group);
}

// --- scalar options ---------------------------------------------------------------

Status SocketApi::set_int_option(SocketId id, Option opt, int value) {
  begin_call();
  Socket* s = sock(id);
  if (!s) return err(Errc::NotSock, "not an open socket");
  const OptionInfo& oi = info(opt);
  if (oi.family != OptionFamily::Any && (oi.family == OptionFamily::V4) != (s->family == Family::V4))
    return err(Errc::NoProtoOpt, "option of the other address family");
  const bool win = profile_.is_windows();
  switch (opt) {
    case Option::IpMulticastTtl:
    case Option::Ipv6MulticastHops: {
      int v = value;
      if (!win && v == -1) v = 1;  // Linux ip_sockglue.c / ipv6_sockglue.c: -1 selects the default (1)
      if (v < 0 || v > 255) return err(Errc::Inval, "TTL / hop limit must be 0..255");
      (opt == Option::IpMulticastTtl ? s->ttl_v4 : s->hops_v6) = v;
      return {};
    }
    case Option::IpMulticastLoop:
      s->loop_v4 = value != 0;
      return {};
    case Option::Ipv6MulticastLoop:
      if (!win && (value < 0 || value > 1)) return err(Errc::Inval, "ipv6_sockglue.c: IPV6_MULTICAST_LOOP must be 0 or 1");
      s->loop_v6 = value != 0;
      return {};
    case Option::IpMulticastIf:
      return set_multicast_if(id, opt, IfRef::with_index(static_cast<IfIndex>(value)));
    case Option::Ipv6MulticastIf:
      return set_multicast_if(id, opt, IfRef::with_index(static_cast<IfIndex>(value)));
    default:
      return err(Errc::NoProtoOpt, "not an integer option");
  }
}

Result<int> SocketApi::get_int_option(SocketId id, Option opt) const {
  const Socket* s = sock(id);
  if (!s) return err(Errc::NotSock, "not an open socket");
  const OptionInfo& oi = info(opt);
  if (oi.family != OptionFamily::Any && (oi.family == OptionFamily::V4) != (s->family == Family::V4))
    return err(Errc::NoProtoOpt, "option of the other address family");
  switch (opt) {
    case Option::IpMulticastTtl: return s->ttl_v4;
    case Option::Ipv6MulticastHops: return s->hops_v6;
    case Option::IpMulticastLoop: return s->loop_v4 ? 1 : 0;
    case Option::Ipv6MulticastLoop: return s->loop_v6 ? 1 : 0;
    case Option::IpMulticastIf: {
      auto idx = s->mcast_if_v4.is_any() ? std::optional<IfIndex>(0) : resolve(Family::V4, s->mcast_if_v4);
      return static_cast<int>(idx.value_or(0));
    }
    case Option::Ipv6MulticastIf: return static_cast<int>(s->mcast_if_v6.index);
    default: return err(Errc::NoProtoOpt, "not an integer option");
  }
}

Status SocketApi::set_multicast_if(SocketId id, Option opt, IfRef iface) {
  begin_call();
  Socket* s = sock(id);
  if (!s) return err(Errc::NotSock, "not an open socket");
  const bool v4 = opt == Option::IpMulticastIf;
  if (!v4 && opt != Option::Ipv6MulticastIf) return err(Errc::NoProtoOpt, "not a multicast-interface option");
  if ((s->family == Family::V4) != v4) return err(Errc::NoProtoOpt, "option of the other address family");
  if (!iface.is_any() && !resolve(v4 ? Family::V4 : Family::V6, iface))
    return err(v4 ? Errc::AddrNotAvail : Errc::NoDev, "no such interface");  // ip_sockglue.c IP_MULTICAST_IF
  (v4 ? s->mcast_if_v4 : s->mcast_if_v6) = iface;
  return {};
}

// --- instantiations ---------------------------------------------------------------

#define MCSIM_INSTANTIATE(A)                                                                                   \
  template Status SocketApi::set_option<A>(SocketId, Option, const MembershipReq<A>&);                      \
  template Status SocketApi::set_filter<A>(SocketId, Option, IfRef, const A&, FilterMode, std::span<const A>); \
  template Status SocketApi::set_filter_raw<A>(SocketId, Option, IfRef, const A&, std::optional<FilterMode>, \
                                               std::span<const A>);                                         \
  template Result<Filter<A>> SocketApi::get_filter<A>(SocketId, Option, IfRef, const A&) const;             \
  template Filter<A> SocketApi::interface_state<A>(IfIndex, const A&) const;                                \
  template std::span<const IfaceGroupState<A>> SocketApi::interface_states<A>() const;                      \
  template std::span<const Membership<A>> SocketApi::memberships<A>(SocketId) const;                        \
  template std::span<const IfaceStateChange<A>> SocketApi::last_changes<A>() const;

MCSIM_INSTANTIATE(Ipv4Addr)
MCSIM_INSTANTIATE(Ipv6Addr)
#undef MCSIM_INSTANTIATE

}  // namespace mcsim::api
