// mcsim live: the scenario's hosts as emulated hosts on a real interface (docs/live.md).
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "sim/live.hpp"
#include "sim/scenario.hpp"

namespace mcsim::cli {
namespace {

constexpr const char* kLiveHelp =
    "usage: mcsim live --iface IF SCENARIO.yaml [--pcap out.pcap] [--duration T] [--rate N]\n"
    "                  [--vlan VID] [--seed N] [--profile windows|linux] [--format text|jsonl]\n"
    "\n"
    "Emulate the scenario's hosts on a real Ethernet interface against a real router or\n"
    "switch: their IGMP/MLD engines run on the wall clock, the scenario's events happen at\n"
    "their times, queries captured on IF are answered, ARP and IPv6 Neighbor Solicitations\n"
    "for the hosts' addresses are answered. Nothing else is sent (see docs/live.md). Needs\n"
    "CAP_NET_RAW (root, or setcap cap_net_raw+ep on the binary).\n"
    "\n"
    "The summary at the end: joins and leaves, queries seen, reports sent, response delays\n"
    "against each query's Max Resp Time, and the device's querier behaviour: every frame\n"
    "of the run through the checks of `mcsim validate` in the router role.\n"
    "\n"
    "options:\n"
    "  --iface IF        the interface (required; loopback is refused)\n"
    "  --pcap FILE       record every frame sent and received (pcap, Ethernet)\n"
    "  --duration T      stop after T (e.g. 30s, 2m; default: the scenario's until)\n"
    "  --rate N          at most N frames/s sent (default 10000)\n"
    "  --vlan VID        the hosts are on 802.1Q VLAN VID (1-4094): every frame they send\n"
    "                    is tagged, only frames tagged VID are received\n"
    "  --seed N          random seed (overrides the scenario's `seed`)\n"
    "  --profile P       error profile for socket options: windows (default) or linux\n"
    "  --format text     readable summary (default)\n"
    "  --format jsonl    the summary as one JSON object\n"
    "  -h, --help        this help\n"
    "\n"
    "SIGINT/SIGTERM stop the run early; the capture stays readable and the summary is printed.\n"
    "Exit status: 0 ok, 1 an expectation failed or a response was late, 2 bad input or\n"
    "interface error.\n";

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

bool parse_u64(const char* v, std::uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(v, &end, 10);
  if (!*v || *end || errno || *v == '-') return false;
  out = x;
  return true;
}

}  // namespace

int cmd_live(int argc, char** argv) {
  sim::LiveOptions opt;
  bool jsonl = false;
  std::string file;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char*& out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mcsim live: %s needs a value\n", argv[i]);
        return false;
      }
      out = argv[++i];
      return true;
    };
    const char* v = nullptr;
    if (a == "-h" || a == "--help") {
      std::fputs(kLiveHelp, stdout);
      return 0;
    } else if (a == "--iface") {
      if (!value(v)) return 2;
      opt.iface = v;
    } else if (a == "--pcap") {
      if (!value(v)) return 2;
      opt.pcap_path = v;
    } else if (a == "--duration") {
      if (!value(v)) return 2;
      auto d = sim::parse_duration(v);
      if (!d || *d <= 0) {
        std::fprintf(stderr, "mcsim live: --duration: '%s' is not a positive duration with a unit (30s, 500ms, 2m)\n", v);
        return 2;
      }
      opt.duration = *d;
    } else if (a == "--rate") {
      if (!value(v)) return 2;
      std::uint64_t r = 0;
      if (!parse_u64(v, r) || r == 0) {
        std::fprintf(stderr, "mcsim live: --rate: '%s' is not a positive integer (frames/s)\n", v);
        return 2;
      }
      opt.rate = r;
    } else if (a == "--vlan") {
      if (!value(v)) return 2;
      std::uint64_t id = 0;
      if (!parse_u64(v, id) || id < 1 || id > 4094) {
        std::fprintf(stderr, "mcsim live: --vlan: '%s' is not a VLAN ID from 1 to 4094 (IEEE 802.1Q)\n", v);
        return 2;
      }
      opt.vlan = static_cast<std::uint16_t>(id);
    } else if (a == "--seed") {
      if (!value(v)) return 2;
      std::uint64_t s = 0;
      if (!parse_u64(v, s)) {
        std::fprintf(stderr, "mcsim live: --seed: '%s' is not a non-negative integer\n", v);
        return 2;
      }
      opt.seed = s;
    } else if (a == "--profile") {
      if (!value(v)) return 2;
      if (std::string_view(v) != "windows" && std::string_view(v) != "linux") {
        std::fprintf(stderr, "mcsim live: --profile: '%s' is not one of windows, linux\n", v);
        return 2;
      }
      opt.profile = v;
    } else if (a == "--format") {
      if (!value(v)) return 2;
      if (std::string_view(v) == "jsonl") jsonl = true;
      else if (std::string_view(v) == "text") jsonl = false;
      else {
        std::fprintf(stderr, "mcsim live: --format: '%s' is not one of text, jsonl\n", v);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcsim live: unknown option '%s'\n%s", argv[i], kLiveHelp);
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      std::fprintf(stderr, "mcsim live: one scenario file at a time ('%s' and '%s')\n", file.c_str(), argv[i]);
      return 2;
    }
  }
  if (opt.iface.empty()) {
    std::fprintf(stderr, "mcsim live: --iface IF is required (the interface the emulated hosts use)\n");
    return 2;
  }
  if (file.empty()) {
    std::fprintf(stderr, "mcsim live: no scenario file given\n%s", kLiveHelp);
    return 2;
  }
  auto loaded = sim::load_scenario_file(file);
  if (auto* err = std::get_if<sim::LoadError>(&loaded)) {
    std::fprintf(stderr, "mcsim live: %s\n", err->to_string().c_str());
    return 2;
  }
  const auto& sc = std::get<sim::Scenario>(loaded);
  sim::LiveRunner runner(sc, opt);
  if (!runner.error().empty()) {
    std::fprintf(stderr, "mcsim live: %s\n", runner.error().c_str());
    return 2;
  }
  for (const auto& w : runner.warnings()) std::fprintf(stderr, "mcsim live: note: %s\n", w.c_str());
#ifdef _WIN32
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
#else
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns and the loop stops
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
#endif
  const bool ok = runner.run(&g_stop);
  const auto& s = runner.summary();
  if (jsonl) std::printf("%s\n", s.json().c_str());
  else std::fputs(s.text().c_str(), stdout);
  std::fflush(stdout);
  if (!ok) {
    std::fprintf(stderr, "mcsim live: %s\n", runner.error().c_str());
    return 2;
  }
  std::uint64_t late = 0;
  for (const auto& q : s.queries) late += q.late;
  return s.expects_failed || late ? 1 : 0;
}

}  // namespace mcsim::cli
