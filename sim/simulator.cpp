#include "sim/simulator.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <queue>

#include "pcap/capture.hpp"
#include "pcap/format.hpp"
#include "sim/json.hpp"
#include "sim/nodes.hpp"
#include "stack/rng.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::sim {

namespace {

enum class EvKind : std::uint8_t { Action, Deliver, Wake, Expect };

struct Ev {
  Time t = 0;
  std::uint8_t prio = 0;  // at one instant: deliveries/wakes/actions (0) before expectations (1)
  std::uint64_t seq = 0;
  EvKind kind = EvKind::Action;
  int a = 0;  // action/expect index, LAN index, node index
  int b = 0;  // receiving node
  std::shared_ptr<const std::vector<std::uint8_t>> frame;
  friend bool operator>(const Ev& x, const Ev& y) {
    if (x.t != y.t) return x.t > y.t;
    if (x.prio != y.prio) return x.prio > y.prio;
    return x.seq > y.seq;
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
  Rng lan_rng{1};
  std::priority_queue<Ev, std::vector<Ev>, std::greater<>> queue;

  struct Lan {
    LanSpec spec;
    std::vector<int> nodes;
    std::unique_ptr<pcap::Writer> pcap;
    std::uint64_t frames = 0;
  };
  std::vector<Lan> lans;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<Time> wake_at;
  std::vector<LogEvent> log;
  std::vector<ExpectResult> results;
  std::size_t failures = 0;
  std::function<void(const LogEvent&)> sink;

  static Ev make(Time t, std::uint8_t prio, EvKind k, int a, int b = 0,
                 std::shared_ptr<const std::vector<std::uint8_t>> frame = nullptr) {
    Ev e;
    e.t = t;
    e.prio = prio;
    e.kind = k;
    e.a = a;
    e.b = b;
    e.frame = std::move(frame);
    return e;
  }

  void push(Ev e) {
    e.seq = seq++;
    queue.push(std::move(e));
  }

  void emit(Time t, std::string json, std::string text) {
    LogEvent e{t, std::move(json), std::move(text)};
    if (sink) sink(e);
    log.push_back(std::move(e));
  }

  int lan_index(const std::string& name) const {
    for (std::size_t i = 0; i < lans.size(); ++i)
      if (lans[i].spec.name == name) return static_cast<int>(i);
    return -1;
  }
  int node_index(const std::string& name) const {
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i]->name() == name) return static_cast<int>(i);
    return -1;
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
      if (!opt.pcap_dir.empty()) {
        std::string err;
        lan.pcap = pcap::Writer::open(opt.pcap_dir + "/" + l.name + ".pcap", pcap::linktype::kEthernet, err);
        if (!lan.pcap) {
          error = err;
          return;
        }
      }
      lans.push_back(std::move(lan));
    }
    NodeEnv env{*profile, seed};
    int number = 0;
    for (const auto& h : sc.hosts) nodes.push_back(make_host_node(h, env, ++number, lan_mtu(h.lan)));
    for (const auto& r : sc.routers) nodes.push_back(make_router_node(r, env, ++number));
    for (const auto& w : sc.switches) nodes.push_back(make_switch_node(w));
    wake_at.assign(nodes.size(), -1);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      for (const auto& name : nodes[i]->lan_names()) {
        const int li = lan_index(name);
        if (li < 0) {
          error = nodes[i]->loc().to_string() + ": node '" + nodes[i]->name() + "' is on unknown LAN '" + name + "'";
          return;
        }
        lans[static_cast<std::size_t>(li)].nodes.push_back(static_cast<int>(i));
      }
    }
    for (std::size_t i = 0; i < sc.events.size(); ++i) push(make(sc.events[i].at, 0, EvKind::Action, static_cast<int>(i)));
    for (std::size_t i = 0; i < sc.expects.size(); ++i)
      push(make(sc.expects[i].at, 1, EvKind::Expect, static_cast<int>(i)));
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i]->start(0);
      wake(static_cast<int>(i));
    }
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
    push(make(t, 0, EvKind::Wake, n));
  }

  void drain(int n) {
    Node& node = *nodes[static_cast<std::size_t>(n)];
    const int li = lan_index(node.lan());
    while (auto frame = node.poll_frame(now)) transmit(li, n, std::move(*frame));
    wake(n);
  }

  /// Puts a frame on LAN `li` as sent by node `from` (-1: injected).
  void transmit(int li, int from, std::vector<std::uint8_t> bytes, bool forwarded = false) {
    Lan& lan = lans[static_cast<std::size_t>(li)];
    ++lan.frames;
    if (lan.pcap) lan.pcap->write(now / kSec, static_cast<std::uint32_t>(now % kSec), bytes);
    const std::string who = from >= 0 ? nodes[static_cast<std::size_t>(from)]->name() : lan.spec.name;
    log_frame(lan, who, bytes, forwarded);
    auto shared = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
    for (int to : lan.nodes) {
      if (to == from) continue;
      // Seeded loss / duplication of the segment.
      if (lan.spec.loss > 0 && static_cast<double>(lan_rng.next() >> 11) * 0x1.0p-53 < lan.spec.loss) continue;
      push(make(now + lan.spec.latency, 0, EvKind::Deliver, li, to, shared));
      if (lan.spec.duplicate > 0 && static_cast<double>(lan_rng.next() >> 11) * 0x1.0p-53 < lan.spec.duplicate)
        push(make(now + lan.spec.latency, 0, EvKind::Deliver, li, to, shared));
    }
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
    std::string msg;
    pcap::append_json(msg, f, p);
    // A switch's copy onto another segment is "fwd"; "tx" is the sender's own transmission.
    const char* ev = forwarded ? "fwd" : "tx";
    std::string json = JsonObject().seconds("t", now).str("node", who).str("event", ev).str("lan", lan.spec.name).merge(msg).done();
    std::string line;
    pcap::append_text(line, f, p);
    // Drop the frame number and capture time columns of the decode line: the log has its own.
    auto arrow = line.find(' ', line.find_first_not_of(' '));
    arrow = line.find(' ', arrow + 1);
    std::string text = format_seconds(now) + "  " + who + " " + ev + " " + lan.spec.name + ":" + line.substr(arrow);
    emit(now, std::move(json), std::move(text));
  }

  void deliver(const Ev& e) {
    Node& node = *nodes[static_cast<std::size_t>(e.b)];
    if (node.bridges()) {
      const auto names = node.lan_names();
      int in_port = -1;
      for (std::size_t p = 0; p < names.size(); ++p)
        if (lan_index(names[p]) == e.a) in_port = static_cast<int>(p);
      for (int p : node.forward(*e.frame, in_port, now))
        transmit(lan_index(names[static_cast<std::size_t>(p)]), e.b, *e.frame, true);
      return;
    }
    node.receive(*e.frame, now);
    for (auto& l : node.take_log()) emit(now, std::move(l.json), std::move(l.text));
    drain(e.b);
  }

  void record(const SourceLoc& loc, Time at, bool passed, std::string what, std::string detail) {
    if (!passed) ++failures;
    results.push_back({loc, at, passed, what, detail});
  }

  void action(const EventSpec& ev) {
    if (ev.op == OpKind::Inject) {
      const int li = lan_index(ev.node);
      transmit(li, -1, ev.frame);
      return;
    }
    const int n = node_index(ev.node);
    if (n < 0) return;  // the loader checked names
    Node& node = *nodes[static_cast<std::size_t>(n)];
    ActionOutcome out = node.act(ev, now);
    for (auto& l : out.log) emit(now, std::move(l.json), std::move(l.text));
    if (ev.expect) {
      const bool ok = out.result == *ev.expect;
      record(ev.loc, now, ok, ev.op_name + " expect " + *ev.expect, ok ? "" : "got " + out.result);
      if (!ok) {
        emit(now, JsonObject().seconds("t", now).str("node", ev.node).str("event", "expect").str("what", ev.op_name)
                      .str("expected", *ev.expect).str("result", out.result).boolean("passed", false).str("at", ev.loc.to_string()).done(),
             format_seconds(now) + "  " + ev.node + " FAIL " + ev.loc.to_string() + ": " + ev.op_name + " expected " +
                 *ev.expect + ", got " + out.result);
      }
    }
    drain(n);
  }

  void expect(const ExpectSpec& x) {
    const int n = node_index(x.node);
    if (n < 0) return;
    CheckOutcome c = nodes[static_cast<std::size_t>(n)]->check(x, now);
    record(x.loc, now, c.passed, c.what, c.passed ? c.detail : "observed " + c.observed);
    emit(now,
         JsonObject().seconds("t", now).str("node", x.node).str("event", "expect").str("what", c.what)
             .boolean("passed", c.passed).str("observed", c.observed).str("at", x.loc.to_string()).done(),
         format_seconds(now) + "  " + x.node + (c.passed ? " PASS " : " FAIL ") + x.loc.to_string() + ": " + c.what +
             (c.passed ? "" : " (observed " + c.observed + ")"));
  }

  bool step() {
    if (!error.empty() || queue.empty() || queue.top().t > end) return false;
    Ev e = queue.top();
    queue.pop();
    now = e.t;
    switch (e.kind) {
      case EvKind::Action:
        action(sc.events[static_cast<std::size_t>(e.a)]);
        break;
      case EvKind::Expect:
        expect(sc.expects[static_cast<std::size_t>(e.a)]);
        break;
      case EvKind::Deliver:
        deliver(e);
        break;
      case EvKind::Wake:
        if (wake_at[static_cast<std::size_t>(e.a)] != e.t) break;  // superseded
        wake_at[static_cast<std::size_t>(e.a)] = -1;
        drain(e.a);
        break;
    }
    return true;
  }
};

Simulation::Simulation(const Scenario& scenario, SimOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->sc = scenario;
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
Time Simulation::now() const { return impl_->now; }
Time Simulation::end() const { return impl_->end; }
void Simulation::on_event(std::function<void(const LogEvent&)> cb) { impl_->sink = std::move(cb); }
const std::vector<LogEvent>& Simulation::log() const { return impl_->log; }
const std::vector<ExpectResult>& Simulation::results() const { return impl_->results; }
std::size_t Simulation::failures() const { return impl_->failures; }
const std::string& Simulation::error() const { return impl_->error; }

}  // namespace mcsim::sim
