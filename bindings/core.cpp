// mcsim._core: module definition and exception types. The Python package (bindings/mcsim)
// wraps these classes with docstrings, duration parsing and SocketError.
#include "bindings/common.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "mcsim C++ core: scenarios, simulation, capture decode/validate (use the mcsim package)";
  py::register_exception<mcsim::py_bind::ScenarioLoadError>(m, "ScenarioError", PyExc_ValueError);
  py::register_exception<mcsim::py_bind::CaptureReadError>(m, "CaptureError", PyExc_OSError);
  mcsim::py_bind::bind_sim(m);
  mcsim::py_bind::bind_pcap(m);
}
