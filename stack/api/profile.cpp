#include "stack/api/profile.hpp"

namespace mcsim::api {
namespace {

struct ErrDef {
  std::string_view win_name;
  std::int32_t win_code;
  std::string_view linux_name;
  std::int32_t linux_code;
};

// WSA codes: winerror.h (reference doc); errno: asm-generic/errno*.h.
constexpr ErrDef kErrors[] = {
    /* Inval        */ {"WSAEINVAL", 10022, "EINVAL", 22},
    /* AddrNotAvail */ {"WSAEADDRNOTAVAIL", 10049, "EADDRNOTAVAIL", 99},
    /* AddrInUse    */ {"WSAEADDRINUSE", 10048, "EADDRINUSE", 98},
    /* NoBufs       */ {"WSAENOBUFS", 10055, "ENOBUFS", 105},
    /* Fault        */ {"WSAEFAULT", 10014, "EFAULT", 14},
    /* NoProtoOpt   */ {"WSAENOPROTOOPT", 10042, "ENOPROTOOPT", 92},
    /* NoDev        */ {"WSAEADDRNOTAVAIL", 10049, "ENODEV", 19},  // Windows has no ENODEV
    /* AfNoSupport  */ {"WSAEAFNOSUPPORT", 10047, "EAFNOSUPPORT", 97},
    /* NotSock      */ {"WSAENOTSOCK", 10038, "EBADF", 9},
};

}  // namespace

Profile Profile::windows() {
  Profile p;
  p.kind = ProfileKind::Windows;
  p.limits = Limits{4096, 1024, 4096, 1024};
  p.validate_sources = true;
  return p;
}

Profile Profile::linux_kernel() {
  Profile p;
  p.kind = ProfileKind::Linux;
  // sysctl net.ipv4.igmp_max_memberships=20, igmp_max_msf=10,
  // net.ipv6.mld_max_msf=64; IPv6 joins are bounded only by optmem.
  p.limits = Limits{20, 10, 1u << 20, 64};
  p.validate_sources = false;
  return p;
}

std::optional<Profile> Profile::by_name(std::string_view name) {
  if (name == "windows") return windows();
  if (name == "linux") return linux_kernel();
  return std::nullopt;
}

std::string_view error_name(ProfileKind k, Errc e) {
  const auto& d = kErrors[static_cast<std::size_t>(e)];
  return k == ProfileKind::Windows ? d.win_name : d.linux_name;
}

std::int32_t error_code(ProfileKind k, Errc e) {
  const auto& d = kErrors[static_cast<std::size_t>(e)];
  return k == ProfileKind::Windows ? d.win_code : d.linux_code;
}

Error Profile::error(Errc e, std::string_view reason) const {
  return Error{e, error_name(kind, e), error_code(kind, e), reason};
}

}  // namespace mcsim::api
