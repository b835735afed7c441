// Differential interop test of the host protocol engines against the running Linux kernel.
//
// For each case, two network namespaces are made ("mcsimh<pid>_<n>" = the host, whose
// kernel is under test; "mcsimp<pid>_<n>" = the peer), joined by a veth pair. The same
// socket calls are made on real sockets in the host namespace and on a HostStack with the
// `linux` profile; the same queries are injected from the peer (AF_PACKET, whole Ethernet
// frame built by stack/wire, so Router Alert and TTL/hop limit 1 are present) and handed
// to the engine through HostStack::handle(). The kernel's reports are captured on the
// peer (AF_PACKET) and decoded by stack/wire; the engine's outputs are collected while
// stepping virtual time by the same amounts. The two are compared, per IP family, as
// sequences of (message kind, destination, {(record type, group, sorted sources)}) —
// semantics, not timing. Where Linux deviates from the RFCs the engine stays RFC-correct
// and the difference is named and asserted exactly (ExpectedDifference; docs/interop.md).
// The kernel's own background traffic (MLD reports for the
// solicited-node groups ff02::1:ffXX:XXXX) and the peer's own frames are ignored.
//
// Timing: the host's unsolicited report intervals are 100 ms (sysctls) and the engine is
// configured alike; each call is followed by enough wall time for every retransmission
// to finish, and each query by more than its Max Resp Time (1 s).
//
// Needs root (network namespaces); skipped otherwise.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/netns.hpp"
#include "stack/host/host_stack.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::host {
namespace {

using wire::MsgKind;

// ---------------------------------------------------------------------------------------
// Namespaces

using mcsim::testing::in_netns;
using mcsim::testing::sh;

const Ipv4Addr kHost4{10, 99, 0, 2};
const Ipv4Addr kPeer4{10, 99, 0, 1};
const MacAddr kPeerMac{std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x01}};
const Ipv6Addr kPeer6 = *Ipv6Addr::parse("fe80::ff:fe00:1");  // EUI-64 of kPeerMac


/// A host namespace and a peer namespace joined by veth0 (host) <-> veth1 (peer); both are
/// deleted when this goes away.
class NetnsPair {
 public:
  NetnsPair(int n, const std::vector<std::string>& host_sysctls) {
    const std::string tag = std::to_string(getpid()) + "_" + std::to_string(n);
    h_ = "mcsimh" + tag;
    p_ = "mcsimp" + tag;
    sh("ip netns del " + h_);
    sh("ip netns del " + p_);
    if (!sh("ip netns add " + h_) || !sh("ip netns add " + p_)) {
      error_ = "ip netns add failed";
      return;
    }
    created_ = true;
    const std::string hx = "ip -n " + h_ + " ", px = "ip -n " + p_ + " ";
    std::vector<std::string> cmds = {
        "ip link add veth0 netns " + h_ + " type veth peer name veth1 netns " + p_,
        hx + "link set lo up",
        px + "link set lo up",
        hx + "link set veth0 address 02:00:00:00:00:02",
        px + "link set veth1 address 02:00:00:00:00:01",
        hx + "addr add 10.99.0.2/24 dev veth0",
        px + "addr add 10.99.0.1/24 dev veth1",
        "ip netns exec " + p_ + " sysctl -qw net.ipv6.conf.veth1.dad_transmits=0",
        "ip netns exec " + h_ +
            " sysctl -qw net.ipv6.conf.veth0.dad_transmits=0"
            " net.ipv4.conf.veth0.igmpv3_unsolicited_report_interval=100"
            " net.ipv4.conf.veth0.igmpv2_unsolicited_report_interval=100"
            " net.ipv6.conf.veth0.mldv2_unsolicited_report_interval=100"
            " net.ipv6.conf.veth0.mldv1_unsolicited_report_interval=100",
    };
    for (const auto& s : host_sysctls) cmds.push_back("ip netns exec " + h_ + " sysctl -qw " + s);
    for (const auto& c : cmds) {
      if (!sh(c)) {
        error_ = "namespace setup failed: " + c;
        return;
      }
    }
  }
  ~NetnsPair() {
    if (created_) {
      sh("ip netns del " + h_);
      sh("ip netns del " + p_);
    }
  }
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  bool links_up() {
    if (!sh("ip -n " + p_ + " link set veth1 up") || !sh("ip -n " + h_ + " link set veth0 up")) {
      error_ = "link up failed";
      return false;
    }
    return true;
  }
  const std::string& error() const { return error_; }
  const std::string& host() const { return h_; }
  const std::string& peer() const { return p_; }

 private:
  std::string h_, p_, error_;
  bool created_ = false;
};

// ---------------------------------------------------------------------------------------
// Semantic summaries of reports

template <class A>
bool solicited_node(const A&) {
  return false;
}
template <>
bool solicited_node<Ipv6Addr>(const Ipv6Addr& a) {  // ff02::1:ff00:0/104 (RFC 4291 §2.7.1)
  static const std::uint8_t p[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  return std::memcmp(a.b.data(), p, 13) == 0;
}

const char* kind_name(MsgKind k, bool v6) {
  switch (k) {
    case MsgKind::V1Report: return v6 ? "MLDv1-Report" : "IGMPv1-Report";
    case MsgKind::V2Report: return "IGMPv2-Report";
    case MsgKind::Leave: return v6 ? "MLDv1-Done" : "IGMPv2-Leave";
    case MsgKind::V3Report: return v6 ? "MLDv2-Report" : "IGMPv3-Report";
    case MsgKind::Query: return "Query";
    default: return "Other";
  }
}
const char* rec_name(std::uint8_t t) {
  static const char* n[] = {"?", "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK"};
  return t <= 6 ? n[t] : "?";
}

/// "IGMPv3-Report -> 224.0.0.22 [TO_EX 239.1.1.1 {}]"; empty when the message is only
/// background traffic (solicited-node groups) or not a report.
template <class A>
std::string summarize(const wire::Message<A>& m, const A& dst) {
  constexpr bool v6 = std::is_same_v<A, Ipv6Addr>;
  if (m.kind == MsgKind::Query || m.kind == MsgKind::Other) return {};
  std::string s = std::string(kind_name(m.kind, v6)) + " -> " + dst.to_string();
  if (m.kind != MsgKind::V3Report) {
    if (solicited_node(m.group)) return {};
    return s + " [" + m.group.to_string() + "]";
  }
  std::vector<std::string> recs;
  for (const auto& r : m.records) {
    if (solicited_node(r.group)) continue;
    auto src = m.sources_of(r);
    std::vector<A> sorted(src.begin(), src.end());
    std::sort(sorted.begin(), sorted.end());
    std::string rs = std::string(rec_name(r.type)) + " " + r.group.to_string() + " {";
    for (std::size_t i = 0; i < sorted.size(); ++i) rs += (i ? "," : "") + sorted[i].to_string();
    recs.push_back(rs + "}");
  }
  if (recs.empty()) return {};
  std::sort(recs.begin(), recs.end());
  s += " [";
  for (std::size_t i = 0; i < recs.size(); ++i) s += (i ? "; " : "") + recs[i];
  return s + "]";
}

struct Trace {
  std::vector<std::string> v4, v6;
};

// ---------------------------------------------------------------------------------------
// Scenario steps, run on both sides

enum class Op {
  Open4,
  Open6,
  Close,
  IpAddMembership,         // ip_mreqn, interface by index
  IpDropMembership,
  IpBlockSource,           // ip_mreq_source, interface by address
  IpUnblockSource,
  IpAddSourceMembership,
  IpDropSourceMembership,
  McastJoinSourceGroup,    // group_source_req (either family)
  McastLeaveSourceGroup,
  Ipv6JoinGroup,           // ipv6_mreq
  Ipv6LeaveGroup,
  McastBlockSource,
  Query4,                  // inject an IGMP query from the peer
  Query6,                  // inject an MLD query from the peer
};

struct Step {
  Op op;
  int sock = 0;  // scenario socket number
  std::string group, source;
  int after_ms = 600;  // wall/virtual time after the step
  wire::IgmpMessage q4{};
  wire::MldMessage q6{};
};

Step call(Op op, int sock, std::string group = {}, std::string source = {}, int after_ms = 600) {
  return Step{op, sock, std::move(group), std::move(source), after_ms, {}, {}};
}
Step query4(std::uint8_t version, const char* group, std::uint8_t code, std::vector<const char*> sources = {},
            std::uint8_t qrv = 2, int after_ms = 1600) {
  Step s{Op::Query4, 0, {}, {}, after_ms, {}, {}};
  std::vector<Ipv4Addr> src;
  for (auto x : sources) src.push_back(*Ipv4Addr::parse(x));
  s.q4 = wire::igmp_query(version, *Ipv4Addr::parse(group), code, false, qrv, 125, src);
  return s;
}
Step query6(std::uint8_t version, const char* group, std::uint16_t code_ms, std::vector<const char*> sources = {},
            std::uint8_t qrv = 2, int after_ms = 1600) {
  Step s{Op::Query6, 0, {}, {}, after_ms, {}, {}};
  std::vector<Ipv6Addr> src;
  for (auto x : sources) src.push_back(*Ipv6Addr::parse(x));
  s.q6 = wire::mld_query(version, *Ipv6Addr::parse(group), code_ms, false, qrv, 125, src);
  return s;
}

std::vector<std::uint8_t> query_frame(const Step& s, const Ipv6Addr& peer6) {
  std::vector<std::uint8_t> dgram, frame;
  if (s.op == Op::Query4) {
    const Ipv4Addr dst = s.q4.group.is_unspecified() ? Ipv4Addr{224, 0, 0, 1} : s.q4.group;
    wire::build_igmp_datagram(wire::igmp_ip_header(kPeer4, dst), s.q4, dgram);
  } else {
    const Ipv6Addr dst = s.q6.group == Ipv6Addr{} ? *Ipv6Addr::parse("ff02::1") : s.q6.group;
    wire::build_mld_datagram(wire::mld_ip_header(peer6, dst), s.q6, dgram);
  }
  wire::build_ethernet_for(kPeerMac, dgram, frame);
  return frame;
}

bool is_v6_op(Op op, const std::string& group) {
  if (op == Op::Ipv6JoinGroup || op == Op::Ipv6LeaveGroup || op == Op::Query6) return true;
  if (op == Op::McastJoinSourceGroup || op == Op::McastLeaveSourceGroup || op == Op::McastBlockSource)
    return group.find(':') != std::string::npos;
  return false;
}

// --- the kernel --------------------------------------------------------------------------

void fill_ss(sockaddr_storage& ss, const std::string& a) {
  std::memset(&ss, 0, sizeof ss);
  if (a.find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, a.c_str(), &s6->sin6_addr);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    inet_pton(AF_INET, a.c_str(), &s4->sin_addr);
  }
}

/// Runs the steps on real sockets in the host namespace and returns the reports the peer
/// captured. Throws std::runtime_error on setup trouble, with a message for GTEST_SKIP.
Trace run_kernel(NetnsPair& ns, const std::vector<Step>& steps, std::string& failure) {
  int ifx = 0;
  in_netns(ns.host(), [&] { ifx = static_cast<int>(if_nametoindex("veth0")); return 0; });
  int peer_ifx = 0, cap = -1, inj = -1;
  in_netns(ns.peer(), [&] {
    peer_ifx = static_cast<int>(if_nametoindex("veth1"));
    cap = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
    inj = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    return 0;
  });
  if (ifx == 0 || peer_ifx == 0 || cap < 0 || inj < 0) throw std::runtime_error("AF_PACKET sockets unavailable");
  struct Closer {
    int a, b;
    ~Closer() {
      close(a);
      close(b);
    }
  } closer{cap, inj};
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = peer_ifx;
  if (bind(cap, reinterpret_cast<sockaddr*>(&ll), sizeof ll) != 0) throw std::runtime_error("bind AF_PACKET failed");
  int rcvbuf = 4 << 20;
  setsockopt(cap, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

  if (!ns.links_up()) throw std::runtime_error(ns.error());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // link-up traffic settles

  std::vector<int> fds(8, -1);
  for (const auto& s : steps) {
    int rc = 0;
    const std::string what = "step " + std::to_string(&s - steps.data());
    auto setopt = [&](int level, int opt, const void* v, socklen_t len) {
      rc = setsockopt(fds.at(s.sock), level, opt, v, len);
      if (rc != 0) failure += what + ": setsockopt " + std::to_string(opt) + ": " + std::strerror(errno) + "\n";
    };
    switch (s.op) {
      case Op::Open4:
      case Op::Open6:
        fds.at(s.sock) = in_netns(ns.host(), [&] { return socket(s.op == Op::Open4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
        break;
      case Op::Close:
        close(fds.at(s.sock));
        fds.at(s.sock) = -1;
        break;
      case Op::IpAddMembership:
      case Op::IpDropMembership: {
        ip_mreqn m{};
        inet_pton(AF_INET, s.group.c_str(), &m.imr_multiaddr);
        m.imr_ifindex = ifx;
        setopt(IPPROTO_IP, s.op == Op::IpAddMembership ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m);
        break;
      }
      case Op::IpBlockSource:
      case Op::IpUnblockSource:
      case Op::IpAddSourceMembership:
      case Op::IpDropSourceMembership: {
        ip_mreq_source m{};
        inet_pton(AF_INET, s.group.c_str(), &m.imr_multiaddr);
        inet_pton(AF_INET, s.source.c_str(), &m.imr_sourceaddr);
        inet_pton(AF_INET, kHost4.to_string().c_str(), &m.imr_interface);
        const int opt = s.op == Op::IpBlockSource           ? IP_BLOCK_SOURCE
                        : s.op == Op::IpUnblockSource       ? IP_UNBLOCK_SOURCE
                        : s.op == Op::IpAddSourceMembership ? IP_ADD_SOURCE_MEMBERSHIP
                                                            : IP_DROP_SOURCE_MEMBERSHIP;
        setopt(IPPROTO_IP, opt, &m, sizeof m);
        break;
      }
      case Op::McastJoinSourceGroup:
      case Op::McastLeaveSourceGroup:
      case Op::McastBlockSource: {
        group_source_req r{};
        r.gsr_interface = static_cast<std::uint32_t>(ifx);
        fill_ss(r.gsr_group, s.group);
        fill_ss(r.gsr_source, s.source);
        const int level = is_v6_op(s.op, s.group) ? IPPROTO_IPV6 : IPPROTO_IP;
        const int opt = s.op == Op::McastJoinSourceGroup    ? MCAST_JOIN_SOURCE_GROUP
                        : s.op == Op::McastLeaveSourceGroup ? MCAST_LEAVE_SOURCE_GROUP
                                                            : MCAST_BLOCK_SOURCE;
        setopt(level, opt, &r, sizeof r);
        break;
      }
      case Op::Ipv6JoinGroup:
      case Op::Ipv6LeaveGroup: {
        ipv6_mreq m{};
        inet_pton(AF_INET6, s.group.c_str(), &m.ipv6mr_multiaddr);
        m.ipv6mr_interface = static_cast<unsigned>(ifx);
        setopt(IPPROTO_IPV6, s.op == Op::Ipv6JoinGroup ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m);
        break;
      }
      case Op::Query4:
      case Op::Query6: {
        const auto frame = query_frame(s, kPeer6);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = peer_ifx;
        to.sll_halen = 6;
        std::memcpy(to.sll_addr, frame.data(), 6);
        if (sendto(inj, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
          failure += what + ": inject: " + std::strerror(errno) + "\n";
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(s.after_ms));
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);

  Trace t;
  std::vector<std::uint8_t> buf(65536);
  wire::DecodedPacket pkt;
  for (;;) {
    sockaddr_ll from{};
    socklen_t fl = sizeof from;
    const ssize_t n = recvfrom(cap, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0 && errno == ENETDOWN) continue;  // bound while veth1 was down: reported once
    if (n < 0) break;
    if (from.sll_pkttype == PACKET_OUTGOING) continue;  // the peer's own frames
    if (!wire::decode_ethernet_frame(wire::Bytes(buf.data(), static_cast<std::size_t>(n)), pkt) || !pkt.usable) continue;
    if (pkt.proto == wire::PacketProto::Igmp) {
      auto s = summarize(pkt.igmp, pkt.ip4.dst);
      if (!s.empty()) t.v4.push_back(std::move(s));
    } else if (pkt.proto == wire::PacketProto::Mld) {
      auto s = summarize(pkt.mld, pkt.ip6.dst);
      if (!s.empty()) t.v6.push_back(std::move(s));
    }
  }
  return t;
}

// --- the engine --------------------------------------------------------------------------

Trace run_engine(const std::vector<Step>& steps, std::uint8_t force_igmp, std::uint8_t force_mld, std::string& failure) {
  Rng rng{7};
  HostConfig c4{}, c6{};
  c4.unsolicited_report_interval = c6.unsolicited_report_interval = ms(100);
  c4.unsolicited_report_interval_older = c6.unsolicited_report_interval_older = ms(100);
  c4.force_version = force_igmp;
  c6.force_version = force_mld;
  HostStack stack(api::Profile::linux_kernel(), c4, c6, rng);
  const auto ifx = stack.add_interface("veth0", std::span<const Ipv4Addr>(&kHost4, 1), true);
  Trace t;
  Time now = seconds(10);
  auto drain = [&](Time until) {
    for (int guard = 0; guard < 100000; ++guard) {
      while (auto o = stack.poll_output(now)) {
        if (auto* o4 = std::get_if<HostOutput<Ipv4Traits>>(&o->out)) {
          auto s = summarize(o4->msg, o4->dst);
          if (!s.empty()) t.v4.push_back(std::move(s));
        } else {
          auto& o6 = std::get<HostOutput<Ipv6Traits>>(o->out);
          auto s = summarize(o6.msg, o6.dst);
          if (!s.empty()) t.v6.push_back(std::move(s));
        }
      }
      auto d = stack.next_deadline();
      if (!d || *d > until) break;
      now = std::max(now, *d);
    }
    now = until;
  };
  std::vector<api::SocketId> socks(8);
  for (const auto& s : steps) {
    const std::string what = "step " + std::to_string(&s - steps.data());
    auto& api = stack.sockets(now);
    auto v4 = [](const std::string& a) { return *Ipv4Addr::parse(a); };
    auto v6 = [](const std::string& a) { return *Ipv6Addr::parse(a); };
    auto check = [&](const auto& st) {
      if (!st.ok()) failure += what + ": engine call failed\n";
    };
    switch (s.op) {
      case Op::Open4: socks.at(s.sock) = api.open(Family::V4); break;
      case Op::Open6: socks.at(s.sock) = api.open(Family::V6); break;
      case Op::Close: check(api.close(socks.at(s.sock))); break;
      case Op::IpAddMembership:
      case Op::IpDropMembership:
        check(api.set_option(socks.at(s.sock), s.op == Op::IpAddMembership ? api::Option::IpAddMembership : api::Option::IpDropMembership,
                             api::MembershipReq<Ipv4Addr>{v4(s.group), {}, api::IfRef::with_index(ifx)}));
        break;
      case Op::IpBlockSource:
      case Op::IpUnblockSource:
      case Op::IpAddSourceMembership:
      case Op::IpDropSourceMembership: {
        const auto opt = s.op == Op::IpBlockSource           ? api::Option::IpBlockSource
                         : s.op == Op::IpUnblockSource       ? api::Option::IpUnblockSource
                         : s.op == Op::IpAddSourceMembership ? api::Option::IpAddSourceMembership
                                                             : api::Option::IpDropSourceMembership;
        check(api.set_option(socks.at(s.sock), opt,
                             api::MembershipReq<Ipv4Addr>{v4(s.group), v4(s.source), api::IfRef::with_address(kHost4)}));
        break;
      }
      case Op::McastJoinSourceGroup:
      case Op::McastLeaveSourceGroup:
      case Op::McastBlockSource: {
        const auto opt = s.op == Op::McastJoinSourceGroup    ? api::Option::McastJoinSourceGroup
                         : s.op == Op::McastLeaveSourceGroup ? api::Option::McastLeaveSourceGroup
                                                             : api::Option::McastBlockSource;
        if (is_v6_op(s.op, s.group))
          check(api.set_option(socks.at(s.sock), opt, api::MembershipReq<Ipv6Addr>{v6(s.group), v6(s.source), api::IfRef::with_index(ifx)}));
        else
          check(api.set_option(socks.at(s.sock), opt, api::MembershipReq<Ipv4Addr>{v4(s.group), v4(s.source), api::IfRef::with_index(ifx)}));
        break;
      }
      case Op::Ipv6JoinGroup:
      case Op::Ipv6LeaveGroup:
        check(api.set_option(socks.at(s.sock), s.op == Op::Ipv6JoinGroup ? api::Option::Ipv6AddMembership : api::Option::Ipv6DropMembership,
                             api::MembershipReq<Ipv6Addr>{v6(s.group), {}, api::IfRef::with_index(ifx)}));
        break;
      case Op::Query4:
      case Op::Query6: {
        // The engine gets exactly what the kernel got: the injected frame, decoded.
        const auto frame = query_frame(s, kPeer6);
        wire::DecodedPacket pkt;
        if (!wire::decode_ethernet_frame(frame, pkt) || !pkt.usable) {
          failure += what + ": query frame does not decode\n";
          break;
        }
        if (s.op == Op::Query4)
          stack.handle(ifx, pkt.igmp, now);
        else
          stack.handle(ifx, pkt.mld, now);
        break;
      }
    }
    drain(now + ms(s.after_ms));
  }
  return t;
}

// ---------------------------------------------------------------------------------------

int g_case = 0;

struct Case {
  std::vector<Step> steps;
  std::vector<std::string> sysctls;  // host-side, before link up
  std::uint8_t force_igmp = 0, force_mld = 0;
};

/// Runs `c` on both sides; returns false (and sets `skip`) when the namespaces could not
/// be made.
bool run_both(const Case& c, Trace& kernel, Trace& engine, std::string& skip) {
  if (geteuid() != 0) {
    skip = "needs root to create network namespaces (ip netns add)";
    return false;
  }
  if (!sh("command -v ip")) {
    skip = "iproute2 'ip' not found";
    return false;
  }
  NetnsPair ns(++g_case, c.sysctls);
  if (!ns.error().empty()) {
    skip = ns.error();
    return false;
  }
  std::string failure;
  try {
    kernel = run_kernel(ns, c.steps, failure);
  } catch (const std::exception& e) {
    skip = e.what();
    return false;
  }
  engine = run_engine(c.steps, c.force_igmp, c.force_mld, failure);
  EXPECT_EQ(failure, "");
  return true;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "  " + x + "\n";
  return s;
}

#define RUN_BOTH(c, kernel, engine)                               \
  Trace kernel, engine;                                           \
  {                                                               \
    std::string skip_;                                            \
    if (!run_both(c, kernel, engine, skip_)) GTEST_SKIP() << skip_; \
  }

/// A named, documented place where Linux deviates from the RFC and the engine stays
/// RFC-correct (docs/interop.md): where the engine sends `engine`, Linux sends `kernel`.
struct ExpectedDifference {
  const char* name;
  std::string engine, kernel;
};

void expect_same(const std::vector<std::string>& kernel, const std::vector<std::string>& engine, const char* fam,
                 const std::vector<ExpectedDifference>& diffs = {}) {
  std::vector<std::string> expected = engine;
  for (const auto& d : diffs) {
    const auto n = std::count(expected.begin(), expected.end(), d.engine);
    // The difference must really occur (it is not a loosened assertion).
    EXPECT_EQ(n, 1) << "expected difference '" << d.name << "': engine should send exactly once: " << d.engine;
    std::replace(expected.begin(), expected.end(), d.engine, d.kernel);
  }
  EXPECT_EQ(kernel, expected) << fam << " kernel:\n" << join(kernel) << fam << " engine:\n" << join(engine);
}

/// Linux answers a group-and-source-specific query for a group in EXCLUDE(A) mode, when
/// some queried source B is not excluded, with the group's whole current state IS_EX(A)
/// (igmp_xmarksources / mld_xmarksources drop the source list: gsquery = 0) instead of
/// RFC 9776 §5.2 / RFC 9777 §6.2 IS_IN(B-A). When every queried source is excluded both
/// send nothing.
ExpectedDifference linux_gssq_exclude(const char* proto, const char* dst, const char* group, const char* b_minus_a,
                                      const char* a) {
  return {"Linux GSSQ in EXCLUDE mode answers IS_EX(A), not IS_IN(B-A)",
          std::string(proto) + " -> " + dst + " [IS_IN " + group + " {" + b_minus_a + "}]",
          std::string(proto) + " -> " + dst + " [IS_EX " + group + " {" + a + "}]"};
}

// (a) IGMPv3 state changes: any-source join, block, SSM joins (both APIs), close.
// RFC 9776 §5.1: TO_EX{}, BLOCK{S}, ALLOW{S} each [Robustness] times; closing gives TO_IN{}.
TEST(HostInteropLinux, Igmpv3StateChanges) {
  Case c;
  c.steps = {
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.1.1.1"),
      call(Op::IpBlockSource, 0, "239.1.1.1", "10.99.0.5"),
      call(Op::Open4, 1),
      call(Op::IpAddSourceMembership, 1, "232.1.1.1", "10.99.0.9"),
      call(Op::McastJoinSourceGroup, 1, "232.1.1.1", "10.99.0.10"),
      call(Op::IpDropSourceMembership, 1, "232.1.1.1", "10.99.0.9"),
      call(Op::Close, 0),
      call(Op::Close, 1),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP");
  expect_same(kernel.v6, engine.v6, "MLD");
}

// (b) IGMPv3 query responses: general query -> one report of IS_EX / IS_IN current-state
// records (RFC 9776 §5.2 rule 1); group-specific query -> the group's record (rule 4).
TEST(HostInteropLinux, Igmpv3QueryResponses) {
  Case c;
  c.steps = {
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.1.1.1"),
      call(Op::IpBlockSource, 0, "239.1.1.1", "10.99.0.5"),
      call(Op::IpAddSourceMembership, 0, "232.1.1.1", "10.99.0.9"),
      query4(3, "0.0.0.0", 10),
      query4(3, "239.1.1.1", 10),
      query4(3, "232.1.1.1", 10),
      call(Op::Close, 0),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP");
}

// (c) Compatibility switching to IGMPv2 (RFC 9776 §7.2.1): an IGMPv2 query makes the host
// answer with v2 reports and report new joins as v2; a leave goes to 224.0.0.2 (RFC 2236 §3).
TEST(HostInteropLinux, Igmpv2CompatibilityMode) {
  Case c;
  c.steps = {
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.2.2.2"),
      query4(2, "0.0.0.0", 10),
      call(Op::IpAddMembership, 0, "239.2.2.3"),
      query4(2, "239.2.2.3", 10),
      call(Op::IpDropMembership, 0, "239.2.2.3"),
      call(Op::Close, 0),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP");
}

// (d) MLDv2: any-source and source-specific joins, leave, general and group-specific
// query responses (RFC 9777 §6.1, §6.2).
TEST(HostInteropLinux, Mldv2StateChangesAndQueries) {
  Case c;
  c.steps = {
      call(Op::Open6, 0),
      call(Op::Ipv6JoinGroup, 0, "ff3e::1:2"),
      call(Op::McastBlockSource, 0, "ff3e::1:2", "2001:db8::5"),
      call(Op::McastJoinSourceGroup, 0, "ff3e::8000:9", "2001:db8::9"),
      query6(2, "::", 1000),
      query6(2, "ff3e::1:2", 1000),
      call(Op::Ipv6LeaveGroup, 0, "ff3e::1:2"),
      call(Op::Close, 0),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v6.empty());
  expect_same(kernel.v6, engine.v6, "MLD");
}

// (e) Compatibility switching to MLDv1 (RFC 9777 §8.2.1): an MLDv1 query makes the host
// answer with MLDv1 reports; a leave sends Done to ff02::2 (RFC 2710 §4).
TEST(HostInteropLinux, Mldv1CompatibilityMode) {
  Case c;
  c.steps = {
      call(Op::Open6, 0),
      call(Op::Ipv6JoinGroup, 0, "ff3e::1:2"),
      query6(1, "::", 1000),
      call(Op::Ipv6JoinGroup, 0, "ff3e::2:3"),
      query6(1, "ff3e::2:3", 1000),
      call(Op::Ipv6LeaveGroup, 0, "ff3e::2:3"),
      call(Op::Close, 0),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v6.empty());
  expect_same(kernel.v6, engine.v6, "MLD");
}

// (f) Forced older versions (force_igmp_version=2, force_mld_version=1; HostConfig::
// force_version on the engine): joins and leaves in the old protocols.
TEST(HostInteropLinux, ForcedOlderVersions) {
  Case c;
  c.sysctls = {"net.ipv4.conf.veth0.force_igmp_version=2 net.ipv6.conf.veth0.force_mld_version=1"};
  c.force_igmp = 2;
  c.force_mld = 1;
  c.steps = {
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.2.2.2"),
      call(Op::Open6, 1),
      call(Op::Ipv6JoinGroup, 1, "ff3e::2:3"),
      call(Op::Close, 0),
      call(Op::Close, 1),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP");
  expect_same(kernel.v6, engine.v6, "MLD");
}

// (g) Group-and-source-specific queries (RFC 9776 §5.2 / RFC 9777 §6.2): INCLUDE
// mode answers IS_IN(A*B), EXCLUDE mode IS_IN(B-A); nothing when that set is empty.
// Expected difference: Linux answers the EXCLUDE-mode case with IS_EX(A) (see
// linux_gssq_exclude and docs/interop.md).
TEST(HostInteropLinux, GroupAndSourceSpecificQueries) {
  Case c;
  c.steps = {
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.1.1.1"),
      call(Op::IpBlockSource, 0, "239.1.1.1", "10.99.0.5"),
      call(Op::IpAddSourceMembership, 0, "232.1.1.1", "10.99.0.9"),
      call(Op::IpAddSourceMembership, 0, "232.1.1.1", "10.99.0.10"),
      query4(3, "239.1.1.1", 10, {"10.99.0.5", "10.99.0.6"}),
      query4(3, "239.1.1.1", 10, {"10.99.0.5"}),
      query4(3, "232.1.1.1", 10, {"10.99.0.9", "10.99.0.11"}),
      query4(3, "232.1.1.1", 10, {"10.99.0.12"}),
      call(Op::Close, 0),
      call(Op::Open6, 1),
      call(Op::Ipv6JoinGroup, 1, "ff3e::1:2"),
      call(Op::McastBlockSource, 1, "ff3e::1:2", "2001:db8::5"),
      call(Op::McastJoinSourceGroup, 1, "ff3e::8000:9", "2001:db8::9"),
      query6(2, "ff3e::1:2", 1000, {"2001:db8::5", "2001:db8::6"}),
      query6(2, "ff3e::8000:9", 1000, {"2001:db8::9", "2001:db8::a"}),
      call(Op::Close, 1),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP",
              {linux_gssq_exclude("IGMPv3-Report", "224.0.0.22", "239.1.1.1", "10.99.0.6", "10.99.0.5")});
  expect_same(kernel.v6, engine.v6, "MLD",
              {linux_gssq_exclude("MLDv2-Report", "ff02::16", "ff3e::1:2", "2001:db8::6", "2001:db8::5")});
}

// (h) The Robustness Variable learned from a querier's QRV (RFC 9776 §4.1.6, §8.1; RFC 9777
// §5.1.8, §9.1) sets how many times state-change reports are sent.
TEST(HostInteropLinux, RobustnessLearnedFromQuery) {
  Case c;
  c.steps = {
      query4(3, "0.0.0.0", 10, {}, 3),
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.1.1.1"),
      call(Op::Close, 0),
      query6(2, "::", 1000, {}, 3),
      call(Op::Open6, 1),
      call(Op::Ipv6JoinGroup, 1, "ff3e::1:2"),
      call(Op::Close, 1),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP");
  expect_same(kernel.v6, engine.v6, "MLD");
}

// (i) Compatibility switching to IGMPv1 (RFC 9776 §7.2.1, RFC 2236 §4): after an IGMPv1
// query (Max Resp Code 0 = 10 s) the host sends v1 reports and no leaves.
TEST(HostInteropLinux, Igmpv1CompatibilityMode) {
  Case c;
  c.steps = {
      call(Op::Open4, 0),
      call(Op::IpAddMembership, 0, "239.3.3.3"),
      query4(1, "0.0.0.0", 0, {}, 2, 10500),
      call(Op::IpAddMembership, 0, "239.3.3.4"),
      call(Op::IpDropMembership, 0, "239.3.3.4"),
      call(Op::Close, 0),
  };
  RUN_BOTH(c, kernel, engine);
  EXPECT_FALSE(kernel.v4.empty());
  expect_same(kernel.v4, engine.v4, "IGMP");
}

}  // namespace
}  // namespace mcsim::host
