// libFuzzer target: scenario YAML through load_scenario_text; a scenario that loads is run
// for at most 5 s of virtual time and at most kMaxEvents simulator steps.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "sim/scenario.hpp"
#include "sim/timeline.hpp"
#include "sim/simulator.hpp"

using namespace mcsim;

namespace {
constexpr std::uint64_t kMaxEvents = 20000;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // the loader's own size limit is tested by tests/hostile
  std::string text(reinterpret_cast<const char*>(data), size);
  auto res = sim::load_scenario_text(text, "fuzz.yaml");
  if (auto* err = std::get_if<sim::LoadError>(&res)) {
    (void)err->to_string();
    return 0;
  }
  auto& sc = std::get<sim::Scenario>(res);
  // Bound the work: big host/LAN counts are legitimate scenarios, but not for a fuzzer.
  // Host blocks count their hosts and their per-host events (sim/timeline.hpp).
  if (sim::host_count(sc) > 64 || sim::Timeline(sc).size() > 512 || sc.expects.size() > 512) return 0;
  sc.until = std::min<Time>(sc.until, seconds(5));
  sim::SimOptions opt;
  opt.log = sim::LogMode::Both;
  sim::Simulation s(std::move(sc), opt);
  std::uint64_t steps = 0;
  while (steps++ < kMaxEvents && s.step()) {
  }
  (void)s.failures();
  return 0;
}
