// Registry of the CH395 firmware examples compiled from scenarios/ch395/*.c.
#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <string>

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

const Ch395Firmware* ch395_load_firmware(const char* path, char* error, size_t error_len) {
  auto fail = [&](const std::string& m) -> const Ch395Firmware* {
    if (error && error_len) {
      std::strncpy(error, m.c_str(), error_len - 1);
      error[error_len - 1] = '\0';
    }
    return nullptr;
  };
  if (!path) return fail("no path");
  // Shared objects stay loaded for the life of the process (the firmware table points into them).
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    return fail(std::string("cannot load firmware: ") + (e ? e : path));
  }
  using Entry = const Ch395Firmware* (*)(void);
  auto entry = reinterpret_cast<Entry>(dlsym(h, CH395_FIRMWARE_ENTRY));
  if (!entry) return fail(std::string(path) + ": no function " CH395_FIRMWARE_ENTRY "() (see sim/ch395/ch395.h)");
  const Ch395Firmware* fw = entry();
  if (!fw || !fw->init || !fw->poll) return fail(std::string(path) + ": " CH395_FIRMWARE_ENTRY "() returned no usable firmware");
  return fw;
}

int ch395_firmware_is_path(const char* name) {
  return name && (std::strchr(name, '/') != nullptr || (std::strlen(name) > 3 && std::strcmp(name + std::strlen(name) - 3, ".so") == 0));
}
}
