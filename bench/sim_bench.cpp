// Discrete-event simulator (sim/) throughput and scale.
//   BM_TimerEvents/<nodes>   raw event-queue throughput: <nodes> nodes on one LAN whose only
//                            activity is a periodic timer (1 ms period, staggered); each
//                            timer firing is one Wake event. Counter: events/s.
//   BM_ScaleScenario/<hosts> the scale scenario of the project issue, written as a user would
//                            (one host block, sim::HostBlockSpec): <hosts> IGMPv3 hosts x 10
//                            groups (IP_ADD_MEMBERSHIP spread over t = 1 s .. 11 s) on one LAN
//                            behind one IGMPv3 querier (default timers, no MLD), one hour of
//                            virtual time, SimOptions.log = None; expectations at the end
//                            check the querier's and two hosts' state. Prints, per membership,
//                            with PASS/MISS against 256 bytes: the simulation state (live heap
//                            bytes after the run, counted by the operator new below, scenario
//                            included), RSS after the run minus RSS before building the
//                            scenario, and the peak RSS above that; and the wall time against
//                            60 s. Counters: wall_s, events, events/s, memberships,
//                            peak_rss_MiB (whole process), state_B_per_membership,
//                            rss_B_per_membership, peak_rss_B_per_membership,
//                            input_B_per_membership (the Scenario), built_B_per_membership
//                            (after building the Simulation, before the first event).
//                            MCSIM_BENCH_SCALE_EXPECT=1 adds `expect: ok` to every join.
// Full size by hand: build-perf/bin/sim_bench --benchmark_filter=BM_ScaleScenario/100000
// (MCSIM_BENCH_SCALE_HOSTS=N overrides the default CI-sized argument list).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <new>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "sim/nodes.hpp"
#include "sim/simulator.hpp"

#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // free() of our own operator new blocks

// Live heap bytes of the process (malloc_usable_size of every block from operator new), for
// the scale scenario's simulation-state figure. Single-threaded benchmarks only.
std::int64_t g_heap_live = 0;

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  g_heap_live += static_cast<std::int64_t>(malloc_usable_size(p));
  return p;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  g_heap_live -= static_cast<std::int64_t>(malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using namespace mcsim;
using namespace mcsim::sim;

/// Peak RSS of the process in bytes (Linux: ru_maxrss is in KiB).
double peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}

/// Current RSS in bytes (/proc/self/statm).
double current_rss_bytes() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * 4096.0;
}

/// A node whose only activity is a timer: every `period` it wakes and does nothing else.
class TimerNode final : public Node {
 public:
  TimerNode(std::string name, Time first, Duration period) : name_(std::move(name)), next_(first), period_(period) {}
  const std::string& name() const override { return name_; }
  const std::string& lan() const override { return lan_; }
  const SourceLoc& loc() const override { return loc_; }
  void start(Time) override {}
  std::optional<Time> next_deadline() const override { return next_; }
  std::optional<std::vector<std::uint8_t>> poll_frame(Time now) override {
    while (next_ <= now) next_ += period_;
    return std::nullopt;
  }
  void receive(const std::vector<std::uint8_t>&, Time) override {}
  ActionOutcome act(const EventSpec&, Time) override { return {}; }
  CheckOutcome check(const ExpectSpec&, Time) override { return {}; }

 private:
  std::string name_;
  std::string lan_ = "lan0";
  SourceLoc loc_;
  Time next_;
  Duration period_;
};

Scenario empty_lan(Time until) {
  Scenario sc;
  sc.name = "bench";
  sc.file = "sim_bench";
  sc.until = until;
  LanSpec lan;
  lan.name = "lan0";
  sc.lans.push_back(lan);
  return sc;
}

void BM_TimerEvents(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const Duration period = ms(1);
  std::uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SimOptions opt;
    opt.log = LogMode::None;
    auto sim = std::make_unique<Simulation>(empty_lan(seconds(3600)), opt);
    for (int i = 0; i < n; ++i)
      sim->add_node(std::make_unique<TimerNode>("t" + std::to_string(i), period * i / n, period));
    // Warm up: one full period so the heap holds every timer.
    sim->run(period);
    const std::uint64_t before = sim->events_processed();
    state.ResumeTiming();
    sim->run(period * 201);  // 200 periods
    state.PauseTiming();
    events += sim->events_processed() - before;
    sim.reset();
    state.ResumeTiming();
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TimerEvents)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The scale scenario: `hosts` IGMPv3 hosts x 10 groups behind one IGMPv3 querier, 1 h,
/// written as a user would: one host block (docs/scenarios.md "Host blocks") with one
/// IP_ADD_MEMBERSHIP template per group. Template g joins 239.1.0.g, host k at
/// 1 s + g s + k/hosts s: the 1,000,000 joins spread evenly over t = 1 s .. 11 s, host by host
/// within a group (the same instants and order as the 1,000,000 EventSpecs this benchmark
/// generated before host blocks existed).
Scenario scale_scenario(int hosts, bool expect_each) {
  constexpr int kGroups = 10;
  Scenario sc = empty_lan(seconds(3600));
  sc.name = "scale";
  HostBlockSpec b;
  b.base.name = "h";
  b.base.lan = "lan0";
  b.base.ipv4 = Ipv4Addr::from_u32(0x0A000001u);  // 10.0.0.1, 10.0.0.2, ...
  b.base.solicited_node = false;  // IPv4 only: no MLD querier, no solicited-node reports
  b.count = static_cast<std::uint32_t>(hosts);
  for (int g = 0; g < kGroups; ++g) {
    BlockEventSpec t;
    t.ev.at = seconds(1) + seconds(g);
    t.ev.node_kind = NodeKind::Host;
    t.ev.op = OpKind::SocketOption;
    t.ev.option = api::Option::IpAddMembership;
    t.ev.op_name = "IP_ADD_MEMBERSHIP";
    t.ev.socket = "s";
    t.ev.group = IpAddr(Ipv4Addr::from_u32(0xEF010000u + static_cast<std::uint32_t>(g)));  // 239.1.0.g
    // `expect: ok` on each of the 1,000,000 joins would keep 1,000,000 ExpectResults (~236
    // bytes each: the results are output, like the log); MCSIM_BENCH_SCALE_EXPECT=1 measures
    // that. Otherwise the end-of-run expectations below check the joins.
    if (expect_each) t.ev.expect = "ok";
    t.spread = seconds(1);
    t.first = 0;
    t.last = static_cast<std::uint32_t>(hosts - 1);
    b.events.push_back(std::move(t));
  }
  sc.host_blocks.push_back(std::move(b));
  RouterSpec r;
  r.name = "querier";
  r.lan = "lan0";
  r.ipv4 = Ipv4Addr::from_u32(0x0AFFFFFEu);  // 10.255.255.254
  r.igmp = 3;
  r.mld = 0;
  sc.routers.push_back(r);
  // At the end: the querier has every group in EXCLUDE {} (RFC 9776 §6.4), the first and the
  // last host are members of every group.
  for (int g = 0; g < kGroups; ++g) {
    const IpAddr group(Ipv4Addr::from_u32(0xEF010000u + static_cast<std::uint32_t>(g)));
    ExpectSpec x;
    x.at = seconds(3599);
    x.node_kind = NodeKind::Router;
    x.node = "querier";
    x.group = group;
    x.mode = FilterMode::Exclude;
    x.sources = std::vector<IpAddr>{};
    sc.expects.push_back(x);
    for (const std::string& h : {std::string("h1"), "h" + std::to_string(hosts)}) {
      ExpectSpec m;
      m.at = seconds(3599);
      m.node = h;
      m.group = group;
      m.member = true;
      sc.expects.push_back(m);
    }
  }
  return sc;
}

void BM_ScaleScenario(benchmark::State& state) {
  const auto hosts = static_cast<int>(state.range(0));
  const double memberships = static_cast<double>(hosts) * 10.0;
  const char* ee = std::getenv("MCSIM_BENCH_SCALE_EXPECT");
  const bool expect_each = ee && std::string(ee) == "1";
  double wall = 0, events = 0, rss_grown = 0, heap_live = 0, heap_built = 0, heap_input = 0, peak_grown = 0;
  std::size_t failures = 0;
  for (auto _ : state) {
    const double rss0 = current_rss_bytes();
    const double peak0 = peak_rss_bytes();
    const std::int64_t heap0 = g_heap_live;
    const auto t0 = std::chrono::steady_clock::now();
    Scenario sc = scale_scenario(hosts, expect_each);
    heap_input = static_cast<double>(g_heap_live - heap0);
    SimOptions opt;
    opt.log = LogMode::None;
    Simulation sim(std::move(sc), opt);
    heap_built = static_cast<double>(g_heap_live - heap0);
    sim.run();
    const auto t1 = std::chrono::steady_clock::now();
    heap_live = static_cast<double>(g_heap_live - heap0);
    rss_grown = current_rss_bytes() - rss0;
    // ru_maxrss is the process's peak: count only what rose above the RSS before this run
    // (the first iteration in a fresh process, as run by hand, has peak0 <= rss0).
    peak_grown = std::max(0.0, peak_rss_bytes() - std::max(rss0, peak0));
    wall = std::chrono::duration<double>(t1 - t0).count();
    events = static_cast<double>(sim.events_processed());
    failures = sim.failures();
  }
  if (failures) state.SkipWithError("an expectation failed (a join, or the final membership state)");
  const double peak = peak_rss_bytes();
  const double state_b = heap_live / memberships, rss_b = rss_grown / memberships;
  const double peak_b = std::max(rss_grown, peak_grown) / memberships;
  state.counters["wall_s"] = wall;
  state.counters["events"] = events;
  state.counters["events/s"] = events / wall;
  state.counters["memberships"] = memberships;
  state.counters["peak_rss_MiB"] = peak / (1024.0 * 1024.0);
  state.counters["state_B_per_membership"] = state_b;
  state.counters["rss_B_per_membership"] = rss_b;
  state.counters["peak_rss_B_per_membership"] = peak_b;
  state.counters["input_B_per_membership"] = heap_input / memberships;
  state.counters["built_B_per_membership"] = heap_built / memberships;
  auto verdict = [](bool ok) { return ok ? "PASS" : "MISS"; };
  std::printf(
      "scale %d hosts x 10 groups = %.0f memberships, 1 h virtual, %.0f events%s\n"
      "  simulation state (live heap after the run, incl. the scenario): %7.1f B/membership  %s (< 256)\n"
      "    of which the scenario input %.1f B, built before the first event %.1f B\n"
      "  RSS after the run - RSS before building the scenario:         %7.1f B/membership  %s (< 256)\n"
      "  peak RSS - RSS before building the scenario:                  %7.1f B/membership  %s (< 256)\n"
      "  wall time (build + run): %.2f s  %s (< 60 s), %.2f M events/s\n",
      hosts, memberships, events, expect_each ? " (expect: ok on every join)" : "", state_b, verdict(state_b < 256), heap_input / memberships, heap_built / memberships,
      rss_b, verdict(rss_b < 256), peak_b, verdict(peak_b < 256), wall, verdict(wall < 60), events / wall / 1e6);
  std::fflush(stdout);
}

void scale_args(benchmark::internal::Benchmark* b) {
  if (const char* e = std::getenv("MCSIM_BENCH_SCALE_HOSTS")) {
    b->Arg(std::atoi(e));
  } else {
    b->Arg(1000)->Arg(100000);
  }
  b->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
}
BENCHMARK(BM_ScaleScenario)->Apply(scale_args);

}  // namespace

BENCHMARK_MAIN();
