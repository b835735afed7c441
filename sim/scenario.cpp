#include "sim/scenario.hpp"

#include <charconv>
#include <cmath>

namespace mcsim::sim {

std::string SourceLoc::to_string() const {
  std::string s = file.empty() ? std::string("<scenario>") : file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

std::optional<Duration> parse_duration(std::string_view s) {
  if (s == "0") return 0;
  std::size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0 || i == s.size()) return std::nullopt;  // no number, or no unit
  const std::string_view num = s.substr(0, i), unit = s.substr(i);
  if (num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.')) return std::nullopt;
  double scale;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s") scale = 1e9;
  else if (unit == "m" || unit == "min") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return std::nullopt;
  double v = 0;
  auto r = std::from_chars(num.data(), num.data() + num.size(), v);
  if (r.ec != std::errc() || r.ptr != num.data() + num.size()) return std::nullopt;
  const double ns = v * scale;
  if (!std::isfinite(ns) || ns > 9.0e18) return std::nullopt;  // beyond ~285 years of int64 ns
  return static_cast<Duration>(std::llround(ns));
}

}  // namespace mcsim::sim
