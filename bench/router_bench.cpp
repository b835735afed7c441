// Router engine (stack/router) processing rate and memory: 100,000 groups with 10 sources
// each, refreshed by current-state reports (IS_IN, one record of 10 sources per report) as
// the answers to general queries would refresh them, and by state changes (BLOCK of one
// source, which makes the querier send a group-and-source-specific query, RFC 9776 §6.6.3).
// Reports arrive spread over the Query Interval (QI / groups apart), as on a real link.
// Counters:
//   reports/s          reports processed per second (each one record)
//   bytes_per_entry    RouterIface::memory_bytes() / (groups * sources): engine state per
//                      (group, source) entry, group records and timer heap included
//   bytes_per_group    the same per group
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "stack/router/router_iface.hpp"

namespace {

using namespace mcsim;
using namespace mcsim::router;

constexpr std::uint32_t kSourcesPerGroup = 10;

Ipv4Addr group_at(RouterIpv4Traits, std::uint32_t i) { return Ipv4Addr::from_u32(0xE8000000u + 0x10000u + i); }
Ipv4Addr source_at(RouterIpv4Traits, std::uint32_t i) { return Ipv4Addr::from_u32(0x0A000000u + 1 + i); }
Ipv6Addr v6_at(std::uint8_t b0, std::uint8_t b1, std::uint32_t i) {
  std::array<std::uint8_t, 16> b{};
  b[0] = b0;
  b[1] = b1;
  b[12] = static_cast<std::uint8_t>(i >> 24);
  b[13] = static_cast<std::uint8_t>(i >> 16);
  b[14] = static_cast<std::uint8_t>(i >> 8);
  b[15] = static_cast<std::uint8_t>(i + 1);
  return Ipv6Addr::from_bytes(b.data());
}
Ipv6Addr group_at(RouterIpv6Traits, std::uint32_t i) { return v6_at(0xff, 0x3e, i); }
Ipv6Addr source_at(RouterIpv6Traits, std::uint32_t i) { return v6_at(0x20, 0x01, i); }
RxInfo<Ipv4Addr> rx(RouterIpv4Traits) { return {Ipv4Addr(10, 0, 0, 100), ipv4::kIgmpv3Routers, 1, true, true}; }
RxInfo<Ipv6Addr> rx(RouterIpv6Traits) { return {ipv6::make(0xfe80, 0, 0, 0, 0, 0, 0, 0x100), ipv6::kAllMldv2Routers, 1, true, true}; }
wire::IgmpMessage report(RouterIpv4Traits) { return wire::igmpv3_report(); }
wire::MldMessage report(RouterIpv6Traits) { return wire::mldv2_report(); }
Ipv4Addr own(RouterIpv4Traits) { return Ipv4Addr(10, 0, 0, 1); }
Ipv6Addr own(RouterIpv6Traits) { return ipv6::make(0xfe80, 0, 0, 0, 0, 0, 0, 1); }

/// A one-record report reused for every group (the engine copies what it keeps).
template <class T>
struct OneRecord {
  typename T::Msg m = report(T{});
  explicit OneRecord(RecordType t) {
    std::vector<typename T::Addr> s;
    for (std::uint32_t j = 0; j < kSourcesPerGroup; ++j) s.push_back(source_at(T{}, j));
    m.add_record(t, group_at(T{}, 0), s);
  }
  const typename T::Msg& for_group(std::uint32_t i, std::uint16_t nsrc = kSourcesPerGroup) {
    m.records[0].group = group_at(T{}, i);
    m.records[0].num_sources = nsrc;
    return m;
  }
};

template <class T>
void drain(RouterIface<T>& r, Time now, std::size_t& sent) {
  while (r.poll_output(now)) ++sent;
}

template <class T>
void populate(RouterIface<T>& r, std::uint32_t groups, Time& now, Duration step) {
  OneRecord<T> rec(RecordType::ModeIsInclude);
  for (std::uint32_t i = 0; i < groups; ++i) {
    r.handle(rec.for_group(i), rx(T{}), now);
    now += step;
  }
}

template <class T>
void BM_RouterCurrentStateRefresh(benchmark::State& state) {
  const auto groups = static_cast<std::uint32_t>(state.range(0));
  Rng rng{1};
  RouterConfig cfg;
  RouterIface<T> r(cfg, own(T{}), rng);
  const Duration step = cfg.query_interval / groups;  // one refresh per group per QI
  Time now = 0;
  populate(r, groups, now, step);
  OneRecord<T> rec(RecordType::ModeIsInclude);
  std::uint32_t i = 0;
  std::size_t sent = 0;
  for (auto _ : state) {
    r.handle(rec.for_group(i), rx(T{}), now);
    drain(r, now, sent);
    if (++i == groups) i = 0;
    now += step;
  }
  state.counters["reports/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["groups"] = static_cast<double>(r.group_count());
  state.counters["bytes_per_entry"] =
      static_cast<double>(r.memory_bytes()) / (static_cast<double>(r.group_count()) * kSourcesPerGroup);
  state.counters["bytes_per_group"] = static_cast<double>(r.memory_bytes()) / static_cast<double>(r.group_count());
  state.counters["queries_sent"] = static_cast<double>(sent);
}

/// BLOCK of one source followed by the IS_IN refresh that re-reports it: each BLOCK makes
/// the querier lower a source timer and send Q(G,S) (§6.6.3.2), each IS_IN restores it.
template <class T>
void BM_RouterBlockThenRefresh(benchmark::State& state) {
  const auto groups = static_cast<std::uint32_t>(state.range(0));
  Rng rng{1};
  RouterConfig cfg;
  RouterIface<T> r(cfg, own(T{}), rng);
  const Duration step = cfg.query_interval / groups;
  Time now = 0;
  populate(r, groups, now, step);
  OneRecord<T> block(RecordType::BlockOldSources);
  OneRecord<T> refresh(RecordType::ModeIsInclude);
  std::uint32_t i = 0;
  std::size_t sent = 0;
  for (auto _ : state) {
    r.handle(block.for_group(i, 1), rx(T{}), now);
    r.handle(refresh.for_group(i), rx(T{}), now + step / 2);
    drain(r, now + step / 2, sent);
    if (++i == groups) i = 0;
    now += step;
  }
  state.counters["reports/s"] = benchmark::Counter(2.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes_per_entry"] =
      static_cast<double>(r.memory_bytes()) / (static_cast<double>(r.group_count()) * kSourcesPerGroup);
  state.counters["queries_sent"] = static_cast<double>(sent);
}

BENCHMARK_TEMPLATE(BM_RouterCurrentStateRefresh, RouterIpv4Traits)->Arg(100000)->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(BM_RouterCurrentStateRefresh, RouterIpv6Traits)->Arg(100000)->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(BM_RouterBlockThenRefresh, RouterIpv4Traits)->Arg(100000)->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(BM_RouterBlockThenRefresh, RouterIpv6Traits)->Arg(100000)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
