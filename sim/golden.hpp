// Semantic comparison of a run with a golden JSONL log or a golden pcap: the sequence of
// transmitted IGMP/MLD messages by kind, addresses, group, records and sources — not by
// timing, which depends on random report delays.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mcsim::sim {

/// One line per transmitted IGMP/MLD message, e.g.
/// "igmpv3_report 10.0.0.2 > 224.0.0.22 TO_EX 239.1.1.1 {}".
using Semantics = std::vector<std::string>;

/// From JSONL event-log lines (tx events only; other events are ignored).
Semantics semantics_of_log(const std::vector<std::string>& jsonl_lines);
/// From a golden file: *.jsonl (an event log) or *.pcap/*.pcapng (a capture, decoded).
/// nullopt with `error` set when the file cannot be read.
std::optional<Semantics> load_golden(const std::string& path, std::string& error);

/// Empty when equal; otherwise a readable diff (first difference with context, counts).
std::string diff_semantics(const Semantics& golden, const Semantics& run, const std::string& golden_name);

}  // namespace mcsim::sim
