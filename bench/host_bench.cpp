// Host engine (stack/host) throughput and memory: general-query responses for 1, 100 and
// 10,000 groups per interface with 0, 10 and 1,000 sources per group (0 sources = an
// any-source EXCLUDE{} membership; otherwise INCLUDE with that many sources).
// Counters:
//   records/s          group records generated per second (one per group per query)
//   reports/s          report messages (MTU-sized packing, RFC 9776 §4.2.16) per second
//   bytes_per_group    HostIface::memory_bytes() / group_count() (engine state)
#include <benchmark/benchmark.h>

#include <vector>

#include "stack/host/host_iface.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/mld.hpp"

namespace {

using namespace mcsim;
using namespace mcsim::host;

Ipv4Addr group_at(Ipv4Traits, std::uint32_t i) { return Ipv4Addr::from_u32(0xE8000000u + 0x10000u + i); }
Ipv4Addr source_at(Ipv4Traits, std::uint32_t i) { return Ipv4Addr::from_u32(0x0A000000u + 1 + i); }
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
Ipv6Addr group_at(Ipv6Traits, std::uint32_t i) { return v6_at(0xff, 0x3e, i); }
Ipv6Addr source_at(Ipv6Traits, std::uint32_t i) { return v6_at(0x20, 0x01, i); }

wire::IgmpMessage general_query(Ipv4Traits) { return wire::igmp_query(3, Ipv4Addr{}, 10, false, 2, 125); }
wire::MldMessage general_query(Ipv6Traits) { return wire::mld_query(2, Ipv6Addr{}, 1000, false, 2, 125); }

template <class T>
struct Drain {
  std::size_t messages = 0, records = 0;
  Time run(HostIface<T>& h, Time now, Time until) {
    for (;;) {
      while (auto o = h.poll_output(now)) {
        ++messages;
        records += o->msg.records.size();
      }
      auto d = h.next_deadline();
      if (!d || *d > until) return until;
      now = std::max(now, *d);
    }
  }
};

template <class T>
void BM_GeneralQueryResponse(benchmark::State& state) {
  const auto groups = static_cast<std::uint32_t>(state.range(0));
  const auto sources = static_cast<std::uint32_t>(state.range(1));
  Rng rng{1};
  HostIface<T> h(HostConfig{}, rng);
  Filter<typename T::Addr> f{sources ? FilterMode::Include : FilterMode::Exclude, {}};
  for (std::uint32_t s = 0; s < sources; ++s) f.sources.insert(source_at(T{}, s));
  Time now = 0;
  for (std::uint32_t g = 0; g < groups; ++g) h.set_state(group_at(T{}, g), f, now);
  Drain<T> warm;
  now = warm.run(h, now, now + seconds(30));  // state-change reports and retransmissions
  const auto q = general_query(T{});
  Drain<T> d;
  for (auto _ : state) {
    h.handle(q, now);
    now = d.run(h, now, now + seconds(2));
  }
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(d.records), benchmark::Counter::kIsRate);
  state.counters["reports/s"] = benchmark::Counter(static_cast<double>(d.messages), benchmark::Counter::kIsRate);
  state.counters["bytes_per_group"] =
      static_cast<double>(h.memory_bytes()) / static_cast<double>(std::max<std::size_t>(1, h.group_count()));
}

void Args(benchmark::internal::Benchmark* b) {
  for (int g : {1, 100, 10000})
    for (int s : {0, 10, 1000}) b->Args({g, s});
  b->ArgNames({"groups", "sources"})->Unit(benchmark::kMicrosecond);
}

BENCHMARK_TEMPLATE(BM_GeneralQueryResponse, Ipv4Traits)->Apply(Args);
BENCHMARK_TEMPLATE(BM_GeneralQueryResponse, Ipv6Traits)->Apply(Args);

}  // namespace

BENCHMARK_MAIN();
