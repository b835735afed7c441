// libFuzzer target: random reports and queries (IGMP and MLD, every version and record type,
// a small group/source space) into RouterIface with non-decreasing time. After every input
// the outputs are drained and these invariants are checked (abort() on violation):
//  - next_deadline(), when present, is not in the past after poll_output(now) returned nothing;
//  - forwards() agrees with the groups() view (RFC 9776 §6.3 / RFC 9777 §7.3): in INCLUDE a
//    source with a running timer is forwarded and one absent from the view is not; in
//    EXCLUDE (group timer running) a source with timer 0 is not forwarded, one absent is.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "stack/router/router_iface.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/mld.hpp"

using namespace mcsim;
using namespace mcsim::router;

namespace {

struct Input {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  bool empty() const { return n == 0; }
};

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "fuzz_router invariant violated: %s\n", what);
  std::abort();
}

Ipv6Addr v6(const char* s) { return *Ipv6Addr::parse(s); }

struct V4 {
  using Traits = RouterIpv4Traits;
  using Addr = Ipv4Addr;
  static Addr group(std::uint8_t b) {
    static const Addr g[4] = {Addr(239, 1, 1, 1), Addr(232, 1, 1, 1), Addr(239, 2, 2, 2), Addr(224, 0, 0, 1)};
    return g[b & 3];
  }
  static Addr source(std::uint8_t b) {
    static const Addr s[4] = {Addr(10, 0, 0, 1), Addr(10, 0, 0, 2), Addr(10, 0, 0, 3), Addr(0, 0, 0, 0)};
    return s[b & 3];
  }
  static Addr peer(std::uint8_t b) {
    static const Addr s[3] = {Addr(192, 168, 1, 5), Addr(192, 168, 1, 1), Addr(0, 0, 0, 0)};
    return s[b % 3];
  }
  static Addr own() { return Addr(192, 168, 1, 2); }
  static wire::IgmpMessage query(std::uint8_t v, const Addr& g, std::uint8_t mrc, bool s, std::uint8_t qrv,
                                 std::uint8_t qqic, std::span<const Addr> src) {
    return wire::igmp_query(v, g, mrc, s, qrv, qqic, src);
  }
  static wire::IgmpMessage simple(std::uint8_t which, const Addr& g) {
    static const std::uint8_t t[3] = {wire::igmp_type::kV1Report, wire::igmp_type::kV2Report, wire::igmp_type::kV2Leave};
    return wire::igmp_simple(t[which % 3], g);
  }
  static wire::IgmpMessage report() { return wire::igmpv3_report(); }
};

struct V6 {
  using Traits = RouterIpv6Traits;
  using Addr = Ipv6Addr;
  static Addr group(std::uint8_t b) {
    static const Addr g[4] = {v6("ff3e::1"), v6("ff15::2"), v6("ff15::3"), v6("ff02::1")};
    return g[b & 3];
  }
  static Addr source(std::uint8_t b) {
    static const Addr s[4] = {v6("2001:db8::1"), v6("2001:db8::2"), v6("2001:db8::3"), v6("::")};
    return s[b & 3];
  }
  static Addr peer(std::uint8_t b) {
    static const Addr s[3] = {v6("fe80::5"), v6("fe80::1"), v6("::")};
    return s[b % 3];
  }
  static Addr own() { return v6("fe80::2"); }
  static wire::MldMessage query(std::uint8_t v, const Addr& g, std::uint8_t mrc, bool s, std::uint8_t qrv,
                                std::uint8_t qqic, std::span<const Addr> src) {
    return wire::mld_query(v, g, static_cast<std::uint16_t>(mrc * 97u), s, qrv, qqic, src);
  }
  static wire::MldMessage simple(std::uint8_t which, const Addr& g) {
    static const std::uint8_t t[3] = {wire::mld_type::kV1Report, wire::mld_type::kV1Report, wire::mld_type::kV1Done};
    return wire::mld_simple(t[which % 3], g);
  }
  static wire::MldMessage report() { return wire::mldv2_report(); }
};

template <class F>
void run(Input& in, std::uint8_t cfgbyte) {
  using Addr = typename F::Addr;
  RouterConfig cfg;
  cfg.version = static_cast<std::uint8_t>(1 + cfgbyte % (F::Traits::kMaxVersion));
  if (cfgbyte & 0x10) cfg.version = F::Traits::kMaxVersion;
  cfg.robustness = static_cast<std::uint8_t>(1 + ((cfgbyte >> 2) & 3));
  cfg.require_router_alert = cfgbyte & 0x20;
  cfg.querier = !(cfgbyte & 0x40);
  cfg.ssm_aware = cfgbyte & 0x80;
  cfg.query_interval = seconds(1 + (in.byte() % 30));
  cfg.query_response_interval = std::min<Duration>(cfg.query_interval, ms(100 + 100 * (in.byte() % 20)));
  Rng rng(7);
  RouterIface<typename F::Traits> r(cfg, F::own(), rng);
  Time now = 0;
  r.start(now);
  int ops = 0;
  while (!in.empty() && ops++ < 512) {
    const std::uint8_t op = in.byte();
    // Time only moves forward; sometimes by a lot (timers expire), sometimes not at all.
    const std::uint8_t dt = in.byte();
    now += (dt & 0x80) ? seconds(dt & 0x7f) : ms(dt * 8);
    RxInfo<Addr> rx;
    rx.src = F::peer(in.byte());
    const std::uint8_t flags = in.byte();
    rx.ttl = (flags & 1) ? 2 : 1;
    rx.router_alert = !(flags & 2);
    rx.checksum_ok = !(flags & 4);
    switch (op % 4) {
      case 0: {  // v3 / v2 report with up to 3 records
        auto m = F::report();
        rx.dst = F::group(3);
        const int nrec = 1 + in.byte() % 3;
        for (int k = 0; k < nrec; ++k) {
          const std::uint8_t t = in.byte();
          std::vector<Addr> srcs;
          const std::uint8_t ns = in.byte();
          for (int j = 0; j < (ns & 3); ++j) srcs.push_back(F::source(static_cast<std::uint8_t>(ns >> (2 + 2 * j))));
          const std::uint8_t type = static_cast<std::uint8_t>(t % 8);  // 0 and 7 are unknown types
          m.add_record(static_cast<RecordType>(type), F::group(t >> 3), srcs);
        }
        r.handle(m, rx, now);
        break;
      }
      case 1: {  // older-version report / leave
        const std::uint8_t b = in.byte();
        const Addr g = F::group(b);
        rx.dst = (b >> 2) % 3 == 2 ? F::group(3) : g;
        r.handle(F::simple(static_cast<std::uint8_t>(b >> 2), g), rx, now);
        break;
      }
      case 2: {  // a query from another router (election, compatibility, GSQ/GSSQ)
        const std::uint8_t b = in.byte();
        std::vector<Addr> srcs;
        for (int j = 0; j < ((b >> 3) & 3); ++j) srcs.push_back(F::source(static_cast<std::uint8_t>(b >> (j + 1))));
        const Addr g = (b & 4) ? F::group(b) : Addr{};
        rx.dst = (b & 4) ? g : F::Traits::kGeneralQueryDst;
        r.handle(F::query(static_cast<std::uint8_t>(1 + b % 3), g, in.byte(), b & 0x80, static_cast<std::uint8_t>(b & 7),
                          in.byte(), srcs),
                 rx, now);
        break;
      }
      default: {  // our own specific query request
        const std::uint8_t b = in.byte();
        QueryRequest<Addr> q;
        q.group = (b & 1) ? F::group(b >> 1) : Addr{};
        if (b & 8) q.sources.push_back(F::source(b >> 4));
        if (b & 0x40) q.s_flag = true;
        r.send_query(q, now);
        break;
      }
    }
    int drained = 0;
    while (r.poll_output(now)) {
      if (++drained > 100000) violation("poll_output never runs dry");
    }
    if (auto d = r.next_deadline(); d && *d < now) violation("next_deadline in the past after poll");
    for (const auto& gv : r.groups(now)) {
      for (std::uint8_t si = 0; si < 4; ++si) {
        const Addr s = F::source(si);
        const typename decltype(gv.sources)::value_type* hit = nullptr;
        for (const auto& e : gv.sources)
          if (e.first == s) hit = &e;
        const bool fw = r.forwards(gv.group, s, now);
        if (gv.mode == FilterMode::Include) {
          if (hit && hit->second > 0 && !fw) violation("INCLUDE: source with timer > 0 not forwarded");
          if (!hit && fw) violation("INCLUDE: source not in the view forwarded");
        } else if (gv.group_timer > 0) {
          if (hit && hit->second == 0 && fw) violation("EXCLUDE: source with timer 0 forwarded");
          if (!hit && !fw) violation("EXCLUDE: source not in the view not forwarded");
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in{data, size};
  const std::uint8_t cfg = in.byte();
  if (cfg & 1) run<V6>(in, static_cast<std::uint8_t>(cfg >> 1));
  else run<V4>(in, static_cast<std::uint8_t>(cfg >> 1));
  return 0;
}
