// Capacity growth for the small per-host / per-socket vectors of large simulations
// (docs/performance.md "Simulator"): std::vector doubles, so 10 memberships sit in room for
// 16. grow_for_one() makes room for one more element: doubling up to 8 (1, 2, 4, 8: few
// reallocations, so few freed holes in the heap), then by a quarter (10, 12, 15, 18, ...).
// Still geometric (amortised O(1) inserts), with at most 25 % slack above 8 instead of up
// to 100 %.
#pragma once

#include <algorithm>
#include <cstddef>

namespace mcsim {

template <class V>
void grow_for_one(V& v) {
  if (v.size() < v.capacity()) return;
  const std::size_t cap = v.capacity();
  v.reserve(cap < 8 ? std::max<std::size_t>(1, cap * 2) : cap + cap / 4);
}

}  // namespace mcsim
