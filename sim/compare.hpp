// `mcsim compare`: do two runs of one scenario — simulated, live against a real querier, or
// captured from real hosts — show the same host behaviour? Per host (by source address),
// the ordered IGMP/MLD messages are compared by kind, destination, group, record types and
// source sets; timing, random delays, the interleaving between hosts, ARP/ND, data and (by
// default) the querier's own queries are not compared (docs/compare.md).
//
// Each host's messages are split into two streams:
//  * state changes — IGMPv3/MLDv2 state-change records (TO_IN, TO_EX, ALLOW, BLOCK;
//    RFC 9776 §4.2.12 / RFC 9777 §5.2.12), IGMPv1/v2 and MLDv1 reports for a group the
//    host is not yet a member of (the unsolicited join, RFC 2236 §3 / RFC 2710 §4), leaves
//    and dones. They do not depend on the querier and must be equal, in order.
//  * query responses — current-state records (IS_IN, IS_EX) and v1/v2 reports for a group
//    the host is already a member of (a repeat or an answer). How many there are depends
//    on how many queries the querier sent, so by default each response must equal the
//    host's state at that time (the state its own state changes so far gave it, RFC 9776
//    §5.2 / RFC 9777 §6.2), and a different number of responses is only a note.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stack/addr.hpp"

namespace mcsim::sim::compare {

/// One IGMP/MLD message of a trace, in the form that is compared.
struct Msg {
  std::uint64_t where = 0;  // frame number (capture) or line number (event log), 1-based
  double time = 0;          // seconds; only shown, never compared
  IpAddr src;
  bool query = false;
  bool report_v3 = false;   // IGMPv3 / MLDv2 report (records)
  bool join_v2 = false;     // IGMPv1/v2 / MLDv1 report
  bool leave = false;       // IGMPv2 leave / MLDv1 done
  std::string head;         // "igmpv3_report > 224.0.0.22", "igmp_query v3 > 224.0.0.1 239.1.1.1 ..."
  std::string group;        // v1/v2 messages, queries
  struct Record {
    int type = 0;
    std::string group;
    std::vector<std::string> sources;  // sorted
  };
  std::vector<Record> records;         // sorted by group, then type
  std::string tail;                    // " [errors: ...]" / " [bad checksum]" or empty
};

struct Trace {
  std::string name;                  // the file name, for messages
  bool log = false;                  // read from a JSONL event log (else a capture)
  std::vector<Msg> msgs;
  std::uint64_t ignored_other = 0;   // IGMP messages that are not membership messages (DVMRP, ...)
  std::uint64_t log_lines_skipped = 0;  // event-log lines that are not transmissions
};

/// Reads a capture (pcap/pcapng, any link type the decoder reads) or a JSONL event log
/// (`mcsim run --format jsonl`, or `mcsim decode --format jsonl` output). The kind is taken
/// from the content (a log starts with '{'). nullopt with `error` naming the file and the
/// problem when it cannot be read.
std::optional<Trace> load_trace(const std::string& path, std::string& error);
/// From event-log lines (tx events of `mcsim run --format jsonl`, or decode objects).
std::optional<Trace> trace_of_log(const std::vector<std::string>& lines, const std::string& name, std::string& error);

enum class Responses { State, Count, Exact };

struct Options {
  bool queries = false;               // also compare each querier's queries, in order
  Responses responses = Responses::State;
  std::vector<IpAddr> exclude;        // sources not compared
};

/// One difference (or note) between the traces.
struct Finding {
  std::string host;        // source address, "" for the whole trace
  std::string what;        // "host_missing", "state_changes", "response_state", "responses", "queries"
  std::string side;        // "a", "b" or "" (both)
  std::uint64_t index = 0; // 1-based position in the stream where they differ (0: n/a)
  std::uint64_t a_count = 0, b_count = 0;
  std::string a, b;        // the differing messages ("" when that side has none)
  std::uint64_t a_where = 0, b_where = 0;  // frame/line of a and b (0: none)
  std::vector<std::string> context;        // the equal messages just before
  std::string detail;      // a sentence
};

struct Result {
  std::string a_name, b_name;
  bool a_log = false, b_log = false;
  std::uint64_t a_msgs = 0, b_msgs = 0;
  std::uint64_t hosts = 0, hosts_differ = 0, queriers_differ = 0;
  std::uint64_t a_state_changes = 0, b_state_changes = 0;
  std::uint64_t a_responses = 0, b_responses = 0;
  std::uint64_t a_queries = 0, b_queries = 0;
  Options opt;
  std::vector<Finding> differences;
  std::vector<Finding> notes;
  bool equal() const { return differences.empty(); }

  /// The readable report: header, what was ignored, differences, notes, verdict.
  std::string text() const;
  /// The differences only ("" when equal), as text() prints them.
  std::string diff_text() const;
  /// One JSON object per difference ("difference": ...) and note ("note": ...), then
  /// {"summary": {...}}.
  std::string jsonl() const;
};

Result compare_traces(const Trace& a, const Trace& b, const Options& opt);

}  // namespace mcsim::sim::compare
