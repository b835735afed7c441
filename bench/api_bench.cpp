// Cost of one socket-option call and of the RFC 9776 §3.2 merge with 1, 16,
// 256, 1024 sources per socket and 1..64 sockets. Reports ns/op (Google
// Benchmark's time) and allocations per operation (global operator new is
// replaced below and counted).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "stack/api/socket_api.hpp"
#include "stack/filter/filter.hpp"

namespace {
std::atomic<std::size_t> g_allocs{0};
}

// GCC sees the malloc/free pairs through inlined new/delete expressions and
// warns about a mismatch that is not one (these operators are the replacement).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace mcsim;
using namespace mcsim::api;

Ipv4Addr src(std::uint32_t i) { return Ipv4Addr::from_u32(0x0A000000u + i); }

// One IP_BLOCK_SOURCE + IP_UNBLOCK_SOURCE pair on a joined group (2 calls),
// with `others` other sockets joined to the same group on the interface.
void BM_OptionCall(benchmark::State& st) {
  const auto others = static_cast<int>(st.range(0));
  Profile p = Profile::windows();
  SocketApi api(p);
  const IfIndex i = api.add_interface("eth0");
  const Ipv4Addr g{239, 1, 1, 1};
  for (int k = 0; k < others; ++k)
    (void)api.set_option(api.open(Family::V4), Option::IpAddMembership, MembershipReq<Ipv4Addr>{g, {}, IfRef::with_index(i)});
  const SocketId s = api.open(Family::V4);
  (void)api.set_option(s, Option::IpAddMembership, MembershipReq<Ipv4Addr>{g, {}, IfRef::with_index(i)});
  const MembershipReq<Ipv4Addr> r{g, src(7), IfRef::with_index(i)};
  const std::size_t a0 = g_allocs.load();
  for (auto _ : st) {
    benchmark::DoNotOptimize(api.set_option(s, Option::IpBlockSource, r).ok());
    benchmark::DoNotOptimize(api.set_option(s, Option::IpUnblockSource, r).ok());
  }
  st.SetItemsProcessed(2 * st.iterations());
  st.counters["allocs/op"] = benchmark::Counter(static_cast<double>(g_allocs.load() - a0) / (2.0 * static_cast<double>(st.iterations())));
}
BENCHMARK(BM_OptionCall)->Arg(0)->Arg(15)->Arg(63);

// Merge of `sockets` EXCLUDE filters of `sources` each (overlapping by half)
// plus one INCLUDE filter, reusing one FilterMerger.
void BM_Merge(benchmark::State& st) {
  const auto sources = static_cast<std::uint32_t>(st.range(0));
  const auto sockets = static_cast<std::uint32_t>(st.range(1));
  std::vector<Filter<Ipv4Addr>> fs;
  for (std::uint32_t k = 0; k < sockets; ++k) {
    std::vector<Ipv4Addr> v;
    for (std::uint32_t j = 0; j < sources; ++j) v.push_back(src(k * (sources / 2) + j));
    fs.push_back(Filter<Ipv4Addr>{k + 1 == sockets && sockets > 1 ? FilterMode::Include : FilterMode::Exclude,
                                  SourceSet<Ipv4Addr>::from_unsorted(v)});
  }
  FilterMerger<Ipv4Addr> m;
  Filter<Ipv4Addr> out;
  for (int warm = 0; warm < 2; ++warm) {  // grow buffers once
    m.reset();
    for (const auto& f : fs) m.add(f);
    m.result(out);
  }
  const std::size_t a0 = g_allocs.load();
  for (auto _ : st) {
    m.reset();
    for (const auto& f : fs) m.add(f);
    m.result(out);
    benchmark::DoNotOptimize(out.sources.size());
  }
  st.counters["allocs/op"] = benchmark::Counter(static_cast<double>(g_allocs.load() - a0) / static_cast<double>(st.iterations()));
  st.counters["sources_in"] = static_cast<double>(sources) * sockets;
}
BENCHMARK(BM_Merge)->ArgsProduct({{1, 16, 256, 1024}, {1, 4, 16, 64}});

// A full-state call (SIOCSMSFILTER) replacing an EXCLUDE list of n sources
// on one of 16 sockets, including the interface merge it triggers.
void BM_SetFilterWithMerge(benchmark::State& st) {
  const auto n = static_cast<std::uint32_t>(st.range(0));
  Profile p = Profile::windows();
  p.limits.max_sources_v4 = 4096;
  SocketApi api(p);
  const IfIndex i = api.add_interface("eth0");
  const Ipv4Addr g{239, 1, 1, 1};
  std::vector<Ipv4Addr> a, b;
  for (std::uint32_t j = 0; j < n; ++j) {
    a.push_back(src(j));
    b.push_back(src(j + 1));
  }
  std::vector<SocketId> socks;
  for (int k = 0; k < 16; ++k) {
    socks.push_back(api.open(Family::V4));
    (void)api.set_filter<Ipv4Addr>(socks.back(), Option::McastMsfilter, IfRef::with_index(i), g, FilterMode::Exclude, a);
  }
  bool flip = false;
  const std::size_t a0 = g_allocs.load();
  for (auto _ : st) {
    flip = !flip;
    benchmark::DoNotOptimize(
        api.set_filter<Ipv4Addr>(socks[0], Option::McastMsfilter, IfRef::with_index(i), g, FilterMode::Exclude, flip ? b : a).ok());
  }
  st.counters["allocs/op"] = benchmark::Counter(static_cast<double>(g_allocs.load() - a0) / static_cast<double>(st.iterations()));
}
BENCHMARK(BM_SetFilterWithMerge)->Arg(1)->Arg(16)->Arg(256)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
