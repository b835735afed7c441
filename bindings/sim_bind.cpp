// mcsim._core: Scenario and Simulation.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "bindings/common.hpp"
#include "pcap/format.hpp"
#include "sim/golden.hpp"
#include "sim/scenario.hpp"
#include "sim/timeline.hpp"
#include "sim/simulator.hpp"
#include "stack/api/profile.hpp"

namespace py = pybind11;

namespace mcsim::py_bind {
namespace {

double secs(Time t) { return static_cast<double>(t) / 1e9; }

Time to_time(double s) {
  if (!(s >= 0) || s > 9.2e9) throw py::value_error("time must be between 0 and ~292 years of seconds");
  return static_cast<Time>(s * 1e9 + 0.5);
}

template <class T>
py::object opt(const std::optional<T>& v) {
  return v ? py::cast(*v) : py::none();
}
py::object opt_ip4(const std::optional<Ipv4Addr>& a) { return a ? py::cast(a->to_string()) : py::none(); }
py::object opt_ip6(const std::optional<Ipv6Addr>& a) { return a ? py::cast(a->to_string()) : py::none(); }
py::object opt_mac(const std::optional<MacAddr>& a) { return a ? py::cast(a->to_string()) : py::none(); }
py::object opt_dur(const std::optional<Duration>& d) { return d ? py::cast(secs(*d)) : py::none(); }
py::object opt_u8(const std::optional<std::uint8_t>& v) { return v ? py::cast(static_cast<int>(*v)) : py::none(); }

py::list lans_of(const sim::Scenario& sc) {
  py::list out;
  for (const auto& l : sc.lans) {
    py::dict d;
    d["name"] = l.name;
    d["mtu"] = l.mtu;
    d["latency"] = secs(l.latency);
    d["loss"] = l.loss;
    d["duplicate"] = l.duplicate;
    out.append(d);
  }
  return out;
}

py::list hosts_of(const sim::Scenario& sc) {
  py::list out;
  for_each_host(sc, [&](const sim::HostSpec& h) {
    py::dict d;
    d["name"] = h.name;
    d["lan"] = h.lan;
    d["ipv4"] = opt_ip4(h.ipv4);
    d["ipv6"] = opt_ip6(h.ipv6);
    d["mac"] = opt_mac(h.mac);
    d["igmp"] = static_cast<int>(h.igmp);
    d["mld"] = static_cast<int>(h.mld);
    d["robustness"] = opt_u8(h.robustness);
    d["unsolicited_report_interval"] = opt_dur(h.unsolicited_report_interval);
    d["solicited_node"] = h.solicited_node;
    out.append(d);
  });
  return out;
}

py::list routers_of(const sim::Scenario& sc) {
  py::list out;
  for (const auto& r : sc.routers) {
    py::dict d;
    d["name"] = r.name;
    d["lan"] = r.lan;
    d["ipv4"] = opt_ip4(r.ipv4);
    d["ipv6"] = opt_ip6(r.ipv6);
    d["mac"] = opt_mac(r.mac);
    d["igmp"] = static_cast<int>(r.igmp);
    d["mld"] = static_cast<int>(r.mld);
    d["require_router_alert"] = r.require_router_alert;
    d["robustness"] = opt_u8(r.robustness);
    d["query_interval"] = opt_dur(r.query_interval);
    d["query_response_interval"] = opt_dur(r.query_response_interval);
    d["last_member_query_interval"] = opt_dur(r.last_member_query_interval);
    d["last_member_query_count"] = opt_u8(r.last_member_query_count);
    out.append(d);
  }
  return out;
}

py::list switches_of(const sim::Scenario& sc) {
  py::list out;
  for (const auto& s : sc.switches) {
    py::dict d;
    d["name"] = s.name;
    d["ports"] = s.ports;
    d["snooping"] = s.snooping;
    out.append(d);
  }
  return out;
}

sim::Scenario unwrap(sim::LoadResult&& r) {
  if (auto* e = std::get_if<sim::LoadError>(&r)) throw ScenarioLoadError(e->to_string());
  return std::move(std::get<sim::Scenario>(r));
}

void jstr(std::string& out, std::string_view s) { pcap::append_json_string(out, s); }

/// The topology of `sc` as YAML (JSON flow syntax), without events: the context in which
/// one action written as a mapping is loaded (names, addresses and protocol versions are
/// what the loader checks an action against).
std::string stub_yaml(const sim::Scenario& sc) {
  std::string y = "{\"name\": ";
  jstr(y, sc.name);
  y += ", \"profile\": ";
  jstr(y, sc.profile);
  y += ", \"until\": \"" + std::to_string(static_cast<std::int64_t>(1) << 62) + "ns\", \"lans\": [";
  bool first = true;
  for (const auto& l : sc.lans) {
    y += first ? "{\"name\": " : ", {\"name\": ";
    jstr(y, l.name);
    y += "}";
    first = false;
  }
  y += "], \"hosts\": [";
  first = true;
  auto node = [&](const std::string& name, const std::string& lan, const std::optional<Ipv4Addr>& v4,
                  const std::optional<Ipv6Addr>& v6, int igmp, int mld) {
    y += first ? "{\"name\": " : ", {\"name\": ";
    first = false;
    jstr(y, name);
    y += ", \"lan\": ";
    jstr(y, lan);
    if (v4) y += ", \"ipv4\": \"" + v4->to_string() + "\"";
    if (v6) y += ", \"ipv6\": \"" + v6->to_string() + "\"";
    y += ", \"igmp\": " + std::to_string(igmp) + ", \"mld\": " + std::to_string(mld) + "}";
  };
  for (const auto& h : sc.hosts) node(h.name, h.lan, h.ipv4, h.ipv6, h.igmp, h.mld);
  for (const auto& b : sc.host_blocks) {  // as blocks: the stub stays a few lines
    y += first ? "{\"block\": " : ", {\"block\": ";
    first = false;
    y += std::to_string(b.count) + ", \"name\": ";
    jstr(y, b.base.name);
    y += ", \"lan\": ";
    jstr(y, b.base.lan);
    if (b.base.ipv4) y += ", \"ipv4\": \"" + b.base.ipv4->to_string() + "\"";
    if (b.base.ipv6) y += ", \"ipv6\": \"" + b.base.ipv6->to_string() + "\"";
    y += ", \"igmp\": " + std::to_string(b.base.igmp) + ", \"mld\": " + std::to_string(b.base.mld) + "}";
  }
  y += "], \"routers\": [";
  first = true;
  for (const auto& r : sc.routers) node(r.name, r.lan, r.ipv4, r.ipv6, r.igmp, r.mld);
  y += "], \"switches\": [";
  first = true;
  for (const auto& s : sc.switches) {
    y += first ? "{\"name\": " : ", {\"name\": ";
    first = false;
    jstr(y, s.name);
    y += ", \"ports\": [";
    for (std::size_t i = 0; i < s.ports.size(); ++i) {
      if (i) y += ", ";
      jstr(y, s.ports[i]);
    }
    y += "]}";
  }
  y += "],\n\"events\": [\n";
  return y;
}

struct PyScenario {
  std::shared_ptr<const sim::Scenario> sc;
};

class PySimulation {
 public:
  PySimulation(const PyScenario& s, std::optional<std::uint64_t> seed, std::optional<std::string> profile,
               std::optional<double> until, std::optional<std::string> pcap_dir)
      : sc_(s.sc) {
    sim::SimOptions o;
    o.seed = seed;
    o.profile = profile;
    if (until) o.until = to_time(*until);
    if (pcap_dir) o.pcap_dir = *pcap_dir;
    o.log = sim::LogMode::Json;
    for (const auto& h : sc_->hosts) hosts_.insert(h.name);
    sim_ = std::make_unique<sim::Simulation>(*sc_, std::move(o));
    if (!sim_->error().empty()) throw ScenarioLoadError(sim_->error());
    end_ = sim_->end();
  }

  void run(std::optional<double> until) {
    const Time t = until ? to_time(*until) : end_;
    py::gil_scoped_release nogil;
    sim_->run(t);
  }
  bool step() {
    py::gil_scoped_release nogil;
    return sim_->step();
  }

  /// A socket option on a host now (fast path: no YAML); `op` is an option name.
  /// Returns "ok" or the error name. Anything the fast path does not cover goes through
  /// apply_yaml with the same fields.
  std::string apply_option(const std::string& host, const std::string& socket, const std::string& op,
                           const std::string& group, const std::optional<std::string>& source,
                           const std::string& interface) {
    auto o = api::option_by_name(op);
    auto g = IpAddr::parse(group);
    std::optional<IpAddr> src;
    if (source) src = IpAddr::parse(*source);
    bool fast = o && g && hosts_.count(host) && !socket.empty() && (!source || src);
    if (fast) {
      const auto mop = api::info(*o).op;
      const bool needs_source = mop == api::MembershipOp::JoinSource || mop == api::MembershipOp::LeaveSource ||
                                mop == api::MembershipOp::Block || mop == api::MembershipOp::Unblock;
      const bool plain = mop == api::MembershipOp::Join || mop == api::MembershipOp::Leave;
      fast = (needs_source && src) || (plain && !source);
    }
    if (!fast) {
      std::string j = "{\"at\": 0, \"host\": ";
      jstr(j, host);
      j += ", \"socket\": ";
      jstr(j, socket);
      j += ", \"op\": ";
      jstr(j, op);
      j += ", \"group\": ";
      jstr(j, group);
      if (source) {
        j += ", \"source\": ";
        jstr(j, *source);
      }
      if (!interface.empty()) {
        j += ", \"interface\": ";
        jstr(j, interface);
      }
      j += "}";
      return apply_yaml(j);
    }
    sim::EventSpec e;
    e.at = sim_->now();
    e.node_kind = sim::NodeKind::Host;
    e.node = host;
    e.op = sim::OpKind::SocketOption;
    e.option = *o;
    e.op_name = op;
    e.socket = socket;
    e.group = *g;
    e.source = src;
    e.interface = interface;
    e.loc.file = "<python>";
    return sim_->apply(e);
  }

  /// Any action written as a scenario event mapping (YAML or JSON text, `at` ignored).
  std::string apply_yaml(const std::string& event) {
    if (stub_.empty()) stub_ = stub_yaml(*sc_);
    auto r = sim::load_scenario_text(stub_ + event + "\n]}\n", "<apply>");
    if (auto* e = std::get_if<sim::LoadError>(&r)) throw ScenarioLoadError(e->message + " (in action " + event + ")");
    auto& sc = std::get<sim::Scenario>(r);
    if (sc.events.size() != 1) throw ScenarioLoadError("apply: expected exactly one action");
    sim::EventSpec ev = std::move(sc.events.front());
    ev.at = sim_->now();
    ev.loc = sim::SourceLoc{"<python>", 0, 0};
    return sim_->apply(ev);
  }

  /// Checks an expectation (scenario `expect` mapping, `at` ignored) now.
  py::dict check_yaml(const std::string& expect, const std::string& loc_name) {
    if (stub_.empty()) stub_ = stub_yaml(*sc_);
    std::string text = stub_ + "], \"expect\": [\n" + expect + "\n]}\n";
    auto r = sim::load_scenario_text(text, "<check>");
    if (auto* e = std::get_if<sim::LoadError>(&r)) throw ScenarioLoadError(e->message + " (in expectation " + expect + ")");
    auto& sc = std::get<sim::Scenario>(r);
    if (sc.expects.size() != 1) throw ScenarioLoadError("check: expected exactly one expectation");
    sim::ExpectSpec x = std::move(sc.expects.front());
    x.at = sim_->now();
    x.loc = sim::SourceLoc{loc_name, 0, 0};
    return result_dict(sim_->check(x));
  }

  /// Reads a router's state now through an expectation that needs no YAML (recorded with
  /// location `loc_name`; the Python layer hides those). Only `group` → passes; `querier`
  /// → passes when the router is querier.
  py::dict observe_router(const std::string& router, const std::string& group, bool querier,
                          const std::string& loc_name) {
    sim::ExpectSpec x;
    x.at = sim_->now();
    x.node_kind = sim::NodeKind::Router;
    x.node = router;
    if (!group.empty()) {
      auto g = IpAddr::parse(group);
      if (!g) throw py::value_error("group: '" + group + "' is not an IPv4 or IPv6 address");
      x.group = *g;
    }
    if (querier) x.querier = true;
    x.loc = sim::SourceLoc{loc_name, 0, 0};
    return result_dict(sim_->check(x));
  }

  static py::dict result_dict(const sim::ExpectResult& r) {
    py::dict d;
    d["at"] = secs(r.at);
    d["passed"] = r.passed;
    d["what"] = r.what;
    d["detail"] = r.detail;
    d["loc"] = r.loc.to_string();
    return d;
  }

  py::list events_json(std::size_t start) const {
    const auto& log = sim_->log();
    py::list out;
    for (std::size_t i = start; i < log.size(); ++i) out.append(py::str(log[i].json));
    return out;
  }
  std::size_t event_count() const { return sim_->log().size(); }

  /// Number of log events per kind ("tx", "sockopt", ...), without building Python objects.
  py::dict event_counts() const {
    std::map<std::string, std::size_t> n;
    static constexpr std::string_view key = "\"event\":\"";
    for (const auto& e : sim_->log()) {
      auto p = e.json.find(key);
      if (p == std::string::npos) continue;
      p += key.size();
      auto q = e.json.find('"', p);
      ++n[e.json.substr(p, q - p)];
    }
    py::dict d;
    for (const auto& [k, v] : n) d[py::str(k)] = v;
    return d;
  }

  py::list results() const {
    py::list out;
    for (const auto& r : sim_->results()) out.append(result_dict(r));
    return out;
  }
  /// The event log as JSONL lines (what `mcsim run --format jsonl` prints), for compare().
  std::vector<std::string> log_lines() const {
    std::vector<std::string> lines;
    lines.reserve(sim_->log().size());
    for (const auto& e : sim_->log()) lines.push_back(e.json);
    return lines;
  }
  std::vector<std::string> semantics() const {
    std::vector<std::string> lines;
    lines.reserve(sim_->log().size());
    for (const auto& e : sim_->log()) lines.push_back(e.json);
    return sim::semantics_of_log(lines);
  }

  double now() const { return secs(sim_->now()); }
  double end() const { return secs(end_); }
  std::size_t failures() const { return sim_->failures(); }
  std::string error() const { return sim_->error(); }
  std::uint64_t events_processed() const { return sim_->events_processed(); }

 private:
  std::shared_ptr<const sim::Scenario> sc_;
  std::unique_ptr<sim::Simulation> sim_;
  std::unordered_set<std::string> hosts_;
  std::string stub_;
  Time end_ = 0;
};

}  // namespace

void bind_sim(py::module_& m) {
  py::class_<PyScenario>(m, "Scenario")
      .def_static(
          "load",
          [](const std::string& path) {
            sim::LoadResult r;
            {
              py::gil_scoped_release nogil;
              r = sim::load_scenario_file(path);
            }
            return PyScenario{std::make_shared<const sim::Scenario>(unwrap(std::move(r)))};
          },
          py::arg("path"))
      .def_static(
          "from_yaml",
          [](const std::string& text, const std::string& name) {
            return PyScenario{std::make_shared<const sim::Scenario>(unwrap(sim::load_scenario_text(text, name)))};
          },
          py::arg("text"), py::arg("name") = "<string>")
      .def_property_readonly("name", [](const PyScenario& s) { return s.sc->name; })
      .def_property_readonly("file", [](const PyScenario& s) { return s.sc->file; })
      .def_property_readonly("seed", [](const PyScenario& s) { return s.sc->seed; })
      .def_property_readonly("profile", [](const PyScenario& s) { return s.sc->profile; })
      .def_property_readonly("until", [](const PyScenario& s) { return secs(s.sc->until); })
      .def_property_readonly("lans", [](const PyScenario& s) { return lans_of(*s.sc); })
      .def_property_readonly("hosts", [](const PyScenario& s) { return hosts_of(*s.sc); })
      .def_property_readonly("routers", [](const PyScenario& s) { return routers_of(*s.sc); })
      .def_property_readonly("switches", [](const PyScenario& s) { return switches_of(*s.sc); })
      .def_property_readonly("event_count", [](const PyScenario& s) { return sim::Timeline(*s.sc).size(); })  // with blocks' per-host events
      .def_property_readonly("expect_count", [](const PyScenario& s) { return s.sc->expects.size(); });

  py::class_<PySimulation>(m, "Simulation")
      .def(py::init<const PyScenario&, std::optional<std::uint64_t>, std::optional<std::string>,
                    std::optional<double>, std::optional<std::string>>(),
           py::arg("scenario"), py::arg("seed") = py::none(), py::arg("profile") = py::none(),
           py::arg("until") = py::none(), py::arg("pcap_dir") = py::none())
      .def("run", &PySimulation::run, py::arg("until") = py::none())
      .def("step", &PySimulation::step)
      .def("apply_option", &PySimulation::apply_option, py::arg("host"), py::arg("socket"), py::arg("op"),
           py::arg("group"), py::arg("source") = py::none(), py::arg("interface") = "")
      .def("apply_yaml", &PySimulation::apply_yaml, py::arg("event"))
      .def("check_yaml", &PySimulation::check_yaml, py::arg("expect"), py::arg("loc") = "<python>")
      .def("observe_router", &PySimulation::observe_router, py::arg("router"), py::arg("group"), py::arg("querier"),
           py::arg("loc"))
      .def("events_json", &PySimulation::events_json, py::arg("start") = 0)
      .def("event_counts", &PySimulation::event_counts)
      .def_property_readonly("event_count", &PySimulation::event_count)
      .def_property_readonly("results", &PySimulation::results)
      .def("semantics", &PySimulation::semantics)
      .def("log_lines", &PySimulation::log_lines)
      .def_property_readonly("now", &PySimulation::now)
      .def_property_readonly("end", &PySimulation::end)
      .def_property_readonly("failures", &PySimulation::failures)
      .def_property_readonly("error", &PySimulation::error)
      .def_property_readonly("events_processed", &PySimulation::events_processed);

  m.def(
      "parse_duration",
      [](const std::string& s) -> std::optional<double> {
        auto d = sim::parse_duration(s);
        if (!d) return std::nullopt;
        return secs(*d);
      },
      py::arg("text"));
  m.def(
      "error_code",
      [](const std::string& profile, const std::string& name) -> std::optional<int> {
        auto p = api::Profile::by_name(profile);
        if (!p) return std::nullopt;
        for (int i = 0; i <= static_cast<int>(api::Errc::NotSock); ++i) {
          auto e = p->error(static_cast<api::Errc>(i), "");
          if (e.name == name) return e.code;
        }
        return std::nullopt;
      },
      py::arg("profile"), py::arg("name"));
}

}  // namespace mcsim::py_bind
