// Conformance checks of captured IGMP/MLD traffic against numbered rules citing the RFCs
// (the `mcsim validate` command; docs/validate.md lists every rule).
//
// A Validator is fed the decoded frames of one capture in order and is stateful across
// frames for the timing rules (query intervals, startup, last-member queries, querier
// election, report timing). The role says whose messages are judged: `Router` checks the
// queries (and uses reports/leaves as the triggers the queries must answer), `Host` checks
// reports and leaves (and uses queries as what the reports must answer). Messages that do
// not decode at all are judged in both roles.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pcap/capture.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::pcap {

enum class Role : std::uint8_t { Router, Host };

enum class Severity : std::uint8_t {
  Must,    // an RFC MUST / descriptive requirement without which interoperation breaks
  Should,  // an RFC SHOULD or a recommended default (e.g. counts derived from defaults)
  Info,    // not a protocol violation (e.g. the capture cut the frame); no exit 1
};
const char* severity_name(Severity s);  // "must", "should", "info"

struct Finding {
  std::string rule;    // stable id, e.g. "IGMP-TTL-1"
  std::uint64_t frame = 0;
  double time = 0;     // capture timestamp of the frame, seconds
  Severity severity = Severity::Must;
  std::string reason;
  std::string rfc;     // e.g. "RFC 9776 §4"
};

/// One row of the rule table (for --help and docs).
struct RuleInfo {
  const char* id;
  const char* rfc;
  Severity severity;
  const char* summary;
};
/// Every rule the validator can report, in table order.
const std::vector<RuleInfo>& validate_rules();

class Validator {
 public:
  explicit Validator(Role role);
  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  /// Feeds one frame and its decode (decode_frame returned true). Frames must come in
  /// capture order.
  void feed(const Frame& f, const wire::DecodedPacket& p);
  /// Evaluates what is still pending at the end of the capture (last-member query
  /// sequences whose window ended inside the capture).
  void finish();

  /// Findings so far not taken by drain(); after finish(), in frame order of the frame they
  /// are reported on.
  std::vector<Finding> findings;

  /// Moves to `out`, in frame order, the findings no later finding can precede: those on
  /// frames before the oldest last-member-query sequence still open (its findings are
  /// reported on its trigger's or its queries' frames when its window ends). After finish()
  /// it moves all. Calling it every few thousand frames keeps validation of a capture of any
  /// length in memory bounded by the open state (groups, hosts), not by the findings.
  /// Returns the number moved. Findings held for an open sequence are bounded by
  /// kMaxHeldFindings: beyond it they are moved anyway (frame order may then break).
  std::size_t drain(std::vector<Finding>& out);
  static constexpr std::size_t kMaxHeldFindings = 65536;

  /// Number of findings of severity must/should (those that make `mcsim validate` exit 1),
  /// drained ones included.
  std::size_t violations() const;
  /// Number of findings, drained ones included.
  std::size_t total_findings() const { return drained_ + findings.size(); }
  /// Membership messages judged so far.
  std::uint64_t messages() const { return messages_; }

  struct State;

 private:
  Role role_;
  std::uint64_t messages_ = 0;
  std::size_t drained_ = 0;             // findings moved out by drain()
  std::size_t drained_violations_ = 0;  // of which must/should
  bool finished_ = false;
  std::size_t sorted_ = 0;              // findings[0, sorted_) in frame order (drain)
  std::unique_ptr<State> st_;
};

}  // namespace mcsim::pcap
