// A simulated Ethernet switch with IGMP/MLD snooping (stack/snoop, RFC 4541) between LANs.
#include "sim/nodes.hpp"
#include "stack/snoop/snoop_switch.hpp"
#include "stack/wire/packet.hpp"
#include "stack/wire/udp.hpp"

namespace mcsim::sim {
namespace {

class SwitchNode final : public Node {
 public:
  explicit SwitchNode(const SwitchSpec& spec) : spec_(spec), table_(config(spec)) {}

  const std::string& name() const override { return spec_.name; }
  const std::string& lan() const override { return spec_.ports.front(); }
  std::vector<std::string> lan_names() const override { return spec_.ports; }
  const SourceLoc& loc() const override { return spec_.loc; }
  void start(Time) override {}
  // The snooping table answers every question for the `now` it is given; no timers to run.
  std::optional<Time> next_deadline() const override { return std::nullopt; }
  std::optional<std::vector<std::uint8_t>> poll_frame(Time) override { return std::nullopt; }
  void receive(const std::vector<std::uint8_t>&, Time) override {}
  ActionOutcome act(const EventSpec&, Time) override {
    ActionOutcome o;
    o.result = "unsupported";
    return o;
  }
  CheckOutcome check(const ExpectSpec&, Time) override { return {}; }

  bool bridges() const override { return true; }

  std::vector<int> forward(const std::vector<std::uint8_t>& frame, int in_port, Time now) override {
    const auto in = static_cast<unsigned>(in_port);
    snoop::PortSet out = table_.flood(in);
    if (spec_.snooping) out = decide(frame, in, now);
    std::vector<int> ports;
    for (unsigned p = 0; p < spec_.ports.size(); ++p)
      if (out.test(p) && p != in) ports.push_back(static_cast<int>(p));
    return ports;
  }

 private:
  static snoop::SnoopConfig config(const SwitchSpec& s) {
    snoop::SnoopConfig c;
    c.ports = static_cast<unsigned>(s.ports.size());
    return c;
  }

  snoop::PortSet decide(const std::vector<std::uint8_t>& frame, unsigned in, Time now) {
    // IEEE 802.1D: unicast and broadcast are flooded (no MAC learning is modelled).
    if (frame.size() < 14 || !(frame[0] & 1) || MacAddr::from_bytes(frame.data()).is_broadcast()) return table_.flood(in);
    wire::DecodedPacket p;
    if (wire::decode_ethernet_frame(frame, p)) {
      if (!p.usable) return table_.flood(in);
      // RFC 4541 §2.1.1: learn from the control message, then forward it as its type says.
      if (p.proto == wire::PacketProto::Igmp) {
        table_.handle(in, p.igmp, p.ip4.src, now);
        return table_.forward_control(in, p.igmp, now);
      }
      table_.handle(in, p.mld, p.ip6.src, now);
      return table_.forward_control(in, p.mld, now);
    }
    if (auto d = wire::parse_udp_frame(frame); d && d->dst.is_multicast()) {
      // RFC 4541 §2.1.2: data goes to member and router ports only.
      if (d->dst.family == Family::V4) return table_.forward_data(d->dst.v4, d->src.v4, in, now);
      return table_.forward_data(d->dst.v6, d->src.v6, in, now);
    }
    return table_.flood(in);
  }

  SwitchSpec spec_;
  snoop::SnoopSwitch table_;
};

}  // namespace

std::unique_ptr<Node> make_switch_node(const SwitchSpec& spec) { return std::make_unique<SwitchNode>(spec); }

}  // namespace mcsim::sim
