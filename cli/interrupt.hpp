// SIGINT/SIGTERM for the batch commands (mcsim run, mcsim decode): the handler only sets a
// flag; the command's loop checks it, stops at a record boundary, flushes what it has (pcap
// files through Simulation::run, buffered JSONL/text on stdout) and exits with 130, so an
// interrupted run leaves a readable capture and log up to the last complete record.
#pragma once

#include <csignal>

namespace mcsim::cli {

inline volatile std::sig_atomic_t g_interrupted = 0;

extern "C" inline void mcsim_cli_on_interrupt(int) { g_interrupted = 1; }

inline void install_interrupt_handler() {
  std::signal(SIGINT, mcsim_cli_on_interrupt);
  std::signal(SIGTERM, mcsim_cli_on_interrupt);
}

inline bool interrupted() { return g_interrupted != 0; }

inline constexpr int kInterruptedExit = 130;  // 128 + SIGINT, as shells report it

}  // namespace mcsim::cli
