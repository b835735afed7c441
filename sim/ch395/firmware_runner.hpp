// Runs one CH395 firmware (scenarios/ch395/*.c) against one simulated chip: what a `ch395`
// node of the simulator does. The driver calls start() once, tick() every tick_period()
// of virtual time, receive_frame() for every frame from the LAN, and drains
// poll_tx_frame() after each of those calls. Sans-IO, like the device.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/ch395/ch395.h"
#include "sim/ch395/device.hpp"

namespace mcsim::ch395 {

class FirmwareRunner {
 public:
  static constexpr Duration kTickPeriod = 10 * kMs;

  /// nullptr when no firmware has that name (see ch395_firmware_list()).
  static std::unique_ptr<FirmwareRunner> create(const std::string& firmware, const Ch395FwParams& params,
                                                Ch395Config cfg = {});
  FirmwareRunner(const Ch395Firmware& fw, const Ch395FwParams& params, Ch395Config cfg = {});

  /// Calls the firmware's init once (the chip is bound for the duration of the call).
  void start(Time now);
  /// Periodic tick: the firmware's poll.
  void tick(Time now);
  /// A frame from the wire; when it raises the chip's interrupt, the firmware is polled
  /// at once (the INT# pin wakes it).
  void receive_frame(const std::vector<std::uint8_t>& frame, Time now);
  /// Frames the chip transmits (drain after start/tick/receive_frame).
  std::optional<std::vector<std::uint8_t>> poll_tx_frame(Time now) { return dev_.poll_tx_frame(now); }
  /// Strict runt policy: MAC-RAW frames under 60 bytes that no receiver accepts.
  std::optional<std::vector<std::uint8_t>> poll_runt_frame(Time now) { return dev_.poll_runt_frame(now); }
  Duration tick_period() const { return kTickPeriod; }

  Ch395Device& device() { return dev_; }
  const Ch395Device& device() const { return dev_; }
  const Ch395Firmware& firmware() const { return fw_; }

 private:
  void call_poll(Time now);

  const Ch395Firmware& fw_;
  Ch395Device dev_;
  std::vector<std::uint64_t> state_;  // firmware state, 8-byte aligned, params at its head
  bool started_ = false;
};

}  // namespace mcsim::ch395
