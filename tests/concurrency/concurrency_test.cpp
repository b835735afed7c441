// Library code run from several threads at once, as the Python bindings do (Simulation.run
// releases the GIL; mcsim.sweep runs simulations on a thread pool) and as any program may
// with several Simulation / LiveRunner instances: every scenario, every capture decoded,
// validated and compared, in 4 threads at once, must give exactly what one thread gives.
// Built in every build and, with -fsanitize=thread, alone in the `tsan` preset
// (docs/reliability.md, "ThreadSanitizer"): TSan reports any data race on shared state
// (static caches, RNGs, yaml-cpp, libpcap handles) as a failure.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "pcap/validate.hpp"
#include "sim/compare.hpp"
#include "sim/live.hpp"
#include "sim/scenario.hpp"
#include "sim/simulator.hpp"
#include "stack/api/winsock.h"

namespace fs = std::filesystem;
using namespace mcsim;

namespace {

constexpr int kThreads = 4;

std::vector<std::string> files_under(const fs::path& dir, const std::vector<std::string>& exts) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file() && std::find(exts.begin(), exts.end(), e.path().extension().string()) != exts.end())
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Everything one scenario produces: the load result, the JSON and text logs, the
/// expectation results and the bytes of every pcap written.
std::string run_scenario(const std::string& path, const fs::path& pcap_dir) {
  auto loaded = sim::load_scenario_file(path);
  if (auto* err = std::get_if<sim::LoadError>(&loaded)) return "load error: " + err->to_string();
  sim::SimOptions opt;
  std::error_code ec;
  fs::remove_all(pcap_dir, ec);
  fs::create_directories(pcap_dir, ec);
  opt.pcap_dir = pcap_dir.string();
  std::string out;
  {
    sim::Simulation s(std::get<sim::Scenario>(loaded), opt);
    if (!s.error().empty()) return "error: " + s.error();
    s.run();
    for (const auto& e : s.log()) out += e.json + "\n" + e.text + "\n";
    for (const auto& r : s.results()) out += (r.passed ? "pass " : "FAIL ") + r.what + " " + r.detail + "\n";
  }  // pcaps flushed and closed
  for (const auto& f : files_under(pcap_dir, {".pcap"})) out += fs::path(f).filename().string() + ":" + slurp(f);
  fs::remove_all(pcap_dir, ec);
  return out;
}

/// A capture decoded (JSON of every message), validated in both roles, and compared with itself.
std::string analyse_capture(const std::string& path) {
  std::string out, error;
  auto reader = pcap::Reader::open(path, error);
  if (!reader) return "open: " + error;
  pcap::Validator host(pcap::Role::Host), router(pcap::Role::Router);
  pcap::Frame f;
  wire::DecodedPacket p;
  while (reader->next(f)) {
    if (!pcap::decode_frame(f, p)) continue;
    pcap::append_json(out, f, p);
    out += '\n';
    host.feed(f, p);
    router.feed(f, p);
  }
  out += reader->error();
  host.finish();
  router.finish();
  for (const auto* v : {&host, &router})
    for (const auto& x : v->findings) out += x.rule + " " + std::to_string(x.frame) + " " + x.reason + "\n";
  auto t = sim::compare::load_trace(path, error);
  if (!t) return out + "compare: " + error;
  sim::compare::Options opt;
  opt.queries = true;
  opt.responses = sim::compare::Responses::Exact;
  const auto res = sim::compare::compare_traces(*t, *t, opt);
  return out + res.text() + res.jsonl();
}

struct Work {
  std::vector<std::string> scenarios, captures;
};

Work work() {
  Work w;
  w.scenarios = files_under(fs::path(MCSIM_SOURCE_DIR) / "scenarios", {".yaml"});
  w.captures = files_under(fs::path(MCSIM_SOURCE_DIR) / "scenarios" / "captures", {".pcap"});
  for (const auto& c : files_under(fs::path(MCSIM_SHARED_DIR) / "pcaps", {".pcap", ".pcapng"})) w.captures.push_back(c);
  return w;
}

fs::path scratch(const std::string& what) {
  return fs::temp_directory_path() / ("mcsim-concurrency-" + std::to_string(::getpid()) + "-" + what);
}

}  // namespace

TEST(Concurrency, SimulationsDecodersValidatorsInThreadsEqualOneThread) {
  const Work w = work();
  ASSERT_GE(w.scenarios.size(), 30u) << "scenarios/ not found under " << MCSIM_SOURCE_DIR;
  ASSERT_GE(w.captures.size(), 1u);
  // One thread first: the reference.
  std::map<std::string, std::string> want;
  for (const auto& s : w.scenarios) want[s] = run_scenario(s, scratch("ref"));
  for (const auto& c : w.captures) want[c] = analyse_capture(c);
  for (const auto& [k, v] : want) ASSERT_EQ(v.rfind("load error", 0), std::string::npos) << k << ": " << v;

  // kThreads threads at once, each over half of the inputs (every input runs in two threads)
  // in its own rotated order, scenarios and captures interleaved, so that different code runs
  // side by side.
  std::vector<std::string> all = w.scenarios;
  all.insert(all.end(), w.captures.begin(), w.captures.end());
  std::vector<std::map<std::string, std::string>> got(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      const std::size_t n = all.size();
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = (i + static_cast<std::size_t>(t) * n / kThreads) % n;
        if ((k + static_cast<std::size_t>(t)) % 2) continue;
        const std::string& in = all[k];
        const bool scen = in.ends_with(".yaml");
        got[static_cast<std::size_t>(t)][in] = scen ? run_scenario(in, scratch("t" + std::to_string(t))) : analyse_capture(in);
      }
    });
  for (auto& th : threads) th.join();
  std::map<std::string, int> runs;
  for (int t = 0; t < kThreads; ++t)
    for (const auto& [k, v] : got[static_cast<std::size_t>(t)]) {
      ++runs[k];
      EXPECT_EQ(v, want[k]) << "thread " << t << ": " << k;
    }
  for (const auto& [k, v] : want) EXPECT_EQ(runs[k], kThreads / 2) << k;
}

TEST(Concurrency, ScenarioLoaderInThreads) {
  // yaml-cpp parses in every thread at once (scenario files, and their errors).
  const std::vector<std::string> texts = {
      "name: a\nuntil: 5s\nlans: [{name: lan0}]\nhosts: [{name: h1, lan: lan0, ipv4: 10.0.0.2}]\n",
      "name: b\nuntil: 5s\nlans: [{name: lan0}]\nhosts: [{name: h1, lan: lan0, ipv4: 10.0.0.300}]\n",
      "name: c\nuntil: 5s\nlans: [{name: lan0, mtuu: 1500}]\n",
      "name: d\nuntil: 5s\nlans: [{name: lan0}]\nhosts: [{name: h1, lan: lan0}]\n"
      "events: [{at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}]\n"};
  auto describe = [](const sim::LoadResult& r) {
    if (auto* e = std::get_if<sim::LoadError>(&r)) return "error " + e->to_string();
    const auto& s = std::get<sim::Scenario>(r);
    return "ok " + s.name + " " + std::to_string(s.hosts.size()) + " " + std::to_string(s.events.size());
  };
  std::vector<std::string> want;
  for (const auto& t : texts) want.push_back(describe(sim::load_scenario_text(t, "t.yaml")));
  EXPECT_EQ(want[1].rfind("error ", 0), 0u);
  EXPECT_EQ(want[3], "ok d 1 1");
  std::vector<std::vector<std::string>> got(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < 50; ++round)
        for (const auto& text : texts) got[static_cast<std::size_t>(t)].push_back(describe(sim::load_scenario_text(text, "t.yaml")));
    });
  for (auto& th : threads) th.join();
  for (const auto& g : got)
    for (std::size_t i = 0; i < g.size(); ++i) EXPECT_EQ(g[i], want[i % texts.size()]);
}

TEST(Concurrency, WinsockFacadeFromThreads) {
  // The C facade is one process-wide socket table, as Winsock is; threads share it, and
  // WSAGetLastError is per thread (as in Winsock). Each thread joins, re-joins (row 1 of the
  // seed table: WSAEADDRNOTAVAIL), drops and closes its own sockets.
  ASSERT_EQ(mcsim_winsock_reset("windows"), 0);
  const auto a4 = [](int a, int b, int c, int d) {
    const std::uint8_t x[4] = {static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(c),
                               static_cast<std::uint8_t>(d)};
    std::uint32_t v;
    std::memcpy(&v, x, 4);
    return v;
  };
  mcsim_add_interface("eth0", a4(10, 0, 0, 1));
  std::vector<int> bad(kThreads, 0);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      int& b = bad[static_cast<std::size_t>(t)];
      for (int round = 0; round < 20; ++round) {
        const MCSIM_SOCKET s = mcsim_socket(MCSIM_AF_INET, MCSIM_SOCK_DGRAM, 0);
        b += s == MCSIM_INVALID_SOCKET;
        for (int k = 1; k <= 20; ++k) {
          mcsim_ip_mreq m{{a4(239, t + 1, round, k)}, {a4(10, 0, 0, 1)}};
          char* p = reinterpret_cast<char*>(&m);
          b += mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_IP_ADD_MEMBERSHIP, p, sizeof m) != 0;
          b += mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_IP_ADD_MEMBERSHIP, p, sizeof m) != MCSIM_SOCKET_ERROR;
          b += mcsim_WSAGetLastError() != MCSIM_WSAEADDRNOTAVAIL;
          b += mcsim_setsockopt(s, MCSIM_IPPROTO_IP, MCSIM_IP_DROP_MEMBERSHIP, p, sizeof m) != 0;
          b += mcsim_WSAGetLastError() != 0;
        }
        b += mcsim_closesocket(s) != 0;
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[static_cast<std::size_t>(t)], 0) << "thread " << t;
}

// ---- live mode: several LiveRunners at once, each on its own veth end ----------------

namespace {

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

/// `hosts` emulated hosts (MACs 02:00:00:<tag>:00:NN) joining 239.<tag>.0.N at 100 ms and
/// leaving at 400 ms, unsolicited report interval 100 ms: 4 reports per host (join and leave,
/// robustness 2), nothing that depends on a querier.
sim::Scenario live_scenario(int tag, int hosts) {
  std::string y = "name: live" + std::to_string(tag) + "\nuntil: 2s\nlans: [{name: lan0}]\nhosts:\n";
  for (int n = 1; n <= hosts; ++n) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "02:00:00:%02x:00:%02x", tag, n);
    y += "  - {name: h" + std::to_string(n) + ", lan: lan0, ipv4: 10." + std::to_string(tag) + ".0." +
         std::to_string(n + 1) + ", mac: \"" + mac + "\", solicited_node: false, unsolicited_report_interval: 100ms}\n";
  }
  y += "events:\n";
  for (const char* op : {"100ms, op: IP_ADD_MEMBERSHIP", "400ms, op: IP_DROP_MEMBERSHIP"})
    for (int n = 1; n <= hosts; ++n)
      y += std::string("  - {host: h") + std::to_string(n) + ", socket: A, at: " + op + ", group: 239." +
           std::to_string(tag) + ".0." + std::to_string(n) + "}\n";
  auto r = sim::load_scenario_text(y, "live.yaml");
  if (auto* e = std::get_if<sim::LoadError>(&r)) ADD_FAILURE() << e->to_string();
  return std::get<sim::Scenario>(r);
}

/// What a live run must do whatever runs beside it: its own actions and transmissions, and
/// the IGMP messages its hosts (10.<tag>.0.x) sent, as its capture has them (sorted: the
/// capture also holds what the runner on the peer end sent).
std::string live_run(const sim::Scenario& sc, int tag, const std::string& iface, const fs::path& pcap) {
  sim::LiveOptions opt;
  opt.iface = iface;
  opt.pcap_path = pcap.string();
  opt.duration = 1200 * kMs;  // the last retransmission is due by 500 ms; margin for a loaded machine
  opt.seed = 1;
  std::unique_ptr<sim::LiveRunner> r;
  for (int tries = 0; tries < 40; ++tries) {  // a veth end is 'running' a moment after 'up'
    r = std::make_unique<sim::LiveRunner>(sc, opt);
    if (r->error().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!r->error().empty()) return "setup: " + r->error();
  volatile std::sig_atomic_t stop = 0;
  if (!r->run(&stop)) return "run: " + r->error();
  const auto& s = r->summary();
  std::string out = "hosts " + std::to_string(s.hosts) + " joins " + std::to_string(s.joins) + " leaves " +
                    std::to_string(s.leaves) + " errors " + std::to_string(s.action_errors) + " reports " +
                    std::to_string(s.reports_sent) + " frames " + std::to_string(s.frames_tx) + "\n";
  r.reset();  // capture closed
  std::string error;
  auto t = sim::compare::load_trace(pcap.string(), error);
  if (!t) return out + "capture: " + error;
  std::vector<std::string> lines;
  const std::string mine = "10." + std::to_string(tag) + ".0.";
  for (const auto& m : t->msgs) {
    if (m.src.to_string().rfind(mine, 0) != 0) continue;
    std::string l = m.src.to_string() + " " + m.head;
    for (const auto& rec : m.records) l += " " + std::to_string(rec.type) + " " + rec.group;
    lines.push_back(l + "\n");
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) out += l;
  return out;
}

}  // namespace

TEST(Concurrency, LiveRunnersInThreads) {
  if (::geteuid() != 0) GTEST_SKIP() << "live runners need root (a network namespace of their own, CAP_NET_RAW)";
  // This test process gets a network namespace of its own: its veth pairs vanish with it.
  if (::unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "unshare(CLONE_NEWNET) failed: no network namespaces here";
  if (sh("ip link add tsa0 type veth peer name tsa1") != 0 || sh("ip link add tsb0 type veth peer name tsb1") != 0)
    GTEST_SKIP() << "'ip link add ... type veth' failed (iproute2 missing?)";
  sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1");  // no kernel MLD/ND on the links
  sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1");
  const std::vector<std::string> ifaces = {"tsa0", "tsa1", "tsb0", "tsb1"};
  for (const auto& i : ifaces) ASSERT_EQ(sh("ip link set " + i + " up"), 0) << i;
  std::vector<sim::Scenario> scs;
  for (int k = 0; k < kThreads; ++k) scs.push_back(live_scenario(k + 1, 5));
  std::vector<std::string> want;
  for (int k = 0; k < kThreads; ++k)
    want.push_back(live_run(scs[static_cast<std::size_t>(k)], k + 1, ifaces[static_cast<std::size_t>(k)],
                            scratch("live-ref.pcap")));
  for (const auto& w : want) {
    // RFC 9776 §5.1: each join (TO_EX {}) and leave (TO_IN {}) sent [Robustness Variable] = 2 times
    ASSERT_EQ(w.rfind("hosts 5 joins 5 leaves 5 errors 0 reports 20 frames 20\n", 0), 0u) << w;
    EXPECT_EQ(std::count(w.begin(), w.end(), '\n'), 21);  // the summary line + 20 IGMPv3 reports
  }
  std::vector<std::string> got(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k)
    threads.emplace_back([&, k] {
      const auto i = static_cast<std::size_t>(k);
      start.arrive_and_wait();
      got[i] = live_run(scs[i], k + 1, ifaces[i], scratch("live" + std::to_string(k) + ".pcap"));
    });
  for (auto& th : threads) th.join();
  for (int k = 0; k < kThreads; ++k) EXPECT_EQ(got[static_cast<std::size_t>(k)], want[static_cast<std::size_t>(k)]) << ifaces[static_cast<std::size_t>(k)];
  std::error_code ec;
  for (int k = 0; k < kThreads; ++k) fs::remove(scratch("live" + std::to_string(k) + ".pcap"), ec);
  fs::remove(scratch("live-ref.pcap"), ec);
}
