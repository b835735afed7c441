// Uses the three installed libraries: parse an address (stack), decode nothing but open the
// reader API (pcap), and load and run a scenario (sim).
#include <cstdio>
#include <variant>

#include "pcap/capture.hpp"
#include "sim/scenario.hpp"
#include "sim/simulator.hpp"
#include "stack/addr.hpp"

int main() {
  auto g = mcsim::Ipv4Addr::parse("239.1.1.1");
  if (!g || !g->is_multicast()) return 1;
  if (!mcsim::pcap::linktype_supported(mcsim::pcap::linktype::kEthernet)) return 1;
  auto r = mcsim::sim::load_scenario_text(R"(
name: consumer
until: 5s
lans: [{name: lan0}]
hosts: [{name: h1, lan: lan0, ipv4: 10.0.0.2}]
events:
  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}
expect:
  - {at: 2s, host: h1, group: 239.1.1.1, mode: exclude, sources: []}
)", "consumer.yaml");
  if (auto* e = std::get_if<mcsim::sim::LoadError>(&r)) {
    std::fprintf(stderr, "%s\n", e->to_string().c_str());
    return 1;
  }
  mcsim::sim::Simulation s(std::get<mcsim::sim::Scenario>(r));
  s.run();
  std::printf("consumer: %zu events, %zu failures\n", s.log().size(), s.failures());
  return s.failures() == 0 && !s.log().empty() ? 0 : 1;
}
