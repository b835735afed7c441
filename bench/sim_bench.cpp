// Discrete-event simulator (sim/) throughput and scale.
//   BM_TimerEvents/<nodes>   raw event-queue throughput: <nodes> nodes on one LAN whose only
//                            activity is a periodic timer (1 ms period, staggered); each
//                            timer firing is one Wake event. Counter: events/s.
//   BM_ScaleScenario/<hosts> the scale scenario of the project issue built in code: <hosts>
//                            IGMPv3 hosts x 10 groups (IP_ADD_MEMBERSHIP at t=1s, spread over
//                            10 s) on one LAN behind one IGMPv3 querier (default timers, no
//                            MLD), run for one hour of virtual time with SimOptions.log = None.
//                            Counters: wall_s, events, events/s, memberships, peak_rss_MiB
//                            (getrusage ru_maxrss of the process), rss_per_membership_B
//                            (peak RSS / memberships), input_bytes_per_membership (RSS of the
//                            generated Scenario: HostSpecs + 10 EventSpecs per host),
//                            built_bytes_per_membership (RSS growth of building the
//                            Simulation) and sim_bytes_per_membership (RSS growth from the
//                            built scenario to the end of the run: nodes, engines, queue).
// Full size by hand: build-perf/bin/sim_bench --benchmark_filter=BM_ScaleScenario/100000
// (MCSIM_BENCH_SCALE_HOSTS=N overrides the default CI-sized argument list).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "sim/nodes.hpp"
#include "sim/simulator.hpp"

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

/// The scale scenario: `hosts` IGMPv3 hosts x 10 groups behind one IGMPv3 querier, 1 h.
Scenario scale_scenario(int hosts) {
  constexpr int kGroups = 10;
  Scenario sc = empty_lan(seconds(3600));
  sc.name = "scale";
  sc.hosts.reserve(static_cast<std::size_t>(hosts));
  for (int i = 0; i < hosts; ++i) {
    HostSpec h;
    h.name = "h" + std::to_string(i + 1);
    h.lan = "lan0";
    h.ipv4 = Ipv4Addr::from_u32(0x0A000000u + static_cast<std::uint32_t>(i) + 1);  // 10.0.0.1...
    h.solicited_node = false;  // IPv4 only: no MLD querier, no solicited-node reports
    sc.hosts.push_back(std::move(h));
  }
  RouterSpec r;
  r.name = "querier";
  r.lan = "lan0";
  r.ipv4 = Ipv4Addr::from_u32(0x0AFFFFFEu);  // 10.255.255.254
  r.igmp = 3;
  r.mld = 0;
  sc.routers.push_back(r);
  const std::int64_t total = static_cast<std::int64_t>(hosts) * kGroups;
  sc.events.reserve(static_cast<std::size_t>(total));
  for (std::int64_t k = 0; k < total; ++k) {
    const int host = static_cast<int>(k % hosts);  // round-robin over hosts, spread over 10 s
    const int g = static_cast<int>(k / hosts);
    EventSpec ev;
    ev.at = seconds(1) + seconds(10) * k / total;
    ev.node_kind = NodeKind::Host;
    ev.node = sc.hosts[static_cast<std::size_t>(host)].name;
    ev.op = OpKind::SocketOption;
    ev.option = api::Option::IpAddMembership;
    ev.op_name = "IP_ADD_MEMBERSHIP";
    ev.socket = "s";
    ev.group = IpAddr(Ipv4Addr::from_u32(0xEF010000u + static_cast<std::uint32_t>(g)));  // 239.1.0.g
    ev.expect = "ok";
    sc.events.push_back(std::move(ev));
  }
  return sc;
}

void BM_ScaleScenario(benchmark::State& state) {
  const auto hosts = static_cast<int>(state.range(0));
  const double memberships = static_cast<double>(hosts) * 10.0;
  double wall = 0, events = 0, grown = 0, input = 0, built = 0;
  std::size_t failures = 0;
  for (auto _ : state) {
    const double rss0 = current_rss_bytes();
    const auto t0 = std::chrono::steady_clock::now();
    Scenario sc = scale_scenario(hosts);
    input = current_rss_bytes() - rss0;
    SimOptions opt;
    opt.log = LogMode::None;
    Simulation sim(std::move(sc), opt);
    built = current_rss_bytes() - rss0 - input;
    sim.run();
    const auto t1 = std::chrono::steady_clock::now();
    grown = current_rss_bytes() - rss0 - input;
    wall = std::chrono::duration<double>(t1 - t0).count();
    events = static_cast<double>(sim.events_processed());
    failures = sim.failures();
  }
  if (failures) state.SkipWithError("an IP_ADD_MEMBERSHIP failed");
  const double peak = peak_rss_bytes();
  state.counters["wall_s"] = wall;
  state.counters["events"] = events;
  state.counters["events/s"] = events / wall;
  state.counters["memberships"] = memberships;
  state.counters["peak_rss_MiB"] = peak / (1024.0 * 1024.0);
  state.counters["rss_per_membership_B"] = peak / memberships;
  state.counters["sim_bytes_per_membership"] = grown / memberships;
  state.counters["input_bytes_per_membership"] = input / memberships;
  state.counters["built_bytes_per_membership"] = built / memberships;
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
