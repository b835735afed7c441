// mcsim command line: thin dispatch to the subcommands.
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "cli/commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: mcsim <command> [options]\n"
    "\n"
    "IGMP/MLD protocol stack, simulator and capture analyser.\n"
    "\n"
    "commands:\n"
    "  run FILE         run a scenario (YAML) and print its timeline; pcaps per LAN\n"
    "  check FILE|DIR   run scenarios with their expectations and golden files\n"
    "  decode FILE...   decode IGMP/MLD messages in pcap/pcapng captures\n"
    "  validate FILE    check a capture against RFC rules (--role router|host)\n"
    "  live --iface IF FILE  emulate a scenario's hosts on a real interface\n"
    "  compare A B      compare the hosts' IGMP/MLD messages of two runs (captures or logs)\n"
    "\n"
    "Run 'mcsim <command> --help' for the options of a command.\n"
    "Exit codes: 0 ok, 1 check failed, 2 bad input or usage.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::puts("mcsim 0.1.0");
    return 0;
  }
  try {
    if (cmd == "decode") return mcsim::cli::cmd_decode(argc - 2, argv + 2);
    if (cmd == "run") return mcsim::cli::cmd_run(argc - 2, argv + 2);
    if (cmd == "check") return mcsim::cli::cmd_check(argc - 2, argv + 2);
    if (cmd == "validate") return mcsim::cli::cmd_validate(argc - 2, argv + 2);
    if (cmd == "live") return mcsim::cli::cmd_live(argc - 2, argv + 2);
    if (cmd == "compare") return mcsim::cli::cmd_compare(argc - 2, argv + 2);
  } catch (const std::bad_alloc&) {
    // The --max-memory backstop (sim/resources.hpp: RLIMIT_DATA) or a real shortage: a
    // clear error instead of an abort.
    std::fflush(stdout);
    std::fprintf(stderr, "mcsim %s: out of memory (an allocation failed; see --max-memory)\n", argv[1]);
    return 2;
  }
  std::fprintf(stderr, "mcsim: unknown command '%s'\n%s", argv[1], kUsage);
  return 2;
}
