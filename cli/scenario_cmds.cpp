// mcsim run / mcsim check: run scenarios, print the event log, check expectations and goldens.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "sim/golden.hpp"
#include "sim/json.hpp"
#include "sim/report.hpp"
#include "sim/resources.hpp"
#include "sim/scenario.hpp"
#include "sim/simulator.hpp"

namespace mcsim::cli {
namespace {

constexpr const char* kRunHelp =
    "usage: mcsim run FILE [--seed N] [--profile windows|linux] [--until T] [--pcap-dir DIR]\n"
    "                 [--format text|jsonl] [--html FILE] [--svg FILE [--svg-from T] [--svg-to T]\n"
    "                 [--svg-max N]]\n"
    "\n"
    "Run a scenario (YAML; see docs/scenarios.md) and print what happened.\n"
    "\n"
    "options:\n"
    "  --seed N          random seed (overrides the scenario's `seed`)\n"
    "  --profile P       error profile for socket options: windows (default) or linux\n"
    "  --until T         stop at virtual time T (e.g. 30s, 500ms, 1h)\n"
    "  --pcap-dir DIR    write one pcap per LAN, DIR/<lan>.pcap (Ethernet, opens in Wireshark)\n"
    "  --format text     readable timeline (default)\n"
    "  --format jsonl    one JSON object per event: t, node, event (sockopt, tx, state, link,\n"
    "                    expect, ...) and the event's fields\n"
    "  --html FILE       also write a self-contained HTML report (docs/report.md): ladder\n"
    "                    diagram of the messages between nodes (multicast destinations are\n"
    "                    'group' columns), membership timelines, expectation results\n"
    "  --svg FILE        also write the ladder alone as a static SVG (no script)\n"
    "  --svg-from T, --svg-to T  only messages in this virtual-time range (e.g. 10s)\n"
    "  --svg-max N       at most N messages in the SVG (default 2000)\n"
    "  --max-memory SIZE stop with an error (exit 2, outputs flushed) when the process's\n"
    "                    resident memory exceeds SIZE (e.g. 512M, 4G; 0 or none: no limit;\n"
    "                    default: 80% of the physical or cgroup memory)\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0 all expectations met, 1 an expectation failed, 2 bad input (or the\n"
    "memory limit reached).\n";

constexpr const char* kCheckHelp =
    "usage: mcsim check FILE|DIR... [--profile windows|linux] [--max-memory SIZE]\n"
    "\n"
    "Run scenarios with their expectations; a directory means every *.yaml below it. A\n"
    "golden log FILE.golden.jsonl or capture FILE.golden.pcap beside a scenario is compared\n"
    "by semantics (message kinds, addresses, records, groups, sources, order), not timing.\n"
    "Prints one line per scenario and a summary 'N passed, M failed'.\n"
    "\n"
    "options:\n"
    "  --profile P       error profile for socket options: windows (default) or linux\n"
    "  --max-memory SIZE a scenario whose run takes more resident memory than SIZE stops\n"
    "                    with an ERROR line (e.g. 512M, 4G; 0 or none: no limit; default:\n"
    "                    80% of the physical or cgroup memory)\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0 all passed, 1 a scenario failed, 2 bad input (or a memory limit reached).\n";

// Virtual time as "12.345678" (seconds).
std::string seconds_text(Time t) {
  char b[40];
  std::snprintf(b, sizeof b, "%.6f", static_cast<double>(t) / static_cast<double>(kSec));
  return b;
}

// --max-memory SIZE (run, check).
bool parse_max_memory(const char* cmd, const char* v, std::uint64_t& out) {
  auto n = sim::parse_size(v);
  if (!n) {
    std::fprintf(stderr, "mcsim %s: --max-memory: '%s' is not a size (e.g. 512M, 4G, 0 for no limit)\n", cmd, v);
    return false;
  }
  out = *n;
  return true;
}

bool value_of(int argc, char** argv, int& i, const char* cmd, const char*& out) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "mcsim %s: %s needs a value\n", cmd, argv[i]);
    return false;
  }
  out = argv[++i];
  return true;
}

/// Shows virtual-time progress on a terminal (stderr), never in pipes.
class Progress {
 public:
  explicit Progress(const sim::Simulation& s) : sim_(s), tty_(::isatty(2) != 0) {}
  void tick() {
    if (!tty_ || (++n_ & 0xFFF) != 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double pct = sim_.end() > 0 ? 100.0 * static_cast<double>(sim_.now()) / static_cast<double>(sim_.end()) : 100;
    std::fprintf(stderr, "\r  %5.1f%%  t=%s", pct, std::to_string(sim_.now() / kSec).c_str());
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fputs("\r\033[K", stderr);
  }

 private:
  const sim::Simulation& sim_;
  bool tty_;
  bool shown_ = false;
  std::uint64_t n_ = 0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

std::string* report_slot(sim::report::Input& in, std::size_t& omitted) {
  if (in.events.size() >= kReportMaxEvents) {
    ++omitted;
    return nullptr;
  }
  return &in.events.emplace_back();
}

void note_omitted(sim::report::Input& in, std::size_t omitted, const char* cmd, const char* what) {
  if (!omitted) return;
  const std::string note = "first " + std::to_string(in.events.size()) + " of " +
                           std::to_string(in.events.size() + omitted) + " " + what;
  in.title += " (" + note + ")";
  std::fprintf(stderr, "mcsim %s: the report shows the %s\n", cmd, note.c_str());
}

bool write_report(const sim::report::Input& in, const std::string& html_out, const std::string& svg_out,
                  const sim::report::SvgRange& range, const char* cmd) {
  auto write = [&](const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    const bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (f && std::fclose(f) != 0) return false;
    if (!ok) std::fprintf(stderr, "mcsim %s: cannot write '%s'\n", cmd, path.c_str());
    return ok;
  };
  if (!html_out.empty() && !write(html_out, sim::report::html(in))) return false;
  if (!svg_out.empty() && !write(svg_out, sim::report::svg(in, range))) return false;
  return true;
}

int cmd_run(int argc, char** argv) {
  sim::SimOptions opt;
  std::uint64_t max_memory = sim::default_memory_limit();
  bool jsonl = false;
  std::string file, html_out, svg_out;
  sim::report::SvgRange svg_range;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    const char* v = nullptr;
    if (a == "-h" || a == "--help") {
      std::fputs(kRunHelp, stdout);
      return 0;
    } else if (a == "--html" || a == "--svg") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      (a == "--html" ? html_out : svg_out) = v;
    } else if (a == "--svg-from" || a == "--svg-to") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      auto d = sim::parse_duration(v);
      if (!d) {
        std::fprintf(stderr, "mcsim run: %s: '%s' is not a duration with a unit (30s, 500ms, 1h)\n", argv[i - 1], v);
        return 2;
      }
      (a == "--svg-from" ? svg_range.from : svg_range.to) = static_cast<double>(*d) / static_cast<double>(kSec);
    } else if (a == "--svg-max") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v, &end, 10);
      if (!*v || *end || *v == '-' || n == 0) {
        std::fprintf(stderr, "mcsim run: --svg-max: '%s' is not a positive integer\n", v);
        return 2;
      }
      svg_range.max_messages = n;
    } else if (a == "--seed") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      char* end = nullptr;
      errno = 0;
      const unsigned long long s = std::strtoull(v, &end, 10);
      if (!*v || *end || errno || *v == '-') {
        std::fprintf(stderr, "mcsim run: --seed: '%s' is not a non-negative integer\n", v);
        return 2;
      }
      opt.seed = s;
    } else if (a == "--profile") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      if (std::string_view(v) != "windows" && std::string_view(v) != "linux") {
        std::fprintf(stderr, "mcsim run: --profile: '%s' is not one of windows, linux\n", v);
        return 2;
      }
      opt.profile = v;
    } else if (a == "--until") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      auto d = sim::parse_duration(v);
      if (!d) {
        std::fprintf(stderr, "mcsim run: --until: '%s' is not a duration with a unit (30s, 500ms, 1h)\n", v);
        return 2;
      }
      opt.until = *d;
    } else if (a == "--pcap-dir") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      std::error_code ec;
      std::filesystem::create_directories(v, ec);
      if (ec) {
        std::fprintf(stderr, "mcsim run: --pcap-dir: cannot create '%s': %s\n", v, ec.message().c_str());
        return 2;
      }
      opt.pcap_dir = v;
    } else if (a == "--max-memory") {
      if (!value_of(argc, argv, i, "run", v) || !parse_max_memory("run", v, max_memory)) return 2;
    } else if (a == "--format") {
      if (!value_of(argc, argv, i, "run", v)) return 2;
      if (std::string_view(v) == "jsonl") jsonl = true;
      else if (std::string_view(v) == "text") jsonl = false;
      else {
        std::fprintf(stderr, "mcsim run: --format: '%s' is not one of text, jsonl\n", v);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcsim run: unknown option '%s'\n%s", argv[i], kRunHelp);
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      std::fprintf(stderr, "mcsim run: one scenario file at a time ('%s' and '%s'); use mcsim check for many\n",
                   file.c_str(), argv[i]);
      return 2;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "mcsim run: no scenario file given\n%s", kRunHelp);
    return 2;
  }
  auto loaded = sim::load_scenario_file(file);
  if (auto* err = std::get_if<sim::LoadError>(&loaded)) {
    std::fprintf(stderr, "mcsim run: %s\n", err->to_string().c_str());
    return 2;
  }
  sim::apply_data_limit(max_memory);
  const auto& sc = std::get<sim::Scenario>(loaded);
  sim::Simulation sim(sc, opt);
  if (!sim.error().empty()) {
    std::fprintf(stderr, "mcsim run: %s\n", sim.error().c_str());
    return 2;
  }
  std::string buf;
  const bool report = !html_out.empty() || !svg_out.empty();
  sim::report::Input rep;
  if (report) rep = sim::report::input_for(sc);
  std::size_t omitted = 0;
  sim.on_event([&](const sim::LogEvent& e) {
    if (report)
      if (std::string* slot = report_slot(rep, omitted)) *slot = e.json;
    buf += jsonl ? e.json : e.text;
    buf += '\n';
    if (buf.size() > (1u << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  });
  install_interrupt_handler();
  sim::MemoryGuard guard(max_memory);
  bool over = guard.over(1);
  {
    Progress progress(sim);
    while (!interrupted() && !over && sim.step()) {
      progress.tick();
      over = guard.over();
    }
  }
  if (interrupted() || over) {
    // SIGINT/SIGTERM or the memory limit: stop here; run(now) only flushes the pcap files
    // (complete records), then the buffered log.
    sim.run(sim.now());
    std::fwrite(buf.data(), 1, buf.size(), stdout);
    std::fflush(stdout);
    const std::string at = seconds_text(sim.now());
    if (over) {
      std::fprintf(stderr, "mcsim run: %s: stopped at t=%s s: %s; output flushed up to here\n", file.c_str(),
                   at.c_str(), guard.message().c_str());
      return 2;
    }
    std::fprintf(stderr, "mcsim run: interrupted at t=%s s; output flushed\n", at.c_str());
    return kInterruptedExit;
  }
  sim.run();  // flushes pcaps, advances to the end
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  std::size_t passed = 0;
  for (const auto& r : sim.results()) passed += r.passed;
  const std::size_t failed = sim.results().size() - passed;
  note_omitted(rep, omitted, "run", "events");
  if (report && !write_report(rep, html_out, svg_out, svg_range, "run")) return 2;
  if (jsonl)
    std::printf("%s\n", sim::JsonObject().seconds("t", sim.now()).str("event", "summary").str("scenario", sc.name)
                           .num("passed", static_cast<std::int64_t>(passed)).num("failed", static_cast<std::int64_t>(failed))
                           .done().c_str());
  else
    std::printf("%s: %zu passed, %zu failed\n", sc.name.empty() ? file.c_str() : sc.name.c_str(), passed, failed);
  return failed ? 1 : 0;
}

int cmd_check(int argc, char** argv) {
  std::vector<std::string> files;
  sim::SimOptions opt;
  std::uint64_t max_memory = sim::default_memory_limit();
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    const char* v = nullptr;
    if (a == "-h" || a == "--help") {
      std::fputs(kCheckHelp, stdout);
      return 0;
    } else if (a == "--profile") {
      if (!value_of(argc, argv, i, "check", v)) return 2;
      if (std::string_view(v) != "windows" && std::string_view(v) != "linux") {
        std::fprintf(stderr, "mcsim check: --profile: '%s' is not one of windows, linux\n", v);
        return 2;
      }
      opt.profile = v;
    } else if (a == "--max-memory") {
      if (!value_of(argc, argv, i, "check", v) || !parse_max_memory("check", v, max_memory)) return 2;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcsim check: unknown option '%s'\n%s", argv[i], kCheckHelp);
      return 2;
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(a, ec)) {
        std::vector<std::string> found;
        for (const auto& e : std::filesystem::recursive_directory_iterator(a, ec))
          if (e.is_regular_file() && e.path().extension() == ".yaml") found.push_back(e.path().string());
        std::sort(found.begin(), found.end());
        if (found.empty()) {
          std::fprintf(stderr, "mcsim check: %s: no *.yaml scenario below this directory\n", argv[i]);
          return 2;
        }
        files.insert(files.end(), found.begin(), found.end());
      } else {
        files.emplace_back(a);
      }
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "mcsim check: no scenario given\n%s", kCheckHelp);
    return 2;
  }
  sim::apply_data_limit(max_memory);
  std::size_t passed = 0, failed = 0, bad = 0;
  for (const auto& f : files) {
    auto loaded = sim::load_scenario_file(f);
    if (auto* err = std::get_if<sim::LoadError>(&loaded)) {
      std::printf("ERROR %s\n", err->to_string().c_str());
      ++bad;
      continue;
    }
    const auto& sc = std::get<sim::Scenario>(loaded);
    sim::Simulation sim(sc, opt);
    if (!sim.error().empty()) {
      std::printf("ERROR %s\n", sim.error().c_str());
      ++bad;
      continue;
    }
    sim::MemoryGuard guard(max_memory);
    bool over = guard.over(1);
    while (!over && sim.step()) over = guard.over();
    if (over) {
      std::printf("ERROR %s: stopped at t=%s s: %s\n", f.c_str(), seconds_text(sim.now()).c_str(),
                  guard.message().c_str());
      ++bad;
      continue;
    }
    sim.run();
    std::vector<std::string> problems;
    for (const auto& r : sim.results())
      if (!r.passed) problems.push_back(r.loc.to_string() + ": " + r.what + (r.detail.empty() ? "" : " (" + r.detail + ")"));
    const std::string stem = f.substr(0, f.size() - 5);  // without ".yaml"
    for (const char* ext : {".golden.jsonl", ".golden.pcap"}) {
      const std::string golden = stem + ext;
      if (!std::filesystem::exists(golden)) continue;
      std::string err;
      auto want = sim::load_golden(golden, err);
      if (!want) {
        problems.push_back(err);
        continue;
      }
      std::vector<std::string> lines;
      for (const auto& e : sim.log()) lines.push_back(e.json);
      const std::string d = sim::diff_semantics(*want, sim::semantics_of_log(lines), golden);
      if (!d.empty()) problems.push_back(d);
    }
    if (problems.empty()) {
      ++passed;
      std::printf("ok    %s (%zu expectations)\n", f.c_str(), sim.results().size());
    } else {
      ++failed;
      std::printf("FAIL  %s\n", f.c_str());
      for (const auto& p : problems) std::printf("      %s\n", p.c_str());
    }
  }
  std::printf("%zu passed, %zu failed\n", passed, failed + bad);
  if (bad) return 2;
  return failed ? 1 : 0;
}

}  // namespace mcsim::cli
