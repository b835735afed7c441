#include "stack/api/options.hpp"

#include <algorithm>
#include <array>

namespace mcsim::api {
namespace {

using F = OptionFamily;
using M = MembershipOp;
constexpr int kIp = kIpprotoIp;
constexpr int kIp6 = kIpprotoIpv6;

// Winsock values: reference/windows-option-conflicts.md; Linux values:
// include/uapi/linux/in.h and in6.h.
constexpr std::array<OptionInfo, 22> kOptions{{
    {Option::IpMulticastIf, "IP_MULTICAST_IF", "", F::V4, M::None, kIp, 9, kIp, 32, "IN_ADDR / DWORD"},
    {Option::IpMulticastTtl, "IP_MULTICAST_TTL", "", F::V4, M::None, kIp, 10, kIp, 33, "DWORD"},
    {Option::IpMulticastLoop, "IP_MULTICAST_LOOP", "", F::V4, M::None, kIp, 11, kIp, 34, "DWORD"},
    {Option::IpAddMembership, "IP_ADD_MEMBERSHIP", "", F::V4, M::Join, kIp, 12, kIp, 35, "ip_mreq"},
    {Option::IpDropMembership, "IP_DROP_MEMBERSHIP", "", F::V4, M::Leave, kIp, 13, kIp, 36, "ip_mreq"},
    {Option::IpAddSourceMembership, "IP_ADD_SOURCE_MEMBERSHIP", "", F::V4, M::JoinSource, kIp, 15, kIp, 39,
     "ip_mreq_source"},
    {Option::IpDropSourceMembership, "IP_DROP_SOURCE_MEMBERSHIP", "", F::V4, M::LeaveSource, kIp, 16, kIp, 40,
     "ip_mreq_source"},
    {Option::IpBlockSource, "IP_BLOCK_SOURCE", "", F::V4, M::Block, kIp, 17, kIp, 38, "ip_mreq_source"},
    {Option::IpUnblockSource, "IP_UNBLOCK_SOURCE", "", F::V4, M::Unblock, kIp, 18, kIp, 37, "ip_mreq_source"},
    {Option::IpMsfilter, "IP_MSFILTER", "", F::V4, M::None, -1, 0, kIp, 41,
     "ip_msfilter"},
    {Option::Ipv6MulticastIf, "IPV6_MULTICAST_IF", "", F::V6, M::None, kIp6, 9, kIp6, 17, "DWORD"},
    {Option::Ipv6MulticastHops, "IPV6_MULTICAST_HOPS", "", F::V6, M::None, kIp6, 10, kIp6, 18, "DWORD"},
    {Option::Ipv6MulticastLoop, "IPV6_MULTICAST_LOOP", "", F::V6, M::None, kIp6, 11, kIp6, 19, "DWORD"},
    {Option::Ipv6AddMembership, "IPV6_ADD_MEMBERSHIP", "IPV6_JOIN_GROUP", F::V6, M::Join, kIp6, 12, kIp6, 20,
     "ipv6_mreq"},
    {Option::Ipv6DropMembership, "IPV6_DROP_MEMBERSHIP", "IPV6_LEAVE_GROUP", F::V6, M::Leave, kIp6, 13, kIp6, 21,
     "ipv6_mreq"},
    {Option::McastJoinGroup, "MCAST_JOIN_GROUP", "", F::Any, M::Join, -2, 41, -2, 42, "GROUP_REQ"},
    {Option::McastLeaveGroup, "MCAST_LEAVE_GROUP", "", F::Any, M::Leave, -2, 42, -2, 45, "GROUP_REQ"},
    {Option::McastBlockSource, "MCAST_BLOCK_SOURCE", "", F::Any, M::Block, -2, 43, -2, 43, "GROUP_SOURCE_REQ"},
    {Option::McastUnblockSource, "MCAST_UNBLOCK_SOURCE", "", F::Any, M::Unblock, -2, 44, -2, 44,
     "GROUP_SOURCE_REQ"},
    {Option::McastJoinSourceGroup, "MCAST_JOIN_SOURCE_GROUP", "", F::Any, M::JoinSource, -2, 45, -2, 46,
     "GROUP_SOURCE_REQ"},
    {Option::McastLeaveSourceGroup, "MCAST_LEAVE_SOURCE_GROUP", "", F::Any, M::LeaveSource, -2, 46, -2, 47,
     "GROUP_SOURCE_REQ"},
    {Option::McastMsfilter, "MCAST_MSFILTER", "", F::Any, M::None, -1, 0, -2, 48, "GROUP_FILTER"},
}};
// Level -2 above means "IPPROTO_IP or IPPROTO_IPV6" (protocol-independent options).

constexpr std::array<IoctlInfo, 4> kIoctls{{
    {Ioctl::SioGetMulticastFilter, "SIO_GET_MULTICAST_FILTER", Option::IpMsfilter, false},
    {Ioctl::SioSetMulticastFilter, "SIO_SET_MULTICAST_FILTER", Option::IpMsfilter, true},
    {Ioctl::SiocSMsFilter, "SIOCSMSFILTER", Option::McastMsfilter, true},
    {Ioctl::SiocGMsFilter, "SIOCGMSFILTER", Option::McastMsfilter, false},
}};

bool level_matches(int table_level, int level) {
  return table_level == -2 ? (level == kIp || level == kIp6) : table_level == level;
}

}  // namespace

std::span<const OptionInfo> all_options() { return kOptions; }
std::span<const IoctlInfo> all_ioctls() { return kIoctls; }
const OptionInfo& info(Option o) { return kOptions[static_cast<std::size_t>(o)]; }
const IoctlInfo& info(Ioctl i) {
  return *std::find_if(kIoctls.begin(), kIoctls.end(), [&](const IoctlInfo& x) { return x.ioctl == i; });
}
std::string_view to_string(Option o) { return info(o).name; }
std::string_view to_string(Ioctl i) { return info(i).name; }

std::optional<Option> option_by_name(std::string_view name) {
  for (const auto& o : kOptions)
    if (o.name == name || (!o.alias.empty() && o.alias == name)) return o.option;
  return std::nullopt;
}
std::optional<Option> option_from_winsock(int level, int optname) {
  for (const auto& o : kOptions)
    if (o.winsock_level != -1 && level_matches(o.winsock_level, level) && o.winsock_number == optname)
      return o.option;
  return std::nullopt;
}
std::optional<Option> option_from_linux(int level, int optname) {
  for (const auto& o : kOptions)
    if (level_matches(o.linux_level, level) && o.linux_number == optname) return o.option;
  return std::nullopt;
}
std::optional<Ioctl> ioctl_by_name(std::string_view name) {
  for (const auto& i : kIoctls)
    if (i.name == name) return i.ioctl;
  return std::nullopt;
}
std::optional<Ioctl> ioctl_from_code(std::uint32_t code) {
  for (const auto& i : kIoctls)
    if (static_cast<std::uint32_t>(i.ioctl) == code) return i.ioctl;
  return std::nullopt;
}

}  // namespace mcsim::api
