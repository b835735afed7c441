// Seeded pseudo-random generator injected into the engines (xoshiro256**, seeded by
// splitmix64): the same seed gives the same run bit for bit on every platform.
#pragma once

#include <cstdint>

namespace mcsim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) { reseed(seed); }
  void reseed(std::uint64_t seed) {
    for (auto& x : s_) {
      seed += 0x9E3779B97F4A7C15ull;  // splitmix64
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      x = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform integer in [0, bound] (bound >= 0), without modulo bias worth noting at 64 bits.
  std::int64_t uniform(std::int64_t bound) {
    if (bound <= 0) return 0;
    // Lemire's multiply-shift: maps 64 random bits onto [0, bound].
    __extension__ using U128 = unsigned __int128;
    const U128 b = static_cast<U128>(static_cast<std::uint64_t>(bound)) + 1;
    return static_cast<std::int64_t>((static_cast<U128>(next()) * b) >> 64);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace mcsim
