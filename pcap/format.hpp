// Text and JSON renderings of decoded IGMP/MLD packets (the `mcsim decode` output).
#pragma once

#include <string>

#include "pcap/capture.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::pcap {

/// Message kind as used in JSONL output: igmp_query, igmpv1_report, igmpv2_report,
/// igmpv2_leave, igmpv3_report, igmp_other, mld_query, mldv1_report, mldv1_done, mldv2_report.
const char* message_kind_name(const wire::DecodedPacket& p);

/// Appends one JSON object (no newline) describing the message in `p` of frame `f`.
void append_json(std::string& out, const Frame& f, const wire::DecodedPacket& p);
/// Appends one readable line (no newline), tshark-summary style with records spelled out.
void append_text(std::string& out, const Frame& f, const wire::DecodedPacket& p);

/// JSON string escaping of arbitrary bytes (invalid UTF-8 is replaced by \ufffd).
void append_json_string(std::string& out, std::string_view s);

}  // namespace mcsim::pcap
