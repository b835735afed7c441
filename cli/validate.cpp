// mcsim validate: checks captured IGMP/MLD traffic against numbered RFC rules (docs/validate.md).
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "pcap/validate.hpp"

namespace mcsim::cli {
namespace {

constexpr const char* kValidateHelp =
    "usage: mcsim validate FILE --role router|host [--format text|jsonl] [--html FILE]\n"
    "\n"
    "Check every IGMP/MLD message of a pcap/pcapng capture against numbered rules citing\n"
    "the RFCs (docs/validate.md). --role router judges the queries (and their timing against\n"
    "the reports and leaves they answer); --role host judges reports and leaves.\n"
    "\n"
    "options:\n"
    "  --role router|host  whose messages to judge (required)\n"
    "  --format text       'frame N: RULE (RFC ...): reason' per finding + summary (default)\n"
    "  --format jsonl      one object per finding {frame, time, rule, severity, rfc, reason},\n"
    "                      then {\"summary\": ...}\n"
    "  --html FILE         also write a self-contained HTML report (docs/report.md): the\n"
    "                      capture's ladder diagram with the findings listed beside it\n"
    "                      (click one to highlight its frame's message)\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 no rule broken, 1 a must/should rule broken (info findings do not count),\n"
    "2 unreadable input or usage error.\n"
    "\n"
    "rules:\n";

void print_help() {
  std::fputs(kValidateHelp, stdout);
  for (const auto& r : pcap::validate_rules())
    std::printf("  %-18s %-6s %s  [%s]\n", r.id, pcap::severity_name(r.severity), r.summary, r.rfc);
}

}  // namespace

int cmd_validate(int argc, char** argv) {
  bool jsonl = false;
  int role = -1;
  std::string file, html_out;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mcsim validate: %.*s needs a value\n", static_cast<int>(name.size()), name.data());
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      print_help();
      return 0;
    } else if (a == "--format") {
      const char* v = value(a);
      if (!v) return 2;
      std::string_view s = v;
      if (s == "text") jsonl = false;
      else if (s == "jsonl") jsonl = true;
      else {
        std::fprintf(stderr, "mcsim validate: --format: '%s' is not one of text, jsonl\n", v);
        return 2;
      }
    } else if (a == "--html") {
      const char* v = value(a);
      if (!v) return 2;
      html_out = v;
    } else if (a == "--role") {
      const char* v = value(a);
      if (!v) return 2;
      std::string_view s = v;
      if (s == "router") role = 0;
      else if (s == "host") role = 1;
      else {
        std::fprintf(stderr, "mcsim validate: --role: '%s' is not one of router, host\n", v);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcsim validate: unknown option '%s' (see mcsim validate --help)\n", argv[i]);
      return 2;
    } else if (!file.empty()) {
      std::fprintf(stderr, "mcsim validate: one capture file at a time ('%s' and '%s')\n", file.c_str(), argv[i]);
      return 2;
    } else {
      file = a;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "mcsim validate: no capture file given (see mcsim validate --help)\n");
    return 2;
  }
  if (role < 0) {
    std::fprintf(stderr, "mcsim validate: --role router|host is required\n");
    return 2;
  }
  std::string error;
  auto reader = pcap::Reader::open(file, error);
  if (!reader) {
    std::fprintf(stderr, "mcsim validate: %s\n", error.c_str());
    return 2;
  }
  if (!pcap::linktype_supported(reader->linktype())) {
    std::fprintf(stderr, "mcsim validate: %s: unsupported link type %d (supported: Ethernet 1, Linux SLL 113, "
                         "SLL2 276, raw IP 101/228/229, BSD null 0, loop 108)\n",
                 file.c_str(), reader->linktype());
    return 2;
  }
  pcap::Validator val(role == 0 ? pcap::Role::Router : pcap::Role::Host);
  pcap::Frame frame;
  wire::DecodedPacket pkt;
  sim::report::Input report;
  report.capture = true;
  report.title = file + " (validate --role " + (role == 0 ? "router" : "host") + ")";
  std::size_t report_omitted = 0, findings_omitted = 0;
  std::size_t n[3] = {0, 0, 0};
  std::string out;
  std::vector<pcap::Finding> ready;
  char tbuf[48];
  auto finding_json = [&](std::string& j, const pcap::Finding& f) {
    std::snprintf(tbuf, sizeof tbuf, "%.6f", f.time);
    j += "{\"frame\":" + std::to_string(f.frame) + ",\"time\":" + tbuf + ",\"rule\":";
    pcap::append_json_string(j, f.rule);
    j += ",\"severity\":";
    pcap::append_json_string(j, pcap::severity_name(f.severity));
    j += ",\"rfc\":";
    pcap::append_json_string(j, f.rfc);
    j += ",\"reason\":";
    pcap::append_json_string(j, f.reason);
    j += "}";
  };
  // Findings are printed as soon as no earlier one can follow (Validator::drain), so a
  // capture of any length is validated in bounded memory (docs/reliability.md).
  auto emit = [&](bool all) {
    if (all) val.drain(ready);
    for (const auto& f : ready) {
      n[static_cast<int>(f.severity)]++;
      if (jsonl) {
        finding_json(out, f);
        out += '\n';
      } else {
        out += "frame " + std::to_string(f.frame) + ": " + f.rule + " (" + f.rfc + "): " + f.reason;
        if (f.severity != pcap::Severity::Must) out += std::string(" [") + pcap::severity_name(f.severity) + "]";
        out += '\n';
      }
      if (!html_out.empty()) {
        if (report.findings.size() < kReportMaxEvents) finding_json(report.findings.emplace_back(), f);
        else ++findings_omitted;
      }
    }
    ready.clear();
    if (out.size() >= (1u << 16) || all) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  };
  std::uint64_t frames = 0;
  while (reader->next(frame)) {
    if (pcap::decode_frame(frame, pkt)) {
      val.feed(frame, pkt);
      if (!html_out.empty())
        if (std::string* slot = report_slot(report, report_omitted)) pcap::append_json(*slot, frame, pkt);
    }
    if ((++frames & 4095) == 0 && val.drain(ready)) emit(false);
  }
  if (!reader->error().empty()) {
    // The findings settled before the unreadable record are printed, then the error.
    val.drain(ready);
    emit(false);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    std::fprintf(stderr, "mcsim validate: %s\n", reader->error().c_str());
    return 2;
  }
  val.finish();
  emit(true);
  const char* role_name = role == 0 ? "router" : "host";
  const std::size_t total = val.total_findings();
  if (jsonl) {
    out += "{\"summary\":{\"file\":";
    pcap::append_json_string(out, file);
    out += std::string(",\"role\":\"") + role_name + "\",\"messages\":" + std::to_string(val.messages()) +
           ",\"findings\":" + std::to_string(total) + ",\"must\":" + std::to_string(n[0]) +
           ",\"should\":" + std::to_string(n[1]) + ",\"info\":" + std::to_string(n[2]) + ",\"ok\":" +
           (val.violations() ? "false" : "true") + "}}\n";
  } else {
    out += std::string(val.violations() ? "FAIL" : "OK") + ": " + file + " (role " + role_name + "): " +
           std::to_string(val.messages()) + " messages judged, " + std::to_string(total) +
           " findings (" + std::to_string(n[0]) + " must, " + std::to_string(n[1]) + " should, " +
           std::to_string(n[2]) + " info)\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!html_out.empty()) {
    note_omitted(report, report_omitted, "validate", "messages");
    if (findings_omitted)
      std::fprintf(stderr, "mcsim validate: the report lists the first %zu of %zu findings\n", report.findings.size(),
                   report.findings.size() + findings_omitted);
    if (!write_report(report, html_out, "", {}, "validate")) return 2;
  }
  return val.violations() ? 1 : 0;
}

}  // namespace mcsim::cli
