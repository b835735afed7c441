// The per-socket multicast option layer: simulated sockets on simulated
// interfaces, every option of the seed documents, the error rules of the
// selected profile, and the per-interface merged filter state that the host
// engine turns into reports (RFC 9776 §3.2 / §5.1).
#pragma once

#include <cstdint>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stack/addr.hpp"
#include "stack/api/error.hpp"
#include "stack/api/options.hpp"
#include "stack/api/profile.hpp"
#include "stack/filter/filter.hpp"
#include "stack/filter/state_change.hpp"

namespace mcsim::api {

using IfIndex = std::uint32_t;
using SocketId = std::uint32_t;

/// How a call names its interface: by index (GROUP_REQ, ipv6_mreq,
/// ip_mreqn) or by local IPv4 address (ip_mreq imr_interface, ip_msfilter).
/// Index 0 / address 0.0.0.0 mean "let the stack choose" (the default
/// interface of the family, like a route lookup for the group).
struct IfRef {
  enum class By : std::uint8_t { Index, Address };
  By by = By::Index;
  IfIndex index = 0;
  Ipv4Addr address{};

  static constexpr IfRef any() { return {}; }
  static constexpr IfRef with_index(IfIndex i) { return {By::Index, i, {}}; }
  static constexpr IfRef with_address(Ipv4Addr a) { return {By::Address, 0, a}; }
  constexpr bool is_any() const { return by == By::Index ? index == 0 : address.is_unspecified(); }
};

/// Argument of the change-based options (ip_mreq, ip_mreq_source, ipv6_mreq,
/// GROUP_REQ, GROUP_SOURCE_REQ). `source` is ignored by group-only options.
template <class A>
struct MembershipReq {
  A group{};
  A source{};
  IfRef iface{};
};

/// One change of a per-interface merged filter. `old_state` INCLUDE {} means
/// the interface was not a member; `new_state` INCLUDE {} means it left.
template <class A>
struct IfaceStateChange {
  IfIndex ifindex = 0;
  A group{};
  Filter<A> old_state;
  Filter<A> new_state;
};

/// The merged filter of one interface for one group (RFC 9776 §3.2).
template <class A>
struct IfaceGroupState {
  IfIndex ifindex = 0;
  A group{};
  Filter<A> state;
};

/// Receives every interface-state change as it happens (the host engine).
class StateListener {
 public:
  virtual ~StateListener() = default;
  virtual void on_state_change(const IfaceStateChange<Ipv4Addr>&) {}
  virtual void on_state_change(const IfaceStateChange<Ipv6Addr>&) {}
};

/// A socket's filter for one (interface, group).
template <class A>
struct Membership {
  IfIndex ifindex = 0;
  A group{};
  FilterMode mode = FilterMode::Exclude;
  /// linux: a source list has been allocated (ip_mc_socklist.sflist != NULL);
  /// decides whether ip_mc_source may switch the mode (igmp.c ip_mc_source).
  /// (Before `sources`: it fills padding, 32 bytes per IPv4 membership in all.)
  bool has_list = false;
  SourceSet<A> sources;
  /// windows: sources blocked and since unblocked on this membership; an
  /// unblock of one of them is row 14, of any other row 4 (docs/error-rules.md).
  SourceSet<A> unblocked;

  Filter<A> filter() const { return Filter<A>{mode, sources}; }
};

struct InterfaceInfo {
  IfIndex index = 0;
  std::string name;
  std::vector<Ipv4Addr> ipv4;
  bool ipv6 = true;
};

class SocketApi {
 public:
  explicit SocketApi(Profile profile = Profile::windows());

  const Profile& profile() const { return profile_; }
  /// Limits may be changed at any time (sysctl-like); they apply to later calls.
  Limits& limits() { return profile_.limits; }

  // --- interfaces -------------------------------------------------------
  /// Adds an interface; indexes start at 1. The first interface of each
  /// family becomes that family's default (for interface 0 / INADDR_ANY).
  IfIndex add_interface(std::string_view name, std::span<const Ipv4Addr> ipv4 = {}, bool ipv6 = true);
  /// Adds an interface with a chosen index (to mirror real ifindexes).
  void add_interface_with_index(IfIndex index, std::string_view name, std::span<const Ipv4Addr> ipv4 = {},
                                bool ipv6 = true);
  void set_default_interface(Family f, std::optional<IfIndex> index);
  std::span<const InterfaceInfo> interfaces() const { return ifaces_; }

  // --- sockets ----------------------------------------------------------
  SocketId open(Family f);
  /// Closing drops every membership of the socket (igmp.c ip_mc_drop_socket).
  Status close(SocketId s);
  bool is_open(SocketId s) const;

  // --- change-based options (all 14 membership options) -------------------
  template <class A>
  Status set_option(SocketId s, Option opt, const MembershipReq<A>& req);

  // --- final-state calls ------------------------------------------------
  /// SIO_SET_MULTICAST_FILTER / IP_MSFILTER (opt = IpMsfilter, IPv4, interface
  /// by address) or SIOCSMSFILTER / MCAST_MSFILTER (opt = McastMsfilter,
  /// interface by index). `sources` may be unsorted; duplicates count toward
  /// the limit (as the kernel counts imsf_numsrc) but are stored once.
  template <class A>
  Status set_filter(SocketId s, Option opt, IfRef iface, const A& group, FilterMode mode,
                    std::span<const A> sources);
  /// As set_filter; nullopt stands for a mode value that is neither
  /// MCAST_INCLUDE nor MCAST_EXCLUDE (EINVAL in both profiles).
  template <class A>
  Status set_filter_raw(SocketId s, Option opt, IfRef iface, const A& group, std::optional<FilterMode> mode,
                        std::span<const A> sources);
  /// SIO_GET_MULTICAST_FILTER / IP_MSFILTER or SIOCGMSFILTER / MCAST_MSFILTER.
  template <class A>
  Result<Filter<A>> get_filter(SocketId s, Option opt, IfRef iface, const A& group) const;

  // --- scalar options (IP_MULTICAST_TTL/LOOP/IF, IPV6_MULTICAST_HOPS/LOOP/IF)
  Status set_int_option(SocketId s, Option opt, int value);
  Result<int> get_int_option(SocketId s, Option opt) const;
  /// IP_MULTICAST_IF by address or index; IPV6_MULTICAST_IF by index.
  Status set_multicast_if(SocketId s, Option opt, IfRef iface);

  // --- state --------------------------------------------------------------
  /// The interface's merged filter for `group` (INCLUDE {} if no member).
  template <class A>
  Filter<A> interface_state(IfIndex ifindex, const A& group) const;
  /// All (ifindex, group) with a non-trivial merged state.
  template <class A>
  std::span<const IfaceGroupState<A>> interface_states() const;
  /// The socket's own memberships.
  template <class A>
  std::span<const Membership<A>> memberships(SocketId s) const;
  /// Interface-state changes made by the most recent call (valid until the next).
  template <class A>
  std::span<const IfaceStateChange<A>> last_changes() const;

  void set_listener(StateListener* l) { listener_ = l; }

 private:
  struct Socket {
    Family family = Family::V4;
    bool open = false;
    std::vector<Membership<Ipv4Addr>> m4;
    std::vector<Membership<Ipv6Addr>> m6;
    int ttl_v4 = 1, hops_v6 = 1;
    bool loop_v4 = true, loop_v6 = true;
    IfRef mcast_if_v4{}, mcast_if_v6{};

    template <class A>
    std::vector<Membership<A>>& members();
    template <class A>
    const std::vector<Membership<A>>& members() const;
  };

  template <class A>
  struct FamilyState {
    std::vector<IfaceGroupState<A>> state;     // sorted by (ifindex, group)
    std::vector<IfaceStateChange<A>> changes;  // of the last call
  };

  template <class A>
  FamilyState<A>& fam();
  template <class A>
  const FamilyState<A>& fam() const;

  Socket* sock(SocketId s);
  const Socket* sock(SocketId s) const;
  const InterfaceInfo* iface_by_index(IfIndex i) const;
  /// Resolves an IfRef to an interface index of family F; nullopt if none.
  std::optional<IfIndex> resolve(Family f, IfRef r) const;
  void begin_call();
  template <class A>
  void refresh(IfIndex ifindex, const A& group);
  template <class A>
  void refresh_all_of(const Socket& s);

  template <class A>
  Status precheck(SocketId s, Option opt, Socket*& out) const;

  // Profile rules (socket_api_windows.cpp, socket_api_linux.cpp).
  template <class A>
  Status windows_membership(Socket& s, MembershipOp op, const MembershipReq<A>& req, IfIndex& touched);
  template <class A>
  Status linux_membership(Socket& s, Option opt, MembershipOp op, const MembershipReq<A>& req,
                          IfIndex& touched);
  template <class A>
  Status windows_set_filter(Socket& s, IfRef iface, const A& group, std::optional<FilterMode> mode,
                            std::span<const A> sources, IfIndex& touched);
  template <class A>
  Status linux_set_filter(Socket& s, Option opt, IfRef iface, const A& group, std::optional<FilterMode> mode,
                          std::span<const A> sources, IfIndex& touched);
  template <class A>
  Result<Filter<A>> windows_get_filter(const Socket& s, IfRef iface, const A& group) const;
  template <class A>
  Result<Filter<A>> linux_get_filter(const Socket& s, Option opt, IfRef iface, const A& group) const;

  // linux helpers (igmp.c / mcast.c)
  template <class A>
  Status linux_join(Socket& s, const A& group, IfRef iface, FilterMode mode, IfIndex& touched);
  template <class A>
  Status linux_leave(Socket& s, const A& group, IfRef iface, IfIndex& touched);
  template <class A>
  Status linux_source(Socket& s, bool add, FilterMode omode, const A& group, const A& source, IfRef iface,
                      IfIndex& touched);

  Error err(Errc e, std::string_view reason) const { return profile_.error(e, reason); }

  Profile profile_;
  std::vector<InterfaceInfo> ifaces_;
  std::optional<IfIndex> default_v4_, default_v6_;
  std::vector<Socket> sockets_;  // SocketId = position + 1
  FamilyState<Ipv4Addr> v4_;
  /// IPv6 state, created on first use: IPv4-only hosts of large simulations hold only a
  /// pointer (a copy of the SocketApi copies it).
  struct LazyV6 {
    std::unique_ptr<FamilyState<Ipv6Addr>> p;
    LazyV6() = default;
    LazyV6(const LazyV6& o) : p(o.p ? std::make_unique<FamilyState<Ipv6Addr>>(*o.p) : nullptr) {}
    LazyV6& operator=(const LazyV6& o) {
      if (this != &o) p = o.p ? std::make_unique<FamilyState<Ipv6Addr>>(*o.p) : nullptr;
      return *this;
    }
    LazyV6(LazyV6&&) noexcept = default;
    LazyV6& operator=(LazyV6&&) noexcept = default;
  };
  LazyV6 v6_;
  StateListener* listener_ = nullptr;
};

}  // namespace mcsim::api
