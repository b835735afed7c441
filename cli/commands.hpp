// Subcommands of the mcsim CLI. Each returns the process exit code (0 ok, 1 check failed,
// 2 bad input or usage).
#pragma once

#include <cstddef>
#include <string>

#include "sim/report.hpp"

namespace mcsim::cli {

int cmd_decode(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_validate(int argc, char** argv);
int cmd_live(int argc, char** argv);
int cmd_compare(int argc, char** argv);

/// Writes the --html page and/or the --svg ladder (empty path: not written); false after
/// printing "mcsim CMD: cannot write ..." on failure.
bool write_report(const sim::report::Input& in, const std::string& html_out, const std::string& svg_out,
                  const sim::report::SvgRange& range, const char* cmd);

/// The --html/--svg report keeps at most this many events (messages of a capture, log
/// events of a run): a page with more is not readable, and the report's memory would grow
/// with the input. Later events are counted, and the title and stderr say how many were left out.
inline constexpr std::size_t kReportMaxEvents = 100000;

/// A slot for one more report event, or nullptr (counted in `omitted`) when the report is full.
std::string* report_slot(sim::report::Input& in, std::size_t& omitted);
/// When events were left out: appends "(first N of M events)" to the title and tells stderr.
void note_omitted(sim::report::Input& in, std::size_t omitted, const char* cmd, const char* what);

}  // namespace mcsim::cli
