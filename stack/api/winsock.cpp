// The Winsock C facade (winsock.h) over SocketApi: decodes the Windows
// structure layouts and maps results to SOCKET_ERROR + WSAGetLastError().
#include "stack/api/winsock.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "stack/api/socket_api.hpp"

using namespace mcsim;
using namespace mcsim::api;

// 64-bit Windows sizes (ws2ipdef.h, reference/windows-option-conflicts.md).
static_assert(sizeof(mcsim_ip_mreq) == 8);
static_assert(sizeof(mcsim_ip_mreq_source) == 12);
static_assert(offsetof(mcsim_ip_mreq_source, imr_sourceaddr) == 4);
static_assert(sizeof(mcsim_ipv6_mreq) == 20);
static_assert(sizeof(mcsim_sockaddr_storage) == 128);
static_assert(sizeof(MCSIM_GROUP_REQ) == 136);
static_assert(sizeof(MCSIM_GROUP_SOURCE_REQ) == 264);
static_assert(offsetof(MCSIM_GROUP_FILTER, gf_fmode) == 136);
static_assert(offsetof(MCSIM_GROUP_FILTER, gf_slist) == 144);
static_assert(offsetof(mcsim_ip_msfilter, imsf_slist) == 16);
static_assert(offsetof(mcsim_sockaddr_in6, sin6_addr) == 8);

namespace {

/// One socket table per process, as Winsock has. Every entry point below holds `mu` while it
/// uses the table (Winsock calls are thread-safe; tests/concurrency runs them in 4 threads
/// under ThreadSanitizer); the last error is per thread, as WSAGetLastError's is.
struct Facade {
  std::mutex mu;
  SocketApi api{Profile::windows()};
};

Facade& facade() {
  static Facade f;
  return f;
}

thread_local int g_last_error = 0;
thread_local std::string g_last_name;
thread_local std::string g_last_reason;

int fail(const Error& e) {
  g_last_error = e.code;
  g_last_name.assign(e.name);
  g_last_reason.assign(e.reason);
  return MCSIM_SOCKET_ERROR;
}
int fail(Errc e, std::string_view reason) { return fail(facade().api.profile().error(e, reason)); }
int done(const Status& st) {
  if (!st.ok()) return fail(st.error());
  g_last_error = 0;
  return 0;
}

Ipv4Addr v4(mcsim_in_addr a) {
  std::uint8_t b[4];
  std::memcpy(b, &a.s_addr, 4);  // network byte order in memory
  return Ipv4Addr::from_bytes(b);
}
mcsim_in_addr in(Ipv4Addr a) {
  mcsim_in_addr r{};
  std::memcpy(&r.s_addr, a.b.data(), 4);
  return r;
}
Ipv6Addr v6(const mcsim_in6_addr& a) { return Ipv6Addr::from_bytes(a.s6_addr); }

/// ip_mreq imr_interface: a local address, or an interface index written as
/// an address in 0.0.0.0/8 (Winsock IP_ADD_MEMBERSHIP documentation).
IfRef iface_from(mcsim_in_addr a) {
  const Ipv4Addr x = v4(a);
  if (x.b[0] == 0 && !x.is_unspecified()) return IfRef::with_index(x.to_u32());
  return IfRef::with_address(x);
}

enum class SsFamily { V4, V6, Other };
SsFamily family_of(const mcsim_sockaddr_storage& ss) {
  return ss.ss_family == MCSIM_AF_INET ? SsFamily::V4 : ss.ss_family == MCSIM_AF_INET6 ? SsFamily::V6 : SsFamily::Other;
}
Ipv4Addr ss_v4(const mcsim_sockaddr_storage& ss) {
  mcsim_sockaddr_in s;
  std::memcpy(&s, &ss, sizeof s);
  return v4(s.sin_addr);
}
Ipv6Addr ss_v6(const mcsim_sockaddr_storage& ss) {
  mcsim_sockaddr_in6 s;
  std::memcpy(&s, &ss, sizeof s);
  return v6(s.sin6_addr);
}
void put_ss(mcsim_sockaddr_storage& ss, Ipv4Addr a) {
  std::memset(&ss, 0, sizeof ss);
  mcsim_sockaddr_in s{};
  s.sin_family = MCSIM_AF_INET;
  s.sin_addr = in(a);
  std::memcpy(&ss, &s, sizeof s);
}
void put_ss(mcsim_sockaddr_storage& ss, const Ipv6Addr& a) {
  std::memset(&ss, 0, sizeof ss);
  mcsim_sockaddr_in6 s{};
  s.sin6_family = MCSIM_AF_INET6;
  std::memcpy(s.sin6_addr.s6_addr, a.b.data(), 16);
  std::memcpy(&ss, &s, sizeof s);
}

template <class T>
bool read_struct(const void* p, std::size_t len, T& out) {
  if (!p || len < sizeof(T)) return false;
  std::memcpy(&out, p, sizeof(T));
  return true;
}

std::optional<FilterMode> mode_from(std::uint32_t m) {
  if (m == kWinsockMcastInclude) return FilterMode::Include;
  if (m == kWinsockMcastExclude) return FilterMode::Exclude;
  return std::nullopt;
}
std::uint32_t mode_to(FilterMode m) { return m == FilterMode::Include ? kWinsockMcastInclude : kWinsockMcastExclude; }

SocketId sid(MCSIM_SOCKET s) { return static_cast<SocketId>(s); }

int set_mcast(MCSIM_SOCKET s, Option opt, const char* optval, int optlen) {
  auto& api = facade().api;
  const auto len = static_cast<std::size_t>(optlen < 0 ? 0 : optlen);
  const MembershipOp op = info(opt).op;
  if (op == MembershipOp::Join || op == MembershipOp::Leave) {
    MCSIM_GROUP_REQ r;
    if (!read_struct(optval, len, r)) return fail(Errc::Fault, "optlen is shorter than GROUP_REQ (136 bytes)");
    switch (family_of(r.gr_group)) {
      case SsFamily::V4:
        return done(api.set_option(sid(s), opt, MembershipReq<Ipv4Addr>{ss_v4(r.gr_group), {}, IfRef::with_index(r.gr_interface)}));
      case SsFamily::V6:
        return done(api.set_option(sid(s), opt, MembershipReq<Ipv6Addr>{ss_v6(r.gr_group), {}, IfRef::with_index(r.gr_interface)}));
      case SsFamily::Other:
        return fail(Errc::Inval, "gr_group is neither AF_INET nor AF_INET6");
    }
  }
  MCSIM_GROUP_SOURCE_REQ r;
  if (!read_struct(optval, len, r)) return fail(Errc::Fault, "optlen is shorter than GROUP_SOURCE_REQ (264 bytes)");
  const auto fg = family_of(r.gsr_group);
  if (fg == SsFamily::Other || family_of(r.gsr_source) != fg)
    return fail(Errc::Inval, "gsr_group and gsr_source must both be AF_INET or both AF_INET6");
  if (fg == SsFamily::V4)
    return done(api.set_option(sid(s), opt,
                               MembershipReq<Ipv4Addr>{ss_v4(r.gsr_group), ss_v4(r.gsr_source), IfRef::with_index(r.gsr_interface)}));
  return done(api.set_option(sid(s), opt,
                             MembershipReq<Ipv6Addr>{ss_v6(r.gsr_group), ss_v6(r.gsr_source), IfRef::with_index(r.gsr_interface)}));
}

}  // namespace

extern "C" {

int mcsim_winsock_reset(const char* profile) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  auto p = Profile::by_name(profile ? profile : "windows");
  if (!p) return -1;
  facade().api = SocketApi(*p);
  g_last_error = 0;
  return 0;
}

uint32_t mcsim_add_interface(const char* name, uint32_t ipv4_net_order) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  mcsim_in_addr a{ipv4_net_order};
  std::vector<Ipv4Addr> addrs;
  if (ipv4_net_order) addrs.push_back(v4(a));
  return facade().api.add_interface(name ? name : "", addrs);
}

MCSIM_SOCKET mcsim_socket(int af, int type, int protocol) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  (void)type;
  (void)protocol;
  if (af != MCSIM_AF_INET && af != MCSIM_AF_INET6) {
    fail(Errc::AfNoSupport, "address family must be AF_INET (2) or AF_INET6 (23)");
    return MCSIM_INVALID_SOCKET;
  }
  g_last_error = 0;
  return facade().api.open(af == MCSIM_AF_INET ? Family::V4 : Family::V6);
}

int mcsim_closesocket(MCSIM_SOCKET s) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  return done(facade().api.close(sid(s)));
}

int mcsim_setsockopt(MCSIM_SOCKET s, int level, int optname, const char* optval, int optlen) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  auto& api = facade().api;
  if (!api.is_open(sid(s))) return fail(Errc::NotSock, "not an open socket");
  if (level != MCSIM_IPPROTO_IP && level != MCSIM_IPPROTO_IPV6) return fail(Errc::Inval, "unknown option level");
  const auto opt = option_from_winsock(level, optname);
  if (!opt) return fail(Errc::NoProtoOpt, "unknown option at this level");
  const auto len = static_cast<std::size_t>(optlen < 0 ? 0 : optlen);
  switch (*opt) {
    case Option::IpAddMembership:
    case Option::IpDropMembership: {
      mcsim_ip_mreq m;
      if (!read_struct(optval, len, m)) return fail(Errc::Fault, "optlen is shorter than ip_mreq (8 bytes)");
      return done(api.set_option(sid(s), *opt, MembershipReq<Ipv4Addr>{v4(m.imr_multiaddr), {}, iface_from(m.imr_interface)}));
    }
    case Option::IpAddSourceMembership:
    case Option::IpDropSourceMembership:
    case Option::IpBlockSource:
    case Option::IpUnblockSource: {
      mcsim_ip_mreq_source m;
      if (!read_struct(optval, len, m)) return fail(Errc::Fault, "optlen is shorter than ip_mreq_source (12 bytes)");
      return done(api.set_option(sid(s), *opt,
                                 MembershipReq<Ipv4Addr>{v4(m.imr_multiaddr), v4(m.imr_sourceaddr), iface_from(m.imr_interface)}));
    }
    case Option::Ipv6AddMembership:
    case Option::Ipv6DropMembership: {
      mcsim_ipv6_mreq m;
      if (!read_struct(optval, len, m)) return fail(Errc::Fault, "optlen is shorter than ipv6_mreq (20 bytes)");
      return done(api.set_option(sid(s), *opt,
                                 MembershipReq<Ipv6Addr>{v6(m.ipv6mr_multiaddr), {}, IfRef::with_index(m.ipv6mr_interface)}));
    }
    case Option::IpMulticastIf: {
      mcsim_in_addr a;
      if (!read_struct(optval, len, a)) return fail(Errc::Fault, "optlen is shorter than IN_ADDR (4 bytes)");
      return done(api.set_multicast_if(sid(s), *opt, iface_from(a)));
    }
    case Option::IpMulticastTtl:
    case Option::IpMulticastLoop:
    case Option::Ipv6MulticastIf:
    case Option::Ipv6MulticastHops:
    case Option::Ipv6MulticastLoop: {
      std::uint32_t v;
      if (!read_struct(optval, len, v)) return fail(Errc::Fault, "optlen is shorter than DWORD (4 bytes)");
      return done(api.set_int_option(sid(s), *opt, static_cast<int>(v)));
    }
    default:
      return set_mcast(s, *opt, optval, optlen);
  }
}

int mcsim_getsockopt(MCSIM_SOCKET s, int level, int optname, char* optval, int* optlen) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  auto& api = facade().api;
  if (!api.is_open(sid(s))) return fail(Errc::NotSock, "not an open socket");
  const auto opt = option_from_winsock(level, optname);
  if (!opt) return fail(Errc::NoProtoOpt, "unknown option at this level");
  if (!optlen || !optval || *optlen < 4) return fail(Errc::Fault, "optlen is shorter than DWORD (4 bytes)");
  auto r = api.get_int_option(sid(s), *opt);
  if (!r) return fail(r.error());
  const auto v = static_cast<std::uint32_t>(*r);
  std::memcpy(optval, &v, 4);
  *optlen = 4;
  g_last_error = 0;
  return 0;
}

int mcsim_WSAIoctl(MCSIM_SOCKET s, uint32_t code, void* in_buf, uint32_t in_len, void* out_buf, uint32_t out_len,
                   uint32_t* bytes_returned, void* overlapped, void* completion_routine) {
  const std::lock_guard<std::mutex> lock(facade().mu);
  (void)overlapped;
  (void)completion_routine;
  auto& api = facade().api;
  if (!api.is_open(sid(s))) return fail(Errc::NotSock, "not an open socket");
  const auto io = ioctl_from_code(code);
  if (!io) return fail(Errc::Inval, "unsupported IOCTL code");
  if (bytes_returned) *bytes_returned = 0;
  switch (*io) {
    case Ioctl::SioSetMulticastFilter: {
      if (!in_buf || in_len < MCSIM_IP_MSFILTER_SIZE(0))
        return fail(Errc::Fault, "input shorter than IP_MSFILTER_SIZE(0) (16 bytes)");
      mcsim_ip_msfilter h;
      std::memcpy(&h, in_buf, MCSIM_IP_MSFILTER_SIZE(0));
      if (static_cast<std::uint64_t>(in_len) < MCSIM_IP_MSFILTER_SIZE(0) + 4ull * h.imsf_numsrc)
        return fail(Errc::Fault, "input shorter than IP_MSFILTER_SIZE(imsf_numsrc)");
      std::vector<Ipv4Addr> src(h.imsf_numsrc);
      const auto* p = static_cast<const unsigned char*>(in_buf) + MCSIM_IP_MSFILTER_SIZE(0);
      for (std::size_t i = 0; i < src.size(); ++i) {
        mcsim_in_addr a;
        std::memcpy(&a, p + 4 * i, 4);
        src[i] = v4(a);
      }
      return done(api.set_filter_raw<Ipv4Addr>(sid(s), Option::IpMsfilter, iface_from(h.imsf_interface),
                                               v4(h.imsf_multiaddr), mode_from(h.imsf_fmode), src));
    }
    case Ioctl::SioGetMulticastFilter: {
      const void* q = in_buf ? in_buf : out_buf;
      const uint32_t qlen = in_buf ? in_len : out_len;
      if (!q || qlen < MCSIM_IP_MSFILTER_SIZE(0) || !out_buf || out_len < MCSIM_IP_MSFILTER_SIZE(0))
        return fail(Errc::Fault, "buffer shorter than IP_MSFILTER_SIZE(0) (16 bytes)");
      mcsim_ip_msfilter h;
      std::memcpy(&h, q, MCSIM_IP_MSFILTER_SIZE(0));
      auto r = api.get_filter<Ipv4Addr>(sid(s), Option::IpMsfilter, iface_from(h.imsf_interface), v4(h.imsf_multiaddr));
      if (!r) return fail(r.error());
      const std::size_t cap = (out_len - MCSIM_IP_MSFILTER_SIZE(0)) / 4;
      const std::size_t n = std::min(cap, r->sources.size());
      h.imsf_fmode = mode_to(r->mode);
      h.imsf_numsrc = static_cast<uint32_t>(r->sources.size());  // the full count, as RFC 3678 getsourcefilter
      auto* p = static_cast<unsigned char*>(out_buf);
      std::memcpy(p, &h, MCSIM_IP_MSFILTER_SIZE(0));
      for (std::size_t i = 0; i < n; ++i) {
        const mcsim_in_addr a = in(r->sources[i]);
        std::memcpy(p + MCSIM_IP_MSFILTER_SIZE(0) + 4 * i, &a, 4);
      }
      if (bytes_returned) *bytes_returned = MCSIM_IP_MSFILTER_SIZE(n);
      g_last_error = 0;
      return 0;
    }
    case Ioctl::SiocSMsFilter: {
      if (!in_buf || in_len < MCSIM_GROUP_FILTER_SIZE(0))
        return fail(Errc::Fault, "input shorter than GROUP_FILTER_SIZE(0) (144 bytes)");
      MCSIM_GROUP_FILTER h;
      std::memcpy(&h, in_buf, MCSIM_GROUP_FILTER_SIZE(0));
      if (static_cast<std::uint64_t>(in_len) < MCSIM_GROUP_FILTER_SIZE(0) + 128ull * h.gf_numsrc)
        return fail(Errc::Fault, "input shorter than GROUP_FILTER_SIZE(gf_numsrc)");
      const auto* p = static_cast<const unsigned char*>(in_buf) + MCSIM_GROUP_FILTER_SIZE(0);
      const auto fam = family_of(h.gf_group);
      if (fam == SsFamily::Other) return fail(Errc::Inval, "gf_group is neither AF_INET nor AF_INET6");
      auto run = [&](auto group, auto conv) {
        using A = decltype(group);
        std::vector<A> src(h.gf_numsrc);
        for (std::size_t i = 0; i < src.size(); ++i) {
          mcsim_sockaddr_storage ss;
          std::memcpy(&ss, p + 128 * i, sizeof ss);
          if (family_of(ss) != fam) return fail(Errc::Inval, "gf_slist entries must have gf_group's family");
          src[i] = conv(ss);
        }
        return done(api.set_filter_raw<A>(sid(s), Option::McastMsfilter, IfRef::with_index(h.gf_interface), group,
                                          mode_from(h.gf_fmode), src));
      };
      if (fam == SsFamily::V4) return run(ss_v4(h.gf_group), ss_v4);
      return run(ss_v6(h.gf_group), ss_v6);
    }
    case Ioctl::SiocGMsFilter: {
      const void* q = in_buf ? in_buf : out_buf;
      const uint32_t qlen = in_buf ? in_len : out_len;
      if (!q || qlen < MCSIM_GROUP_FILTER_SIZE(0) || !out_buf || out_len < MCSIM_GROUP_FILTER_SIZE(0))
        return fail(Errc::Fault, "buffer shorter than GROUP_FILTER_SIZE(0) (144 bytes)");
      MCSIM_GROUP_FILTER h;
      std::memcpy(&h, q, MCSIM_GROUP_FILTER_SIZE(0));
      const auto fam = family_of(h.gf_group);
      if (fam == SsFamily::Other) return fail(Errc::Inval, "gf_group is neither AF_INET nor AF_INET6");
      const std::size_t cap = (out_len - MCSIM_GROUP_FILTER_SIZE(0)) / 128;
      auto* p = static_cast<unsigned char*>(out_buf);
      auto emit = [&](auto group) {
        using A = decltype(group);
        auto r = api.get_filter<A>(sid(s), Option::McastMsfilter, IfRef::with_index(h.gf_interface), group);
        if (!r) return fail(r.error());
        const std::size_t n = std::min(cap, r->sources.size());
        h.gf_fmode = mode_to(r->mode);
        h.gf_numsrc = static_cast<uint32_t>(r->sources.size());
        std::memcpy(p, &h, MCSIM_GROUP_FILTER_SIZE(0));
        for (std::size_t i = 0; i < n; ++i) {
          mcsim_sockaddr_storage ss;
          put_ss(ss, r->sources[i]);
          std::memcpy(p + MCSIM_GROUP_FILTER_SIZE(0) + 128 * i, &ss, sizeof ss);
        }
        if (bytes_returned) *bytes_returned = MCSIM_GROUP_FILTER_SIZE(n);
        g_last_error = 0;
        return 0;
      };
      if (fam == SsFamily::V4) return emit(ss_v4(h.gf_group));
      return emit(ss_v6(h.gf_group));
    }
  }
  return fail(Errc::Inval, "unsupported IOCTL code");
}

int mcsim_WSAGetLastError(void) { return g_last_error; }
const char* mcsim_WSALastErrorName(void) { return g_last_name.c_str(); }
const char* mcsim_WSALastErrorReason(void) { return g_last_reason.c_str(); }

}  // extern "C"
