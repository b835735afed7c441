// Resource bounds for long or large runs (issue: "a scenario that would allocate beyond a
// configurable memory limit stops with a clear error instead of being killed").
//
// The CLI checks the process's resident memory against a limit while a scenario runs
// (MemoryGuard, every few thousand simulator steps) and stops with a message naming the
// limit and the virtual time reached, after flushing its outputs (pcap files up to the last
// complete record, the buffered log). The default limit is 80% of the physical memory or of
// the cgroup's memory limit, whichever is smaller, so a runaway scenario stops before the
// kernel's OOM killer would end it without a word.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcsim::sim {

/// Resident set size of this process in bytes (Linux: /proc/self/statm); 0 where unknown.
std::uint64_t resident_bytes();

/// Physical memory (or the cgroup v2/v1 memory limit when smaller) in bytes; 0 when unknown.
std::uint64_t available_memory();

/// The default limit: 80% of available_memory(); 0 (no limit) when that is unknown.
std::uint64_t default_memory_limit();

/// Parses a size: a whole or decimal number with an optional binary unit K, M, G, T
/// (also KB/KiB, ...; case-insensitive): "512M", "1.5G", "65536", "0". "0" and "none"
/// mean no limit (0). nullopt when malformed or above 2^60.
std::optional<std::uint64_t> parse_size(std::string_view s);

/// "1.50 GiB", "512.0 MiB", "900 B".
std::string format_bytes(std::uint64_t bytes);

/// Polls resident_bytes() against a limit (0: never over).
class MemoryGuard {
 public:
  explicit MemoryGuard(std::uint64_t limit) : limit_(limit) {}
  /// True when the resident memory is above the limit. Reads /proc every `every`th call
  /// (and on the first), so calling it once per simulator step costs nothing measurable.
  bool over(std::uint32_t every = 4096);
  std::uint64_t limit() const { return limit_; }
  /// The resident memory at the last check.
  std::uint64_t used() const { return used_; }
  /// "resident memory 1.02 GiB is over the limit of 1.00 GiB (--max-memory)"; in bytes
  /// when the two round to the same text.
  std::string message() const;

 private:
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
  std::uint32_t n_ = 0;
};

/// Backstop for a single huge allocation between two checks: sets RLIMIT_DATA to
/// limit + max(limit/4, 256 MiB) so that the allocation fails (std::bad_alloc, reported by the CLI)
/// instead of the kernel killing the process. Not applied in sanitizer builds (their
/// shadow memory counts against RLIMIT_DATA) or when limit is 0. Returns whether it was set.
bool apply_data_limit(std::uint64_t limit);

}  // namespace mcsim::sim
