// Every multicast socket option and IOCTL of the seed documents, with its
// Winsock numbering (shared/reference/windows-option-conflicts.md, ws2ipdef.h)
// and its Linux numbering (include/uapi/linux/in.h, in6.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mcsim::api {

enum class Option : std::uint8_t {
  IpMulticastIf,
  IpMulticastTtl,
  IpMulticastLoop,
  IpAddMembership,
  IpDropMembership,
  IpAddSourceMembership,
  IpDropSourceMembership,
  IpBlockSource,
  IpUnblockSource,
  IpMsfilter,  // ip_msfilter: SIO_SET/GET_MULTICAST_FILTER (Winsock), IP_MSFILTER (Linux)
  Ipv6MulticastIf,
  Ipv6MulticastHops,
  Ipv6MulticastLoop,
  Ipv6AddMembership,   // a.k.a. IPV6_JOIN_GROUP
  Ipv6DropMembership,  // a.k.a. IPV6_LEAVE_GROUP
  McastJoinGroup,
  McastLeaveGroup,
  McastBlockSource,
  McastUnblockSource,
  McastJoinSourceGroup,
  McastLeaveSourceGroup,
  McastMsfilter,  // GROUP_FILTER: SIOCSMSFILTER/SIOCGMSFILTER (Winsock), MCAST_MSFILTER (Linux)
};

inline constexpr int kIpprotoIp = 0;     // IPPROTO_IP, both systems
inline constexpr int kIpprotoIpv6 = 41;  // IPPROTO_IPV6, both systems

/// Which family an option works on: V4 only, V6 only, or either (MCAST_*).
enum class OptionFamily : std::uint8_t { V4, V6, Any };

/// The change-based operation an option performs on a membership.
enum class MembershipOp : std::uint8_t { None, Join, Leave, JoinSource, LeaveSource, Block, Unblock };

struct OptionInfo {
  Option option;
  std::string_view name;
  std::string_view alias;  // second name ("" if none)
  OptionFamily family;
  MembershipOp op;
  int winsock_level;  // -1 where Winsock uses an IOCTL instead of a socket option
  int winsock_number;
  int linux_level;
  int linux_number;
  std::string_view argument;  // argument structure
};

enum class Ioctl : std::uint32_t {
  SioGetMulticastFilter = 0x8004747Cu,  // ip_msfilter, IPv4
  SioSetMulticastFilter = 0x8004747Du,
  SiocSMsFilter = 0x8004747Eu,  // GROUP_FILTER, IPv4 and IPv6
  SiocGMsFilter = 0x8004747Fu,
};

struct IoctlInfo {
  Ioctl ioctl;
  std::string_view name;
  Option option;  // IpMsfilter or McastMsfilter
  bool is_set;
};

std::span<const OptionInfo> all_options();
std::span<const IoctlInfo> all_ioctls();
const OptionInfo& info(Option o);
const IoctlInfo& info(Ioctl i);
std::string_view to_string(Option o);
std::string_view to_string(Ioctl i);

std::optional<Option> option_by_name(std::string_view name);  // either name or alias
std::optional<Option> option_from_winsock(int level, int optname);
std::optional<Option> option_from_linux(int level, int optname);
std::optional<Ioctl> ioctl_by_name(std::string_view name);
std::optional<Ioctl> ioctl_from_code(std::uint32_t code);

/// Filter-mode encodings differ per system (reference doc): Windows
/// MCAST_INCLUDE=0/MCAST_EXCLUDE=1, Linux MCAST_EXCLUDE=0/MCAST_INCLUDE=1.
inline constexpr std::uint32_t kWinsockMcastInclude = 0;
inline constexpr std::uint32_t kWinsockMcastExclude = 1;
inline constexpr std::uint32_t kLinuxMcastExclude = 0;
inline constexpr std::uint32_t kLinuxMcastInclude = 1;

}  // namespace mcsim::api
