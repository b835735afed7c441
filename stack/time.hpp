// Virtual time: integer nanoseconds passed in by the driver (the core never reads a clock).
#pragma once

#include <cstdint>

namespace mcsim {

using Time = std::int64_t;      // ns since the start of the run
using Duration = std::int64_t;  // ns

inline constexpr Duration kNs = 1;
inline constexpr Duration kUs = 1000;
inline constexpr Duration kMs = 1000 * kUs;
inline constexpr Duration kSec = 1000 * kMs;

constexpr Duration ms(std::int64_t v) { return v * kMs; }
constexpr Duration seconds(std::int64_t v) { return v * kSec; }

}  // namespace mcsim
