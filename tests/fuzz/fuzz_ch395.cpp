// libFuzzer target: the CH395 byte command interface (write_cmd / write_data / read_data /
// end_cmd) driven by random bytes, interleaved with frames from the wire (receive_frame),
// transmit polling (poll_tx_frame / poll_runt_frame) and link changes, with increasing time.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/ch395/device.hpp"

using namespace mcsim;
using namespace mcsim::ch395;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 8192) return 0;
  std::size_t i = 0;
  auto byte = [&]() -> std::uint8_t { return i < size ? data[i++] : 0; };
  Ch395Config cfg;
  cfg.runt_policy = (byte() & 1) ? RuntPolicy::Lenient : RuntPolicy::Strict;
  Ch395Device dev(cfg);
  Time now = 0;
  std::size_t tx = 0;
  while (i < size) {
    const std::uint8_t op = byte();
    now += ms(op >> 5);
    switch (op & 7) {
      case 0:
      case 1:
        dev.write_cmd(byte());
        break;
      case 2:
      case 3: {  // a run of data bytes for the current command
        const std::uint8_t n = static_cast<std::uint8_t>(1 + (op >> 3));
        for (std::uint8_t k = 0; k < n && i < size; ++k) dev.write_data(byte());
        break;
      }
      case 4:
        for (std::uint8_t k = 0; k < 1 + (op >> 4); ++k) (void)dev.read_data();
        break;
      case 5:
        dev.end_cmd();
        break;
      case 6: {  // a frame from the wire: length then bytes
        const std::size_t n = std::size_t{byte()} + (op & 0x80 ? 256u : 0u);
        std::vector<std::uint8_t> frame;
        for (std::size_t k = 0; k < n && i < size; ++k) frame.push_back(byte());
        if (op & 0x40) frame.resize(n + 1500);  // jumbo-ish
        dev.receive_frame(frame, now);
        break;
      }
      default:
        if (op & 0x80) {
          dev.set_link(op & 0x40, now);
        } else {
          while (dev.poll_tx_frame(now) && ++tx < 10000) {
          }
          (void)dev.poll_runt_frame(now);
        }
        break;
    }
    (void)dev.glob_int_status();
    (void)dev.interrupt_pending();
  }
  dev.end_cmd();
  while (dev.poll_tx_frame(now) && ++tx < 10000) {
  }
  return 0;
}
