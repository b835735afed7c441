// Registry of the CH395 firmware examples compiled from scenarios/ch395/*.c.
#include <cstring>

#include "sim/ch395/ch395.h"

extern "C" {
extern const Ch395Firmware ch395_fw_seed002_ipraw;
extern const Ch395Firmware ch395_fw_seed002_macraw;
extern const Ch395Firmware ch395_fw_igmpv3_reporter;

const Ch395Firmware* const* ch395_firmware_list(void) {
  static const Ch395Firmware* const list[] = {&ch395_fw_seed002_ipraw, &ch395_fw_seed002_macraw,
                                              &ch395_fw_igmpv3_reporter, nullptr};
  return list;
}

const Ch395Firmware* ch395_find_firmware(const char* name) {
  if (!name) return nullptr;
  for (const Ch395Firmware* const* f = ch395_firmware_list(); *f; ++f)
    if (std::strcmp((*f)->name, name) == 0) return *f;
  return nullptr;
}
}
