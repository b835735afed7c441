// Differential interop test of the router/querier model (stack/router) and the snooping
// table (stack/snoop) against the Linux bridge's querier and IGMP/MLD snooping.
//
// Per case a namespace "mcsimbr<pid>_<n>" holds a bridge br0 (mcast_snooping 1,
// mcast_querier 1, mcast_query_use_ifaddr 1, short timers, IGMP/MLD version under test)
// with three ports p0..p2; each port is a veth to a host namespace "mcsimbh<pid>_<n>_<i>".
// The hosts' kernels are driven with real sockets (any-source joins, SSM joins through
// MCAST_JOIN_SOURCE_GROUP, blocks, leaves). Every IGMP/MLD frame on the bridge side of each
// port is captured (AF_PACKET on p0..p2: incoming = the host's reports, outgoing = the
// bridge's queries on that port). Then:
//  (1) the bridge's mdb (`bridge -j -d mdb show`) is compared with a snoop::SnoopTable fed
//      with the captured frames, after the joins and after the leaves, at the same time;
//  (2) per port and family, the bridge's query trace is compared with what a RouterIface,
//      configured with the bridge's timers and fed the same reports at the same times,
//      sends: as facts (query fields, startup count/spacing, interval, the queries after
//      each leave) - semantics, with times rounded to 0.1 s;
//  (3) each port's capture is written with pcap::Writer, read back and judged by
//      pcap::Validator(Role::Router); the exact set of rules found is asserted.
// Where the bridge deviates from the RFCs the model stays RFC-correct and the difference
// is named (ExpectedDifference) and documented in docs/interop.md, "Linux bridge querier".
//
// Needs root (network namespaces); skipped otherwise. About 30 s.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/netns.hpp"
#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/validate.hpp"
#include "stack/router/router_iface.hpp"
#include "stack/snoop/snoop_table.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim {
namespace {

using wire::MsgKind;

using mcsim::testing::in_netns;
using mcsim::testing::sh;

std::string run_out(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

Time wall_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<Time>(ts.tv_sec) * kSec + ts.tv_nsec;
}


// ---------------------------------------------------------------------------------------
// Timers of the bridge (centiseconds on the command line) and of the models.

constexpr int kPorts = 3;
constexpr Duration kQI = seconds(4), kQRI = seconds(1), kSQI = seconds(1), kLMQI = ms(500);
constexpr int kSQC = 2, kLMQC = 2;
constexpr Duration kGMI = 2 * kQI + kQRI;       // RFC 9776 §8.4 with RV 2
constexpr Duration kOQPI = 2 * kQI + kQRI / 2;  // RFC 9776 §8.5
constexpr Duration kLMQT = kLMQC * kLMQI;

/// The bridge namespace, three host namespaces, veths; deleted in every exit path.
class Topology {
 public:
  Topology(int n, int igmp_version, int mld_version) {
    const std::string tag = std::to_string(getpid()) + "_" + std::to_string(n);
    br_ = "mcsimbr" + tag;
    for (int i = 0; i < kPorts; ++i) hosts_.push_back("mcsimbh" + tag + "_" + std::to_string(i));
    sh("ip netns del " + br_);
    for (auto& h : hosts_) sh("ip netns del " + h);
    if (!sh("ip netns add " + br_)) {
      error_ = "ip netns add failed";
      return;
    }
    made_.push_back(br_);
    const std::string bx = "ip -n " + br_ + " ";
    auto cs = [](Duration d) { return std::to_string(d / ms(10)); };
    std::vector<std::string> cmds = {
        bx + "link set lo up",
        bx + "link add br0 type bridge",
        bx + "link set br0 type bridge mcast_snooping 1 mcast_querier 0 mcast_query_use_ifaddr 1" +
            " mcast_igmp_version " + std::to_string(igmp_version) + " mcast_mld_version " +
            std::to_string(mld_version) + " mcast_query_interval " + cs(kQI) + " mcast_query_response_interval " +
            cs(kQRI) + " mcast_startup_query_interval " + cs(kSQI) + " mcast_startup_query_count " +
            std::to_string(kSQC) + " mcast_last_member_interval " + cs(kLMQI) + " mcast_last_member_count " +
            std::to_string(kLMQC) + " mcast_membership_interval " + cs(kGMI) + " mcast_querier_interval " + cs(kOQPI),
        bx + "link set br0 address 02:00:00:00:0b:ff",
        bx + "addr add 10.98.0.1/24 dev br0",
        "ip netns exec " + br_ + " sysctl -qw net.ipv6.conf.br0.dad_transmits=0",
    };
    for (int i = 0; i < kPorts; ++i) {
      const std::string h = hosts_[i], p = "p" + std::to_string(i), hx = "ip -n " + h + " ";
      if (!sh("ip netns add " + h)) {
        error_ = "ip netns add failed";
        return;
      }
      made_.push_back(h);
      for (auto c : {"ip link add veth0 netns " + h + " type veth peer name " + p + " netns " + br_,
                     hx + "link set lo up", hx + "link set veth0 address 02:00:00:00:0b:0" + std::to_string(i),
                     hx + "addr add 10.98.0." + std::to_string(10 + i) + "/24 dev veth0",
                     "ip netns exec " + br_ + " sysctl -qw net.ipv6.conf." + p + ".disable_ipv6=1",
                     bx + "link set " + p + " master br0",
                     "ip netns exec " + h +
                         " sysctl -qw net.ipv6.conf.veth0.dad_transmits=0"
                         " net.ipv4.conf.veth0.igmpv3_unsolicited_report_interval=100"
                         " net.ipv4.conf.veth0.igmpv2_unsolicited_report_interval=100"
                         " net.ipv6.conf.veth0.mldv2_unsolicited_report_interval=100"
                         " net.ipv6.conf.veth0.mldv1_unsolicited_report_interval=100"})
        cmds.push_back(c);
    }
    for (const auto& c : cmds)
      if (!sh(c)) {
        error_ = "namespace setup failed (iproute2 without bridge mcast options?): " + c;
        return;
      }
  }
  ~Topology() {
    for (auto& ns : made_) sh("ip netns del " + ns);
  }
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const std::string& error() const { return error_; }
  const std::string& br() const { return br_; }
  const std::string& host(int i) const { return hosts_.at(i); }

 private:
  std::string br_, error_;
  std::vector<std::string> hosts_, made_;
};

// ---------------------------------------------------------------------------------------
// Capture on the bridge side of every port.

struct Captured {
  Time t = 0;
  unsigned port = 0;
  bool outgoing = false;  // sent by the bridge out of the port
  std::vector<std::uint8_t> frame;
};

class Capture {
 public:
  explicit Capture(const std::string& br_ns) {
    in_netns(br_ns, [&] {
      for (int i = 0; i < kPorts; ++i) {
        const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
        if (fd < 0) throw std::runtime_error("AF_PACKET socket unavailable");
        fds_.push_back(fd);
        sockaddr_ll ll{};
        ll.sll_family = AF_PACKET;
        ll.sll_protocol = htons(ETH_P_ALL);
        ll.sll_ifindex = static_cast<int>(if_nametoindex(("p" + std::to_string(i)).c_str()));
        if (ll.sll_ifindex == 0 || bind(fd, reinterpret_cast<sockaddr*>(&ll), sizeof ll) != 0)
          throw std::runtime_error("bind AF_PACKET failed");
        int rcvbuf = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
      }
      return 0;
    });
    thread_ = std::thread([this] { loop(); });
  }
  ~Capture() {
    stop();
    for (int fd : fds_) close(fd);
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Captured> frames() {
    std::lock_guard<std::mutex> g(mu_);
    return frames_;
  }

 private:
  void loop() {
    std::vector<pollfd> p;
    for (int fd : fds_) p.push_back({fd, POLLIN, 0});
    std::vector<std::uint8_t> buf(65536);
    while (!stop_) {
      if (poll(p.data(), p.size(), 50) <= 0) continue;
      for (std::size_t i = 0; i < p.size(); ++i) {
        for (;;) {
          sockaddr_ll from{};
          socklen_t fl = sizeof from;
          const ssize_t n = recvfrom(fds_[i], buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
          if (n <= 0) break;
          Captured c{wall_now(), static_cast<unsigned>(i), from.sll_pkttype == PACKET_OUTGOING,
                     std::vector<std::uint8_t>(buf.begin(), buf.begin() + n)};
          wire::DecodedPacket pkt;
          if (!wire::decode_ethernet_frame(c.frame, pkt) || !pkt.is_membership_message()) continue;
          std::lock_guard<std::mutex> g(mu_);
          frames_.push_back(std::move(c));
        }
      }
    }
  }
  std::vector<int> fds_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Captured> frames_;
};

// ---------------------------------------------------------------------------------------
// Host side: real sockets.

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

enum class Op { Join, Leave, JoinSource, LeaveSource, Block };

/// One socket per host and family, kept open for the whole case.
class Hosts {
 public:
  explicit Hosts(const Topology& t) : topo_(t) {
    for (int i = 0; i < kPorts; ++i) {
      in_netns(t.host(i), [&] {
        ifx_.push_back(if_nametoindex("veth0"));
        fd4_.push_back(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        fd6_.push_back(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        return 0;
      });
    }
  }
  ~Hosts() {
    for (int fd : fd4_) close(fd);
    for (int fd : fd6_) close(fd);
  }
  void op(int h, Op o, const std::string& group, const std::string& source = {}) {
    const bool v6 = group.find(':') != std::string::npos;
    const int fd = v6 ? fd6_.at(h) : fd4_.at(h), level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
    int rc;
    if (o == Op::Join || o == Op::Leave) {
      group_req r{};
      r.gr_interface = ifx_.at(h);
      fill_ss(r.gr_group, group);
      rc = setsockopt(fd, level, o == Op::Join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &r, sizeof r);
    } else {
      group_source_req r{};
      r.gsr_interface = ifx_.at(h);
      fill_ss(r.gsr_group, group);
      fill_ss(r.gsr_source, source);
      const int opt = o == Op::JoinSource ? MCAST_JOIN_SOURCE_GROUP : o == Op::LeaveSource ? MCAST_LEAVE_SOURCE_GROUP
                                                                                           : MCAST_BLOCK_SOURCE;
      rc = setsockopt(fd, level, opt, &r, sizeof r);
    }
    if (rc != 0) failures += "host " + std::to_string(h) + " " + group + ": " + std::strerror(errno) + "\n";
  }
  std::string failures;

 private:
  const Topology& topo_;
  std::vector<unsigned> ifx_;
  std::vector<int> fd4_, fd6_;
};

// ---------------------------------------------------------------------------------------
// (1) mdb vs SnoopTable

const std::set<std::string> kGroups = {"239.1.1.1", "239.2.2.2", "232.1.1.1", "ff3e::1:1", "ff3e::2:2", "ff3e::8000:9"};

/// "p1 239.1.1.1 exclude {10.98.0.5}" per (port, group) of the test's groups. EXCLUDE lists
/// the blocked sources (timer 0), INCLUDE the forwarded ones. With `with_mode` false the
/// mode is left out (the mdb shows none).
std::set<std::string> read_mdb(const std::string& br_ns, bool& has_mode) {
  const std::string py =
      "import json,sys\n"
      "for d in json.load(sys.stdin):\n"
      "  for e in d.get('mdb',[]):\n"
      "    if 'src' in e: continue\n"
      "    m=e.get('filter_mode','')\n"
      "    s=sorted(x['address'] for x in e.get('source_list',[]) if m!='exclude' or x['timer'].strip()=='0.00')\n"
      "    print(e['port'],e['grp'],m or '-','{'+','.join(s)+'}')\n";
  const std::string out = run_out("bridge -j -d -n " + br_ns + " mdb show | /usr/bin/python3 -c \"" + py + "\"");
  std::set<std::string> rows;
  has_mode = false;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto nl = out.find('\n', pos);
    const std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? out.size() : nl + 1;
    char port[64], grp[64], mode[16], srcs[512];
    if (std::sscanf(line.c_str(), "%63s %63s %15s %511s", port, grp, mode, srcs) != 4) continue;
    if (!kGroups.count(grp)) continue;
    if (std::string(mode) != "-") has_mode = true;
    rows.insert(std::string(port) + " " + grp + " " + mode + " " + srcs);
  }
  return rows;
}

template <class A>
void snoop_rows(const snoop::SnoopTable<A>& t, Time now, bool with_mode, std::set<std::string>& rows) {
  for (const auto& e : t.entries(now)) {
    if (!kGroups.count(e.group.to_string())) continue;
    std::vector<std::string> s;
    for (const auto& a : e.sources) s.push_back(a.to_string());
    std::sort(s.begin(), s.end());
    std::string src = "{";
    for (std::size_t i = 0; i < s.size(); ++i) src += (i ? "," : "") + s[i];
    rows.insert("p" + std::to_string(e.port) + " " + e.group.to_string() + " " +
                (with_mode ? (e.mode == FilterMode::Include ? "include" : "exclude") : "-") + " " + src + "}");
  }
}

/// Feeds every frame captured up to `until` into fresh snooping tables. Reports come in on
/// their port; the bridge's own queries on an extra port kPorts (the bridge itself).
std::set<std::string> snoop_at(const std::vector<Captured>& frames, Time until, bool with_mode) {
  snoop::SnoopConfig cfg;
  cfg.ports = kPorts + 1;
  cfg.default_gmi = kGMI;
  cfg.default_lmqt = kLMQT;
  cfg.router_port_age = kOQPI;
  snoop::IgmpSnoopTable t4(cfg);
  snoop::MldSnoopTable t6(cfg);
  wire::DecodedPacket p;
  for (const auto& c : frames) {
    if (c.t > until) break;
    if (!wire::decode_ethernet_frame(c.frame, p) || !p.usable) continue;
    const bool query = (p.proto == wire::PacketProto::Igmp ? p.igmp.kind : p.mld.kind) == MsgKind::Query;
    if (query != c.outgoing) continue;  // reports: from the host; queries: from the bridge
    const unsigned port = query ? kPorts : c.port;
    if (p.proto == wire::PacketProto::Igmp)
      t4.handle(port, p.igmp, p.ip4.src, c.t);
    else
      t6.handle(port, p.mld, p.ip6.src, c.t);
  }
  std::set<std::string> rows;
  snoop_rows(t4, until, with_mode, rows);
  snoop_rows(t6, until, with_mode, rows);
  return rows;
}

std::string join(const std::set<std::string>& s) {
  std::string r;
  for (const auto& x : s) r += "  " + x + "\n";
  return r;
}

// ---------------------------------------------------------------------------------------
// (2) Query traces: bridge vs router model

struct QEv {
  Time t = 0;
  bool general = false;
  std::string group, desc;
};

template <class A>
std::string describe(const wire::Message<A>& q, const A& dst) {
  constexpr bool v6 = std::is_same_v<A, Ipv6Addr>;
  std::string d = std::string(v6 ? "MLDv" : "IGMPv") + std::to_string(q.version) + " ";
  if (q.is_general_query()) {
    d += "GQ";
  } else {
    std::vector<std::string> s;
    for (const auto& a : q.sources) s.push_back(a.to_string());
    std::sort(s.begin(), s.end());
    d += "Q(" + q.group.to_string();
    if (!s.empty()) {
      d += ",{";
      for (std::size_t i = 0; i < s.size(); ++i) d += (i ? "," : "") + s[i];
      d += "}";
    }
    d += ")";
  }
  d += " mrc=" + std::to_string(q.max_resp_code);
  const bool v3 = v6 ? q.version == 2 : q.version == 3;
  if (v3) d += " s=" + std::to_string(q.s_flag) + " qrv=" + std::to_string(q.qrv) + " qqic=" + std::to_string(q.qqic);
  return d + " dst=" + dst.to_string();
}

template <class A>
QEv qev(Time t, const wire::Message<A>& q, const A& dst) {
  return QEv{t, q.is_general_query(), q.group.to_string(), describe(q, dst)};
}

struct Trigger {
  Time t;
  std::string group;
};

template <class A>
void triggers_of(const wire::Message<A>& m, Time t, std::vector<Trigger>& out) {
  auto add = [&](const A& g) {
    for (const auto& x : out)
      if (x.group == g.to_string()) return;  // the first one only (the kernel repeats state changes)
    out.push_back({t, g.to_string()});
  };
  if (m.kind == MsgKind::Leave) add(m.group);
  if (m.kind == MsgKind::V3Report)
    for (const auto& r : m.records)
      if (r.type == 3 || r.type == 6) add(r.group);  // TO_IN, BLOCK
}

std::string secs(Duration d) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", std::round(static_cast<double>(d) / 1e8) / 10.0);
  return b;
}

/// A gap named by the timer it matches (kernel timers fire late by the timer wheel's
/// granularity, e.g. 4.096 s for a 4 s Query Interval): "QI", "SQI", "LMQI" within the
/// validator's tolerances (+-10%, +-25% for LMQI), "~0" below 0.25 s, else seconds.
std::string gap_name(Duration d) {
  auto near = [&](Duration v, int pct) { return std::llabs(d - v) <= v * pct / 100; };
  if (d < ms(250)) return "~0";
  if (near(kQI, 10)) return "QI";
  if (near(kSQI, 10)) return "SQI";
  if (near(kLMQI, 25)) return "LMQI";
  return secs(d) + "s";
}

/// Facts about one query trace: general query fields, startup, steady interval, and per
/// trigger (leave / TO_IN / BLOCK) the queries within LMQT + 0.5 s.
std::map<std::string, std::string> facts(const std::vector<QEv>& tr, const std::vector<Trigger>& trig) {
  std::map<std::string, std::string> f;
  std::set<std::string> gq;
  std::vector<Time> gts;
  for (const auto& q : tr)
    if (q.general) {
      gq.insert(q.desc);
      gts.push_back(q.t);
    }
  for (const auto& d : gq) f["general query fields"] += (f["general query fields"].empty() ? "" : " | ") + d;
  std::size_t i = 1;
  std::string st;
  for (; i < gts.size() && gts[i] - gts[i - 1] < kQI * 3 / 4; ++i) st += " " + gap_name(gts[i] - gts[i - 1]);
  f["startup"] = std::to_string(i) + " queries, gaps" + st;
  auto in_window = [&](Time t) {
    for (const auto& x : trig)
      if (t >= x.t && t <= x.t + kLMQT + ms(500)) return true;
    return false;
  };
  std::set<std::string> iv;
  for (++i; i < gts.size(); ++i)
    if (!in_window(gts[i])) iv.insert(gap_name(gts[i] - gts[i - 1]));
  for (const auto& s : iv) f["interval"] += (f["interval"].empty() ? "" : " ") + s;
  for (const auto& x : trig) {
    std::string s;
    Time last = -1;
    int n = 0, ngq = 0;
    for (const auto& q : tr) {
      if (q.t < x.t || q.t > x.t + kLMQT + ms(500)) continue;
      if (q.general) {
        ngq += q.t >= x.t + kLMQT - ms(150) && q.t <= x.t + kLMQT + ms(250);
        continue;
      }
      if (q.group != x.group) continue;
      s += " [" + (last < 0 ? "at +" + gap_name(q.t - x.t) : "gap " + gap_name(q.t - last)) + " " + q.desc + "]";
      last = q.t;
      ++n;
    }
    f["after leave of " + x.group] = std::to_string(n) + " specific" + s;
    f["general queries at LMQT after leave of " + x.group] = std::to_string(ngq);
  }
  return f;
}

/// What the router model sends on one port, started at `t0` (the port's first general
/// query), fed the reports the bridge received on that port at the same times.
template <class T>
std::vector<QEv> model_trace(std::uint8_t version, typename T::Addr own, Time t0, Time t_end,
                             const std::vector<std::pair<Time, wire::DecodedPacket>>& reports) {
  router::RouterConfig cfg;
  cfg.version = version;
  cfg.robustness = 2;
  cfg.query_interval = kQI;
  cfg.query_response_interval = kQRI;
  cfg.startup_query_interval = kSQI;
  cfg.startup_query_count = kSQC;
  cfg.last_member_query_interval = kLMQI;
  cfg.last_member_query_count = kLMQC;
  Rng rng{1};
  router::RouterIface<T> r(cfg, own, rng);
  std::vector<QEv> out;
  Time now = t0;
  r.start(now);
  auto drain = [&](Time until) {
    for (int guard = 0; guard < 100000; ++guard) {
      while (auto o = r.poll_output(now)) out.push_back(qev(now, o->msg, o->dst));
      const auto d = r.next_deadline();
      if (!d || *d > until) break;
      now = std::max(now, *d);
    }
    now = until;
  };
  for (const auto& [t, p] : reports) {
    if (t < t0) continue;
    drain(t);
    if constexpr (std::is_same_v<typename T::Addr, Ipv4Addr>)
      r.handle(p.igmp, router::RxInfo<Ipv4Addr>{p.ip4.src, p.ip4.dst, p.ip4.ttl, p.ip4.router_alert, p.igmp.checksum_ok}, now);
    else
      r.handle(p.mld, router::RxInfo<Ipv6Addr>{p.ip6.src, p.ip6.dst, p.ip6.hop_limit, p.ip6.router_alert, p.mld.checksum_ok},
               now);
  }
  drain(t_end);
  return out;
}

/// A named, documented place where the bridge deviates from the RFCs and the model stays
/// RFC-correct (docs/interop.md "Linux bridge querier"): in fact `key`, where the model
/// shows `model` (which must occur: this is not a loosened assertion) the bridge shows
/// `bridge`.
struct ExpectedDifference {
  const char* name;
  std::string key, model, bridge;
  /// A second form the bridge may show instead (a race inside the bridge): when the
  /// model's whole fact is `alt_model` and the bridge's is `alt_bridge`, that is accepted.
  std::string alt_model = {}, alt_bridge = {};
};

void expect_same_facts(const std::string& what, const std::map<std::string, std::string>& bridge,
                       std::map<std::string, std::string> model, const std::vector<ExpectedDifference>& diffs) {
  const auto orig = model;
  for (const auto& d : diffs) {
    auto& v = model[d.key];
    const auto at = v.find(d.model);
    if (at == std::string::npos) {
      ADD_FAILURE() << what << ": expected difference '" << d.name << "' does not occur: the model's " << d.key
                    << " is '" << v << "', not '" << d.model << "'";
      continue;
    }
    const auto b = bridge.find(d.key);
    if (!d.alt_bridge.empty() && v == d.alt_model && b != bridge.end() && b->second == d.alt_bridge)
      v = d.alt_bridge;
    else
      v.replace(at, d.model.size(), d.bridge);
  }
  std::string b, m;
  for (const auto& [k, v] : bridge) b += "  " + k + ": " + v + "\n";
  for (const auto& [k, v] : orig) m += "  " + k + ": " + v + "\n";
  EXPECT_EQ(bridge, model) << what << "\nbridge:\n" << b << "model:\n" << m;
}

// The bridge's deviations (docs/interop.md "Linux bridge querier", items 1-5).

/// 1. IGMPv2 leave / MLDv1 done: one group-specific query, sent to 224.0.0.1 / ff02::1,
/// instead of [Last Member Query Count] queries [LMQI] apart sent to the group
/// (RFC 2236 §3, §2; RFC 2710 §4, §5).
ExpectedDifference single_gsq_to_all(bool v6, const std::string& g) {
  const std::string q = v6 ? "MLDv1 Q(" + g + ") mrc=500" : "IGMPv2 Q(" + g + ") mrc=5";
  return {"v2/v1 leave: one group-specific query, to all-systems", "after leave of " + g,
          "2 specific [at +~0 " + q + " dst=" + g + "] [gap LMQI " + q + " dst=" + g + "]",
          "1 specific [at +~0 " + q + " dst=" + (v6 ? "ff02::1" : "224.0.0.1") + "]"};
}
/// 2. ... and the port's general query timer is re-armed to fire LMQT after the leave.
ExpectedDifference general_query_at_lmqt(const std::string& g) {
  return {"v2/v1 leave: general query at LMQT", "general queries at LMQT after leave of " + g, "0", "1"};
}
/// 3. IGMPv3/MLDv2: retransmitted group-specific queries always carry the S flag, whatever
/// the group timer (RFC 9776 §6.6.3.1, RFC 9777 §7.6.3.1).
ExpectedDifference sflag_on_retransmission(bool v6, const std::string& g) {
  const std::string q = std::string("[gap LMQI ") + (v6 ? "MLDv2 Q(" + g + ") mrc=500" : "IGMPv3 Q(" + g + ") mrc=5");
  return {"v3 group-specific retransmission with S flag", "after leave of " + g, q + " s=0", q + " s=1"};
}
/// 4. IGMPv3/MLDv2 BLOCK in INCLUDE mode: the first group-and-source-specific query is
/// sent LMQI late (RFC 9776 §6.6.3.2: at once); the last retransmission then races with
/// the source's expiry at LMQT, so the bridge sends [LMQC] = 2 or only 1 of them.
ExpectedDifference first_gssq_late(bool v6, const std::string& g, const std::string& src) {
  const std::string q = std::string(v6 ? "MLDv2" : "IGMPv3") + " Q(" + g + ",{" + src + "})";
  const std::string full = q + (v6 ? " mrc=500" : " mrc=5") + " s=0 qrv=2 qqic=4 dst=" + g;
  return {"v3 BLOCK: first Q(G,S) one LMQI late", "after leave of " + g, "[at +~0 " + q, "[at +LMQI " + q,
          "2 specific [at +~0 " + full + "] [gap LMQI " + full + "]", "1 specific [at +LMQI " + full + "]"};
}
/// 5. MLD: one startup general query fewer (RFC 9777 §9.6, §9.7). Observed on most runs; on
/// some (seen once in CI) the bridge sends both, as the model does, so that form is accepted
/// too (a race in the bridge, like item 4).
ExpectedDifference mld_startup() {
  return {"MLD startup: first query missing", "startup", "2 queries, gaps SQI", "1 queries, gaps",
          "2 queries, gaps SQI", "2 queries, gaps SQI"};
}

// ---------------------------------------------------------------------------------------
// (3) Validator on the per-port captures

std::set<std::string> validate_port(const std::vector<Captured>& frames, unsigned port, const std::string& path,
                                    std::string& detail) {
  std::string err;
  {
    auto w = pcap::Writer::open(path, pcap::linktype::kEthernet, err);
    if (!w) {
      ADD_FAILURE() << err;
      return {};
    }
    wire::DecodedPacket p;
    for (const auto& c : frames) {
      if (c.port != port || !wire::decode_ethernet_frame(c.frame, p)) continue;
      const bool query = (p.proto == wire::PacketProto::Igmp ? p.igmp.kind : p.mld.kind) == MsgKind::Query;
      if (query != c.outgoing) continue;  // the bridge's queries and this host's reports
      w->write(c.t / kSec, static_cast<std::uint32_t>(c.t % kSec), c.frame);
    }
    w->flush();
  }
  auto r = pcap::Reader::open(path, err);
  if (!r) {
    ADD_FAILURE() << err;
    return {};
  }
  pcap::Validator v(pcap::Role::Router);
  pcap::Frame f;
  wire::DecodedPacket p;
  while (r->next(f))
    if (pcap::decode_frame(f, p)) v.feed(f, p);
  v.finish();
  std::set<std::string> rules;
  for (const auto& x : v.findings) {
    rules.insert(x.rule);
    detail += "  frame " + std::to_string(x.frame) + ": " + x.rule + " (" + x.rfc + "): " + x.reason + "\n";
  }
  return rules;
}

// ---------------------------------------------------------------------------------------

int g_case = 0;

struct Expect {
  std::vector<ExpectedDifference> igmp, mld;  // per port, with the port's groups
  std::set<std::string> validate_rules;       // per port capture
  std::set<std::string> validate_may;         // rules that a race in the bridge may add
};

void run_case(int igmp_version, int mld_version, const std::function<Expect(unsigned port)>& expect) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces (ip netns add)";
  if (!sh("command -v ip") || !sh("command -v bridge")) GTEST_SKIP() << "iproute2 'ip'/'bridge' not found";
  const auto started = std::chrono::steady_clock::now();
  Topology topo(++g_case, igmp_version, mld_version);
  if (!topo.error().empty()) GTEST_SKIP() << topo.error();
  std::unique_ptr<Capture> cap;
  try {
    cap = std::make_unique<Capture>(topo.br());
  } catch (const std::exception& e) {
    GTEST_SKIP() << e.what();
  }
  Hosts hosts(topo);
  ASSERT_TRUE(sh("ip -n " + topo.br() + " link set br0 up"));
  for (int i = 0; i < kPorts; ++i) {
    ASSERT_TRUE(sh("ip -n " + topo.host(i) + " link set veth0 up"));
    ASSERT_TRUE(sh("ip -n " + topo.br() + " link set p" + std::to_string(i) + " up"));
  }
  // The querier needs br0's link-local address (made once br0 has carrier) for MLD
  // queries; it is switched on only then, so every port starts its startup queries at
  // once (a port added later also makes the bridge query on the others).
  bool ll = false;
  for (int i = 0; i < 100 && !(ll = sh("ip -n " + topo.br() + " -6 addr show dev br0 scope link | grep -q inet6")); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(ll) << "br0 got no IPv6 link-local address";
  ASSERT_TRUE(sh("ip -n " + topo.br() + " link set br0 type bridge mcast_querier 1"));
  const Time T0 = wall_now();
  auto at = [&](Duration off) {
    const Time now = wall_now();
    if (T0 + off > now) std::this_thread::sleep_for(std::chrono::nanoseconds(T0 + off - now));
  };

  at(ms(1500));  // after the startup queries
  hosts.op(0, Op::Join, "239.1.1.1");
  hosts.op(0, Op::Join, "ff3e::1:1");
  hosts.op(1, Op::Join, "239.1.1.1");
  hosts.op(1, Op::Block, "239.1.1.1", "10.98.0.5");
  hosts.op(1, Op::JoinSource, "232.1.1.1", "10.98.0.9");
  hosts.op(1, Op::Join, "ff3e::1:1");
  hosts.op(1, Op::Block, "ff3e::1:1", "2001:db8::5");
  hosts.op(2, Op::Join, "239.2.2.2");
  hosts.op(2, Op::Join, "ff3e::2:2");
  hosts.op(2, Op::JoinSource, "ff3e::8000:9", "2001:db8::9");

  at(ms(4000));
  bool has_mode = false;
  const auto mdb1 = read_mdb(topo.br(), has_mode);
  const Time t1 = wall_now();

  at(ms(6500));
  hosts.op(0, Op::Leave, "239.1.1.1");
  hosts.op(0, Op::Leave, "ff3e::1:1");
  hosts.op(1, Op::LeaveSource, "232.1.1.1", "10.98.0.9");
  hosts.op(2, Op::Leave, "239.2.2.2");
  hosts.op(2, Op::Leave, "ff3e::2:2");

  at(ms(9000));
  bool has_mode2 = false;
  const auto mdb2 = read_mdb(topo.br(), has_mode2);
  const Time t2 = wall_now();

  at(ms(12500));
  cap->stop();
  auto frames = cap->frames();
  std::stable_sort(frames.begin(), frames.end(), [](const Captured& a, const Captured& b) { return a.t < b.t; });
  EXPECT_EQ(hosts.failures, "");

  // (1) mdb vs snooping table, after the joins and after the leaves.
  EXPECT_FALSE(mdb1.empty());
  EXPECT_EQ(mdb1, snoop_at(frames, t1, has_mode)) << "after joins, mdb:\n" << join(mdb1);
  EXPECT_EQ(mdb2, snoop_at(frames, t2, has_mode2)) << "after leaves, mdb:\n" << join(mdb2);

  // (2) per port and family: the bridge's queries vs the router model's.
  const Time t_end = T0 + ms(12000);
  for (unsigned port = 0; port < kPorts; ++port) {
    const Expect ex = expect(port);
    for (int fam = 0; fam < 2; ++fam) {
      std::vector<QEv> bridge;
      std::vector<Trigger> trig;
      std::vector<std::pair<Time, wire::DecodedPacket>> reports;
      Ipv4Addr own4{};
      Ipv6Addr own6{};
      for (const auto& c : frames) {
        wire::DecodedPacket p;
        if (c.port != port || c.t > t_end || !wire::decode_ethernet_frame(c.frame, p) || !p.usable) continue;
        if ((p.proto == wire::PacketProto::Mld) != (fam == 1)) continue;
        const bool query = (fam ? p.mld.kind : p.igmp.kind) == MsgKind::Query;
        if (query != c.outgoing) continue;
        if (query) {
          bridge.push_back(fam ? qev(c.t, p.mld, p.ip6.dst) : qev(c.t, p.igmp, p.ip4.dst));
          own4 = p.ip4.src;
          own6 = p.ip6.src;
        } else {
          if (fam)
            triggers_of(p.mld, c.t, trig);
          else
            triggers_of(p.igmp, c.t, trig);
          reports.emplace_back(c.t, std::move(p));
        }
      }
      const std::string what = std::string(fam ? "MLD" : "IGMP") + " port p" + std::to_string(port);
      ASSERT_FALSE(bridge.empty()) << what << ": no queries from the bridge";
      const Time t0 = bridge.front().t;
      const auto model = fam ? model_trace<router::RouterIpv6Traits>(static_cast<std::uint8_t>(mld_version), own6, t0,
                                                                     t_end, reports)
                             : model_trace<router::RouterIpv4Traits>(static_cast<std::uint8_t>(igmp_version), own4,
                                                                     t0, t_end, reports);
      expect_same_facts(what, facts(bridge, trig), facts(model, trig), fam ? ex.mld : ex.igmp);
    }
  }

  // (3) mcsim validate --role router on each port's capture.
  for (unsigned port = 0; port < kPorts; ++port) {
    const std::string path = "/tmp/mcsim-bridge-" + std::to_string(getpid()) + "-" + std::to_string(g_case) + "-p" +
                             std::to_string(port) + ".pcap";
    std::string detail;
    const auto rules = validate_port(frames, port, path, detail);
    auto expected = expect(port).validate_rules;
    for (const auto& r : expect(port).validate_may)
      if (rules.count(r)) expected.insert(r);
    EXPECT_EQ(rules, expected) << "port p" << port << " (" << path << "):\n" << detail;
    if (std::getenv("MCSIM_BRIDGE_VERBOSE")) std::printf("validate --role router, port p%u:\n%s", port, detail.c_str());
    if (!::testing::Test::HasFailure()) std::remove(path.c_str());
  }
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ bridge ] IGMPv%d/MLDv%d case took %.1f s\n", igmp_version, mld_version, took);
}

// IGMPv2 + MLDv1 querier. Leaves: p0 239.1.1.1 and ff3e::1:1 (h1 on p1 stays a member),
// p1 232.1.1.1 (IGMPv2 leave of the SSM join), p2 239.2.2.2 and ff3e::2:2.
TEST(BridgeInteropLinux, Igmpv2Mldv1) {
  run_case(2, 1, [](unsigned port) {
    Expect e;
    e.mld.push_back(mld_startup());
    std::vector<std::string> v4 = {"239.1.1.1", "232.1.1.1", "239.2.2.2"};
    std::vector<std::string> v6 = {"ff3e::1:1", "", "ff3e::2:2"};
    e.igmp = {single_gsq_to_all(false, v4[port]), general_query_at_lmqt(v4[port])};
    if (!v6[port].empty()) {
      e.mld.push_back(single_gsq_to_all(true, v6[port]));
      e.mld.push_back(general_query_at_lmqt(v6[port]));
    }
    e.validate_rules = {"DST-GSQ-1", "Q-LMQ-1", "Q-INTERVAL-1"};
    return e;
  });
}

// IGMPv3 + MLDv2 querier. TO_IN{}: p0 239.1.1.1 and ff3e::1:1, p2 239.2.2.2 and ff3e::2:2;
// BLOCK{10.98.0.9}: p1 232.1.1.1 (INCLUDE mode). The captures validate clean, except
// Q-LMQ-1 on p1 when the bridge loses the race of deviation 4.
TEST(BridgeInteropLinux, Igmpv3Mldv2) {
  run_case(3, 2, [](unsigned port) {
    Expect e;
    e.mld.push_back(mld_startup());
    if (port == 1) {
      e.igmp.push_back(first_gssq_late(false, "232.1.1.1", "10.98.0.9"));
      e.validate_may = {"Q-LMQ-1"};  // when the race of deviation 4 drops the second Q(G,S)
    } else {
      e.igmp.push_back(sflag_on_retransmission(false, port == 0 ? "239.1.1.1" : "239.2.2.2"));
      e.mld.push_back(sflag_on_retransmission(true, port == 0 ? "ff3e::1:1" : "ff3e::2:2"));
    }
    return e;
  });
}

}  // namespace
}  // namespace mcsim
