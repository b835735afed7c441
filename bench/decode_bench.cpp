// Decode throughput of the IGMP/MLD path that `mcsim decode` runs per frame.
//
//   DecodeIpDatagram      wire::decode_ip_datagram over in-memory IP datagrams
//   DecodeFrame           pcap::decode_frame (link layer + IP + message + validation)
//   DecodeFrameJson       decode_frame + pcap::append_json into a reused std::string
//   DecodeFrameText       decode_frame + pcap::append_text
//   SteadyStateAllocs     decode_frame + append_json, counting operator new calls per
//                         message after a warm-up pass (must be 0; fails otherwise)
//   ReadPcapFile          pcap::Reader + decode_frame over a whole capture file on disk
//   ReadPcapFileJson      the same + append_json (what `mcsim decode --format jsonl` does,
//                         minus the fwrite)
//
// The in-memory set is a mix of IGMPv1/v2/v3 and MLDv1/v2 queries and reports built with
// the project's own builders (stack/wire/packet.hpp), wrapped in Ethernet. The file
// benchmarks read $MCSIM_BENCH_PCAP (compare_decode.sh points it at the 1M-frame capture
// of make_capture.py); without it they write a capture of the in-memory mix to a
// temporary file first.
//
// items_per_second = IGMP/MLD messages per second; bytes_per_second = frame bytes.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "stack/wire/packet.hpp"

// ---------------------------------------------------------------------------------------
// Allocation counting: every global operator new in this program goes through here.

namespace {
std::atomic<std::uint64_t> g_allocs{0};
}  // namespace

// GCC sees the malloc/free pairs below through inlined new/delete expressions and warns
// about a mismatch that is not one (these operators are the replacement).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace mcsim;
using mcsim::Ipv4Addr;
using mcsim::Ipv6Addr;

Ipv4Addr v4(const char* s) { return *Ipv4Addr::parse(s); }
Ipv6Addr v6(const char* s) { return *Ipv6Addr::parse(s); }

/// One Ethernet frame per message kind (and a few shapes of the bigger ones).
std::vector<std::vector<std::uint8_t>> build_frames() {
  using namespace wire;
  std::vector<std::vector<std::uint8_t>> frames;
  const MacAddr mac = *MacAddr::parse("02:00:00:00:00:01");
  auto add4 = [&](Ipv4Addr src, Ipv4Addr dst, const IgmpMessage& m, bool ra = true) {
    Ipv4Header h = igmp_ip_header(src, dst);
    h.router_alert = ra;
    std::vector<std::uint8_t> d, f;
    build_igmp_datagram(h, m, d);
    build_ethernet_for(mac, d, f);
    frames.push_back(std::move(f));
  };
  auto add6 = [&](Ipv6Addr src, Ipv6Addr dst, const MldMessage& m) {
    std::vector<std::uint8_t> d, f;
    build_mld_datagram(mld_ip_header(src, dst), m, d);
    build_ethernet_for(mac, d, f);
    frames.push_back(std::move(f));
  };
  const Ipv4Addr host = v4("192.168.1.20"), router = v4("192.168.1.1"), g1 = v4("239.1.1.1"), g2 = v4("232.2.3.2");
  const Ipv4Addr all = v4("224.0.0.1"), any4{};
  const std::vector<Ipv4Addr> s4 = {v4("10.0.0.1"), v4("10.0.0.2"), v4("10.0.0.3")};
  // IGMPv1 / v2
  add4(router, all, igmp_query(1, any4, 0), false);
  add4(host, g1, igmp_simple(igmp_type::kV1Report, g1), false);
  add4(router, all, igmp_query(2, any4, 100));
  add4(router, g1, igmp_query(2, g1, 10));
  add4(host, g1, igmp_simple(igmp_type::kV2Report, g1));
  add4(host, v4("224.0.0.2"), igmp_simple(igmp_type::kV2Leave, g1));
  // IGMPv3 queries: general, group-and-source-specific
  add4(router, all, igmp_query(3, any4, 100, false, 2, 125));
  add4(router, g2, igmp_query(3, g2, 10, true, 2, 125, s4));
  // IGMPv3 reports: one record; three records with sources
  {
    IgmpMessage r = igmpv3_report();
    r.add_record(RecordType::ChangeToExcludeMode, v4("239.255.255.250"), {});
    add4(host, v4("224.0.0.22"), r);
  }
  {
    IgmpMessage r = igmpv3_report();
    r.add_record(RecordType::ModeIsInclude, g2, s4);
    r.add_record(RecordType::AllowNewSources, v4("232.2.3.3"), std::span<const Ipv4Addr>(s4).first(1));
    r.add_record(RecordType::BlockOldSources, v4("232.2.3.4"), std::span<const Ipv4Addr>(s4).last(2));
    add4(host, v4("224.0.0.22"), r);
  }
  // MLDv1
  const Ipv6Addr ll_host = v6("fe80::1c2d:3e4f:5a6b:7c8d"), ll_router = v6("fe80::1"), mg = v6("ff05::1:3");
  add6(ll_router, v6("ff02::1"), mld_query(1, Ipv6Addr{}, 10000));
  add6(ll_host, mg, mld_simple(mld_type::kV1Report, mg));
  add6(ll_host, v6("ff02::2"), mld_simple(mld_type::kV1Done, mg));
  // MLDv2
  const std::vector<Ipv6Addr> s6 = {v6("2001:db8::1"), v6("2001:db8::2")};
  add6(ll_router, v6("ff02::1"), mld_query(2, Ipv6Addr{}, 10000, false, 2, 125));
  add6(ll_router, v6("ff3e::8000:1"), mld_query(2, v6("ff3e::8000:1"), 1000, true, 2, 125, s6));
  {
    MldMessage r = mldv2_report();
    r.add_record(RecordType::ChangeToExcludeMode, v6("ff02::fb"), {});
    r.add_record(RecordType::ModeIsInclude, v6("ff3e::8000:1"), s6);
    add6(ll_host, v6("ff02::16"), r);
  }
  return frames;
}

struct Corpus {
  std::vector<std::vector<std::uint8_t>> storage;
  std::vector<pcap::Frame> frames;      // Ethernet frames
  std::vector<wire::Bytes> datagrams;   // the IP datagrams inside them
  std::size_t bytes = 0;
  Corpus() {
    storage = build_frames();
    std::uint64_t n = 0;
    for (const auto& s : storage) {
      pcap::Frame f;
      f.number = ++n;
      f.ts_sec = 1700000000;
      f.ts_nsec = static_cast<std::uint32_t>(n * 1000);
      f.caplen = f.len = static_cast<std::uint32_t>(s.size());
      f.linktype = pcap::linktype::kEthernet;
      f.data = wire::Bytes(s);
      frames.push_back(f);
      datagrams.push_back(wire::Bytes(s).subspan(14));
      bytes += s.size();
    }
  }
};

const Corpus& corpus() {
  static const Corpus c;
  return c;
}

void set_rates(benchmark::State& state, std::uint64_t messages, std::uint64_t bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_DecodeIpDatagram(benchmark::State& state) {
  const Corpus& c = corpus();
  wire::DecodedPacket pkt;
  std::uint64_t msgs = 0;
  for (auto _ : state) {
    for (wire::Bytes d : c.datagrams) {
      bool ok = wire::decode_ip_datagram(d, pkt);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(pkt.errors);
      msgs += ok;
    }
  }
  set_rates(state, msgs, state.iterations() * (c.bytes - 14 * c.datagrams.size()));
  if (msgs != state.iterations() * c.datagrams.size()) state.SkipWithError("a datagram did not decode");
}
BENCHMARK(BM_DecodeIpDatagram);

void BM_DecodeFrame(benchmark::State& state) {
  const Corpus& c = corpus();
  wire::DecodedPacket pkt;
  std::uint64_t msgs = 0;
  for (auto _ : state) {
    for (const pcap::Frame& f : c.frames) {
      bool ok = pcap::decode_frame(f, pkt);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(pkt.errors);
      msgs += ok;
    }
  }
  set_rates(state, msgs, state.iterations() * c.bytes);
}
BENCHMARK(BM_DecodeFrame);

void BM_DecodeFrameJson(benchmark::State& state) {
  const Corpus& c = corpus();
  wire::DecodedPacket pkt;
  std::string out;
  out.reserve(1u << 17);
  std::uint64_t msgs = 0, out_bytes = 0;
  for (auto _ : state) {
    for (const pcap::Frame& f : c.frames) {
      if (!pcap::decode_frame(f, pkt)) continue;
      pcap::append_json(out, f, pkt);
      out.push_back('\n');
      ++msgs;
    }
    if (out.size() >= (1u << 16)) {  // like the CLI: flush (here: drop) every 64 KiB
      out_bytes += out.size();
      benchmark::DoNotOptimize(out.data());
      out.clear();
    }
  }
  out_bytes += out.size();
  set_rates(state, msgs, state.iterations() * c.bytes);
  state.counters["json_bytes_per_msg"] = static_cast<double>(out_bytes) / static_cast<double>(msgs ? msgs : 1);
}
BENCHMARK(BM_DecodeFrameJson);

void BM_DecodeFrameText(benchmark::State& state) {
  const Corpus& c = corpus();
  wire::DecodedPacket pkt;
  std::string out;
  out.reserve(1u << 17);
  std::uint64_t msgs = 0;
  for (auto _ : state) {
    for (const pcap::Frame& f : c.frames) {
      if (!pcap::decode_frame(f, pkt)) continue;
      pcap::append_text(out, f, pkt);
      out.push_back('\n');
      ++msgs;
    }
    if (out.size() >= (1u << 16)) {
      benchmark::DoNotOptimize(out.data());
      out.clear();
    }
  }
  set_rates(state, msgs, state.iterations() * c.bytes);
}
BENCHMARK(BM_DecodeFrameText);

/// Heap allocations per message once the decode target and the output buffer have grown:
/// the decode + JSON path must not allocate in steady state.
void BM_SteadyStateAllocs(benchmark::State& state) {
  const Corpus& c = corpus();
  wire::DecodedPacket pkt;
  std::string out;
  out.reserve(1u << 17);
  for (int warm = 0; warm < 2; ++warm) {
    for (const pcap::Frame& f : c.frames) {
      if (pcap::decode_frame(f, pkt)) pcap::append_json(out, f, pkt);
    }
    out.clear();
  }
  std::uint64_t msgs = 0;
  const std::uint64_t before = g_allocs.load(std::memory_order_relaxed);
  for (auto _ : state) {
    for (const pcap::Frame& f : c.frames) {
      if (!pcap::decode_frame(f, pkt)) continue;
      pcap::append_json(out, f, pkt);
      out.push_back('\n');
      ++msgs;
    }
    if (out.size() >= (1u << 16)) out.clear();
  }
  const std::uint64_t allocs = g_allocs.load(std::memory_order_relaxed) - before;
  set_rates(state, msgs, state.iterations() * c.bytes);
  state.counters["allocs_per_msg"] = static_cast<double>(allocs) / static_cast<double>(msgs ? msgs : 1);
  state.counters["allocs"] = static_cast<double>(allocs);
  if (allocs != 0) state.SkipWithError("heap allocation in the steady-state decode + JSON path");
}
BENCHMARK(BM_SteadyStateAllocs);

// ---------------------------------------------------------------------------------------
// Whole capture files.

std::string bench_pcap_path() {
  if (const char* p = std::getenv("MCSIM_BENCH_PCAP"); p && *p) return p;
  static std::string tmp;
  if (!tmp.empty()) return tmp;
  tmp = (std::filesystem::temp_directory_path() / "mcsim_decode_bench.pcap").string();
  std::string err;
  auto w = pcap::Writer::open(tmp, pcap::linktype::kEthernet, err);
  if (!w) {
    std::fprintf(stderr, "decode_bench: %s\n", err.c_str());
    return {};
  }
  const Corpus& c = corpus();
  constexpr std::uint64_t kFrames = 200000;
  for (std::uint64_t i = 0; i < kFrames; ++i) {
    const auto& f = c.storage[i % c.storage.size()];
    w->write(1700000000 + static_cast<std::int64_t>(i / 1000000), static_cast<std::uint32_t>(i % 1000000) * 1000u, f);
  }
  w->flush();
  std::fprintf(stderr, "decode_bench: MCSIM_BENCH_PCAP not set; wrote %llu frames to %s\n",
               static_cast<unsigned long long>(kFrames), tmp.c_str());
  return tmp;
}

template <bool Json>
void read_file(benchmark::State& state) {
  const std::string path = bench_pcap_path();
  pcap::Frame frame;
  wire::DecodedPacket pkt;
  std::string out;
  out.reserve(1u << 17);
  std::uint64_t msgs = 0, frames = 0, bytes = 0;
  for (auto _ : state) {
    std::string err;
    auto reader = pcap::Reader::open(path, err);
    if (!reader) {
      state.SkipWithError(err.c_str());
      return;
    }
    while (reader->next(frame)) {
      ++frames;
      bytes += frame.caplen;
      if (!pcap::decode_frame(frame, pkt)) continue;
      ++msgs;
      if constexpr (Json) {
        pcap::append_json(out, frame, pkt);
        out.push_back('\n');
        if (out.size() >= (1u << 16)) {
          benchmark::DoNotOptimize(out.data());
          out.clear();
        }
      } else {
        benchmark::DoNotOptimize(pkt.errors);
      }
    }
    if (!reader->error().empty()) {
      state.SkipWithError(reader->error().c_str());
      return;
    }
  }
  set_rates(state, msgs, bytes);
  state.counters["frames"] = benchmark::Counter(static_cast<double>(frames) / static_cast<double>(state.iterations()));
  state.SetLabel(path);
}

void BM_ReadPcapFile(benchmark::State& state) { read_file<false>(state); }
void BM_ReadPcapFileJson(benchmark::State& state) { read_file<true>(state); }
BENCHMARK(BM_ReadPcapFile)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadPcapFileJson)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
