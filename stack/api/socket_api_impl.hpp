// Internal helpers shared by the profile rule files. Not part of the API.
#pragma once

#include <algorithm>
#include <vector>

#include "stack/api/socket_api.hpp"
#include "stack/grow.hpp"

namespace mcsim::api::detail {

/// The membership for exactly (ifindex, group), or end().
template <class A>
auto find_exact(std::vector<Membership<A>>& ms, IfIndex ifindex, const A& group) {
  return std::find_if(ms.begin(), ms.end(),
                      [&](const Membership<A>& m) { return m.ifindex == ifindex && m.group == group; });
}
template <class A>
auto find_exact(const std::vector<Membership<A>>& ms, IfIndex ifindex, const A& group) {
  return std::find_if(ms.begin(), ms.end(),
                      [&](const Membership<A>& m) { return m.ifindex == ifindex && m.group == group; });
}

/// Linux walks its socket list newest first (joins are prepended); our vector
/// appends, so "the first match in the kernel list" is the last one here.
/// ifindex 0 matches any interface (mcast.c ipv6_sock_mc_drop / ip6_mc_source).
template <class A>
typename std::vector<Membership<A>>::iterator find_newest(std::vector<Membership<A>>& ms, IfIndex ifindex,
                                                          const A& group) {
  for (auto it = ms.end(); it != ms.begin();) {
    --it;
    if ((ifindex == 0 || it->ifindex == ifindex) && it->group == group) return it;
  }
  return ms.end();
}

template <class A>
constexpr bool is_source_op(MembershipOp op) {
  return op == MembershipOp::JoinSource || op == MembershipOp::LeaveSource || op == MembershipOp::Block ||
         op == MembershipOp::Unblock;
}

}  // namespace mcsim::api::detail
