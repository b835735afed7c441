// The `linux` error profile: the checks of net/ipv4/igmp.c, net/ipv4/
// ip_sockglue.c, net/ipv6/mcast.c and net/ipv6/ipv6_sockglue.c, in the
// kernel's order. The running kernel is the judge (tests/stack/
// linux_differential_test.cpp replays generated sequences against it).
#include <algorithm>

#include "stack/api/socket_api.hpp"
#include "stack/api/socket_api_impl.hpp"

namespace mcsim::api {

using detail::find_exact;
using detail::find_newest;

template <class A>
Status SocketApi::linux_join(Socket& s, const A& group, IfRef iface, FilterMode mode, IfIndex& touched) {
  auto& ms = s.members<A>();
  if (!group.is_multicast()) return err(Errc::Inval, "ip_mc_join_group: group is not multicast");
  if constexpr (A::family == Family::V4) {
    const auto idx = resolve(Family::V4, iface);  // igmp.c ip_mc_find_dev
    if (!idx) return err(Errc::NoDev, "ip_mc_join_group: no such interface");
    if (find_exact(ms, *idx, group) != ms.end())
      return err(Errc::AddrInUse, "ip_mc_join_group: group already joined on this interface");
    if (ms.size() >= profile_.limits.max_groups_v4)
      return err(Errc::NoBufs, "ip_mc_join_group: igmp_max_memberships reached");
    touched = *idx;
    grow_for_one(ms);  // stack/grow.hpp
    ms.push_back(Membership<A>{*idx, group, mode, false, {}, {}});
  } else {
    // mcast.c __ipv6_sock_mc_join: the duplicate check comes before the
    // device lookup, and ifindex 0 collides with a join on any interface.
    if (find_newest(ms, iface.index, group) != ms.end())
      return err(Errc::AddrInUse, "ipv6_sock_mc_join: group already joined on this interface");
    const auto idx = resolve(Family::V6, iface);
    if (!idx) return err(Errc::NoDev, "ipv6_sock_mc_join: no such interface");
    if (ms.size() >= profile_.limits.max_groups_v6)
      return err(Errc::NoBufs, "ipv6_sock_mc_join: membership limit reached");
    touched = *idx;
    grow_for_one(ms);  // stack/grow.hpp
    ms.push_back(Membership<A>{*idx, group, mode, false, {}, {}});
  }
  return {};
}

template <class A>
Status SocketApi::linux_leave(Socket& s, const A& group, IfRef iface, IfIndex& touched) {
  auto& ms = s.members<A>();
  if constexpr (A::family == Family::V4) {
    // igmp.c ip_mc_leave_group: no multicast check; ENODEV only when neither
    // index nor address was given and no route exists.
    const auto idx = resolve(Family::V4, iface);
    if (!idx && iface.is_any()) return err(Errc::NoDev, "ip_mc_leave_group: no interface for the group");
    if (idx) {
      auto it = find_exact(ms, *idx, group);
      if (it != ms.end()) {
        touched = it->ifindex;
        ms.erase(it);
        return {};
      }
    }
    return err(Errc::AddrNotAvail, "ip_mc_leave_group: group not joined on this interface");
  } else {
    if (!group.is_multicast()) return err(Errc::Inval, "ipv6_sock_mc_drop: group is not multicast");
    auto it = find_newest(ms, iface.index, group);
    if (it == ms.end()) return err(Errc::AddrNotAvail, "ipv6_sock_mc_drop: group not joined on this interface");
    touched = it->ifindex;
    ms.erase(it);
    return {};
  }
}

template <class A>
Status SocketApi::linux_source(Socket& s, bool add, FilterMode omode, const A& group, const A& source, IfRef iface,
                               IfIndex& touched) {
  constexpr Family F = A::family;
  auto& ms = s.members<A>();
  if (!group.is_multicast()) return err(Errc::Inval, "ip_mc_source: group is not multicast");
  if (profile_.validate_sources && !source.is_valid_source())
    return err(Errc::Inval, "source must be a unicast address (validate_sources)");
  const auto idx = resolve(F, iface);  // ip_mc_find_dev / ip6_mc_find_dev
  if (!idx) return err(Errc::NoDev, "ip_mc_source: no such interface");
  auto it = F == Family::V4 ? find_exact(ms, *idx, group) : find_newest(ms, iface.index, group);
  if (it == ms.end()) return err(Errc::Inval, "ip_mc_source: no prior join of the group on this interface");
  touched = it->ifindex;
  if (it->has_list) {
    if (it->mode != omode)  // "if a source filter was set, must be the same mode as before"
      return err(Errc::Inval, "ip_mc_source: a source filter of the other mode is set");
  } else if (it->mode != omode) {
    it->mode = omode;  // "allow mode switches for empty-set filters" (even if the call then fails)
  }
  if (!add) {
    if (!it->has_list || !it->sources.contains(source))
      return err(Errc::AddrNotAvail, "ip_mc_source: source not in the socket filter");
    if (it->sources.size() == 1 && omode == FilterMode::Include) {
      // "special case - (INCLUDE, empty) == LEAVE_GROUP"
      return linux_leave(s, group, F == Family::V4 ? IfRef::with_index(*idx) : iface, touched);
    }
    it->sources.erase(source);
    return {};
  }
  if (it->has_list && it->sources.size() >= profile_.limits.max_sources(F))
    return err(Errc::NoBufs, "ip_mc_source: igmp_max_msf / mld_max_msf reached");
  it->has_list = true;  // the list is allocated before the duplicate check
  if (!it->sources.insert(source)) return err(Errc::AddrNotAvail, "ip_mc_source: source already in the filter");
  return {};
}

template <class A>
Status SocketApi::linux_membership(Socket& s, Option opt, MembershipOp op, const MembershipReq<A>& req,
                                   IfIndex& touched) {
  (void)opt;
  switch (op) {
    case MembershipOp::Join:
      return linux_join(s, req.group, req.iface, FilterMode::Exclude, touched);
    case MembershipOp::Leave:
      return linux_leave(s, req.group, req.iface, touched);
    case MembershipOp::JoinSource: {
      // ip_sockglue.c IP_ADD_SOURCE_MEMBERSHIP / MCAST_JOIN_SOURCE_GROUP:
      // join in INCLUDE mode; a prior join (EADDRINUSE) is fine.
      // validate_sources is this project's addition, not a kernel step: reject the source
      // before the join so that the failed call changes nothing (fuzz_sockopt finding).
      if (profile_.validate_sources && !req.source.is_valid_source())
        return err(Errc::Inval, "source must be a unicast address (validate_sources)");
      Status st = linux_join(s, req.group, req.iface, FilterMode::Include, touched);
      if (!st && st.error().errc != Errc::AddrInUse) return st;
      return linux_source(s, true, FilterMode::Include, req.group, req.source, req.iface, touched);
    }
    case MembershipOp::LeaveSource:
      return linux_source(s, false, FilterMode::Include, req.group, req.source, req.iface, touched);
    case MembershipOp::Block:
      return linux_source(s, true, FilterMode::Exclude, req.group, req.source, req.iface, touched);
    case MembershipOp::Unblock:
      return linux_source(s, false, FilterMode::Exclude, req.group, req.source, req.iface, touched);
    case MembershipOp::None:
      break;
  }
  return err(Errc::NoProtoOpt, "not a membership option");
}

template <class A>
Status SocketApi::linux_set_filter(Socket& s, Option opt, IfRef iface, const A& group, std::optional<FilterMode> mode,
                                   std::span<const A> sources, IfIndex& touched) {
  constexpr Family F = A::family;
  (void)opt;
  // ip_sockglue.c IP_MSFILTER / ip_set_mcast_msfilter, ipv6_set_mcast_msfilter:
  // the source count is checked before anything else.
  if (sources.size() > profile_.limits.max_sources(F))
    return err(Errc::NoBufs, "setsockopt MSFILTER: numsrc > igmp_max_msf / mld_max_msf");
  if (!group.is_multicast()) return err(Errc::Inval, "ip_mc_msfilter: group is not multicast");
  if (!mode) return err(Errc::Inval, "ip_mc_msfilter: fmode is neither MCAST_INCLUDE nor MCAST_EXCLUDE");
  if (profile_.validate_sources)
    for (const auto& a : sources)
      if (!a.is_valid_source()) return err(Errc::Inval, "source must be a unicast address (validate_sources)");
  const auto idx = resolve(F, iface);
  if (!idx) return err(Errc::NoDev, "ip_mc_msfilter: no such interface");
  auto& ms = s.members<A>();
  if (*mode == FilterMode::Include && sources.empty()) {  // "(INCLUDE, empty) == LEAVE_GROUP"
    return linux_leave(s, group, F == Family::V4 ? IfRef::with_index(*idx) : iface, touched);
  }
  // IPv4 matches the resolved index; IPv6 (ip6_mc_msfilter) the index as given.
  auto it = F == Family::V4 ? find_exact(ms, *idx, group) : find_exact(ms, iface.index, group);
  if (it == ms.end()) return err(Errc::Inval, "ip_mc_msfilter: no prior join of the group on this interface");
  touched = it->ifindex;
  it->sources = SourceSet<A>::from_unsorted(sources);
  it->has_list = !sources.empty();
  it->mode = *mode;
  return {};
}

template <class A>
Result<Filter<A>> SocketApi::linux_get_filter(const Socket& s, Option opt, IfRef iface, const A& group) const {
  if (!group.is_multicast()) return err(Errc::Inval, "getsockopt MSFILTER: group is not multicast");
  const auto& ms = s.members<A>();
  IfIndex idx = iface.index;
  if (opt == Option::IpMsfilter) {  // igmp.c ip_mc_msfget: interface by address, resolved
    const auto r = resolve(Family::V4, iface);
    if (!r) return err(Errc::NoDev, "ip_mc_msfget: no such interface");
    idx = *r;
  }
  // ip_mc_gsfget / ip6_mc_msfget: exact index as given, no lookup.
  auto it = find_exact(ms, idx, group);
  if (it == ms.end()) return err(Errc::AddrNotAvail, "getsockopt MSFILTER: group not joined on this interface");
  return it->filter();
}

#define MCSIM_INSTANTIATE(A)                                                                                      \
  template Status SocketApi::linux_membership<A>(Socket&, Option, MembershipOp, const MembershipReq<A>&,       \
                                                 IfIndex&);                                                    \
  template Status SocketApi::linux_set_filter<A>(Socket&, Option, IfRef, const A&, std::optional<FilterMode>,  \
                                                 std::span<const A>, IfIndex&);                                \
  template Result<Filter<A>> SocketApi::linux_get_filter<A>(const Socket&, Option, IfRef, const A&) const;

MCSIM_INSTANTIATE(Ipv4Addr)
MCSIM_INSTANTIATE(Ipv6Addr)
#undef MCSIM_INSTANTIATE

}  // namespace mcsim::api
