// Differential test: the `linux` profile against the running kernel.
// In a network namespace made for the test (forked child, unshare(CLONE_NEWNET),
// veth pair v0/v1 with IPv4 addresses), seeded call sequences on 2 sockets x
// 2 groups x 3 sources x every membership option and the MSFILTER calls are
// replayed on real sockets and on mcsim::api::SocketApi; after every call the
// errno and every resulting socket filter (getsockopt IP_MSFILTER /
// MCAST_MSFILTER) must be identical.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "stack/api/socket_api.hpp"

namespace {

using namespace mcsim;
using namespace mcsim::api;

constexpr int kSequencesPerFamily = 300;  // 600 in all
constexpr int kCallsPerSequence = 30;
constexpr int kMaxMembershipsNs = 3;  // net.ipv4.igmp_max_memberships in the namespace
constexpr int kMaxMsfNs = 2;          // net.ipv4.igmp_max_msf in the namespace

struct Env {
  IfIndex if0 = 0, if1 = 0;
  Ipv4Addr a0{10, 9, 0, 1}, a1{10, 9, 1, 1};
};

in_addr to_in(Ipv4Addr a) {
  in_addr r{};
  r.s_addr = htonl(a.to_u32());
  return r;
}
Ipv4Addr from_in(in_addr a) { return Ipv4Addr::from_u32(ntohl(a.s_addr)); }
in6_addr to_in6(const Ipv6Addr& a) {
  in6_addr r{};
  std::memcpy(r.s6_addr, a.b.data(), 16);
  return r;
}
Ipv6Addr from_in6(const in6_addr& a) { return Ipv6Addr::from_bytes(a.s6_addr); }

void put_ss(sockaddr_storage& ss, Ipv4Addr a) {
  std::memset(&ss, 0, sizeof ss);
  auto* s = reinterpret_cast<sockaddr_in*>(&ss);
  s->sin_family = AF_INET;
  s->sin_addr = to_in(a);
}
void put_ss(sockaddr_storage& ss, const Ipv6Addr& a) {
  std::memset(&ss, 0, sizeof ss);
  auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
  s->sin6_family = AF_INET6;
  s->sin6_addr = to_in6(a);
}

template <class A>
struct Universe;
template <>
struct Universe<Ipv4Addr> {
  static constexpr int af = AF_INET;
  static constexpr int level = IPPROTO_IP;
  std::vector<Ipv4Addr> groups{{239, 1, 1, 1}, {239, 1, 1, 2}};
  Ipv4Addr bad_group{10, 1, 1, 1};
  std::vector<Ipv4Addr> sources{{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 3}};
};
template <>
struct Universe<Ipv6Addr> {
  static constexpr int af = AF_INET6;
  static constexpr int level = IPPROTO_IPV6;
  std::vector<Ipv6Addr> groups{ipv6::make(0xff0e, 0, 0, 0, 0, 0, 1, 1), ipv6::make(0xff0e, 0, 0, 0, 0, 0, 1, 2)};
  Ipv6Addr bad_group = ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 9, 9);
  std::vector<Ipv6Addr> sources{ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2),
                                ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3)};
};

// One generated call.
template <class A>
struct Call {
  Option opt;
  int sock;  // 0 or 1
  A group;
  A source;
  IfRef iface;
  int mode;  // MSFILTER: 0 include, 1 exclude, 2 invalid
  std::vector<A> list;

  std::string describe() const {
    std::ostringstream o;
    o << to_string(opt) << " sock" << sock << " group " << group.to_string() << " src " << source.to_string()
      << " if " << (iface.by == IfRef::By::Index ? "#" + std::to_string(iface.index) : iface.address.to_string());
    if (opt == Option::IpMsfilter || opt == Option::McastMsfilter) {
      o << " mode " << mode << " {";
      for (const auto& a : list) o << " " << a.to_string();
      o << " }";
    }
    return o.str();
  }
};

int kernel_errno(int rc) { return rc == 0 ? 0 : errno; }

// --- kernel side ----------------------------------------------------------------

int kernel_call(int fd, const Call<Ipv4Addr>& c) {
  const int lvl = IPPROTO_IP;
  switch (c.opt) {
    case Option::IpAddMembership:
    case Option::IpDropMembership: {
      if (c.iface.by == IfRef::By::Index) {  // ip_mreqn carries an index
        ip_mreqn m{};
        m.imr_multiaddr = to_in(c.group);
        m.imr_ifindex = static_cast<int>(c.iface.index);
        return kernel_errno(setsockopt(fd, lvl, c.opt == Option::IpAddMembership ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
                                       &m, sizeof m));
      }
      ip_mreq m{};
      m.imr_multiaddr = to_in(c.group);
      m.imr_interface = to_in(c.iface.address);
      return kernel_errno(
          setsockopt(fd, lvl, c.opt == Option::IpAddMembership ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m));
    }
    case Option::IpAddSourceMembership:
    case Option::IpDropSourceMembership:
    case Option::IpBlockSource:
    case Option::IpUnblockSource: {
      ip_mreq_source m{};  // Linux order {multiaddr, interface, sourceaddr}
      m.imr_multiaddr = to_in(c.group);
      m.imr_interface = to_in(c.iface.address);
      m.imr_sourceaddr = to_in(c.source);
      const int name = c.opt == Option::IpAddSourceMembership    ? IP_ADD_SOURCE_MEMBERSHIP
                       : c.opt == Option::IpDropSourceMembership ? IP_DROP_SOURCE_MEMBERSHIP
                       : c.opt == Option::IpBlockSource          ? IP_BLOCK_SOURCE
                                                                 : IP_UNBLOCK_SOURCE;
      return kernel_errno(setsockopt(fd, lvl, name, &m, sizeof m));
    }
    case Option::IpMsfilter: {
      std::vector<unsigned char> buf(IP_MSFILTER_SIZE(c.list.size() ? c.list.size() : 1));
      auto* f = reinterpret_cast<ip_msfilter*>(buf.data());
      f->imsf_multiaddr = to_in(c.group);
      f->imsf_interface = to_in(c.iface.address);
      f->imsf_fmode = c.mode == 0 ? MCAST_INCLUDE : c.mode == 1 ? MCAST_EXCLUDE : 7;
      f->imsf_numsrc = static_cast<uint32_t>(c.list.size());
      for (std::size_t i = 0; i < c.list.size(); ++i) f->imsf_slist[i] = to_in(c.list[i]);
      return kernel_errno(
          setsockopt(fd, lvl, IP_MSFILTER, buf.data(), static_cast<socklen_t>(IP_MSFILTER_SIZE(c.list.size()))));
    }
    default:
      break;
  }
  return -1;
}

int kernel_call(int fd, const Call<Ipv6Addr>& c) {
  const int lvl = IPPROTO_IPV6;
  switch (c.opt) {
    case Option::Ipv6AddMembership:
    case Option::Ipv6DropMembership: {
      ipv6_mreq m{};
      m.ipv6mr_multiaddr = to_in6(c.group);
      m.ipv6mr_interface = c.iface.index;
      return kernel_errno(setsockopt(fd, lvl, c.opt == Option::Ipv6AddMembership ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
                                     &m, sizeof m));
    }
    default:
      break;
  }
  return -1;
}

template <class A>
int kernel_mcast(int fd, const Call<A>& c) {
  const int lvl = Universe<A>::level;
  switch (c.opt) {
    case Option::McastJoinGroup:
    case Option::McastLeaveGroup: {
      group_req r{};
      r.gr_interface = c.iface.index;
      put_ss(r.gr_group, c.group);
      return kernel_errno(setsockopt(fd, lvl, c.opt == Option::McastJoinGroup ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &r,
                                     sizeof r));
    }
    case Option::McastBlockSource:
    case Option::McastUnblockSource:
    case Option::McastJoinSourceGroup:
    case Option::McastLeaveSourceGroup: {
      group_source_req r{};
      r.gsr_interface = c.iface.index;
      put_ss(r.gsr_group, c.group);
      put_ss(r.gsr_source, c.source);
      const int name = c.opt == Option::McastBlockSource       ? MCAST_BLOCK_SOURCE
                       : c.opt == Option::McastUnblockSource   ? MCAST_UNBLOCK_SOURCE
                       : c.opt == Option::McastJoinSourceGroup ? MCAST_JOIN_SOURCE_GROUP
                                                               : MCAST_LEAVE_SOURCE_GROUP;
      return kernel_errno(setsockopt(fd, lvl, name, &r, sizeof r));
    }
    case Option::McastMsfilter: {
      const std::size_t n = c.list.size();
      std::vector<unsigned char> buf(GROUP_FILTER_SIZE(n ? n : 1));
      auto* f = reinterpret_cast<group_filter*>(buf.data());
      f->gf_interface = c.iface.index;
      put_ss(f->gf_group, c.group);
      f->gf_fmode = c.mode == 0 ? MCAST_INCLUDE : c.mode == 1 ? MCAST_EXCLUDE : 7;
      f->gf_numsrc = static_cast<uint32_t>(n);
      for (std::size_t i = 0; i < n; ++i) put_ss(f->gf_slist[i], c.list[i]);
      return kernel_errno(setsockopt(fd, lvl, MCAST_MSFILTER, buf.data(), static_cast<socklen_t>(GROUP_FILTER_SIZE(n))));
    }
    default:
      return kernel_call(fd, c);
  }
}

// Linux keeps a socket's source list in insertion order (ip_mc_source
// appends; MSFILTER stores the list as given); mcsim keeps a sorted set. A
// filter is a set (RFC 3678 §4), so lists are compared sorted.
struct Observed {
  int err = 0;
  int mode = -1;  // 0 include 1 exclude
  std::vector<std::string> sources;
  bool operator==(const Observed& o) const {
    auto a = sources, b = o.sources;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return err == o.err && mode == o.mode && a == b;
  }
  std::string str() const {
    std::string s = "errno " + std::to_string(err);
    if (!err) {
      s += mode == 0 ? " INCLUDE {" : " EXCLUDE {";
      for (const auto& x : sources) s += " " + x;
      s += " }";
    }
    return s;
  }
};

Observed kernel_get_ip_msfilter(int fd, Ipv4Addr group, Ipv4Addr ifaddr) {
  std::vector<unsigned char> buf(IP_MSFILTER_SIZE(16));
  auto* f = reinterpret_cast<ip_msfilter*>(buf.data());
  f->imsf_multiaddr = to_in(group);
  f->imsf_interface = to_in(ifaddr);
  f->imsf_numsrc = 16;
  socklen_t len = static_cast<socklen_t>(buf.size());
  Observed o;
  if (getsockopt(fd, IPPROTO_IP, IP_MSFILTER, buf.data(), &len) != 0) {
    o.err = errno;
    return o;
  }
  o.mode = f->imsf_fmode == MCAST_INCLUDE ? 0 : 1;
  for (uint32_t i = 0; i < f->imsf_numsrc && i < 16; ++i) o.sources.push_back(from_in(f->imsf_slist[i]).to_string());
  return o;
}

template <class A>
Observed kernel_get_mcast_msfilter(int fd, const A& group, IfIndex ifindex) {
  std::vector<unsigned char> buf(GROUP_FILTER_SIZE(16));
  auto* f = reinterpret_cast<group_filter*>(buf.data());
  f->gf_interface = ifindex;
  put_ss(f->gf_group, group);
  f->gf_numsrc = 16;
  socklen_t len = static_cast<socklen_t>(buf.size());
  Observed o;
  if (getsockopt(fd, Universe<A>::level, MCAST_MSFILTER, buf.data(), &len) != 0) {
    o.err = errno;
    return o;
  }
  o.mode = f->gf_fmode == MCAST_INCLUDE ? 0 : 1;
  for (uint32_t i = 0; i < f->gf_numsrc && i < 16; ++i) {
    if constexpr (std::is_same_v<A, Ipv4Addr>)
      o.sources.push_back(from_in(reinterpret_cast<sockaddr_in*>(&f->gf_slist[i])->sin_addr).to_string());
    else
      o.sources.push_back(from_in6(reinterpret_cast<sockaddr_in6*>(&f->gf_slist[i])->sin6_addr).to_string());
  }
  return o;
}

template <class A>
Observed model_get(const SocketApi& api, SocketId s, Option opt, IfRef iface, const A& group) {
  auto r = api.get_filter<A>(s, opt, iface, group);
  Observed o;
  if (!r) {
    o.err = r.code();
    return o;
  }
  o.mode = r->mode == FilterMode::Include ? 0 : 1;
  for (const auto& a : r->sources) o.sources.push_back(a.to_string());
  return o;
}

template <class A>
int model_call(SocketApi& api, SocketId s, const Call<A>& c) {
  if (c.opt == Option::IpMsfilter || c.opt == Option::McastMsfilter) {
    std::optional<FilterMode> m;
    if (c.mode == 0) m = FilterMode::Include;
    if (c.mode == 1) m = FilterMode::Exclude;
    return api.set_filter_raw<A>(s, c.opt, c.iface, c.group, m, c.list).code();
  }
  return api.set_option<A>(s, c.opt, MembershipReq<A>{c.group, c.source, c.iface}).code();
}

// --- generator ------------------------------------------------------------------

template <class A>
Call<A> generate(std::mt19937& rng, const Universe<A>& u, const Env& env) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::vector<Option> opts;
  if constexpr (std::is_same_v<A, Ipv4Addr>)
    opts = {Option::IpAddMembership,      Option::IpDropMembership,      Option::IpAddSourceMembership,
            Option::IpDropSourceMembership, Option::IpBlockSource,       Option::IpUnblockSource,
            Option::IpMsfilter};
  else
    opts = {Option::Ipv6AddMembership, Option::Ipv6DropMembership};
  for (Option o : {Option::McastJoinGroup, Option::McastLeaveGroup, Option::McastBlockSource,
                   Option::McastUnblockSource, Option::McastJoinSourceGroup, Option::McastLeaveSourceGroup,
                   Option::McastMsfilter})
    opts.push_back(o);

  Call<A> c{};
  c.opt = opts[static_cast<std::size_t>(pick(static_cast<int>(opts.size())))];
  c.sock = pick(2);
  c.group = pick(40) == 0 ? u.bad_group : u.groups[static_cast<std::size_t>(pick(2))];
  c.source = u.sources[static_cast<std::size_t>(pick(3))];
  // Interface: mostly v0/v1; sometimes "any" (IPv4 only: the namespace has a
  // 224.0.0.0/4 route via v0) or an index that does not exist.
  const int w = pick(20);
  const bool by_address = std::is_same_v<A, Ipv4Addr> &&
                          (c.opt == Option::IpAddSourceMembership || c.opt == Option::IpDropSourceMembership ||
                           c.opt == Option::IpBlockSource || c.opt == Option::IpUnblockSource ||
                           c.opt == Option::IpMsfilter ||
                           ((c.opt == Option::IpAddMembership || c.opt == Option::IpDropMembership) && pick(2)));
  if (by_address) {
    c.iface = IfRef::with_address(w == 0 ? Ipv4Addr{} : w == 1 ? Ipv4Addr{10, 77, 0, 1} : (w % 2 ? env.a0 : env.a1));
  } else {
    const bool v4 = std::is_same_v<A, Ipv4Addr>;
    c.iface = IfRef::with_index(w == 0 && v4 ? 0 : w == 1 ? 99 : (w % 2 ? env.if0 : env.if1));
  }
  c.mode = pick(30) == 0 ? 2 : pick(2);
  if (c.opt == Option::IpMsfilter || c.opt == Option::McastMsfilter) {
    const int n = pick(5) == 0 ? 0 : 1 + pick(3);
    std::vector<A> all = u.sources;
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(static_cast<std::size_t>(std::min(n, 3)));
    std::sort(all.begin(), all.end());  // the kernel keeps MSFILTER lists as given; we keep them sorted
    c.list = all;
  }
  return c;
}

template <class A>
std::string run_family(const Env& env, int seeds, int& calls_done, std::map<int, int>& errnos) {
  const Universe<A> u;
  std::ostringstream fails;
  int nfail = 0;
  for (int seed = 0; seed < seeds && nfail < 10; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed * 7919 + (std::is_same_v<A, Ipv4Addr> ? 1 : 2)));
    Profile p = Profile::linux_kernel();
    p.limits.max_groups_v4 = kMaxMembershipsNs;
    p.limits.max_sources_v4 = kMaxMsfNs;
    SocketApi api(p);
    api.add_interface_with_index(env.if0, "v0", std::vector<Ipv4Addr>{env.a0});
    api.add_interface_with_index(env.if1, "v1", std::vector<Ipv4Addr>{env.a1});
    api.set_default_interface(Family::V4, env.if0);
    api.set_default_interface(Family::V6, std::nullopt);
    int fd[2];
    SocketId sid[2];
    for (int i = 0; i < 2; ++i) {
      fd[i] = socket(Universe<A>::af, SOCK_DGRAM, 0);
      sid[i] = api.open(A::family);
    }
    std::vector<std::string> history;
    const int fail_before = nfail;
    for (int k = 0; k < kCallsPerSequence && nfail == fail_before; ++k) {
      const Call<A> c = generate(rng, u, env);
      history.push_back(c.describe());
      const int ke = kernel_mcast(fd[c.sock], c);
      const int me = model_call(api, sid[c.sock], c);
      ++calls_done;
      ++errnos[ke];
      auto report = [&](const std::string& what) {
        ++nfail;
        fails << "seed " << seed << " call " << k << ": " << what << "\n  history:\n";
        for (const auto& h : history) fails << "    " << h << "\n";
      };
      if (ke != me) {
        report("errno kernel " + std::to_string(ke) + " model " + std::to_string(me));
        break;
      }
      for (int si = 0; si < 2; ++si)
        for (const auto& g : u.groups)
          for (int ii = 0; ii < 2; ++ii) {
            const IfIndex idx = ii ? env.if1 : env.if0;
            Observed ko = kernel_get_mcast_msfilter(fd[si], g, idx);
            Observed mo = model_get<A>(api, sid[si], Option::McastMsfilter, IfRef::with_index(idx), g);
            if (!(ko == mo) && nfail < 10) report("MCAST_MSFILTER sock" + std::to_string(si) + " " + g.to_string() + " #" +
                                    std::to_string(idx) + ": kernel " + ko.str() + " model " + mo.str());
            if constexpr (std::is_same_v<A, Ipv4Addr>) {
              const Ipv4Addr ifa = ii ? env.a1 : env.a0;
              Observed k2 = kernel_get_ip_msfilter(fd[si], g, ifa);
              Observed m2 = model_get<A>(api, sid[si], Option::IpMsfilter, IfRef::with_address(ifa), g);
              if (!(k2 == m2) && nfail < 10) report("IP_MSFILTER sock" + std::to_string(si) + " " + g.to_string() + " " +
                                      ifa.to_string() + ": kernel " + k2.str() + " model " + m2.str());
            }
          }
    }
    for (int i = 0; i < 2; ++i) {
      ::close(fd[i]);
      (void)api.close(sid[i]);
    }
    if (!api.interface_states<A>().empty()) {
      ++nfail;
      fails << "seed " << seed << ": interface state not empty after closing all sockets\n";
    }
  }
  return fails.str();
}

bool sh(const char* cmd) { return std::system(cmd) == 0; }

}  // namespace

TEST(LinuxDifferential, KernelAgreesWithLinuxProfile) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace";
  if (!sh("command -v ip >/dev/null 2>&1")) GTEST_SKIP() << "iproute2 'ip' not found";
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    std::string out;
    if (unshare(CLONE_NEWNET) != 0) {
      out = "SKIP unshare(CLONE_NEWNET) failed: " + std::string(std::strerror(errno));
    } else if (!sh("ip link set lo up && ip link add v0 type veth peer name v1 && ip link set v0 up && "
                   "ip link set v1 up && ip addr add 10.9.0.1/24 dev v0 && ip addr add 10.9.1.1/24 dev v1 && "
                   "ip route add 224.0.0.0/4 dev v0") ||
               !sh(("sysctl -qw net.ipv4.igmp_max_memberships=" + std::to_string(kMaxMembershipsNs) +
                    " net.ipv4.igmp_max_msf=" + std::to_string(kMaxMsfNs))
                       .c_str())) {
      out = "SKIP could not set up veth/sysctls in the namespace";
    } else {
      Env env;
      env.if0 = if_nametoindex("v0");
      env.if1 = if_nametoindex("v1");
      int calls = 0;
      std::map<int, int> errnos;
      std::string f4 = run_family<Ipv4Addr>(env, kSequencesPerFamily, calls, errnos);
      std::string f6 = run_family<Ipv6Addr>(env, kSequencesPerFamily, calls, errnos);
      out = "RAN " + std::to_string(2 * kSequencesPerFamily) + " sequences, " + std::to_string(calls) +
            " calls; kernel results:";
      for (const auto& [e, n] : errnos) out += " " + std::string(e ? strerrorname_np(e) : "OK") + "=" + std::to_string(n);
      out += "\n" + f4 + f6;
    }
    const char* p = out.data();
    std::size_t left = out.size();
    while (left) {
      const ssize_t n = write(pipefd[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    _exit(0);  // the namespace and its veth pair vanish with the child
  }
  ::close(pipefd[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  if (out.rfind("SKIP", 0) == 0) GTEST_SKIP() << out;
  ASSERT_EQ(out.rfind("RAN ", 0), 0u) << out;
  const auto nl = out.find('\n');
  std::printf("[ differential ] %s\n", out.substr(0, nl).c_str());
  EXPECT_EQ(out.substr(nl + 1), "") << out;
}
