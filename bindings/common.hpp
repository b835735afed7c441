// Shared declarations of the mcsim._core extension (bindings/*.cpp).
#pragma once

#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

namespace mcsim::py_bind {

/// Raised as mcsim.ScenarioError (a ValueError): a scenario or an action did not load.
struct ScenarioLoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Raised as mcsim.CaptureError (an OSError): a capture or golden file could not be read.
struct CaptureReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void bind_sim(pybind11::module_& m);
void bind_pcap(pybind11::module_& m);

}  // namespace mcsim::py_bind
