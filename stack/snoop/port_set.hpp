// A set of switch ports 0..kMaxPorts-1 as a fixed-size bitset value type (no allocation).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mcsim::snoop {

class PortSet {
 public:
  static constexpr unsigned kMaxPorts = 256;

  constexpr PortSet() = default;
  constexpr PortSet(std::initializer_list<unsigned> ports) {
    for (unsigned p : ports) set(p);
  }
  /// Ports 0..n-1 (n is clamped to kMaxPorts).
  static constexpr PortSet first(unsigned n) {
    PortSet s;
    for (unsigned p = 0; p < n && p < kMaxPorts; ++p) s.set(p);
    return s;
  }

  constexpr bool test(unsigned p) const { return p < kMaxPorts && ((w_[p / 64] >> (p % 64)) & 1u) != 0; }
  constexpr void set(unsigned p) {
    if (p < kMaxPorts) w_[p / 64] |= std::uint64_t{1} << (p % 64);
  }
  constexpr void reset(unsigned p) {
    if (p < kMaxPorts) w_[p / 64] &= ~(std::uint64_t{1} << (p % 64));
  }
  constexpr bool empty() const {
    for (auto w : w_)
      if (w) return false;
    return true;
  }
  constexpr unsigned count() const {
    unsigned n = 0;
    for (auto w : w_) n += static_cast<unsigned>(std::popcount(w));
    return n;
  }
  /// Calls f(port) for every member in ascending order.
  template <class F>
  constexpr void for_each(F&& f) const {
    for (unsigned i = 0; i < kWords; ++i)
      for (std::uint64_t w = w_[i]; w; w &= w - 1) f(i * 64 + static_cast<unsigned>(std::countr_zero(w)));
  }
  std::vector<unsigned> to_vector() const {
    std::vector<unsigned> v;
    for_each([&](unsigned p) { v.push_back(p); });
    return v;
  }
  /// "{0,2,5}".
  std::string to_string() const {
    std::string s = "{";
    for_each([&](unsigned p) {
      if (s.size() > 1) s += ',';
      s += std::to_string(p);
    });
    return s + "}";
  }

  constexpr PortSet& operator|=(const PortSet& o) {
    for (unsigned i = 0; i < kWords; ++i) w_[i] |= o.w_[i];
    return *this;
  }
  constexpr PortSet& operator&=(const PortSet& o) {
    for (unsigned i = 0; i < kWords; ++i) w_[i] &= o.w_[i];
    return *this;
  }
  /// Set difference.
  constexpr PortSet& operator-=(const PortSet& o) {
    for (unsigned i = 0; i < kWords; ++i) w_[i] &= ~o.w_[i];
    return *this;
  }
  friend constexpr PortSet operator|(PortSet a, const PortSet& b) { return a |= b; }
  friend constexpr PortSet operator&(PortSet a, const PortSet& b) { return a &= b; }
  friend constexpr PortSet operator-(PortSet a, const PortSet& b) { return a -= b; }
  friend constexpr bool operator==(const PortSet&, const PortSet&) = default;

 private:
  static constexpr unsigned kWords = kMaxPorts / 64;
  std::array<std::uint64_t, kWords> w_{};
};

static_assert(PortSet::first(3) == PortSet{0, 1, 2});
static_assert((PortSet{1, 70} - PortSet{70}) == PortSet{1});

}  // namespace mcsim::snoop
