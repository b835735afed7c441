// Live mode driver (docs/live.md): host nodes on a real interface, wall clock as time.
#include "sim/live.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <utility>

#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

#include "pcap/decode.hpp"
#include "pcap/live.hpp"
#include "sim/json.hpp"
#include "sim/nodes.hpp"
#include "sim/send_queue.hpp"
#include "sim/timeline.hpp"
#include "stack/api/options.hpp"
#include "stack/api/profile.hpp"
#include "stack/wire/checksum.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/ip.hpp"
#include "stack/wire/mld.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::sim {
namespace {

std::uint64_t mac_key(const std::uint8_t* p) {
  std::uint64_t k = 0;
  for (int i = 0; i < 6; ++i) k = (k << 8) | p[i];
  return k;
}
std::uint64_t mac_key(const MacAddr& m) { return mac_key(m.b.data()); }


}  // namespace

/// A response counts as late when it leaves more than this after the query's Max Resp
/// Time: the driver's timer granularity (poll() in ms) plus capture/inject latency.
constexpr Duration kLateTolerance = 10 * kMs;

namespace {

/// A report that answers a query (not a state change): v1/v2 reports, or v3 / MLDv2
/// reports carrying current-state records (MODE_IS_INCLUDE/EXCLUDE, RFC 9776 §4.2.12).
template <class M>
bool is_current_state_report(const M& m) {
  if (m.kind == wire::MsgKind::V1Report || m.kind == wire::MsgKind::V2Report) return true;
  if (m.kind != wire::MsgKind::V3Report) return false;
  for (const auto& r : m.records)
    if (r.type == 1 || r.type == 2) return true;
  return false;
}

std::string ms_text(Duration d) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", static_cast<double>(d) / 1e6);
  return b;
}

std::string query_label(Family f, std::uint8_t v) {
  return (f == Family::V4 ? "IGMPv" : "MLDv") + std::to_string(v);
}

struct Stats {
  std::size_t n = 0;
  Duration min = 0, median = 0, p99 = 0, max = 0;
};

Stats stats_of(std::vector<Duration> v) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.median = v[(v.size() - 1) / 2];
  const auto k = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(v.size())));
  s.p99 = v[std::max<std::size_t>(k, 1) - 1];
  return s;
}


/// The sending thread (docs/live.md "Sending"): frames handed over in batches are injected
/// on a handle of its own, in order, and come back with the time each one left, so that the
/// engines' thread keeps producing frames while the previous ones are in the kernel: a
/// frame's send (a system call, and the peer's receive on a veth) and its making overlap.
/// The handover is two vectors swapped under a mutex, once per batch, not per frame.
template <class Item>
class Injector {
 public:
  struct Sent {
    Item item;
    Time at = 0;  // when the send returned
  };

  Injector(std::unique_ptr<pcap::LiveHandle> port, std::chrono::steady_clock::time_point t0)
      : port_(std::move(port)), t0_(t0) {
#ifndef _WIN32
    int fds[2];
    if (::pipe(fds) == 0) {
      wake_rd_ = fds[0];
      wake_wr_ = fds[1];
      ::fcntl(wake_rd_, F_SETFL, ::fcntl(wake_rd_, F_GETFL) | O_NONBLOCK);
      ::fcntl(wake_wr_, F_SETFL, ::fcntl(wake_wr_, F_GETFL) | O_NONBLOCK);
    }
#endif
    thread_ = std::thread([this] { loop(); });
  }
  ~Injector() {
    finish();
#ifndef _WIN32
    if (wake_rd_ >= 0) ::close(wake_rd_);
    if (wake_wr_ >= 0) ::close(wake_wr_);
#endif
  }
  Injector(const Injector&) = delete;
  Injector& operator=(const Injector&) = delete;

  /// Hands frames over (moved out of `batch`, which is left empty).
  void send(std::vector<Item>& batch) {
    if (batch.empty()) return;
    in_flight_ += batch.size();
    {
      std::lock_guard<std::mutex> l(m_);
      if (todo_.empty()) todo_.swap(batch);
      else
        for (auto& it : batch) todo_.push_back(std::move(it));
    }
    batch.clear();
    cv_.notify_one();
  }
  /// Frames handed over and not yet collected.
  std::size_t in_flight() const { return in_flight_; }
  /// Moves the frames sent so far into `out` (in sending order); false once a send failed
  /// (error() says why; the frames before it are still collected).
  bool collect(std::vector<Sent>& out) {
#ifndef _WIN32
    if (wake_rd_ >= 0) {
      char b[64];
      while (::read(wake_rd_, b, sizeof b) > 0) {
      }
    }
#endif
    const std::size_t before = out.size();
    std::size_t lost = 0;
    {
      std::lock_guard<std::mutex> l(m_);
      if (out.empty()) out.swap(done_);
      else {
        for (auto& d : done_) out.push_back(std::move(d));
        done_.clear();
      }
      lost = lost_;
      lost_ = 0;
    }
    in_flight_ -= std::min(in_flight_, out.size() - before + lost);
    return !failed_.load();
  }
  /// Stops the thread after the frames handed over are sent.
  void finish() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  /// A file descriptor that becomes readable when sent frames wait to be collected (-1: none).
  int wake_fd() const { return wake_rd_; }
  std::string error() {
    std::lock_guard<std::mutex> l(m_);
    return error_;
  }

 private:
  void loop() {
    std::vector<Item> batch;
    std::vector<Sent> sent;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return stop_ || !todo_.empty(); });
        if (todo_.empty()) return;  // stop_, and everything handed over is sent
        batch.swap(todo_);
      }
      // In slices, each stamped when its last frame is sent: a response's time is known to
      // within a slice (64 frames: well under a millisecond at any rate a link takes).
      std::string err;
      constexpr std::size_t kSlice = 64;
      for (std::size_t i = 0; i < batch.size() && err.empty(); i += kSlice) {
        const std::size_t k = std::min(kSlice, batch.size() - i);
        frames_.clear();
        for (std::size_t j = 0; j < k; ++j) frames_.emplace_back(batch[i + j].frame);
        const std::size_t ok = port_->inject_batch(frames_.data(), k);
        const Time at = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0_).count();
        for (std::size_t j = 0; j < ok; ++j) sent.push_back({std::move(batch[i + j]), at});
        if (ok < k) err = port_->error();
      }
      const std::size_t unsent = batch.size() - sent.size();
      batch.clear();
      {
        std::lock_guard<std::mutex> l(m_);
        if (done_.empty()) done_.swap(sent);
        else
          for (auto& d : sent) done_.push_back(std::move(d));
        if (!err.empty()) {
          failed_ = true;
          error_ = err;
          lost_ += unsent + todo_.size();
          stop_ = true;
          todo_.clear();
        }
      }
      sent.clear();
#ifndef _WIN32
      if (wake_wr_ >= 0) {
        const char c = 1;
        [[maybe_unused]] const auto n = ::write(wake_wr_, &c, 1);  // full pipe: already signalled
      }
#endif
      if (!err.empty()) return;
    }
  }

  std::unique_ptr<pcap::LiveHandle> port_;
  std::chrono::steady_clock::time_point t0_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<Item> todo_;
  std::vector<Sent> done_;
  std::vector<pcap::Bytes> frames_;  // the sending thread's
  std::string error_;
  bool stop_ = false;
  std::atomic<bool> failed_{false};
  std::size_t in_flight_ = 0;  // engines' thread only
  std::size_t lost_ = 0;       // handed over, never sent (after a failure)
  int wake_rd_ = -1, wake_wr_ = -1;
  std::thread thread_;
};

}  // namespace

struct LiveRunner::Impl {
  struct Host {
    std::unique_ptr<Node> node;
    MacAddr mac;
    std::vector<std::uint64_t> macs;  // multicast MACs the NIC filter takes, sorted
    int pending4 = -1, pending6 = -1;  // query waiting for this host's first response
    bool acted4 = false, acted6 = false;  // a scenario action since that query
    Time wake = -1;
  };
  struct Out {
    int host = -1;
    int kind = 0;  // 0 host frame, 1 ARP reply, 2 neighbor advertisement
    std::vector<std::uint8_t> frame;
    // What the frame is, found once when it is queued (host frames): an IGMP/MLD message;
    // a current-state report (v1/v2 report, or v3 with MODE_IS_* records); its family and
    // whether it is a v3 report; a v1/v2 report (suppresses other hosts' answers).
    bool membership = false, current = false, v4 = false, v3 = false, v1v2_report = false;
  };

  const Scenario& sc;
  LiveOptions opt;
  std::string error;
  std::vector<std::string> warnings;
  std::unique_ptr<pcap::LiveHandle> port;     // capture (this thread)
  std::unique_ptr<pcap::LiveHandle> tx_port;  // injection, until the sending thread owns it
  std::unique_ptr<Injector<Out>> tx;
  std::vector<Out> tx_batch;                       // flush_tx's handover
  std::vector<Injector<Out>::Sent> tx_sent;        // collect_tx's
  Time last_record = 0;
  std::int64_t wall0 = 0;  // system clock at t0, ns since the epoch
  std::uint64_t frame_no = 0;               // frames recorded (the pcap's numbering)
  std::optional<pcap::Validator> device;    // router role: the device's queries
  wire::DecodedPacket vpkt;
  std::vector<pcap::Finding> device_ready;
  std::unique_ptr<pcap::Writer> pcap;
  std::vector<Host> hosts;
  std::deque<HostSpec> block_hosts;  // specs of block hosts (the nodes refer to them)
  std::optional<Timeline> timeline;
  std::unordered_map<std::string, int> by_name;
  /// The hosts whose NIC takes one multicast MAC: most MACs have one (a host's own group),
  /// kept without a heap block; the all-hosts MACs have every host.
  struct Listeners {
    int first = -1;
    std::vector<int> more;
    bool empty() const { return first < 0; }
    void add(int i) { (first < 0 ? first : more.emplace_back()) = i; }
    void remove(int i) {
      if (first == i) {
        if (more.empty()) first = -1;
        else {
          first = more.back();
          more.pop_back();
        }
      } else {
        more.erase(std::remove(more.begin(), more.end(), i), more.end());
      }
    }
    void copy_to(std::vector<int>& out) const {
      out.clear();
      if (first >= 0) out.push_back(first);
      out.insert(out.end(), more.begin(), more.end());
    }
  };
  std::unordered_map<std::uint64_t, Listeners> by_mac;  // multicast MAC -> hosts
  std::unordered_map<std::uint64_t, int> by_unicast;
  std::unordered_map<std::uint32_t, int> by_ipv4;
  std::map<Ipv6Addr, int> by_ipv6;
  using Timer = std::pair<Time, int>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  SendQueue<Out> txq;
  double tokens = 0;
  Time refill_at = 0;
  std::chrono::steady_clock::time_point t0;
  std::size_t next_expect = 0;
  LiveSummary sum;
  wire::DecodedPacket pkt;
  std::vector<MacAddr> mac_scratch;       // update_macs
  std::vector<std::uint64_t> key_scratch;
  std::vector<int> target_scratch;        // for_targets

  Impl(const Scenario& s, LiveOptions o) : sc(s), opt(std::move(o)) {}

  Time clock() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  }

  void build() {
    auto profile = api::Profile::by_name(opt.profile.value_or(sc.profile));
    if (!profile) {
      error = "unknown profile '" + opt.profile.value_or(sc.profile) + "' (expected windows or linux)";
      return;
    }
    if (host_count(sc) == 0) {
      error = "the scenario declares no hosts: nothing to emulate";
      return;
    }
    if (opt.rate == 0) {
      error = "--rate must be at least 1 frame/s";
      return;
    }
    if (!sc.routers.empty())
      warnings.push_back(std::to_string(sc.routers.size()) + " router(s) of the scenario ignored: the real router on " + opt.iface + " is the querier");
    if (!sc.switches.empty() || !sc.devices.empty())
      warnings.push_back("switches and CH395 devices of the scenario are not emulated in live mode");
    if (sc.lans.size() > 1) warnings.push_back("the hosts of every LAN are put on " + opt.iface);
    const NodeEnv env{*profile, opt.seed.value_or(sc.seed), false};
    int number = 0;
    hosts.reserve(host_count(sc));
    by_mac.reserve(2 * host_count(sc));  // a group MAC or two per host, typically
    // Hosts in file order, as the simulator numbers them (blocks' hosts where written).
    std::vector<const HostSpec*> specs;
    specs.reserve(host_count(sc));
    std::size_t listed = 0;
    for (const auto& b : sc.host_blocks) {
      for (; listed < b.position && listed < sc.hosts.size(); ++listed) specs.push_back(&sc.hosts[listed]);
      for (std::uint32_t k = 0; k < b.count; ++k) {
        block_hosts.push_back(b.host(k));
        specs.push_back(&block_hosts.back());
      }
    }
    for (; listed < sc.hosts.size(); ++listed) specs.push_back(&sc.hosts[listed]);
    for (const HostSpec* hp : specs) {
      const HostSpec& h = *hp;
      std::uint32_t mtu = 1500;
      for (const auto& l : sc.lans)
        if (l.name == h.lan) mtu = l.mtu;
      ++number;
      Host rec;
      rec.node = make_host_node(h, env, number, mtu);
      rec.mac = h.mac.value_or(default_mac(number));
      const auto [it, fresh] = by_unicast.emplace(mac_key(rec.mac), static_cast<int>(hosts.size()));
      if (!fresh) {
        error = "hosts " + hosts[static_cast<std::size_t>(it->second)].node->name() + " and " + h.name + " have the same MAC " + rec.mac.to_string();
        return;
      }
      if (h.ipv4) by_ipv4.emplace(h.ipv4->to_u32(), static_cast<int>(hosts.size()));
      const Ipv6Addr ll = h.ipv6 && h.ipv6->is_link_local_unicast() ? *h.ipv6 : link_local_from_mac(rec.mac);
      by_ipv6.emplace(ll, static_cast<int>(hosts.size()));
      if (h.ipv6) by_ipv6.emplace(*h.ipv6, static_cast<int>(hosts.size()));
      by_name.emplace(h.name, static_cast<int>(hosts.size()));
      hosts.push_back(std::move(rec));
    }
    timeline.emplace(sc);
    // With --vlan, only frames tagged with the VLAN ID (libpcap's `vlan N` also matches tags
    // the kernel took out of the frame on receive).
    port = pcap::LiveHandle::open(opt.iface, error, opt.vlan ? "vlan " + std::to_string(*opt.vlan) + " and (" +
                                                                   pcap::kLiveFilter + ")"
                                                             : std::string(pcap::kLiveFilter));
    if (!port) return;
    tx_port = pcap::LiveHandle::open_injector(opt.iface, error);
    if (!tx_port) return;
    if (!opt.pcap_path.empty()) {
      pcap = pcap::Writer::open(opt.pcap_path, pcap::linktype::kEthernet, error);
      if (!pcap) return;
    }
  }

  /// Writes a frame seen or sent at `t` (since t0) to the run's pcap; the file's timestamps
  /// never go back (a frame sent is collected from the sending thread a little later).
  /// The same frame, time and number go to the device check (the router-role validator),
  /// so that its findings are those of `mcsim validate --role router` on the pcap.
  void record(wire::Bytes frame, Time t) {
    if (!pcap && !device) return;
    last_record = std::max(last_record, t);
    const std::int64_t ns = wall0 + last_record;
    pcap::Frame f;
    f.number = ++frame_no;
    f.ts_sec = ns / 1000000000;
    f.ts_nsec = static_cast<std::uint32_t>(ns % 1000000000);
    f.caplen = f.len = static_cast<std::uint32_t>(frame.size());
    f.data = frame;
    if (pcap) pcap->write(f.ts_sec, f.ts_nsec, frame);
    if (!device) return;
    if (pcap::decode_frame(f, vpkt)) device->feed(f, vpkt);
    if ((frame_no & 4095) == 0) keep_device_findings();
  }

  /// Moves the settled findings into the summary: counts all, keeps the first ones.
  void keep_device_findings() {
    device->drain(device_ready);
    for (auto& x : device_ready) {
      ++sum.device_findings[static_cast<int>(x.severity)];
      if (sum.device_finding_list.size() < LiveSummary::kMaxDeviceFindings) sum.device_finding_list.push_back(std::move(x));
    }
    device_ready.clear();
  }

  void update_macs(int i) {
    Host& h = hosts[static_cast<std::size_t>(i)];
    mac_scratch.clear();
    h.node->accepted_macs(mac_scratch);
    std::vector<std::uint64_t>& keys = key_scratch;
    keys.clear();
    for (const auto& m : mac_scratch) keys.push_back(mac_key(m));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (keys == h.macs) return;
    for (auto k : h.macs)
      if (!std::binary_search(keys.begin(), keys.end(), k)) {
        auto it = by_mac.find(k);
        if (it == by_mac.end()) continue;
        it->second.remove(i);
        if (it->second.empty()) by_mac.erase(it);  // a group left by its last host
      }
    for (auto k : keys)
      if (!std::binary_search(h.macs.begin(), h.macs.end(), k)) by_mac[k].add(i);
    h.macs.assign(keys.begin(), keys.end());
  }

  void wake(int i) {
    Host& h = hosts[static_cast<std::size_t>(i)];
    const auto d = h.node->next_deadline();
    if (!d) {
      h.wake = -1;
      return;
    }
    if (*d == h.wake) return;
    h.wake = *d;
    timers.emplace(*d, i);
  }

  /// Answers (current-state reports to a query the host received and has not acted on
  /// since) go ahead of state changes under the rate cap (send_queue.hpp, RFC 9776 §5.2).
  SendClass classify(const Host& h, Out& o) {
    if (!wire::decode_ethernet_frame(o.frame, pkt) || !pkt.is_membership_message()) return SendClass::StateChange;
    o.membership = true;
    o.v4 = pkt.family == Family::V4;
    const wire::MsgKind kind = o.v4 ? pkt.igmp.kind : pkt.mld.kind;
    o.v3 = kind == wire::MsgKind::V3Report;
    o.v1v2_report = pkt.usable && (kind == wire::MsgKind::V1Report || kind == wire::MsgKind::V2Report);
    o.current = o.v4 ? is_current_state_report(pkt.igmp) : is_current_state_report(pkt.mld);
    if (!o.current) return SendClass::StateChange;
    if (o.v3) return SendClass::Answer;  // MODE_IS_INCLUDE/EXCLUDE records answer a query
    return (o.v4 ? h.pending4 : h.pending6) >= 0 && !(o.v4 ? h.acted4 : h.acted6) ? SendClass::Answer
                                                                                  : SendClass::StateChange;
  }

  void drain(int i, Time now) {
    Host& h = hosts[static_cast<std::size_t>(i)];
    Node& n = *h.node;
    while (auto f = n.poll_frame(now)) {
      Out o{i, 0, std::move(*f)};
      const SendClass c = classify(h, o);
      txq.push(std::move(o), c);
    }
    wake(i);
    sum.tx_backlog_max = std::max<std::uint64_t>(sum.tx_backlog_max, txq.size());
  }

  /// Notes a query seen on the wire; returns its index in sum.queries.
  int note_query(Time now) {
    LiveQuery q;
    q.at = now;
    q.family = pkt.family;
    if (pkt.family == Family::V4) {
      q.version = pkt.igmp.version;
      q.source = pkt.ip4.src;
      if (!pkt.igmp.group.is_unspecified()) q.group = pkt.igmp.group;
      q.max_resp = static_cast<Duration>(wire::igmp_max_resp_ms(pkt.igmp)) * kMs;
      sum.querier4 = q.source;
      sum.querier4_version = q.version;
    } else {
      q.version = pkt.mld.version;
      q.source = pkt.ip6.src;
      if (!pkt.mld.group.is_unspecified()) q.group = pkt.mld.group;
      else q.group = Ipv6Addr{};
      q.max_resp = static_cast<Duration>(wire::mld_max_resp_ms(pkt.mld)) * kMs;
      sum.querier6 = q.source;
      sum.querier6_version = q.version;
    }
    sum.queries.push_back(std::move(q));
    return static_cast<int>(sum.queries.size() - 1);
  }

  /// Hosts whose NIC takes a frame to `dst` (multicast: the filter; unicast: the owner).
  template <class F>
  void for_targets(const std::uint8_t* dst, int except, F&& f) {
    const std::uint64_t k = mac_key(dst);
    if (dst[0] & 1) {
      if (k == 0xFFFFFFFFFFFFull) return;  // hosts take nothing on broadcast but ARP (answered here)
      auto it = by_mac.find(k);
      if (it == by_mac.end()) return;
      // A copy: receive() may change filters. Not nested (f only queues frames), so one
      // scratch vector serves every call without an allocation each time.
      std::vector<int>& targets = target_scratch;
      it->second.copy_to(targets);
      for (int i : targets)
        if (i != except) f(i);
    } else if (auto it = by_unicast.find(k); it != by_unicast.end() && it->second != except) {
      f(it->second);
    }
  }

  void dispatch(wire::Bytes frame, Time now) {
    if (frame.size() < 14) return;
    if (by_unicast.count(mac_key(frame.data() + 6))) return;  // our own frame, seen again
    ++sum.frames_rx;
    record(frame, now);
    wire::EthernetHeader eh;
    wire::Bytes payload;
    wire::ErrorSet errs;
    if (!wire::parse_ethernet(frame, eh, payload, errs)) return;
    if (eh.ethertype == wire::kEtherTypeArp) {
      answer_arp(payload);
      return;
    }
    int query = -1;
    if (wire::decode_ethernet_frame(frame, pkt)) {
      if (pkt.usable && ((pkt.family == Family::V4 && pkt.igmp.kind == wire::MsgKind::Query) ||
                         (pkt.family == Family::V6 && pkt.mld.kind == wire::MsgKind::Query)))
        query = note_query(now);
    } else if (eh.ethertype == wire::kEtherTypeIpv6) {
      answer_ns(eh, payload);
      return;
    } else {
      return;
    }
    const std::vector<std::uint8_t> bytes(frame.begin(), frame.end());
    const bool v4 = pkt.family == Family::V4;
    for_targets(frame.data(), -1, [&](int i) {
      Host& h = hosts[static_cast<std::size_t>(i)];
      // Every host that received the query may answer it: even one with no group yet, whose
      // response timer may expire after a join (RFC 9776 §5.2 reports the state then).
      if (query >= 0) {
        (v4 ? h.pending4 : h.pending6) = query;
        (v4 ? h.acted4 : h.acted6) = false;
      }
      h.node->receive(bytes, now);
      drain(i, now);
    });
  }

  /// Frames between emulated hosts of the same link: what one host sends, the others hear
  /// (IGMPv1/v2 and MLDv1 report suppression, RFC 2236 §3).
  void loop_back(const Out& o, Time now) {
    // Only IGMPv1/v2 and MLDv1 reports change what another host does; hosts ignore IGMPv3
    // and MLDv2 reports (RFC 9776 §5: no report suppression), leaves and dones.
    if (!o.v1v2_report) return;
    // Most reports go to 224.0.0.22 / ff02::16, which no host listens to: no decode, no copy.
    if (auto it = by_mac.find(mac_key(o.frame.data())); it == by_mac.end() || it->second.empty()) return;
    const bool suppress = o.v1v2_report;
    const bool v4 = o.v4;
    for_targets(o.frame.data(), o.host, [&](int i) {
      Host& h = hosts[static_cast<std::size_t>(i)];
      if (suppress) (v4 ? h.pending4 : h.pending6) = -1;  // its response is suppressed, not late
      h.node->receive(o.frame, now);
      drain(i, now);
    });
  }

  /// RFC 826: a request for an emulated host's IPv4 address gets a reply with its MAC.
  void answer_arp(wire::Bytes a) {
    if (a.size() < 28 || wire::load_be16(a.data()) != 1 || wire::load_be16(a.data() + 2) != wire::kEtherTypeIpv4 ||
        a[4] != 6 || a[5] != 4 || wire::load_be16(a.data() + 6) != 1)
      return;
    const std::uint32_t spa = wire::load_be32(a.data() + 14), tpa = wire::load_be32(a.data() + 24);
    auto it = by_ipv4.find(tpa);
    if (it == by_ipv4.end() || spa == tpa) return;  // not ours, or a gratuitous ARP
    const Host& h = hosts[static_cast<std::size_t>(it->second)];
    std::vector<std::uint8_t> arp = {0, 1, 8, 0, 6, 4, 0, 2};
    arp.insert(arp.end(), h.mac.b.begin(), h.mac.b.end());
    for (int s = 24; s >= 0; s -= 8) arp.push_back(static_cast<std::uint8_t>(tpa >> s));
    arp.insert(arp.end(), a.begin() + 8, a.begin() + 18);  // requester's MAC and IPv4
    arp.resize(46, 0);                                      // minimum frame size
    wire::EthernetHeader eh;
    eh.dst = MacAddr::from_bytes(a.data() + 8);
    eh.src = h.mac;
    eh.ethertype = wire::kEtherTypeArp;
    Out o{it->second, 1, {}};
    wire::emit_ethernet(eh, arp, o.frame);
    txq.push(std::move(o), SendClass::Answer);
  }

  /// RFC 4861 §7.2.4: a Neighbor Solicitation for an emulated host's address gets a
  /// Neighbor Advertisement with its MAC (Solicited flag unless the source was ::).
  void answer_ns(const wire::EthernetHeader& eh, wire::Bytes datagram) {
    wire::Ipv6Header ip;
    wire::Bytes icmp;
    wire::ErrorSet errs;
    if (!wire::parse_ipv6(datagram, ip, icmp, errs) || ip.upper_protocol != wire::kProtoIcmpv6) return;
    if (icmp.size() < 24 || icmp[0] != 135 || icmp[1] != 0 || ip.hop_limit != 255) return;
    Ipv6Addr target;
    std::copy(icmp.begin() + 8, icmp.begin() + 24, target.b.begin());
    auto it = by_ipv6.find(target);
    if (it == by_ipv6.end()) return;
    const Host& h = hosts[static_cast<std::size_t>(it->second)];
    const bool dad = ip.src.is_unspecified();
    std::vector<std::uint8_t> na = {136, 0, 0, 0, static_cast<std::uint8_t>(dad ? 0x20 : 0x60), 0, 0, 0};
    na.insert(na.end(), target.b.begin(), target.b.end());
    na.push_back(2);  // Target Link-Layer Address option (RFC 4861 §4.6.1)
    na.push_back(1);
    na.insert(na.end(), h.mac.b.begin(), h.mac.b.end());
    wire::Ipv6Header out;
    out.src = target;
    out.dst = dad ? Ipv6Addr{{0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}} : ip.src;
    out.hop_limit = 255;
    const std::uint16_t ck = wire::icmpv6_checksum(out.src, out.dst, na);
    na[2] = static_cast<std::uint8_t>(ck >> 8);
    na[3] = static_cast<std::uint8_t>(ck);
    std::vector<std::uint8_t> d;
    wire::emit_ipv6(out, wire::kProtoIcmpv6, na, d);
    wire::EthernetHeader e;
    e.dst = dad ? MacAddr({0x33, 0x33, 0, 0, 0, 1}) : eh.src;
    e.src = h.mac;
    e.ethertype = wire::kEtherTypeIpv6;
    Out o{it->second, 2, {}};
    wire::emit_ethernet(e, d, o.frame);
    txq.push(std::move(o), SendClass::Answer);
  }

  void account_tx(const Out& o, Time now) {
    ++sum.frames_tx;
    if (o.kind == 1) {
      ++sum.arp_replies;
      return;
    }
    if (o.kind == 2) {
      ++sum.na_sent;
      return;
    }
    if (!o.membership) {
      ++sum.data_sent;
      return;
    }
    ++sum.reports_sent;
    Host& h = hosts[static_cast<std::size_t>(o.host)];
    const bool v4 = o.v4;
    int& pending = v4 ? h.pending4 : h.pending6;
    if (pending < 0 || !o.current) return;
    // A v1/v2 report after a scenario action may be the state change, not the answer.
    if (!o.v3 && (v4 ? h.acted4 : h.acted6)) return;
    LiveQuery& q = sum.queries[static_cast<std::size_t>(pending)];
    const Duration d = now - q.at;
    q.delays.push_back(d);
    if (d > q.max_resp + kLateTolerance) ++q.late;
    pending = -1;
  }

  /// Frames handed to the sending thread and not yet back: enough to keep it busy while the
  /// next batch is made (a few ms at full speed), few enough that an answer queued behind
  /// them (SendQueue) is not held up for long.
  static constexpr std::size_t kMaxInFlight = 2048;

  /// IEEE 802.1Q: the 4-byte tag (TPID 0x8100, PCP 0, DEI 0, the VLAN ID) after the source
  /// MAC. Frames the hosts make are untagged (the engines are the simulator's); the tag is
  /// added when a frame is handed over, so the pcap and the device see it tagged.
  void tag(std::vector<std::uint8_t>& f) const {
    const std::uint16_t vid = *opt.vlan;
    const std::uint8_t t[4] = {0x81, 0x00, static_cast<std::uint8_t>(vid >> 8), static_cast<std::uint8_t>(vid)};
    f.insert(f.begin() + 12, t, t + 4);
  }

  /// Hands the frames the rate cap allows now to the sending thread, answers first.
  void flush_tx(Time now) {
    const double burst = std::max(1.0, static_cast<double>(opt.rate) / 50.0);  // 20 ms worth
    tokens = std::min(burst, tokens + static_cast<double>(now - refill_at) * static_cast<double>(opt.rate) / 1e9);
    refill_at = now;
    std::size_t room = kMaxInFlight - std::min(kMaxInFlight, tx->in_flight());
    while (!txq.empty() && tokens >= 1.0 && room > 0) {
      tx_batch.push_back(txq.pop());
      if (opt.vlan) tag(tx_batch.back().frame);
      tokens -= 1.0;
      --room;
    }
    tx->send(tx_batch);
  }

  /// The frames the sending thread has sent: recorded, counted (a response's delay runs to
  /// when its send returned) and heard by the other emulated hosts.
  bool collect_tx(Time now) {
    const bool ok = tx->collect(tx_sent);
    for (auto& s : tx_sent) {
      record(s.item.frame, s.at);
      account_tx(s.item, s.at);
      if (s.item.kind == 0) loop_back(s.item, now);
    }
    tx_sent.clear();
    if (!ok && error.empty()) error = tx->error();  // the first error is the one reported
    return ok;
  }

  /// Scenario actions (and timers) run per turn of the loop, at most: when actions are due
  /// faster than the engines can take them, the turn ends and the frames made so far are
  /// handed to the sending thread before more are made, instead of one turn taking every
  /// due action of a storm while the sender idles.
  static constexpr int kPerTurn = 256;

  void run_due(Time now) {
    for (int k = 0; k < kPerTurn && !timeline->done() && timeline->next_at() <= now; ++k) {
      int index = -1;
      const EventSpec& ev = timeline->next(index);
      if (index < 0) {
        auto it = by_name.find(ev.node);
        if (ev.node_kind != NodeKind::Host || it == by_name.end()) {
          ++sum.skipped_events;
          continue;
        }
        index = it->second;
      }
      Host& h = hosts[static_cast<std::size_t>(index)];
      const ActionOutcome out = h.node->act(ev, now);
      ++sum.actions;
      if (out.result != "ok") ++sum.action_errors;
      if (ev.expect) (out.result == *ev.expect ? sum.expects_passed : sum.expects_failed)++;
      if (out.result == "ok" && ev.option) {
        const auto op = api::info(*ev.option).op;
        if (op == api::MembershipOp::Join || op == api::MembershipOp::JoinSource) ++sum.joins;
        if (op == api::MembershipOp::Leave || op == api::MembershipOp::LeaveSource) ++sum.leaves;
      }
      h.acted4 = h.acted6 = true;  // v1/v2 reports that follow may be state changes
      update_macs(index);
      drain(index, now);
    }
    // An expectation is checked once every action up to its time has run.
    while (next_expect < sc.expects.size() && sc.expects[next_expect].at <= now &&
           (timeline->done() || timeline->next_at() > sc.expects[next_expect].at)) {
      const ExpectSpec& x = sc.expects[next_expect++];
      auto it = by_name.find(x.node);
      if (x.node_kind != NodeKind::Host || it == by_name.end()) continue;
      (hosts[static_cast<std::size_t>(it->second)].node->check(x, now).passed ? sum.expects_passed : sum.expects_failed)++;
    }
  }

  bool run(const volatile std::sig_atomic_t* stop) {
    t0 = std::chrono::steady_clock::now();
    wall0 = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    sum.wall_start = static_cast<double>(wall0) / 1e9;
    if (opt.check_device) device.emplace(pcap::Role::Router);
    sum.device_checked = opt.check_device;
    tx = std::make_unique<Injector<Out>>(std::move(tx_port), t0);
    sum.iface = opt.iface;
    sum.hosts = hosts.size();
    tokens = 1;
    const Time end = opt.duration.value_or(sc.until);
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      hosts[i].node->start(0);
      update_macs(static_cast<int>(i));
      drain(static_cast<int>(i), 0);
    }
    pcap::Frame f;
    bool ok = true;
    while (ok) {
      Time now = clock();
      if (stop && *stop) {
        sum.interrupted = true;
        break;
      }
      if (now >= end) break;
      if (!collect_tx(now)) {
        ok = false;
        break;
      }
      run_due(now);
      for (int k = 0; k < 4096; ++k) {
        const int rc = port->next(f);
        if (rc == 0) break;
        if (rc < 0) {
          error = port->error();
          ok = false;
          break;
        }
        dispatch(f.data, now);
      }
      for (int k = 0; k < kPerTurn && !timers.empty() && timers.top().first <= now; ++k) {
        const auto [t, i] = timers.top();
        timers.pop();
        Host& h = hosts[static_cast<std::size_t>(i)];
        if (h.wake != t) continue;  // superseded
        h.wake = -1;
        drain(i, now);
      }
      if (!ok) break;
      flush_tx(now);
      Time next = end;
      if (!timeline->done()) next = std::min(next, timeline->next_at());
      if (next_expect < sc.expects.size()) next = std::min(next, sc.expects[next_expect].at);
      if (!timers.empty()) next = std::min(next, timers.top().first);
      if (!txq.empty() && tx->in_flight() < kMaxInFlight)
        next = std::min(next, refill_at + static_cast<Time>((1.0 - tokens) * 1e9 / static_cast<double>(opt.rate)) + 1);
      now = clock();
      // At most 100 ms, so that a stop request is seen even without EINTR; the sending
      // thread wakes the wait when frames come back (where it cannot, 1 ms polls).
      Time limit = 100;
      if (tx->in_flight() > 0 && tx->wake_fd() < 0) limit = 1;
      port->wait(next <= now ? 0 : static_cast<int>(std::min<Time>((next - now + kMs - 1) / kMs, limit)), tx->wake_fd());
    }
    // What was handed over is sent (at most kMaxInFlight frames), recorded and counted.
    tx->finish();
    if (!collect_tx(clock()) && ok) ok = false;
    sum.elapsed = clock();
    if (device) {
      device->finish();
      keep_device_findings();
      sum.device_messages = device->messages();
    }
    sum.kernel_drops = port->dropped();
    if (pcap) pcap->flush();
    return ok;
  }
};

LiveRunner::LiveRunner(const Scenario& sc, LiveOptions opt) : impl_(std::make_unique<Impl>(sc, std::move(opt))) {
  impl_->build();
}
LiveRunner::~LiveRunner() = default;
const std::string& LiveRunner::error() const { return impl_->error; }
bool LiveRunner::run(const volatile std::sig_atomic_t* stop) { return impl_->run(stop); }
const LiveSummary& LiveRunner::summary() const { return impl_->sum; }
const std::vector<std::string>& LiveRunner::warnings() const { return impl_->warnings; }

std::string LiveSummary::text() const {
  std::string s;
  s += "live on " + iface + ": " + std::to_string(hosts) + " emulated hosts, " + format_seconds(elapsed) + " s" +
       (interrupted ? " (interrupted)" : "") + "\n";
  s += "actions: " + std::to_string(actions) + " (joins " + std::to_string(joins) + ", leaves " + std::to_string(leaves) +
       ", errors " + std::to_string(action_errors) + ")";
  if (skipped_events) s += ", " + std::to_string(skipped_events) + " events for non-emulated nodes skipped";
  s += "\n";
  s += "frames: received " + std::to_string(frames_rx) + ", sent " + std::to_string(frames_tx) + " (reports " +
       std::to_string(reports_sent) + ", ARP replies " + std::to_string(arp_replies) + ", neighbor advertisements " +
       std::to_string(na_sent) + ", data " + std::to_string(data_sent) + "), kernel drops " + std::to_string(kernel_drops) +
       ", largest send backlog " + std::to_string(tx_backlog_max) + "\n";
  s += "querier:";
  if (querier4) s += " IPv4 " + querier4->to_string() + " " + query_label(Family::V4, querier4_version);
  if (querier6) s += std::string(querier4 ? ";" : "") + " IPv6 " + querier6->to_string() + " " + query_label(Family::V6, querier6_version);
  if (!querier4 && !querier6) s += " none seen";
  s += "\n";
  std::map<std::string, std::uint64_t> by_version;
  std::vector<Duration> all;
  std::uint64_t late = 0;
  for (const auto& q : queries) {
    ++by_version[query_label(q.family, q.version)];
    all.insert(all.end(), q.delays.begin(), q.delays.end());
    late += q.late;
  }
  s += "queries: " + std::to_string(queries.size());
  if (!by_version.empty()) {
    s += " (";
    bool first = true;
    for (const auto& [k, v] : by_version) {
      s += (first ? "" : ", ") + k + " " + std::to_string(v);
      first = false;
    }
    s += ")";
  }
  s += "\n";
  const Stats a = stats_of(all);
  s += "responses: " + std::to_string(a.n) + ", " + std::to_string(a.n - late) + " within Max Resp Time, " +
       std::to_string(late) + " late (over Max Resp Time + " + ms_text(kLateTolerance) + " ms)";
  if (a.n) s += "; delay ms min " + ms_text(a.min) + " median " + ms_text(a.median) + " p99 " + ms_text(a.p99) + " max " + ms_text(a.max);
  s += "\n";
  // Per query: the ones answered and the general ones; the unanswered group-specific queries
  // (groups the hosts had left) only counted. At most 40 lines (--format jsonl has them all).
  std::size_t shown = 0, quiet = 0, more = 0;
  for (const auto& q : queries) {
    if (q.delays.empty() && !q.group.is_unspecified()) {
      ++quiet;
      continue;
    }
    if (shown++ >= 40) {
      ++more;
      continue;
    }
    const Stats st = stats_of(q.delays);
    s += "  " + format_seconds(q.at) + "s " + query_label(q.family, q.version) + " " +
         (q.group.is_unspecified() ? std::string("general") : "group " + q.group.to_string()) + " from " +
         q.source.to_string() + ", max resp " + ms_text(q.max_resp) + " ms: " + std::to_string(st.n) + " responses";
    if (st.n)
      s += ", ms min " + ms_text(st.min) + " median " + ms_text(st.median) + " p99 " + ms_text(st.p99) + " max " +
           ms_text(st.max) + ", late " + std::to_string(q.late);
    s += "\n";
  }
  if (more) s += "  ... " + std::to_string(more) + " more (--format jsonl lists every query)\n";
  if (quiet) s += "  " + std::to_string(quiet) + " group-specific queries with no response (no emulated member)\n";
  if (device_checked) {
    const std::uint64_t total = device_findings[0] + device_findings[1] + device_findings[2];
    s += "device checks (router role, docs/validate.md): " + std::to_string(device_messages) + " messages judged, " +
         std::to_string(total) + " findings (" + std::to_string(device_findings[0]) + " must, " +
         std::to_string(device_findings[1]) + " should, " + std::to_string(device_findings[2]) + " info)\n";
    std::size_t shown_f = 0;
    for (const auto& f : device_finding_list) {
      if (shown_f++ >= 20) break;
      char t[32];
      std::snprintf(t, sizeof t, "%.3f", f.time - wall_start);
      s += "  " + std::string(t) + "s frame " + std::to_string(f.frame) + ": " + f.rule + " (" + f.rfc + "): " + f.reason;
      if (f.severity != pcap::Severity::Must) s += std::string(" [") + pcap::severity_name(f.severity) + "]";
      s += "\n";
    }
    if (total > shown_f)
      s += "  ... " + std::to_string(total - shown_f) + " more (--format jsonl lists the first " +
           std::to_string(kMaxDeviceFindings) + "; mcsim validate --role router on the --pcap lists all)\n";
  }
  if (expects_passed + expects_failed)
    s += "expectations: " + std::to_string(expects_passed) + " passed, " + std::to_string(expects_failed) + " failed\n";
  return s;
}

std::string LiveSummary::json() const {
  auto n = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  std::vector<Duration> all;
  std::uint64_t late = 0;
  std::map<std::string, std::uint64_t> by_version;
  std::string qs = "[";
  for (const auto& q : queries) {
    ++by_version[query_label(q.family, q.version)];
    all.insert(all.end(), q.delays.begin(), q.delays.end());
    late += q.late;
    const Stats st = stats_of(q.delays);
    JsonObject j;
    j.seconds("t", q.at).str("version", query_label(q.family, q.version)).addr("source", q.source);
    if (!q.group.is_unspecified()) j.addr("group", q.group);
    j.num("max_resp_ms", q.max_resp / kMs).num("responses", n(st.n)).num("late", n(q.late));
    if (st.n) j.seconds("min", st.min).seconds("median", st.median).seconds("p99", st.p99).seconds("max", st.max);
    qs += (qs.size() > 1 ? "," : "") + j.done();
  }
  qs += "]";
  JsonObject bv;
  for (const auto& [k, v] : by_version) bv.num(k, n(v));
  const Stats a = stats_of(all);
  JsonObject j;
  j.str("event", "live_summary").str("iface", iface).seconds("elapsed", elapsed).boolean("interrupted", interrupted)
      .num("hosts", n(hosts)).num("joins", n(joins)).num("leaves", n(leaves)).num("actions", n(actions))
      .num("action_errors", n(action_errors)).num("skipped_events", n(skipped_events)).num("frames_rx", n(frames_rx))
      .num("frames_tx", n(frames_tx)).num("reports_sent", n(reports_sent)).num("arp_replies", n(arp_replies))
      .num("na_sent", n(na_sent)).num("data_sent", n(data_sent)).num("kernel_drops", n(kernel_drops))
      .num("tx_backlog_max", n(tx_backlog_max)).num("queries_seen", n(queries.size()));
  if (querier4) j.addr("querier_ipv4", *querier4).str("querier_ipv4_version", query_label(Family::V4, querier4_version));
  if (querier6) j.addr("querier_ipv6", *querier6).str("querier_ipv6_version", query_label(Family::V6, querier6_version));
  j.num("responses", n(a.n)).num("late", n(late)).num("late_tolerance_ms", kLateTolerance / kMs);
  if (a.n) j.seconds("delay_min", a.min).seconds("delay_median", a.median).seconds("delay_p99", a.p99).seconds("delay_max", a.max);
  j.num("expects_passed", n(expects_passed)).num("expects_failed", n(expects_failed));
  std::string fs = "[";
  if (device_checked) {
    j.num("device_messages", n(device_messages)).num("device_must", n(device_findings[0]))
        .num("device_should", n(device_findings[1])).num("device_info", n(device_findings[2]));
    for (const auto& f : device_finding_list) {
      JsonObject x;
      x.num("frame", n(f.frame)).seconds("t", static_cast<Time>(std::llround((f.time - wall_start) * 1e9))).str("rule", f.rule)
          .str("severity", pcap::severity_name(f.severity)).str("rfc", f.rfc).str("reason", f.reason);
      fs += (fs.size() > 1 ? "," : "") + x.done();
    }
  }
  fs += "]";
  std::string s = j.done();
  s.pop_back();
  std::string bvs = bv.done();
  s += ",\"queries_by_version\":" + bvs + ",\"queries\":" + qs;
  if (device_checked) s += ",\"device_findings\":" + fs;
  s += "}";
  return s;
}

}  // namespace mcsim::sim
