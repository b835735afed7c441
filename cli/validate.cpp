// mcsim validate: checks captured IGMP/MLD traffic against numbered RFC rules (docs/validate.md).
#include <cstdio>
#include <string>
#include <string_view>

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
  while (reader->next(frame))
    if (pcap::decode_frame(frame, pkt)) {
      val.feed(frame, pkt);
      if (!html_out.empty()) {
        report.events.emplace_back();
        pcap::append_json(report.events.back(), frame, pkt);
      }
    }
  if (!reader->error().empty()) {
    std::fprintf(stderr, "mcsim validate: %s\n", reader->error().c_str());
    return 2;
  }
  val.finish();
  std::size_t n[3] = {0, 0, 0};
  std::string out;
  char tbuf[48];
  for (const auto& f : val.findings) {
    n[static_cast<int>(f.severity)]++;
    if (jsonl) {
      std::snprintf(tbuf, sizeof tbuf, "%.6f", f.time);
      out += "{\"frame\":" + std::to_string(f.frame) + ",\"time\":" + tbuf + ",\"rule\":";
      pcap::append_json_string(out, f.rule);
      out += ",\"severity\":";
      pcap::append_json_string(out, pcap::severity_name(f.severity));
      out += ",\"rfc\":";
      pcap::append_json_string(out, f.rfc);
      out += ",\"reason\":";
      pcap::append_json_string(out, f.reason);
      out += "}\n";
    } else {
      out += "frame " + std::to_string(f.frame) + ": " + f.rule + " (" + f.rfc + "): " + f.reason;
      if (f.severity != pcap::Severity::Must) out += std::string(" [") + pcap::severity_name(f.severity) + "]";
      out += '\n';
    }
  }
  const char* role_name = role == 0 ? "router" : "host";
  if (jsonl) {
    out += "{\"summary\":{\"file\":";
    pcap::append_json_string(out, file);
    out += std::string(",\"role\":\"") + role_name + "\",\"messages\":" + std::to_string(val.messages()) +
           ",\"findings\":" + std::to_string(val.findings.size()) + ",\"must\":" + std::to_string(n[0]) +
           ",\"should\":" + std::to_string(n[1]) + ",\"info\":" + std::to_string(n[2]) + ",\"ok\":" +
           (val.violations() ? "false" : "true") + "}}\n";
  } else {
    out += std::string(val.violations() ? "FAIL" : "OK") + ": " + file + " (role " + role_name + "): " +
           std::to_string(val.messages()) + " messages judged, " + std::to_string(val.findings.size()) +
           " findings (" + std::to_string(n[0]) + " must, " + std::to_string(n[1]) + " should, " +
           std::to_string(n[2]) + " info)\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!html_out.empty()) {
    for (const auto& f : val.findings) {
      std::snprintf(tbuf, sizeof tbuf, "%.6f", f.time);
      std::string j = "{\"frame\":" + std::to_string(f.frame) + ",\"time\":" + tbuf + ",\"rule\":";
      pcap::append_json_string(j, f.rule);
      j += ",\"severity\":";
      pcap::append_json_string(j, pcap::severity_name(f.severity));
      j += ",\"rfc\":";
      pcap::append_json_string(j, f.rfc);
      j += ",\"reason\":";
      pcap::append_json_string(j, f.reason);
      report.findings.push_back(j + "}");
    }
    if (!write_report(report, html_out, "", {}, "validate")) return 2;
  }
  return val.violations() ? 1 : 0;
}

}  // namespace mcsim::cli
