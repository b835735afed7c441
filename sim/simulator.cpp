#include "sim/simulator.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <iterator>
#include <unordered_map>

#include "pcap/capture.hpp"
#include "pcap/format.hpp"
#include "sim/json.hpp"
#include "sim/nodes.hpp"
#include "sim/timeline.hpp"
#include "stack/filter/source_set.hpp"
#include "stack/grow.hpp"
#include "stack/rng.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::sim {

namespace {

enum class EvKind : std::uint8_t { Action, Deliver, Wake, Expect };

constexpr std::uint32_t kNoFrame = 0xFFFFFFFFu;

/// 32 bytes: ordered by (t, key) where key = prio << 63 | seq; at one instant
/// deliveries/wakes/actions (prio 0) come before expectations (prio 1), then push order.
struct Ev {
  Time t = 0;
  std::uint64_t key = 0;
  int a = 0;  // action/expect index, LAN index, node index
  int b = 0;  // receiving node
  std::uint32_t frame = kNoFrame;  // slot in the frame pool (Deliver)
  EvKind kind = EvKind::Action;
};

inline bool before(const Ev& x, const Ev& y) { return x.t < y.t || (x.t == y.t && x.key < y.key); }

/// 4-ary min-heap of events (fewer levels and cache lines than std::priority_queue's
/// binary heap; (t, key) is a total order, so the pop order is the same).
class EventHeap {
 public:
  bool empty() const { return v_.empty(); }
  const Ev& top() const { return v_.front(); }
  void push(const Ev& e) {
    std::size_t i = v_.size();
    v_.push_back(e);
    while (i > 0) {
      const std::size_t p = (i - 1) / 4;
      if (!before(e, v_[p])) break;
      v_[i] = v_[p];
      i = p;
    }
    v_[i] = e;
  }
  Ev pop() {
    Ev top = v_.front();
    const Ev last = v_.back();
    v_.pop_back();
    if (!v_.empty()) sift_down(last);
    return top;
  }
  /// Replaces the top with `e`, which must not come before it (one sift instead of pop + push).
  void replace_top(const Ev& e) { sift_down(e); }

 private:
  void sift_down(const Ev& last) {
    const std::size_t n = v_.size();
    std::size_t i = 0;
    for (;;) {
      const std::size_t c = 4 * i + 1;
      if (c >= n) break;
      std::size_t m = c;
      const std::size_t e = std::min(c + 4, n);
      for (std::size_t j = c + 1; j < e; ++j)
        if (before(v_[j], v_[m])) m = j;
      if (!before(v_[m], last)) break;
      v_[i] = v_[m];
      i = m;
    }
    v_[i] = last;
  }

  std::vector<Ev> v_;
};

std::uint64_t mac_key(const MacAddr& m) {
  std::uint64_t k = 0;
  for (auto x : m.b) k = k << 8 | x;
  return k;
}

/// A mac_key in 6 bytes (the MACs a host's NIC takes are kept per host).
struct Mac48 {
  std::uint8_t b[6];
  static Mac48 of(std::uint64_t k) {
    Mac48 m{};
    for (int i = 5; i >= 0; --i, k >>= 8) m.b[i] = static_cast<std::uint8_t>(k);
    return m;
  }
  std::uint64_t key() const {
    std::uint64_t k = 0;
    for (auto x : b) k = k << 8 | x;
    return k;
  }
};

}  // namespace

struct Simulation::Impl {
  Scenario sc;
  SimOptions opt;
  std::string error;
  Time now = 0;
  Time end = 0;
  std::uint64_t seq = 0;
  std::uint64_t processed = 0;
  Rng lan_rng{1};
  EventHeap queue;
  bool top_spent = false;  // the top of `queue` is the event being processed (popped lazily)

  /// Frames in flight, shared by their deliveries; slots (and their buffers) are reused.
  struct FrameSlot {
    std::vector<std::uint8_t> bytes;
    std::uint32_t refs = 0;
  };
  std::vector<FrameSlot> frames;
  std::vector<std::uint32_t> free_frames;

  struct MacList {
    std::vector<int> nodes;  // sorted when !dirty
    bool dirty = false;
  };
  struct Lan {
    LanSpec spec;
    std::vector<int> nodes;    // every attached node, by index
    std::vector<int> promisc;  // nodes that take every frame (routers, switches), by index
    std::unordered_map<std::uint64_t, MacList> by_mac;  // filtering nodes by accepted MAC
    bool filter = false;       // deliver by MAC (not on lossy/duplicating LANs: same RNG draws)
    std::unique_ptr<pcap::Writer> pcap;
    std::uint64_t frames = 0;
  };
  std::vector<Lan> lans;
  std::vector<std::unique_ptr<Node>> nodes;
  std::optional<Timeline> timeline;  // the actions, fed to the queue one at a time
  std::uint64_t next_action = 0;     // ordinal of the next action (its queue key)
  std::vector<int> node_lan;                 // LAN index of node.lan()
  std::vector<CompactVec<int>> node_ports;  // bridges: LAN index per port (one pointer per node)
  std::vector<CompactVec<Mac48>> node_macs;  // filtering nodes: registered MACs (sorted; one pointer each)
  std::vector<std::uint64_t> old_keys;      // scratch
  std::unordered_map<std::string, int> node_by_name, lan_by_name;  // node_by_name: not block hosts
  struct BlockNodes {
    const HostBlockSpec* block;
    int first;  // node index of the block's host 0
  };
  std::vector<BlockNodes> block_nodes;  // block hosts are found by name arithmetic, no map entry each
  std::vector<Time> wake_at;
  std::vector<LogEvent> log;
  std::vector<ExpectResult> results;
  std::size_t failures = 0;
  std::function<void(const LogEvent&)> sink;
  std::vector<int> recipients;  // scratch
  std::vector<MacAddr> mac_scratch;

  bool logging() const { return opt.log != LogMode::None; }
  bool want_json() const { return opt.log == LogMode::Both || opt.log == LogMode::Json; }
  bool want_text() const { return opt.log == LogMode::Both || opt.log == LogMode::Text; }

  void push(Time t, std::uint8_t prio, EvKind k, int a, int b = 0, std::uint32_t frame = kNoFrame) {
    push_keyed(t, static_cast<std::uint64_t>(prio) << 63 | seq++, k, a, b, frame);
  }
  /// The timeline's next action. Actions take the keys 0..N-1 (N = timeline size; other
  /// events count from N), so feeding them one at a time orders them exactly as if all had
  /// been queued at the start: before everything else at their instant, in timeline order.
  void push_next_action() {
    if (timeline->done()) return;
    push_keyed(timeline->next_at(), next_action++, EvKind::Action, 0);
  }
  void push_keyed(Time t, std::uint64_t key, EvKind k, int a, int b = 0, std::uint32_t frame = kNoFrame) {
    Ev e;
    e.t = t;
    e.key = key;
    e.kind = k;
    e.a = a;
    e.b = b;
    e.frame = frame;
    if (top_spent) {  // the event being processed still sits at the top: take its place
      top_spent = false;
      if (!before(e, queue.top())) {
        queue.replace_top(e);
        return;
      }
      queue.pop();
      queue.push(e);
    } else {
      queue.push(e);
    }
  }

  void emit(Time t, std::string json, std::string text) {
    if (!logging()) return;
    LogEvent e{t, want_json() ? std::move(json) : std::string(), want_text() ? std::move(text) : std::string()};
    if (sink) sink(e);
    log.push_back(std::move(e));
  }

  int lan_index(const std::string& name) const {
    auto it = lan_by_name.find(name);
    return it == lan_by_name.end() ? -1 : it->second;
  }
  int node_index(const std::string& name) const {
    auto it = node_by_name.find(name);
    if (it != node_by_name.end()) return it->second;
    for (const auto& b : block_nodes)
      if (auto k = b.block->index_of(name)) return b.first + static_cast<int>(*k);
    return -1;
  }

  std::uint32_t new_frame(std::vector<std::uint8_t>&& bytes) {
    std::uint32_t id;
    if (!free_frames.empty()) {
      id = free_frames.back();
      free_frames.pop_back();
      FrameSlot& f = frames[id];
      if (f.bytes.capacity() >= bytes.size()) f.bytes.assign(bytes.begin(), bytes.end());
      else f.bytes = std::move(bytes);
    } else {
      id = static_cast<std::uint32_t>(frames.size());
      frames.push_back({std::move(bytes), 0});
    }
    return id;
  }
  void release_frame(std::uint32_t id) {
    if (--frames[id].refs == 0) free_frames.push_back(id);
  }

  bool in_block(std::size_t i) const {
    for (const auto& b : block_nodes)
      if (i >= static_cast<std::size_t>(b.first) && i < static_cast<std::size_t>(b.first) + b.block->count) return true;
    return false;
  }

  /// Attaches node `i` (already in `nodes`) to its LANs; false (and error set) on an unknown LAN.
  bool attach(std::size_t i) {
    Node& node = *nodes[i];
    node_lan.push_back(lan_index(node.lan()));
    node_ports.emplace_back();
    node_macs.emplace_back();
    wake_at.push_back(-1);
    if (!in_block(i)) node_by_name.emplace(node.name(), static_cast<int>(i));
    const auto names = node.lan_names();
    for (const auto& name : names) {
      const int li = lan_index(name);
      if (li < 0) {
        error = node.loc().to_string() + ": node '" + node.name() + "' is on unknown LAN '" + name + "'";
        return false;
      }
      if (node.bridges()) node_ports[i].push_back(li);
      Lan& lan = lans[static_cast<std::size_t>(li)];
      lan.nodes.push_back(static_cast<int>(i));
      if (!node.filters_macs()) lan.promisc.push_back(static_cast<int>(i));
    }
    return true;
  }

  /// Re-reads the MACs a filtering node accepts and updates its LAN's index.
  void update_macs(int n) {
    Node& node = *nodes[static_cast<std::size_t>(n)];
    if (!node.filters_macs() || node_lan[static_cast<std::size_t>(n)] < 0) return;
    mac_scratch.clear();
    node.accepted_macs(mac_scratch);
    std::vector<std::uint64_t> keys;
    keys.reserve(mac_scratch.size());
    for (const auto& m : mac_scratch) keys.push_back(mac_key(m));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    auto& stored = node_macs[static_cast<std::size_t>(n)];
    old_keys.clear();
    for (const auto& m : stored) old_keys.push_back(m.key());
    const auto& old = old_keys;
    if (keys == old) return;
    Lan& lan = lans[static_cast<std::size_t>(node_lan[static_cast<std::size_t>(n)])];
    for (auto k : old) {
      if (std::binary_search(keys.begin(), keys.end(), k)) continue;
      auto& l = lan.by_mac[k].nodes;
      l.erase(std::find(l.begin(), l.end(), n));
    }
    for (auto k : keys) {
      if (std::binary_search(old.begin(), old.end(), k)) continue;
      auto& l = lan.by_mac[k];
      if (!l.nodes.empty() && l.nodes.back() > n) l.dirty = true;
      grow_for_one(l.nodes);  // 25 % slack, not up to 100 %: one entry per host and group
      l.nodes.push_back(n);
    }
    stored.clear();
    stored.reserve(keys.size());
    for (auto k : keys) stored.push_back(Mac48::of(k));
  }

  void build() {
    const std::uint64_t seed = opt.seed.value_or(sc.seed);
    lan_rng.reseed(seed ^ 0x4C414E5345454421ull);
    const std::string profile_name = opt.profile.value_or(sc.profile);
    auto profile = api::Profile::by_name(profile_name);
    if (!profile) {
      error = sc.file + ": unknown profile '" + profile_name + "' (expected windows or linux)";
      return;
    }
    end = opt.until.value_or(sc.until);
    for (const auto& l : sc.lans) {
      Lan lan;
      lan.spec = l;
      lan.filter = l.loss <= 0 && l.duplicate <= 0;
      if (!opt.pcap_dir.empty()) {
        std::string err;
        lan.pcap = pcap::Writer::open(opt.pcap_dir + "/" + l.name + ".pcap", pcap::linktype::kEthernet, err);
        if (!lan.pcap) {
          error = err;
          return;
        }
      }
      lan_by_name.emplace(l.name, static_cast<int>(lans.size()));
      lans.push_back(std::move(lan));
    }
    NodeEnv env{*profile, seed, logging()};
    int number = 0;
    const std::size_t count = sc.hosts.size() + sc.routers.size() + sc.devices.size() + sc.switches.size();
    nodes.reserve(count);
    node_lan.reserve(count);
    node_ports.reserve(count);
    node_macs.reserve(count);
    wake_at.reserve(count);
    node_by_name.reserve(count);
    // Hosts in file order (blocks' hosts where the block is written; sim/scenario.hpp).
    std::size_t listed = 0;
    auto add_listed = [&](std::size_t upto) {
      for (; listed < upto && listed < sc.hosts.size(); ++listed)
        nodes.push_back(make_host_node(sc.hosts[listed], env, ++number, lan_mtu(sc.hosts[listed].lan)));
    };
    for (const auto& b : sc.host_blocks) {
      add_listed(b.position);
      const std::uint32_t mtu = lan_mtu(b.base.lan);
      block_nodes.push_back({&b, static_cast<int>(nodes.size())});
      for (std::uint32_t k = 0; k < b.count; ++k) {
        nodes.push_back(make_block_host_node(b, k, env, ++number, mtu));
      }
    }
    add_listed(sc.hosts.size());
    for (const auto& r : sc.routers) nodes.push_back(make_router_node(r, env, ++number));
    for (const auto& d : sc.devices) nodes.push_back(make_ch395_node(d, env, ++number));
    for (const auto& w : sc.switches) nodes.push_back(make_switch_node(w));
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (!attach(i)) return;
    timeline.emplace(sc);
    seq = timeline->size();
    push_next_action();
    for (std::size_t i = 0; i < sc.expects.size(); ++i) push(sc.expects[i].at, 1, EvKind::Expect, static_cast<int>(i));
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i]->start(0);
      update_macs(static_cast<int>(i));
      wake(static_cast<int>(i));
    }
  }

  void add_node(std::unique_ptr<Node> node) {
    if (!error.empty()) return;
    nodes.push_back(std::move(node));
    const std::size_t i = nodes.size() - 1;
    if (!attach(i)) return;
    nodes[i]->start(now);
    update_macs(static_cast<int>(i));
    wake(static_cast<int>(i));
  }

  std::uint32_t lan_mtu(const std::string& name) const {
    const int i = lan_index(name);
    return i < 0 ? 1500 : lans[static_cast<std::size_t>(i)].spec.mtu;
  }

  void wake(int n) {
    auto d = nodes[static_cast<std::size_t>(n)]->next_deadline();
    if (!d) return;
    const Time t = std::max(*d, now);
    Time& w = wake_at[static_cast<std::size_t>(n)];
    if (w >= 0 && w <= t) return;
    w = t;
    push(t, 0, EvKind::Wake, n);
  }

  void drain(int n) {
    Node& node = *nodes[static_cast<std::size_t>(n)];
    const int li = node_lan[static_cast<std::size_t>(n)];
    while (auto frame = node.poll_frame(now)) transmit(li, n, std::move(*frame));
    if (logging())
      for (auto& l : node.take_log()) emit(now, std::move(l.json), std::move(l.text));
    wake(n);
  }

  /// The nodes of `lan` that take a frame with destination MAC `dst` (sorted, by index).
  const std::vector<int>& receivers(Lan& lan, const std::vector<std::uint8_t>& bytes) {
    // Only multicast is filtered by MAC (group bit set, not broadcast).
    if (!lan.filter || bytes.size() < 14 || !(bytes[0] & 1) || MacAddr::from_bytes(bytes.data()).is_broadcast())
      return lan.nodes;
    const std::uint64_t k = mac_key(MacAddr::from_bytes(bytes.data()));
    auto it = lan.by_mac.find(k);
    if (it == lan.by_mac.end() || it->second.nodes.empty()) return lan.promisc;
    MacList& ml = it->second;
    if (ml.dirty) {
      std::sort(ml.nodes.begin(), ml.nodes.end());
      ml.dirty = false;
    }
    if (lan.promisc.empty()) return ml.nodes;
    recipients.clear();
    std::merge(ml.nodes.begin(), ml.nodes.end(), lan.promisc.begin(), lan.promisc.end(), std::back_inserter(recipients));
    return recipients;
  }

  /// Puts a frame on LAN `li` as sent by node `from` (-1: injected).
  void transmit(int li, int from, std::vector<std::uint8_t> bytes, bool forwarded = false) {
    Lan& lan = lans[static_cast<std::size_t>(li)];
    ++lan.frames;
    if (lan.pcap) lan.pcap->write(now / kSec, static_cast<std::uint32_t>(now % kSec), bytes);
    if (logging()) {
      const std::string& who = from >= 0 ? nodes[static_cast<std::size_t>(from)]->name() : lan.spec.name;
      log_frame(lan, who, bytes, forwarded);
    }
    const std::vector<int>& to_nodes = receivers(lan, bytes);
    const std::uint32_t id = new_frame(std::move(bytes));
    FrameSlot& slot = frames[id];
    slot.refs = 1;  // held while queueing
    const Time at = now + lan.spec.latency;
    for (int to : to_nodes) {
      if (to == from) continue;
      // Seeded loss / duplication of the segment.
      if (lan.spec.loss > 0 && static_cast<double>(lan_rng.next() >> 11) * 0x1.0p-53 < lan.spec.loss) continue;
      ++frames[id].refs;
      push(at, 0, EvKind::Deliver, li, to, id);
      if (lan.spec.duplicate > 0 && static_cast<double>(lan_rng.next() >> 11) * 0x1.0p-53 < lan.spec.duplicate) {
        ++frames[id].refs;
        push(at, 0, EvKind::Deliver, li, to, id);
      }
    }
    release_frame(id);
  }

  void log_frame(const Lan& lan, const std::string& who, const std::vector<std::uint8_t>& bytes, bool forwarded) {
    wire::DecodedPacket p;
    if (!wire::decode_ethernet_frame(bytes, p)) return;  // data frames are logged by SEND
    pcap::Frame f;
    f.number = lan.frames;
    f.ts_sec = now / kSec;
    f.ts_nsec = static_cast<std::uint32_t>(now % kSec);
    f.caplen = f.len = static_cast<std::uint32_t>(bytes.size());
    f.data = wire::Bytes(bytes);
    // A switch's copy onto another segment is "fwd"; "tx" is the sender's own transmission.
    const char* ev = forwarded ? "fwd" : "tx";
    std::string json, text;
    if (want_json()) {
      std::string msg;
      pcap::append_json(msg, f, p);
      json = JsonObject().seconds("t", now).str("node", who).str("event", ev).str("lan", lan.spec.name).merge(msg).done();
    }
    if (want_text()) {
      std::string line;
      pcap::append_text(line, f, p);
      // Drop the frame number and capture time columns of the decode line: the log has its own.
      auto arrow = line.find(' ', line.find_first_not_of(' '));
      arrow = line.find(' ', arrow + 1);
      text = format_seconds(now) + "  " + who + " " + ev + " " + lan.spec.name + ":" + line.substr(arrow);
    }
    emit(now, std::move(json), std::move(text));
  }

  void deliver(const Ev& e) {
    Node& node = *nodes[static_cast<std::size_t>(e.b)];
    if (node.bridges()) {
      const auto& ports = node_ports[static_cast<std::size_t>(e.b)];
      int in_port = -1;
      for (std::size_t p = 0; p < ports.size(); ++p)
        if (ports[p] == e.a) in_port = static_cast<int>(p);
      const std::vector<std::uint8_t> bytes = frames[e.frame].bytes;  // the pool may grow below
      for (int p : node.forward(bytes, in_port, now)) transmit(ports[static_cast<std::size_t>(p)], e.b, bytes, true);
      return;
    }
    node.receive(frames[e.frame].bytes, now);
    if (logging())
      for (auto& l : node.take_log()) emit(now, std::move(l.json), std::move(l.text));
    drain(e.b);
  }

  void record(const SourceLoc& loc, Time at, bool passed, std::string what, std::string detail) {
    if (!passed) ++failures;
    results.push_back({loc, at, passed, what, detail});
  }

  /// `host`: the node index when the timeline knows it (block actions), else -1 (by name).
  std::string action(const EventSpec& ev, int host = -1) {
    if (ev.op == OpKind::Inject) {
      const int li = lan_index(ev.node);
      if (li < 0) return "unknown LAN '" + ev.node + "'";
      transmit(li, -1, ev.frame);
      return "ok";
    }
    const int n = host >= 0 ? host : node_index(ev.node);
    if (n < 0) return "unknown node '" + ev.node + "'";  // the loader checks names in files
    Node& node = *nodes[static_cast<std::size_t>(n)];
    ActionOutcome out = node.act(ev, now);
    for (auto& l : out.log) emit(now, std::move(l.json), std::move(l.text));
    update_macs(n);
    if (ev.expect) {
      const bool ok = out.result == *ev.expect;
      record(ev.loc, now, ok, ev.op_name + " expect " + *ev.expect, ok ? "" : "got " + out.result);
      if (!ok && logging()) {
        emit(now, JsonObject().seconds("t", now).str("node", ev.node).str("event", "expect").str("what", ev.op_name)
                      .str("expected", *ev.expect).str("result", out.result).boolean("passed", false).str("at", ev.loc.to_string()).done(),
             format_seconds(now) + "  " + ev.node + " FAIL " + ev.loc.to_string() + ": " + ev.op_name + " expected " +
                 *ev.expect + ", got " + out.result);
      }
    }
    drain(n);
    return out.result;
  }

  void expect(const ExpectSpec& x) {
    const int n = node_index(x.node);
    if (n < 0) {
      record(x.loc, now, false, "expectation on unknown node '" + x.node + "'", "");
      return;
    }
    CheckOutcome c = nodes[static_cast<std::size_t>(n)]->check(x, now);
    record(x.loc, now, c.passed, c.what, c.passed ? c.detail : "observed " + c.observed);
    if (logging())
      emit(now,
         JsonObject().seconds("t", now).str("node", x.node).str("event", "expect").str("what", c.what)
             .boolean("passed", c.passed).str("observed", c.observed).str("at", x.loc.to_string()).done(),
         format_seconds(now) + "  " + x.node + (c.passed ? " PASS " : " FAIL ") + x.loc.to_string() + ": " + c.what +
             (c.passed ? "" : " (observed " + c.observed + ")"));
  }

  bool step() {
    if (!error.empty() || queue.empty() || queue.top().t > end) return false;
    const Ev e = queue.top();
    top_spent = true;  // every event pushed while processing comes after it
    now = e.t;
    ++processed;
    switch (e.kind) {
      case EvKind::Action: {
        int host = -1;
        const EventSpec& ev = timeline->next(host);
        action(ev, host);
        push_next_action();
        break;
      }
      case EvKind::Expect:
        expect(sc.expects[static_cast<std::size_t>(e.a)]);
        break;
      case EvKind::Deliver:
        deliver(e);
        release_frame(e.frame);
        break;
      case EvKind::Wake:
        if (wake_at[static_cast<std::size_t>(e.a)] != e.t) break;  // superseded
        wake_at[static_cast<std::size_t>(e.a)] = -1;
        drain(e.a);
        break;
    }
    if (top_spent) {
      top_spent = false;
      queue.pop();
    }
    return true;
  }
};

Simulation::Simulation(const Scenario& scenario, SimOptions options) : Simulation(Scenario(scenario), std::move(options)) {}

Simulation::Simulation(Scenario&& scenario, SimOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->sc = std::move(scenario);
  impl_->opt = std::move(options);
  impl_->build();
}

Simulation::~Simulation() = default;

void Simulation::run(std::optional<Time> until) {
  if (until) impl_->end = *until;
  while (impl_->step()) {
  }
  if (impl_->error.empty()) impl_->now = std::max(impl_->now, impl_->end);
  for (auto& l : impl_->lans)
    if (l.pcap) l.pcap->flush();
}

bool Simulation::step() { return impl_->step(); }

std::string Simulation::apply(const EventSpec& ev) { return impl_->action(ev); }

ExpectResult Simulation::check(const ExpectSpec& x) {
  impl_->expect(x);
  return impl_->results.back();
}
Time Simulation::now() const { return impl_->now; }
Time Simulation::end() const { return impl_->end; }
std::uint64_t Simulation::events_processed() const { return impl_->processed; }
void Simulation::add_node(std::unique_ptr<Node> node) { impl_->add_node(std::move(node)); }
void Simulation::on_event(std::function<void(const LogEvent&)> cb) { impl_->sink = std::move(cb); }
const std::vector<LogEvent>& Simulation::log() const { return impl_->log; }
const std::vector<ExpectResult>& Simulation::results() const { return impl_->results; }
std::size_t Simulation::failures() const { return impl_->failures; }
const std::string& Simulation::error() const { return impl_->error; }

}  // namespace mcsim::sim
