// mcsim compare: do two runs of a scenario (simulated, live, or captured from real hosts)
// show the same host behaviour? (sim/compare.hpp, docs/compare.md)
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "sim/compare.hpp"

namespace mcsim::cli {
namespace {

constexpr const char* kCompareHelp =
    "usage: mcsim compare A B [--responses state|count|exact] [--queries] [--exclude ADDR]...\n"
    "                     [--format text|jsonl]\n"
    "\n"
    "Compare what the hosts reported in two runs of one scenario: A and B are captures\n"
    "(pcap/pcapng; Ethernet, Linux SLL/SLL2, raw IP, BSD null/loop) or JSONL event logs\n"
    "(mcsim run --format jsonl, mcsim decode --format jsonl): e.g. the capture of a simulated\n"
    "run, of a live run (mcsim live) and of real hosts.\n"
    "\n"
    "Per host (source address), its IGMP/MLD messages are compared in order by kind,\n"
    "destination, group, record types and source sets, in two streams:\n"
    "  state changes    TO_IN/TO_EX/ALLOW/BLOCK records, v1/v2 reports joining a group,\n"
    "                   leaves and dones: must be equal, in order, retransmissions included\n"
    "  query responses  IS_IN/IS_EX records, v1/v2 reports repeating a joined group: their\n"
    "                   number follows the querier's queries, so by default each one must\n"
    "                   match the host's state at that time (from its own state changes)\n"
    "Not compared: timing and random delays, the interleaving between hosts, ARP/ND and\n"
    "data, record order inside a report, and (unless --queries) the queriers' queries.\n"
    "\n"
    "options:\n"
    "  --responses state  each response matches its host's state; a different number of\n"
    "                     responses is a note (default)\n"
    "  --responses count  ... and each host answered as many times in A as in B\n"
    "  --responses exact  responses equal, in order (same querier, same query count)\n"
    "  --queries          also compare each querier's queries (version, group, max resp,\n"
    "                     S, QRV, QQI, sources) in order\n"
    "  --exclude ADDR     leave out messages from this source address (repeatable)\n"
    "  --format text      readable report: first difference per host with context (default;\n"
    "                     at most 20 hosts are shown)\n"
    "  --format jsonl     one object per difference and note, then {\"summary\": ...}\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 equal, 1 different, 2 unreadable input or usage error.\n";

}  // namespace

int cmd_compare(int argc, char** argv) {
  sim::compare::Options opt;
  bool jsonl = false;
  std::vector<std::string> files;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mcsim compare: %s needs a value\n", argv[i]);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kCompareHelp, stdout);
      return 0;
    } else if (a == "--queries") {
      opt.queries = true;
    } else if (a == "--responses") {
      const char* v = value();
      if (!v) return 2;
      std::string_view s = v;
      if (s == "state") opt.responses = sim::compare::Responses::State;
      else if (s == "count") opt.responses = sim::compare::Responses::Count;
      else if (s == "exact") opt.responses = sim::compare::Responses::Exact;
      else {
        std::fprintf(stderr, "mcsim compare: --responses: '%s' is not one of state, count, exact\n", v);
        return 2;
      }
    } else if (a == "--exclude") {
      const char* v = value();
      if (!v) return 2;
      auto addr = IpAddr::parse(v);
      if (!addr) {
        std::fprintf(stderr, "mcsim compare: --exclude: '%s' is not an IPv4 or IPv6 address\n", v);
        return 2;
      }
      opt.exclude.push_back(*addr);
    } else if (a == "--format") {
      const char* v = value();
      if (!v) return 2;
      std::string_view s = v;
      if (s == "text") jsonl = false;
      else if (s == "jsonl") jsonl = true;
      else {
        std::fprintf(stderr, "mcsim compare: --format: '%s' is not one of text, jsonl\n", v);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcsim compare: unknown option '%s' (see mcsim compare --help)\n", argv[i]);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.size() != 2) {
    std::fprintf(stderr, "mcsim compare: needs two files, A and B (%zu given; see mcsim compare --help)\n",
                 files.size());
    return 2;
  }
  std::string error;
  auto ta = sim::compare::load_trace(files[0], error);
  if (!ta) {
    std::fprintf(stderr, "mcsim compare: %s\n", error.c_str());
    return 2;
  }
  auto tb = sim::compare::load_trace(files[1], error);
  if (!tb) {
    std::fprintf(stderr, "mcsim compare: %s\n", error.c_str());
    return 2;
  }
  const auto res = sim::compare::compare_traces(*ta, *tb, opt);
  const std::string out = jsonl ? res.jsonl() : res.text();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return res.equal() ? 0 : 1;
}

}  // namespace mcsim::cli
