// WCH transport functions (xWriteCH395Cmd / xWriteCH395Data / xReadCH395Data /
// xEndCH395Cmd) routed to the bound simulated chip. Kept apart from ch395_api.cpp so that
// firmware bringing its own copy of WCH's CH395CMD.C links only this object file.
#include "sim/ch395/ch395.h"
#include "sim/ch395/device.hpp"

namespace {
thread_local Ch395DeviceHandle* g_bound = nullptr;
mcsim::ch395::Ch395Device* dev() { return mcsim::ch395::Ch395Device::from_handle(g_bound); }
}  // namespace

extern "C" {

void ch395_bind(Ch395DeviceHandle* d) { g_bound = d; }
Ch395DeviceHandle* ch395_bound(void) { return g_bound; }

void xWriteCH395Cmd(UINT8 cmd) {
  if (g_bound) dev()->write_cmd(cmd);
}
void xWriteCH395Data(UINT8 mdata) {
  if (g_bound) dev()->write_data(mdata);
}
UINT8 xReadCH395Data(void) { return g_bound ? dev()->read_data() : 0; }
void xEndCH395Cmd(void) {
  if (g_bound) dev()->end_cmd();
}

}  // extern "C"
