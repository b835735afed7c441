// The `windows` error profile: the "Multicast Socket Option Behavior" table of
// seed 000/001 (shared/reference/windows-option-conflicts.md), rows 1-14, and
// the project's reading of its open cases (docs/error-rules.md). MCAST_* and
// IPV6_* options inherit the rules of their IPv4 counterparts.
#include <algorithm>

#include "stack/api/socket_api.hpp"
#include "stack/api/socket_api_impl.hpp"

namespace mcsim::api {

using detail::find_exact;

namespace {
constexpr std::string_view kRow5 =
    "seed table row 5: the group or group/source pair is not in the socket's state (never joined, or dropped)";
}  // namespace

template <class A>
Status SocketApi::windows_membership(Socket& s, MembershipOp op, const MembershipReq<A>& req, IfIndex& touched) {
  constexpr Family F = A::family;
  if (!req.group.is_multicast()) return err(Errc::Inval, "group is not a multicast address");
  if (detail::is_source_op<A>(op) && profile_.validate_sources && !req.source.is_valid_source())
    return err(Errc::Inval, "source must be a unicast address (not unspecified, multicast or broadcast)");
  const auto idx = resolve(F, req.iface);
  if (!idx) return err(Errc::AddrNotAvail, "no such interface (index or local address)");
  touched = *idx;

  auto& ms = s.members<A>();
  auto it = find_exact(ms, *idx, req.group);
  const bool joined = it != ms.end();
  const A& src = req.source;

  switch (op) {
    case MembershipOp::Join:
      if (joined) {
        if (it->mode == FilterMode::Include)
          return err(Errc::AddrNotAvail,
                     "seed table row 6: group already joined source-specifically on this interface");
        if (!it->sources.empty())
          return err(Errc::Inval, "seed table row 13: sources of this group are blocked; use IP_UNBLOCK_SOURCE");
        return err(Errc::AddrNotAvail, "seed table row 1: group already joined on this interface");
      }
      if (ms.size() >= profile_.limits.max_groups(F))
        return err(Errc::NoBufs, "too many memberships on this socket (profile limit)");
      grow_for_one(ms);  // stack/grow.hpp
      ms.push_back(Membership<A>{*idx, req.group, FilterMode::Exclude, false, {}, {}});  // RFC 9776 §3.1 EXCLUDE {}
      return {};

    case MembershipOp::Leave:
      if (!joined) return err(Errc::Inval, kRow5);
      ms.erase(it);  // drops all sources of the group (seed 000: "or IP_DROP_MEMBERSHIP to leave all sources")
      return {};

    case MembershipOp::JoinSource:
      if (!joined) {
        if (ms.size() >= profile_.limits.max_groups(F))
          return err(Errc::NoBufs, "too many memberships on this socket (profile limit)");
        grow_for_one(ms);  // stack/grow.hpp
        ms.push_back(Membership<A>{*idx, req.group, FilterMode::Include, true, {src}, {}});
        return {};
      }
      if (it->mode == FilterMode::Exclude) {
        if (it->sources.contains(src))
          return err(Errc::Inval, "seed table row 12: source is blocked; use IP_UNBLOCK_SOURCE instead");
        return err(Errc::AddrNotAvail, "seed table row 2: group already joined for any source on this interface");
      }
      if (it->sources.contains(src))
        return err(Errc::AddrNotAvail, "seed table row 7: group/source pair already added on this interface");
      if (it->sources.size() >= profile_.limits.max_sources(F))
        return err(Errc::NoBufs, "too many sources in this socket filter (profile limit)");
      it->sources.insert(src);
      return {};

    case MembershipOp::LeaveSource:
      if (!joined) return err(Errc::Inval, kRow5);
      if (it->mode == FilterMode::Exclude)
        return err(Errc::Inval, "seed table row 3: group joined for any source; use IP_BLOCK_SOURCE instead");
      if (!it->sources.erase(src))
        return err(Errc::AddrNotAvail, "seed table row 10: group/source pair is not in the include list");
      if (it->sources.empty()) ms.erase(it);  // INCLUDE {} is no membership (RFC 9776 §3.1)
      return {};

    case MembershipOp::Block:
      if (!joined) return err(Errc::Inval, kRow5);
      if (it->mode == FilterMode::Include)  // open case: docs/error-rules.md "block on a source-specific join"
        return err(Errc::Inval, "group joined source-specifically; use IP_DROP_SOURCE_MEMBERSHIP instead");
      if (it->sources.contains(src))
        return err(Errc::AddrNotAvail, "seed table row 11: group/source pair already blocked");
      if (it->sources.size() >= profile_.limits.max_sources(F))
        return err(Errc::NoBufs, "too many blocked sources in this socket filter (profile limit)");
      it->sources.insert(src);
      it->unblocked.erase(src);
      return {};

    case MembershipOp::Unblock:
      if (!joined) return err(Errc::Inval, kRow5);
      if (it->mode == FilterMode::Include)
        return err(Errc::Inval, "seed table rows 8/9: unblocking a pair that was never blocked (source-specific join)");
      if (it->sources.erase(src)) {
        // Remember the pair for row 14; bounded by the source limit.
        if (it->unblocked.size() < profile_.limits.max_sources(F)) it->unblocked.insert(src);
        return {};
      }
      if (it->unblocked.contains(src))
        return err(Errc::AddrNotAvail, "seed table row 14: group/source pair is not in the block list (already unblocked)");
      return err(Errc::Inval, "seed table row 4: unblocking a pair that was never blocked");

    case MembershipOp::None:
      break;
  }
  return err(Errc::NoProtoOpt, "not a membership option");
}

template <class A>
Status SocketApi::windows_set_filter(Socket& s, IfRef iface, const A& group, std::optional<FilterMode> mode,
                                     std::span<const A> sources, IfIndex& touched) {
  constexpr Family F = A::family;
  if (!group.is_multicast()) return err(Errc::Inval, "group is not a multicast address");
  if (!mode) return err(Errc::Inval, "filter mode is neither MCAST_INCLUDE nor MCAST_EXCLUDE");
  if (sources.size() > profile_.limits.max_sources(F))
    return err(Errc::NoBufs, "too many sources in the filter (profile limit)");
  if (profile_.validate_sources)
    for (const auto& a : sources)
      if (!a.is_valid_source())
        return err(Errc::Inval, "source must be a unicast address (not unspecified, multicast or broadcast)");
  const auto idx = resolve(F, iface);
  if (!idx) return err(Errc::AddrNotAvail, "no such interface (index or local address)");
  touched = *idx;

  auto& ms = s.members<A>();
  auto it = find_exact(ms, *idx, group);
  if (*mode == FilterMode::Include && sources.empty()) {  // RFC 3678 §4.2: INCLUDE {} leaves the group
    if (it != ms.end()) ms.erase(it);
    return {};
  }
  if (it == ms.end()) {  // final state may create the membership (docs/error-rules.md)
    if (ms.size() >= profile_.limits.max_groups(F))
      return err(Errc::NoBufs, "too many memberships on this socket (profile limit)");
    grow_for_one(ms);  // stack/grow.hpp
    ms.push_back(Membership<A>{*idx, group, *mode, true, {}, {}});
    it = ms.end() - 1;
  }
  it->mode = *mode;
  it->sources = SourceSet<A>::from_unsorted(sources);
  it->has_list = true;
  it->unblocked.clear();  // a final state starts a new history
  return {};
}

template <class A>
Result<Filter<A>> SocketApi::windows_get_filter(const Socket& s, IfRef iface, const A& group) const {
  if (!group.is_multicast()) return err(Errc::Inval, "group is not a multicast address");
  const auto idx = resolve(A::family, iface);
  if (!idx) return err(Errc::AddrNotAvail, "no such interface (index or local address)");
  const auto& ms = s.members<A>();
  auto it = find_exact(ms, *idx, group);
  if (it == ms.end()) return err(Errc::Inval, kRow5);
  return it->filter();
}

template Status SocketApi::windows_membership<Ipv4Addr>(Socket&, MembershipOp, const MembershipReq<Ipv4Addr>&,
                                                        IfIndex&);
template Status SocketApi::windows_membership<Ipv6Addr>(Socket&, MembershipOp, const MembershipReq<Ipv6Addr>&,
                                                        IfIndex&);
template Status SocketApi::windows_set_filter<Ipv4Addr>(Socket&, IfRef, const Ipv4Addr&, std::optional<FilterMode>,
                                                        std::span<const Ipv4Addr>, IfIndex&);
template Status SocketApi::windows_set_filter<Ipv6Addr>(Socket&, IfRef, const Ipv6Addr&, std::optional<FilterMode>,
                                                        std::span<const Ipv6Addr>, IfIndex&);
template Result<Filter<Ipv4Addr>> SocketApi::windows_get_filter<Ipv4Addr>(const Socket&, IfRef,
                                                                          const Ipv4Addr&) const;
template Result<Filter<Ipv6Addr>> SocketApi::windows_get_filter<Ipv6Addr>(const Socket&, IfRef,
                                                                          const Ipv6Addr&) const;

}  // namespace mcsim::api
