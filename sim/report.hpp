// Pictures of what happened (docs/report.md): a self-contained HTML page (ladder diagram,
// membership timelines, expectations, validation findings) and a static SVG ladder, built
// from the JSON objects the simulator logs (`mcsim run`) or the decoder prints
// (`mcsim decode`, `mcsim validate`).
//
// Ladder model: one column per node (routers, switches, hosts, CH395 devices) for a run,
// or per source address for a capture; a multicast destination is drawn as a "group"
// pseudo-column at the right (one per destination address, e.g. "224.0.0.22"), so every
// message is exactly one arrow from its sender to its destination column. A unicast
// destination owned by a known node goes to that node's column.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace mcsim::sim::report {

struct Column {
  std::string name;
  std::string kind;  // router | switch | host | device | addr | group
};

struct Input {
  std::string title;
  bool capture = false;                       // events are decode objects (frame, time, src, ...)
  std::vector<std::string> events;            // one complete JSON object each
  std::vector<std::string> findings;          // validate findings {frame, time, rule, ...}
  std::vector<Column> nodes;                  // known nodes in display order (runs)
  std::map<std::string, std::string> owner;   // unicast address -> node name
};

/// One arrow (or drop mark) of the ladder.
struct Message {
  double t = 0;
  std::size_t from = 0, to = 0;  // column indexes
  std::string cls;               // query | report | leave | data | drop | other
  std::string label;             // e.g. "v3 report TO_EX 239.1.1.1 {}"
  std::size_t event = 0;         // index into Input::events
  std::uint64_t frame = 0;       // capture frame number (0 for runs)
  bool arrow = true;             // false: a mark on one column (drop, runt)
};

struct Ladder {
  std::vector<Column> columns;
  std::vector<Message> messages;
};

/// Input for a run of `sc` (columns and address owners); add the log events after.
Input input_for(const Scenario& sc);
/// Columns and messages: tx and send events (runs) or every decoded message (captures)
/// are arrows; drop and runt events are marks.
Ladder ladder_of(const Input& in);
/// The whole page, no external resources.
std::string html(const Input& in);

struct SvgRange {
  std::size_t max_messages = 2000;
  std::optional<double> from, to;  // seconds
};
/// Static ladder (no script): the arrows of messages in the range, first max_messages.
std::string svg(const Input& in, const SvgRange& range);

/// The HTML template (report_template.cpp): "@@DATA@@" is replaced by the page's JSON.
extern const char* const kHtmlTemplate;

}  // namespace mcsim::sim::report
