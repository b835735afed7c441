// A set of source addresses stored as a sorted, duplicate-free flat vector.
// Set operations are linear merges (DESIGN.md "Data layout"); there is no
// per-source heap node. Works for Ipv4Addr and Ipv6Addr (anything with <=>).
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <span>
#include <vector>

namespace mcsim {

template <class A>
class SourceSet {
 public:
  using value_type = A;
  using const_iterator = typename std::vector<A>::const_iterator;

  SourceSet() = default;
  SourceSet(std::initializer_list<A> init) : v_(init) { normalize(); }
  /// Any order, duplicates allowed; the set keeps each address once.
  static SourceSet from_unsorted(std::span<const A> in) {
    SourceSet s;
    s.v_.assign(in.begin(), in.end());
    s.normalize();
    return s;
  }

  bool contains(const A& a) const { return std::binary_search(v_.begin(), v_.end(), a); }
  /// Returns false when `a` was already present.
  bool insert(const A& a) {
    auto it = std::lower_bound(v_.begin(), v_.end(), a);
    if (it != v_.end() && *it == a) return false;
    v_.insert(it, a);
    return true;
  }
  /// Returns false when `a` was absent.
  bool erase(const A& a) {
    auto it = std::lower_bound(v_.begin(), v_.end(), a);
    if (it == v_.end() || !(*it == a)) return false;
    v_.erase(it);
    return true;
  }
  void clear() { v_.clear(); }
  void reserve(std::size_t n) { v_.reserve(n); }

  std::size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  const_iterator begin() const { return v_.begin(); }
  const_iterator end() const { return v_.end(); }
  std::span<const A> view() const { return v_; }
  const A& operator[](std::size_t i) const { return v_[i]; }

  friend bool operator==(const SourceSet&, const SourceSet&) = default;

  // Linear merges writing into `out` (its capacity is reused: no allocation
  // once `out` is large enough). `out` must not alias an input.
  static void unite(const SourceSet& a, const SourceSet& b, SourceSet& out) {
    out.v_.clear();
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out.v_));
  }
  static void intersect(const SourceSet& a, const SourceSet& b, SourceSet& out) {
    out.v_.clear();
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out.v_));
  }
  static void subtract(const SourceSet& a, const SourceSet& b, SourceSet& out) {
    out.v_.clear();
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out.v_));
  }

  // In-place forms: a ∪= b, a ∩= b, a −= b. Intersection and difference never
  // allocate (they compact in place); union reuses a scratch buffer.
  void intersect_with(const SourceSet& b) {
    auto out = v_.begin();
    auto i = v_.begin();
    auto j = b.begin();
    while (i != v_.end() && j != b.end()) {
      if (*i < *j) {
        ++i;
      } else if (*j < *i) {
        ++j;
      } else {
        *out++ = *i++;
        ++j;
      }
    }
    v_.erase(out, v_.end());
  }
  void subtract(const SourceSet& b) {
    auto out = v_.begin();
    auto j = b.begin();
    for (auto i = v_.begin(); i != v_.end(); ++i) {
      while (j != b.end() && *j < *i) ++j;
      if (j != b.end() && *j == *i) continue;
      *out++ = *i;
    }
    v_.erase(out, v_.end());
  }
  void unite_with(const SourceSet& b, SourceSet& scratch) {
    unite(*this, b, scratch);
    v_.swap(scratch.v_);
  }

 private:
  void normalize() {
    std::sort(v_.begin(), v_.end());
    v_.erase(std::unique(v_.begin(), v_.end()), v_.end());
  }
  std::vector<A> v_;
};

template <class A>
SourceSet<A> operator|(const SourceSet<A>& a, const SourceSet<A>& b) {
  SourceSet<A> r;
  SourceSet<A>::unite(a, b, r);
  return r;
}
template <class A>
SourceSet<A> operator&(const SourceSet<A>& a, const SourceSet<A>& b) {
  SourceSet<A> r;
  SourceSet<A>::intersect(a, b, r);
  return r;
}
template <class A>
SourceSet<A> operator-(const SourceSet<A>& a, const SourceSet<A>& b) {
  SourceSet<A> r;
  SourceSet<A>::subtract(a, b, r);
  return r;
}

}  // namespace mcsim
