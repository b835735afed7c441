// Subcommands of the mcsim CLI. Each returns the process exit code (0 ok, 1 check failed,
// 2 bad input or usage).
#pragma once

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

}  // namespace mcsim::cli
