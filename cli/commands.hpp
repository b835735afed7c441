// Subcommands of the mcsim CLI. Each returns the process exit code (0 ok, 1 check failed,
// 2 bad input or usage).
#pragma once

namespace mcsim::cli {

int cmd_decode(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_validate(int argc, char** argv);
int cmd_live(int argc, char** argv);

}  // namespace mcsim::cli
