// libFuzzer target: the input is a sequence of socket calls over a small address space
// (2 socket slots, 2 interfaces, 3 groups, 3 sources, both families; the first byte picks the
// windows or linux profile). After every call the invariants of the API layer are checked and
// abort() is called on a violation:
//  1. the interface state of every (interface, group) equals merge_filters over the
//     memberships of the open sockets (RFC 9776 §3.2 / RFC 9777 §4.2);
//  2. a failed call leaves every socket's memberships and every interface state unchanged;
//  3. for each change reported by last_changes(): old_state is the state before the call,
//     new_state the state after it, and state_change_records(old, new) applied to old gives
//     new (RFC 9776 §5.1); every (interface, group) whose state changed is reported.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <vector>

#include "stack/api/socket_api.hpp"
#include "stack/filter/filter.hpp"
#include "stack/filter/state_change.hpp"

using namespace mcsim;
using namespace mcsim::api;

namespace {

struct Input {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  bool empty() const { return n == 0; }
};

const Ipv4Addr kG4[3] = {Ipv4Addr(239, 1, 1, 1), Ipv4Addr(232, 1, 1, 1), Ipv4Addr(224, 0, 0, 1)};
const Ipv4Addr kS4[3] = {Ipv4Addr(10, 0, 0, 1), Ipv4Addr(10, 0, 0, 2), Ipv4Addr(0, 0, 0, 0)};
const Ipv4Addr kIf4[2] = {Ipv4Addr(192, 168, 1, 10), Ipv4Addr(192, 168, 2, 10)};
Ipv6Addr v6(const char* s) { return *Ipv6Addr::parse(s); }
const Ipv6Addr kG6[3] = {v6("ff3e::1234"), v6("ff15::1"), v6("ff02::1")};
const Ipv6Addr kS6[3] = {v6("2001:db8::1"), v6("2001:db8::2"), v6("::")};

template <class A>
const A& group(std::uint8_t b);
template <>
const Ipv4Addr& group<Ipv4Addr>(std::uint8_t b) { return kG4[b % 3]; }
template <>
const Ipv6Addr& group<Ipv6Addr>(std::uint8_t b) { return kG6[b % 3]; }
template <class A>
const A& source(std::uint8_t b);
template <>
const Ipv4Addr& source<Ipv4Addr>(std::uint8_t b) { return kS4[b % 3]; }
template <>
const Ipv6Addr& source<Ipv6Addr>(std::uint8_t b) { return kS6[b % 3]; }

IfRef iface_ref(std::uint8_t b) {
  switch (b % 6) {
    case 0: return IfRef::any();
    case 1: return IfRef::with_index(1);
    case 2: return IfRef::with_index(2);
    case 3: return IfRef::with_index(7);  // no such interface
    case 4: return IfRef::with_address(kIf4[0]);
    default: return IfRef::with_address(kIf4[b & 8 ? 1 : 0]);
  }
}

bool g_fresh = false;  // the last call was one that resets last_changes()

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "fuzz_sockopt invariant violated: %s\n", what);
  std::abort();
}

template <class A>
bool same_membership(const Membership<A>& a, const Membership<A>& b) {
  return a.ifindex == b.ifindex && a.group == b.group && a.mode == b.mode && a.sources == b.sources &&
         a.has_list == b.has_list && a.unblocked == b.unblocked;
}

// Linux profile only: the kernel's ip_mc_source()/ip6_mc_source() switch the mode of a
// membership with an empty, never-set source list before the call can still fail ("allow
// mode switches for empty-set filters"), and IP_ADD_SOURCE_MEMBERSHIP / MCAST_JOIN_SOURCE_GROUP
// keep the INCLUDE join of ip_mc_join_group_ssm() when the source step fails afterwards. The
// model reproduces both, so a failed linux call may leave exactly these differences.
template <class A>
bool linux_failure_allowed(const std::vector<Membership<A>>& before, const std::vector<Membership<A>>& after) {
  for (const auto& b : before) {
    bool found = false;
    for (const auto& a : after)
      if (a.ifindex == b.ifindex && a.group == b.group) found = true;
    if (!found) return false;
  }
  for (const auto& a : after) {
    const Membership<A>* b = nullptr;
    for (const auto& x : before)
      if (x.ifindex == a.ifindex && x.group == a.group) b = &x;
    if (!b) {
      if (!(a.mode == FilterMode::Include && a.sources.empty())) return false;
      continue;
    }
    if (same_membership(*b, a)) continue;
    if (b->has_list || !b->sources.empty() || !a.sources.empty() || a.has_list != b->has_list ||
        !(a.unblocked == b->unblocked))
      return false;
  }
  return true;
}

struct Snapshot {
  std::vector<std::vector<Membership<Ipv4Addr>>> m4;
  std::vector<std::vector<Membership<Ipv6Addr>>> m6;
  std::vector<IfaceGroupState<Ipv4Addr>> s4;
  std::vector<IfaceGroupState<Ipv6Addr>> s6;
};

Snapshot snapshot(const SocketApi& api, const std::vector<SocketId>& ids) {
  Snapshot s;
  for (auto id : ids) {
    auto a = api.memberships<Ipv4Addr>(id);
    auto b = api.memberships<Ipv6Addr>(id);
    s.m4.emplace_back(a.begin(), a.end());
    s.m6.emplace_back(b.begin(), b.end());
  }
  auto a = api.interface_states<Ipv4Addr>();
  auto b = api.interface_states<Ipv6Addr>();
  s.s4.assign(a.begin(), a.end());
  s.s6.assign(b.begin(), b.end());
  return s;
}

template <class A>
bool same_states(const std::vector<IfaceGroupState<A>>& x, const std::vector<IfaceGroupState<A>>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i].ifindex != y[i].ifindex || !(x[i].group == y[i].group) || !(x[i].state == y[i].state)) return false;
  return true;
}
template <class A>
bool same_members(const std::vector<std::vector<Membership<A>>>& x, const std::vector<std::vector<Membership<A>>>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].size() != y[i].size()) return false;
    for (std::size_t j = 0; j < x[i].size(); ++j)
      if (!same_membership(x[i][j], y[i][j])) return false;
  }
  return true;
}

template <class A>
Filter<A> state_in(const std::vector<IfaceGroupState<A>>& v, IfIndex i, const A& g) {
  for (const auto& e : v)
    if (e.ifindex == i && e.group == g) return e.state;
  return Filter<A>::none();
}

template <class A>
void check_family(const SocketApi& api, const std::vector<SocketId>& ids, const Snapshot& before, bool ok,
                  const std::vector<IfaceGroupState<A>>& old_states, const std::vector<IfaceGroupState<A>>& new_states) {
  for (IfIndex i = 1; i <= 2; ++i) {
    for (std::uint8_t gi = 0; gi < 3; ++gi) {
      const A& g = group<A>(gi);
      std::vector<Filter<A>> fs;
      for (auto id : ids) {
        if (!api.is_open(id)) continue;
        for (const auto& m : api.memberships<A>(id))
          if (m.ifindex == i && m.group == g) fs.push_back(m.filter());
      }
      const Filter<A> merged = merge_filters<A>(fs);
      const Filter<A> have = api.interface_state(i, g);
      if (!(merged == have)) violation("interface state != merge of socket filters");
      const Filter<A> old = state_in(old_states, i, g);
      if (!(old == have)) {
        if (!ok) violation("failed call changed an interface state");
        bool reported = false;
        for (const auto& c : api.last_changes<A>())
          if (c.ifindex == i && c.group == g) reported = true;
        if (g_fresh && !reported) violation("interface state changed without a last_changes() entry");
      }
    }
  }
  if (!g_fresh) return;
  for (const auto& c : api.last_changes<A>()) {
    if (!(c.old_state == state_in(old_states, c.ifindex, c.group))) violation("change old_state is not the prior state");
    if (!(c.new_state == state_in(new_states, c.ifindex, c.group))) violation("change new_state is not the current state");
    auto recs = state_change_records(c.group, c.old_state, c.new_state);
    auto applied = apply_records<A>(c.old_state, recs);
    if (!(applied == c.new_state)) violation("state-change records applied to old state != new state");
  }
  (void)before;
}

template <class A>
Status do_call(SocketApi& api, SocketId s, Input& in, std::uint8_t op) {
  constexpr bool v4 = std::is_same_v<A, Ipv4Addr>;
  static const Option kMemb4[] = {Option::IpAddMembership, Option::IpDropMembership, Option::IpAddSourceMembership,
                                  Option::IpDropSourceMembership, Option::IpBlockSource, Option::IpUnblockSource};
  static const Option kMemb6[] = {Option::Ipv6AddMembership, Option::Ipv6DropMembership};
  static const Option kMcast[] = {Option::McastJoinGroup, Option::McastLeaveGroup, Option::McastBlockSource,
                                  Option::McastUnblockSource, Option::McastJoinSourceGroup,
                                  Option::McastLeaveSourceGroup};
  const std::uint8_t b = in.byte();
  MembershipReq<A> req;
  req.group = group<A>(b);
  req.source = source<A>(static_cast<std::uint8_t>(b >> 2));
  req.iface = iface_ref(in.byte());
  g_fresh = op % 6 <= 2;
  switch (op % 6) {
    case 0:
      if constexpr (v4) return api.set_option(s, kMemb4[in.byte() % 6], req);
      else return api.set_option(s, kMemb6[in.byte() % 2], req);
    case 1:
      return api.set_option(s, kMcast[in.byte() % 6], req);
    case 2: {
      // Full-state call: mode + up to 4 sources (duplicates allowed).
      const std::uint8_t c = in.byte();
      std::vector<A> srcs;
      for (int k = 0; k < (c & 7) % 5; ++k) srcs.push_back(source<A>(in.byte()));
      const Option opt = (c & 8) && v4 ? Option::IpMsfilter : Option::McastMsfilter;
      if (c & 0x10) {
        std::optional<FilterMode> mode;
        if (c & 0x20) mode = (c & 0x40) ? FilterMode::Exclude : FilterMode::Include;
        return api.set_filter_raw<A>(s, opt, req.iface, req.group, mode, srcs);
      }
      return api.set_filter<A>(s, opt, req.iface, req.group, (c & 0x40) ? FilterMode::Exclude : FilterMode::Include,
                               srcs);
    }
    case 3: {
      const Option opt = (b & 1) && v4 ? Option::IpMsfilter : Option::McastMsfilter;
      auto r = api.get_filter<A>(s, opt, req.iface, req.group);
      return r.status();
    }
    case 4: {
      static const Option kInt[] = {Option::IpMulticastTtl, Option::IpMulticastLoop, Option::Ipv6MulticastHops,
                                    Option::Ipv6MulticastLoop, Option::IpAddMembership};
      const Option o = kInt[in.byte() % 5];
      const int v = static_cast<int>(static_cast<std::int8_t>(in.byte())) * 3;
      if (b & 1) return api.get_int_option(s, o).status();
      return api.set_int_option(s, o, v);
    }
    default:
      return api.set_multicast_if(s, (b & 1) ? Option::IpMulticastIf : Option::Ipv6MulticastIf, req.iface);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  Input in{data, size};
  const std::uint8_t cfg = in.byte();
  Profile prof = (cfg & 1) ? Profile::linux_kernel() : Profile::windows();
  if (cfg & 2) prof.validate_sources = !prof.validate_sources;
  if (cfg & 4) {  // small limits so that ENOBUFS paths are reached
    prof.limits.max_groups_v4 = prof.limits.max_groups_v6 = 2;
    prof.limits.max_sources_v4 = prof.limits.max_sources_v6 = 2;
  }
  SocketApi api(prof);
  const Ipv4Addr a1[] = {kIf4[0]};
  const Ipv4Addr a2[] = {kIf4[1]};
  api.add_interface_with_index(1, "eth0", a1);
  api.add_interface_with_index(2, "eth1", a2, (cfg & 8) == 0);
  if (cfg & 16) api.set_default_interface(Family::V4, 2);
  if (cfg & 32) api.set_default_interface(Family::V6, 1);

  std::vector<SocketId> ids;  // every id ever opened (closed ones must hold no state)
  SocketId slot[2] = {api.open(Family::V4), api.open(Family::V6)};
  ids.push_back(slot[0]);
  ids.push_back(slot[1]);

  while (!in.empty()) {
    const std::uint8_t op = in.byte();
    const Snapshot before = snapshot(api, ids);
    SocketId s = slot[op & 1];
    bool ok = true;
    g_fresh = true;
    const std::uint8_t kind = static_cast<std::uint8_t>(op >> 1);
    if (kind % 16 == 15) {
      // Reopen the slot with a family; closing clears its memberships.
      g_fresh = api.is_open(s);  // open() alone does not reset last_changes()
      if (api.is_open(s) && !api.close(s).ok()) violation("close of an open socket failed");
      slot[op & 1] = api.open((op & 0x80) ? Family::V6 : Family::V4);
      ids.push_back(slot[op & 1]);
    } else if (kind % 16 == 14) {
      ok = api.close(s).ok();  // may be a second close: must fail cleanly
    } else if (kind & 1) {
      ok = do_call<Ipv6Addr>(api, s, in, static_cast<std::uint8_t>(kind >> 1)).ok();
    } else {
      ok = do_call<Ipv4Addr>(api, s, in, static_cast<std::uint8_t>(kind >> 1)).ok();
    }
    const Snapshot after = snapshot(api, ids);
    bool strict = true;  // a failed call must leave everything as it was
    if (!ok && !prof.is_windows() && (!same_members(before.m4, after.m4) || !same_members(before.m6, after.m6))) {
      for (std::size_t k = 0; k < ids.size(); ++k)
        if (!linux_failure_allowed(before.m4[k], after.m4[k]) || !linux_failure_allowed(before.m6[k], after.m6[k]))
          violation("failed linux call changed a socket's memberships beyond the kernel's empty-set mode switch");
      strict = false;
    }
    if (!ok && strict) {
      if (!same_members(before.m4, after.m4) || !same_members(before.m6, after.m6))
        violation("failed call changed a socket's memberships");
      if (!same_states(before.s4, after.s4) || !same_states(before.s6, after.s6))
        violation("failed call changed the interface state");
    }
    for (auto id : ids)
      if (!api.is_open(id) && (!api.memberships<Ipv4Addr>(id).empty() || !api.memberships<Ipv6Addr>(id).empty()))
        violation("closed socket still holds memberships");
    check_family<Ipv4Addr>(api, ids, before, ok || !strict, before.s4, after.s4);
    check_family<Ipv6Addr>(api, ids, before, ok || !strict, before.s6, after.s6);
  }
  return 0;
}
