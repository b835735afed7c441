// mcsim decode: one line or JSON object per IGMP/MLD message in capture files.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"

namespace mcsim::cli {
namespace {

constexpr const char* kDecodeHelp =
    "usage: mcsim decode FILE... [--format text|jsonl] [--filter igmp|mld] [--html FILE]\n"
    "\n"
    "Decode every IGMP (IP protocol 2) and MLD (ICMPv6 130/131/132/143) message in\n"
    "pcap or pcapng captures (link types Ethernet, Linux SLL/SLL2, raw IP, BSD null/loop).\n"
    "\n"
    "options:\n"
    "  --format text    one readable line per message (default)\n"
    "  --format jsonl   one JSON object per message: frame, time, ip, src, dst, ttl,\n"
    "                   router_alert, tos, kind, version, group, max_resp_ms, s_flag,\n"
    "                   qrv, qqi_s, sources, records, checksum_ok, errors\n"
    "  --filter igmp    only IGMP messages; --filter mld: only MLD messages\n"
    "  --html FILE      also write a self-contained HTML report (docs/report.md): ladder\n"
    "                   diagram, one column per source address, multicast destinations as\n"
    "                   'group' columns; membership per group as seen in the reports\n"
    "  -h, --help       this help\n"
    "\n"
    "Malformed messages are printed with their errors; exit status 2 when a file cannot\n"
    "be read (not a capture, truncated, unsupported link type), 0 otherwise.\n";

enum class Format { Text, Jsonl };
enum class Filter { All, Igmp, Mld };

int decode_one(const std::string& path, Format format, Filter filter, std::string& buf,
               sim::report::Input* report, std::size_t& report_omitted) {
  std::string error;
  auto reader = pcap::Reader::open(path, error);
  if (!reader) {
    std::fprintf(stderr, "mcsim decode: %s\n", error.c_str());
    return 2;
  }
  if (!pcap::linktype_supported(reader->linktype())) {
    std::fprintf(stderr, "mcsim decode: %s: unsupported link type %d (supported: Ethernet 1, Linux SLL 113, "
                         "SLL2 276, raw IP 101/228/229, BSD null 0, loop 108)\n",
                 path.c_str(), reader->linktype());
    return 2;
  }
  pcap::Frame frame;
  wire::DecodedPacket pkt;
  while (!interrupted() && reader->next(frame)) {
    if (!pcap::decode_frame(frame, pkt)) continue;
    if (filter == Filter::Igmp && pkt.proto != wire::PacketProto::Igmp) continue;
    if (filter == Filter::Mld && pkt.proto != wire::PacketProto::Mld) continue;
    if (report)
      if (std::string* slot = report_slot(*report, report_omitted)) pcap::append_json(*slot, frame, pkt);
    if (format == Format::Jsonl)
      pcap::append_json(buf, frame, pkt);
    else
      pcap::append_text(buf, frame, pkt);
    buf.push_back('\n');
    if (buf.size() >= (1u << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  buf.clear();
  if (!reader->error().empty()) {
    std::fflush(stdout);
    std::fprintf(stderr, "mcsim decode: %s\n", reader->error().c_str());
    return 2;
  }
  return 0;
}

}  // namespace

int cmd_decode(int argc, char** argv) {
  Format format = Format::Text;
  Filter filter = Filter::All;
  std::vector<std::string> files;
  std::string html_out;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mcsim decode: %.*s needs a value\n", static_cast<int>(name.size()), name.data());
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kDecodeHelp, stdout);
      return 0;
    } else if (a == "--format") {
      const char* v = value(a);
      if (!v) return 2;
      std::string_view s = v;
      if (s == "text") format = Format::Text;
      else if (s == "jsonl") format = Format::Jsonl;
      else {
        std::fprintf(stderr, "mcsim decode: --format: '%s' is not one of text, jsonl\n", v);
        return 2;
      }
    } else if (a == "--html") {
      const char* v = value(a);
      if (!v) return 2;
      html_out = v;
    } else if (a == "--filter") {
      const char* v = value(a);
      if (!v) return 2;
      std::string_view s = v;
      if (s == "igmp") filter = Filter::Igmp;
      else if (s == "mld") filter = Filter::Mld;
      else {
        std::fprintf(stderr, "mcsim decode: --filter: '%s' is not one of igmp, mld\n", v);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "mcsim decode: unknown option '%s'\n%s", argv[i], kDecodeHelp);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "mcsim decode: no capture file given\n%s", kDecodeHelp);
    return 2;
  }
  int rc = 0;
  std::string buf;
  buf.reserve(1u << 17);
  sim::report::Input report;
  report.capture = true;
  std::size_t report_omitted = 0;
  install_interrupt_handler();
  for (const auto& f : files) {
    int r = decode_one(f, format, filter, buf, html_out.empty() ? nullptr : &report, report_omitted);
    if (r > rc) rc = r;
    report.title += (report.title.empty() ? "" : ", ") + f;
    if (interrupted()) {  // decode_one stopped at a message boundary and wrote what it had
      std::fflush(stdout);
      std::fprintf(stderr, "mcsim decode: interrupted; output flushed\n");
      return kInterruptedExit;
    }
  }
  note_omitted(report, report_omitted, "decode", "messages");
  if (!html_out.empty() && !write_report(report, html_out, "", {}, "decode")) return 2;
  return rc;
}

}  // namespace mcsim::cli
