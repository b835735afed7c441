// Error-rule profiles: `windows` (the seed table, WSA* codes) and `linux`
// (net/ipv4/igmp.c, net/ipv6/mcast.c, errno codes), with their limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "stack/addr.hpp"
#include "stack/api/error.hpp"

namespace mcsim::api {

enum class ProfileKind : std::uint8_t { Windows, Linux };

/// Per-socket limits. Exceeding one is ENOBUFS / WSAENOBUFS.
struct Limits {
  std::size_t max_groups_v4 = 0;   // memberships per socket (Linux: igmp_max_memberships)
  std::size_t max_sources_v4 = 0;  // sources per socket filter (Linux: igmp_max_msf)
  std::size_t max_groups_v6 = 0;   // Linux has no per-socket MLD group limit
  std::size_t max_sources_v6 = 0;  // Linux: mld_max_msf

  std::size_t max_groups(Family f) const { return f == Family::V4 ? max_groups_v4 : max_groups_v6; }
  std::size_t max_sources(Family f) const { return f == Family::V4 ? max_sources_v4 : max_sources_v6; }
};

struct Profile {
  ProfileKind kind = ProfileKind::Windows;
  Limits limits;
  /// Reject unspecified/multicast/broadcast sources with EINVAL. The windows
  /// profile does; the Linux kernel accepts any 32/128-bit value, so the
  /// linux profile does not unless asked.
  bool validate_sources = true;

  /// Windows: no per-socket limit is documented for Vista+; these defaults
  /// are the project's (docs/error-rules.md) and configurable.
  static Profile windows();
  /// Linux defaults: igmp_max_memberships=20, igmp_max_msf=10, mld_max_msf=64.
  static Profile linux_kernel();
  static std::optional<Profile> by_name(std::string_view name);  // "windows" | "linux"

  std::string_view name() const { return kind == ProfileKind::Windows ? "windows" : "linux"; }
  bool is_windows() const { return kind == ProfileKind::Windows; }
  /// The profile's name and number for `e`, with `reason`.
  Error error(Errc e, std::string_view reason) const;
};

/// Name and number of an Errc in a profile, without a reason.
std::string_view error_name(ProfileKind k, Errc e);
std::int32_t error_code(ProfileKind k, Errc e);

}  // namespace mcsim::api
