// A simulated CH395 Ethernet controller running firmware (sim/ch395, docs/ch395.md) on a LAN.
#include "sim/ch395/firmware_runner.hpp"
#include "sim/json.hpp"
#include "sim/nodes.hpp"

namespace mcsim::sim {
namespace {

class Ch395Node final : public Node {
 public:
  Ch395Node(const Ch395Spec& spec, const NodeEnv& env, int number) : spec_(spec) {
    Ch395FwParams p{};
    const MacAddr mac = spec.mac.value_or(default_mac(number));
    for (int i = 0; i < 6; ++i) p.mac[i] = mac.b[i];
    for (int i = 0; i < 4; ++i) {
      p.ip[i] = spec.ipv4.b[i];
      p.gateway[i] = spec.gateway.b[i];
      p.mask[i] = spec.mask.b[i];
    }
    p.num_groups = static_cast<std::uint8_t>(spec.groups.size());
    for (std::size_t g = 0; g < spec.groups.size(); ++g)
      for (int i = 0; i < 4; ++i) p.groups[g][i] = spec.groups[g].b[i];
    p.report_interval_ms = static_cast<std::uint32_t>(spec.report_interval / kMs);
    p.leave_at_ns = static_cast<std::uint64_t>(spec.leave_at);
    p.seed = static_cast<std::uint32_t>(env.seed * 2654435761u + static_cast<std::uint64_t>(number));
    ch395::Ch395Config cfg;
    cfg.runt_policy = spec.lenient_runts ? ch395::RuntPolicy::Lenient : ch395::RuntPolicy::Strict;
    runner_ = ch395::FirmwareRunner::create(spec.firmware, p, cfg);  // the loader checked the name
  }

  const std::string& name() const override { return spec_.name; }
  const std::string& lan() const override { return spec_.lan; }
  const SourceLoc& loc() const override { return spec_.loc; }

  void start(Time now) override {
    runner_->start(now);
    next_tick_ = now + runner_->tick_period();
  }

  // The firmware is polled every tick (10 ms of virtual time), as a main loop would.
  std::optional<Time> next_deadline() const override { return next_tick_; }

  std::optional<std::vector<std::uint8_t>> poll_frame(Time now) override {
    while (next_tick_ <= now) {
      runner_->tick(next_tick_);
      next_tick_ += runner_->tick_period();
    }
    note_runts(now);
    return runner_->poll_tx_frame(now);
  }

  void receive(const std::vector<std::uint8_t>& frame, Time now) override {
    runner_->receive_frame(frame, now);
    note_runts(now);
  }

  ActionOutcome act(const EventSpec&, Time) override {
    ActionOutcome o;
    o.result = "unsupported";
    return o;
  }
  CheckOutcome check(const ExpectSpec&, Time) override {
    CheckOutcome c;
    c.what = spec_.name + ": CH395 devices have no expectations; check the router or the pcap";
    return c;
  }
  std::vector<LogLine> take_log() override { return std::exchange(log_, {}); }

 private:
  /// Strict runt policy: a MAC-RAW frame under 60 bytes reaches no receiver; log it.
  void note_runts(Time now) {
    while (auto r = runner_->poll_runt_frame(now)) {
      log_.push_back({JsonObject().seconds("t", now).str("node", spec_.name).str("event", "runt")
                          .str("lan", spec_.lan).num("bytes", static_cast<std::int64_t>(r->size())).done(),
                      format_seconds(now) + "  " + spec_.name + " runt frame of " + std::to_string(r->size()) +
                          " bytes dropped on " + spec_.lan + " (under the 60-byte Ethernet minimum; the chip does not pad)"});
    }
  }

  const Ch395Spec& spec_;
  std::unique_ptr<ch395::FirmwareRunner> runner_;
  Time next_tick_ = 0;
  std::vector<LogLine> log_;
};

}  // namespace

std::unique_ptr<Node> make_ch395_node(const Ch395Spec& spec, const NodeEnv& env, int number) {
  return std::make_unique<Ch395Node>(spec, env, number);
}

}  // namespace mcsim::sim
