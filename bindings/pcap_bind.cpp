// mcsim._core: capture decode (JSON exactly as `mcsim decode --format jsonl`), validation,
// semantic comparison (sim/golden.hpp).
#include <pybind11/stl.h>

#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bindings/common.hpp"
#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "sim/compare.hpp"
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

/// Builds Python objects from the JSON that append_json writes (objects, arrays, strings,
/// numbers, booleans, null) with the C API: what json.loads would return (same float
/// parsing), without the text round trip through the json module. Objects at depth 0 are
/// made with `msg_cls`, deeper ones with `rec_cls` (dict subclasses; nullptr = dict).
/// Short strings (addresses, kinds, keys) are shared through a small cache.
class JsonToPy {
 public:
  JsonToPy(PyObject* msg_cls, PyObject* rec_cls) : msg_cls_(msg_cls), rec_cls_(rec_cls) {}
  ~JsonToPy() { clear_cache(); }
  JsonToPy(const JsonToPy&) = delete;
  JsonToPy& operator=(const JsonToPy&) = delete;

  /// Parses a JSON array of values; a new reference, or nullptr with a Python error set.
  PyObject* parse_array_text(const std::string& text) {
    p_ = text.data();
    end_ = text.data() + text.size();
    depth_ = -1;  // the outer array's elements are depth 0
    return value();
  }

 private:
  PyObject* fail() {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "mcsim: internal JSON decode error");
    return nullptr;
  }
  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }
  void clear_cache() {
    for (auto& [k, v] : cache_) Py_DECREF(v);
    cache_.clear();
  }

  PyObject* value() {
    ws();
    if (p_ >= end_) return fail();
    switch (*p_) {
      case '{': return object();
      case '[': return array();
      case '"': return string();
      case 't':
        if (end_ - p_ >= 4 && std::memcmp(p_, "true", 4) == 0) { p_ += 4; Py_RETURN_TRUE; }
        return fail();
      case 'f':
        if (end_ - p_ >= 5 && std::memcmp(p_, "false", 5) == 0) { p_ += 5; Py_RETURN_FALSE; }
        return fail();
      case 'n':
        if (end_ - p_ >= 4 && std::memcmp(p_, "null", 4) == 0) { p_ += 4; Py_RETURN_NONE; }
        return fail();
      default: return number();
    }
  }

  PyObject* number() {
    const char* b = p_;
    bool is_float = false;
    if (p_ < end_ && *p_ == '-') ++p_;
    while (p_ < end_) {
      const char c = *p_;
      if (c >= '0' && c <= '9') { ++p_; continue; }
      if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { is_float = true; ++p_; continue; }
      break;
    }
    if (p_ == b) return fail();
    std::string tok(b, p_);
    if (is_float) {
      double d = PyOS_string_to_double(tok.c_str(), nullptr, nullptr);
      if (d == -1.0 && PyErr_Occurred()) return nullptr;
      return PyFloat_FromDouble(d);
    }
    return PyLong_FromString(tok.c_str(), nullptr, 10);
  }

  PyObject* string() {
    ++p_;  // opening quote
    const char* b = p_;
    while (p_ < end_ && *p_ != '"' && *p_ != '\\') ++p_;
    if (p_ >= end_) return fail();
    if (*p_ == '"') {  // no escapes: cached when short
      std::string_view sv(b, static_cast<std::size_t>(p_ - b));
      ++p_;
      if (sv.size() <= 48) {
        auto it = cache_.find(std::string(sv));
        if (it != cache_.end()) {
          Py_INCREF(it->second);
          return it->second;
        }
        PyObject* s = PyUnicode_DecodeUTF8(sv.data(), static_cast<Py_ssize_t>(sv.size()), "replace");
        if (!s) return nullptr;
        if (cache_.size() >= 8192) clear_cache();
        Py_INCREF(s);
        cache_.emplace(std::string(sv), s);
        return s;
      }
      return PyUnicode_DecodeUTF8(sv.data(), static_cast<Py_ssize_t>(sv.size()), "replace");
    }
    // with escapes
    std::string out(b, p_);
    while (p_ < end_ && *p_ != '"') {
      if (*p_ != '\\') { out.push_back(*p_++); continue; }
      if (++p_ >= end_) return fail();
      const char e = *p_++;
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          auto hex4 = [&](std::uint32_t& v) {
            if (end_ - p_ < 4) return false;
            v = 0;
            for (int i = 0; i < 4; ++i) {
              const char c = *p_++;
              v <<= 4;
              if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
              else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
              else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
              else return false;
            }
            return true;
          };
          std::uint32_t cp = 0;
          if (!hex4(cp)) return fail();
          if (cp >= 0xD800 && cp < 0xDC00 && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* save = p_;
            p_ += 2;
            std::uint32_t lo = 0;
            if (hex4(lo) && lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else p_ = save;
          }
          if (cp < 0x80) out.push_back(static_cast<char>(cp));
          else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: return fail();
      }
    }
    if (p_ >= end_) return fail();
    ++p_;
    return PyUnicode_DecodeUTF8(out.data(), static_cast<Py_ssize_t>(out.size()), "surrogatepass");
  }

  PyObject* array() {
    ++p_;
    PyObject* list = PyList_New(0);
    if (!list) return nullptr;
    ++depth_;
    ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      --depth_;
      return list;
    }
    while (true) {
      PyObject* v = value();
      if (!v || PyList_Append(list, v) < 0) {
        Py_XDECREF(v);
        Py_DECREF(list);
        return fail();
      }
      Py_DECREF(v);
      ws();
      if (p_ < end_ && *p_ == ',') { ++p_; continue; }
      if (p_ < end_ && *p_ == ']') { ++p_; break; }
      Py_DECREF(list);
      return fail();
    }
    --depth_;
    return list;
  }

  PyObject* object() {
    ++p_;
    PyObject* cls = depth_ <= 0 ? msg_cls_ : rec_cls_;
    PyObject* d = cls ? PyObject_CallNoArgs(cls) : PyDict_New();
    if (!d) return nullptr;
    ++depth_;
    ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      --depth_;
      return d;
    }
    while (true) {
      ws();
      if (p_ >= end_ || *p_ != '"') { Py_DECREF(d); return fail(); }
      PyObject* k = string();
      if (!k) { Py_DECREF(d); return nullptr; }
      ws();
      if (p_ >= end_ || *p_ != ':') { Py_DECREF(k); Py_DECREF(d); return fail(); }
      ++p_;
      PyObject* v = value();
      if (!v || PyDict_SetItem(d, k, v) < 0) {
        Py_DECREF(k);
        Py_XDECREF(v);
        Py_DECREF(d);
        return fail();
      }
      Py_DECREF(k);
      Py_DECREF(v);
      ws();
      if (p_ < end_ && *p_ == ',') { ++p_; continue; }
      if (p_ < end_ && *p_ == '}') { ++p_; break; }
      Py_DECREF(d);
      return fail();
    }
    --depth_;
    return d;
  }

  PyObject* msg_cls_;
  PyObject* rec_cls_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  int depth_ = 0;
  std::unordered_map<std::string, PyObject*> cache_;
};

/// Streams the decoded messages of one capture as JSON arrays of up to `max` objects:
/// each object is exactly a line of `mcsim decode --format jsonl`.
class Decoder {
 public:
  explicit Decoder(const std::string& path) : reader_(open_capture(path)) {}

  /// The next chunk as a list of objects (dicts, or instances of the dict subclasses
  /// msg_cls / rec_cls for messages / their records), or None at the end.
  py::object next_objects(std::size_t max, py::object msg_cls, py::object rec_cls) {
    if (!fill(max)) return py::none();
    if (!parser_) {
      keep_msg_ = msg_cls;
      keep_rec_ = rec_cls;
      parser_ = std::make_unique<JsonToPy>(msg_cls.is_none() ? nullptr : msg_cls.ptr(),
                                           rec_cls.is_none() ? nullptr : rec_cls.ptr());
    }
    // The objects are acyclic: no cyclic-GC passes while thousands of them are made.
#if PY_VERSION_HEX >= 0x030A0000
    const int gc_was_enabled = PyGC_Disable();
#endif
    PyObject* r = parser_->parse_array_text(buf_);
#if PY_VERSION_HEX >= 0x030A0000
    if (gc_was_enabled) PyGC_Enable();
#endif
    if (!r) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  }

  /// The next chunk as a JSON array text, or None at the end. Raises CaptureError when the
  /// file is cut short (after the messages before the cut were returned).
  py::object next_chunk(std::size_t max) {
    if (!fill(max)) return py::none();
    return py::str(buf_);
  }

 private:
  /// Decodes up to `max` messages into buf_ (a JSON array); false at the end.
  bool fill(std::size_t max) {
    while (true) {
      if (done_) {
        if (!reader_->error().empty() && !raised_) {
          raised_ = true;
          throw CaptureReadError(reader_->error());
        }
        return false;
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
      if (n) return true;
    }
  }

  std::unique_ptr<pcap::Reader> reader_;
  pcap::Frame frame_;
  wire::DecodedPacket pkt_;
  std::string buf_;
  bool done_ = false;
  bool raised_ = false;
  std::unique_ptr<JsonToPy> parser_;
  py::object keep_msg_, keep_rec_;
};

}  // namespace

void bind_pcap(py::module_& m) {
  py::class_<Decoder>(m, "Decoder")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("next_chunk", &Decoder::next_chunk, py::arg("max") = 65536)
      .def("next_objects", &Decoder::next_objects, py::arg("max") = 65536, py::arg("msg_cls") = py::none(),
           py::arg("rec_cls") = py::none());

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
  // `mcsim compare` (sim/compare.hpp): each side a path or a list of JSONL event-log lines.
  m.def(
      "compare_traces",
      [](const py::object& a, const py::object& b, const std::string& a_name, const std::string& b_name, bool queries,
         const std::string& responses, const std::vector<std::string>& exclude) {
        sim::compare::Options opt;
        opt.queries = queries;
        if (responses == "state") opt.responses = sim::compare::Responses::State;
        else if (responses == "count") opt.responses = sim::compare::Responses::Count;
        else if (responses == "exact") opt.responses = sim::compare::Responses::Exact;
        else throw py::value_error("responses: '" + responses + "' is not one of state, count, exact");
        for (const auto& e : exclude) {
          auto addr = IpAddr::parse(e);
          if (!addr) throw py::value_error("exclude: '" + e + "' is not an IPv4 or IPv6 address");
          opt.exclude.push_back(*addr);
        }
        auto load = [](const py::object& x, const std::string& name) {
          std::string error;
          std::optional<sim::compare::Trace> t;
          if (py::isinstance<py::str>(x)) {
            const auto path = x.cast<std::string>();
            py::gil_scoped_release nogil;
            t = sim::compare::load_trace(path, error);
          } else {
            const auto lines = x.cast<std::vector<std::string>>();
            py::gil_scoped_release nogil;
            t = sim::compare::trace_of_log(lines, name, error);
          }
          if (!t) throw CaptureReadError(error);
          return std::move(*t);
        };
        const auto ta = load(a, a_name);
        const auto tb = load(b, b_name);
        sim::compare::Result res;
        {
          py::gil_scoped_release nogil;
          res = sim::compare::compare_traces(ta, tb, opt);
        }
        py::dict out;
        out["equal"] = res.equal();
        out["diff"] = res.diff_text();
        out["text"] = res.text();
        out["jsonl"] = res.jsonl();
        return out;
      },
      py::arg("a"), py::arg("b"), py::arg("a_name") = "a", py::arg("b_name") = "b", py::arg("queries") = false,
      py::arg("responses") = "state", py::arg("exclude") = std::vector<std::string>{});
}

}  // namespace mcsim::py_bind
