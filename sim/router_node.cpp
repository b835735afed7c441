// A simulated multicast router (stack/router engines for IGMP and MLD).
#include "sim/nodes.hpp"

namespace mcsim::sim {

std::unique_ptr<Node> make_router_node(const RouterSpec&, const NodeEnv&, int) { return nullptr; }

}  // namespace mcsim::sim
