#include "sim/resources.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#if defined(__linux__)
#include <sys/resource.h>
#include <unistd.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MCSIM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define MCSIM_SANITIZED 1
#endif
#endif

namespace mcsim::sim {

std::uint64_t resident_bytes() {
#if defined(__linux__)
  // /proc/self/statm: size resident shared text lib data dt, in pages (proc(5)).
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
#else
  return 0;
#endif
}

namespace {

// First whole number in a file ("max" or missing: 0).
std::uint64_t read_number(const char* path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s) || s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return 0;
  return std::strtoull(s.c_str(), nullptr, 10);
}

}  // namespace

std::uint64_t available_memory() {
  std::uint64_t phys = 0;
#if defined(__linux__)
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) phys = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  // cgroup v2 (the process's own cgroup is mounted at /sys/fs/cgroup in a container), v1.
  for (const char* p : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    const std::uint64_t lim = read_number(p);
    if (lim > 0 && (phys == 0 || lim < phys)) phys = lim;
  }
#endif
  return phys;
}

std::uint64_t default_memory_limit() { return available_memory() / 5 * 4; }

std::optional<std::uint64_t> parse_size(std::string_view s) {
  if (s == "none") return 0;
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0 || s.substr(0, i).find('.') != s.substr(0, i).rfind('.')) return std::nullopt;
  const std::string num(s.substr(0, i));
  if (num == ".") return std::nullopt;
  std::string unit;
  for (char c : s.substr(i)) unit.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  double mul = 1;
  if (unit.empty() || unit == "B") mul = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB") mul = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB") mul = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB") mul = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TB" || unit == "TIB") mul = 1024.0 * 1024 * 1024 * 1024;
  else return std::nullopt;
  const double v = std::strtod(num.c_str(), nullptr) * mul;
  if (!std::isfinite(v) || v > std::ldexp(1.0, 60)) return std::nullopt;
  if (mul == 1 && num.find('.') != std::string::npos) return std::nullopt;  // fractional bytes
  return static_cast<std::uint64_t>(v);
}

std::string format_bytes(std::uint64_t b) {
  char buf[32];
  if (b < 1024) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  else if (b < (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024);
  else if (b < (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1 << 30));
  return buf;
}

bool MemoryGuard::over(std::uint32_t every) {
  if (limit_ == 0) return false;
  if (n_++ % (every ? every : 1) != 0) return false;
  used_ = resident_bytes();
  return used_ > limit_;
}

std::string MemoryGuard::message() const {
  std::string u = format_bytes(used_), l = format_bytes(limit_);
  if (u == l) {  // 150.04 MiB over 150.0 MiB would read "150.0 MiB is over 150.0 MiB"
    u = std::to_string(used_) + " bytes";
    l = std::to_string(limit_) + " bytes";
  }
  return "resident memory " + u + " is over the limit of " + l + " (--max-memory)";
}

bool apply_data_limit(std::uint64_t limit) {
#if defined(__linux__) && !defined(MCSIM_SANITIZED)
  if (limit == 0) return false;
  rlimit r{};
  if (::getrlimit(RLIMIT_DATA, &r) != 0) return false;
  rlim_t want = static_cast<rlim_t>(limit + std::max<std::uint64_t>(limit / 4, 256ull << 20));
  if (r.rlim_max != RLIM_INFINITY && want > r.rlim_max) want = r.rlim_max;
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur <= want) return false;  // already tighter
  r.rlim_cur = want;
  return ::setrlimit(RLIMIT_DATA, &r) == 0;
#else
  (void)limit;
  return false;
#endif
}

}  // namespace mcsim::sim
