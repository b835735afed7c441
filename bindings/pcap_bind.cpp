// mcsim._core: capture decode (JSON exactly as `mcsim decode --format jsonl`), validation,
// semantic comparison (sim/golden.hpp).
#include <pybind11/stl.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bindings/common.hpp"
#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "sim/golden.hpp"
#if __has_include("pcap/validate.hpp")
#include "pcap/validate.hpp"
#define MCSIM_HAVE_VALIDATE 1
#endif

namespace py = pybind11;

namespace mcsim::py_bind {
namespace {

std::unique_ptr<pcap::Reader> open_capture(const std::string& path) {
  std::string error;
  auto reader = pcap::Reader::open(path, error);
  if (!reader) throw CaptureReadError(error);
  if (!pcap::linktype_supported(reader->linktype()))
    throw CaptureReadError(path + ": unsupported link type " + std::to_string(reader->linktype()) +
                           " (supported: Ethernet 1, Linux SLL 113, SLL2 276, raw IP 101/228/229, BSD null 0, loop 108)");
  return reader;
}

/// Streams the decoded messages of one capture as JSON arrays of up to `max` objects:
/// each object is exactly a line of `mcsim decode --format jsonl`.
class Decoder {
 public:
  explicit Decoder(const std::string& path) : reader_(open_capture(path)) {}

  /// The next chunk as a JSON array text, or None at the end. Raises CaptureError when the
  /// file is cut short (after the messages before the cut were returned).
  py::object next_chunk(std::size_t max) {
    if (done_) {
      if (!reader_->error().empty() && !raised_) {
        raised_ = true;
        throw CaptureReadError(reader_->error());
      }
      return py::none();
    }
    std::size_t n = 0;
    {
      py::gil_scoped_release nogil;
      buf_.clear();
      buf_.push_back('[');
      while (n < max) {
        if (!reader_->next(frame_)) {
          done_ = true;
          break;
        }
        if (!pcap::decode_frame(frame_, pkt_)) continue;
        if (n) buf_.push_back(',');
        pcap::append_json(buf_, frame_, pkt_);
        ++n;
      }
      buf_.push_back(']');
    }
    if (n == 0) return next_chunk(max);
    return py::str(buf_);
  }

 private:
  std::unique_ptr<pcap::Reader> reader_;
  pcap::Frame frame_;
  wire::DecodedPacket pkt_;
  std::string buf_;
  bool done_ = false;
  bool raised_ = false;
};

}  // namespace

void bind_pcap(py::module_& m) {
  py::class_<Decoder>(m, "Decoder")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("next_chunk", &Decoder::next_chunk, py::arg("max") = 65536);

#ifdef MCSIM_HAVE_VALIDATE
  m.attr("HAVE_VALIDATE") = true;
  m.def(
      "validate",
      [](const std::string& path, const std::string& role) {
        pcap::Role r;
        if (role == "router") r = pcap::Role::Router;
        else if (role == "host") r = pcap::Role::Host;
        else throw py::value_error("role: '" + role + "' is not one of router, host");
        auto reader = open_capture(path);
        pcap::Validator val(r);
        {
          py::gil_scoped_release nogil;
          pcap::Frame frame;
          wire::DecodedPacket pkt;
          while (reader->next(frame))
            if (pcap::decode_frame(frame, pkt)) val.feed(frame, pkt);
        }
        if (!reader->error().empty()) throw CaptureReadError(reader->error());
        val.finish();
        py::list findings;
        std::size_t n[3] = {0, 0, 0};
        char tbuf[48];
        for (const auto& f : val.findings) {
          n[static_cast<int>(f.severity)]++;
          std::snprintf(tbuf, sizeof tbuf, "%.6f", f.time);  // as `mcsim validate --format jsonl`
          py::dict d;
          d["frame"] = f.frame;
          d["time"] = std::stod(tbuf);
          d["rule"] = f.rule;
          d["severity"] = pcap::severity_name(f.severity);
          d["rfc"] = f.rfc;
          d["reason"] = f.reason;
          findings.append(d);
        }
        py::dict summary;
        summary["file"] = path;
        summary["role"] = role;
        summary["messages"] = val.messages();
        summary["findings"] = val.findings.size();
        summary["must"] = n[0];
        summary["should"] = n[1];
        summary["info"] = n[2];
        summary["ok"] = val.violations() == 0;
        py::dict out;
        out["findings"] = findings;
        out["summary"] = summary;
        return out;
      },
      py::arg("path"), py::arg("role"));
#else
  m.attr("HAVE_VALIDATE") = false;
#endif

  m.def("semantics_of_log", &sim::semantics_of_log, py::arg("jsonl_lines"));
  m.def(
      "load_golden",
      [](const std::string& path) {
        std::string error;
        auto s = sim::load_golden(path, error);
        if (!s) throw CaptureReadError(error);
        return *s;
      },
      py::arg("path"));
  m.def("diff_semantics", &sim::diff_semantics, py::arg("golden"), py::arg("run"), py::arg("golden_name"));
}

}  // namespace mcsim::py_bind
