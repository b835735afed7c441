#include "sim/ch395/firmware_runner.hpp"

#include <algorithm>
#include <cstring>

namespace mcsim::ch395 {

namespace {
// Binds a device for the duration of a firmware call, restoring the previous binding.
struct BindScope {
  Ch395DeviceHandle* prev;
  explicit BindScope(Ch395Device& d) : prev(ch395_bound()) { ch395_bind(d.handle()); }
  ~BindScope() { ch395_bind(prev); }
  BindScope(const BindScope&) = delete;
  BindScope& operator=(const BindScope&) = delete;
};
}  // namespace

std::unique_ptr<FirmwareRunner> FirmwareRunner::create(const std::string& firmware, const Ch395FwParams& params,
                                                       Ch395Config cfg) {
  const Ch395Firmware* fw = ch395_find_firmware(firmware.c_str());
  if (!fw && ch395_firmware_is_path(firmware.c_str())) {
    char err[512];
    fw = ch395_load_firmware(firmware.c_str(), err, sizeof err);
  }
  if (!fw) return nullptr;
  return std::make_unique<FirmwareRunner>(*fw, params, cfg);
}

FirmwareRunner::FirmwareRunner(const Ch395Firmware& fw, const Ch395FwParams& params, Ch395Config cfg)
    : fw_(fw), dev_(cfg) {
  const std::size_t bytes = std::max(fw.state_size, sizeof(Ch395FwParams));
  state_.assign(bytes / sizeof(std::uint64_t) + 1, 0);
  std::memcpy(state_.data(), &params, sizeof params);
}

void FirmwareRunner::start(Time now) {
  if (started_) return;
  started_ = true;
  BindScope bind(dev_);
  if (fw_.init) fw_.init(state_.data());
  if (fw_.poll) fw_.poll(state_.data(), static_cast<std::uint64_t>(now));
}

void FirmwareRunner::call_poll(Time now) {
  if (!started_ || !fw_.poll) return;
  BindScope bind(dev_);
  fw_.poll(state_.data(), static_cast<std::uint64_t>(now));
}

void FirmwareRunner::tick(Time now) { call_poll(now); }

void FirmwareRunner::receive_frame(const std::vector<std::uint8_t>& frame, Time now) {
  dev_.receive_frame(frame, now);
  if (dev_.interrupt_pending()) call_poll(now);
}

}  // namespace mcsim::ch395
