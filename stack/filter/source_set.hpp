// A set of source addresses stored as a sorted, duplicate-free flat vector.
// Set operations are linear merges (DESIGN.md "Data layout"); there is no
// per-source heap node. Works for Ipv4Addr and Ipv6Addr (anything with <=>).
// The vector is a CompactVec: one pointer (8 bytes, nullptr while it has never held an
// address) instead of std::vector's 24, because every membership of a simulated host holds
// several empty source sets (docs/performance.md "Simulator").
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

namespace mcsim {

/// The few std::vector operations SourceSet needs, for trivially copyable T, in one
/// pointer: the heap block holds {size, capacity} then the elements. Capacity grows like
/// std::vector's (doubling) and clear() keeps it, as std::vector does.
template <class T>
class CompactVec {
  static_assert(std::is_trivially_copyable_v<T>);
  struct Head {
    std::uint32_t size, cap;
  };
  static constexpr std::size_t kData = (sizeof(Head) + alignof(T) - 1) / alignof(T) * alignof(T);

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  CompactVec() = default;
  CompactVec(std::initializer_list<T> init) { assign(init.begin(), init.end()); }
  CompactVec(const CompactVec& o) { assign(o.begin(), o.end()); }
  CompactVec(CompactVec&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  CompactVec& operator=(const CompactVec& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  CompactVec& operator=(CompactVec&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  ~CompactVec() { release(); }

  std::size_t size() const { return p_ ? head()->size : 0; }
  std::size_t capacity() const { return p_ ? head()->cap : 0; }
  bool empty() const { return size() == 0; }
  T* begin() { return data(); }
  T* end() { return data() + size(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  T* data() { return p_ ? reinterpret_cast<T*>(p_ + kData) : nullptr; }
  const T* data() const { return p_ ? reinterpret_cast<const T*>(p_ + kData) : nullptr; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  operator std::span<const T>() const { return {data(), size()}; }

  void clear() {
    if (p_) head()->size = 0;
  }
  void reserve(std::size_t n) {
    if (n <= capacity()) return;
    auto* q = static_cast<unsigned char*>(::operator new(kData + n * sizeof(T)));
    const std::size_t sz = size();
    if (sz) std::memcpy(q + kData, data(), sz * sizeof(T));
    release();
    p_ = q;
    *head() = Head{static_cast<std::uint32_t>(sz), static_cast<std::uint32_t>(n)};
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    reserve(static_cast<std::size_t>(std::distance(first, last)));
    for (; first != last; ++first) push_back(*first);
  }
  void push_back(const T& v) {
    if (size() == capacity()) {
      const T copy = v;  // v may point into this vector
      reserve(capacity() ? capacity() * 2 : 1);
      data()[head()->size++] = copy;
      return;
    }
    data()[head()->size++] = v;
  }
  T* insert(const T* pos, const T& v) {
    const std::size_t i = static_cast<std::size_t>(pos - data());
    const T copy = v;
    push_back(copy);
    T* d = data();
    const std::size_t n = size();  // >= 1 after push_back, and i <= n - 1
    if (i + 1 < n) std::memmove(d + i + 1, d + i, (n - 1 - i) * sizeof(T));
    d[i] = copy;
    return d + i;
  }
  T* erase(const T* pos) { return erase(pos, pos + 1); }
  T* erase(const T* first, const T* last) {
    T* d = data();
    const std::size_t i = static_cast<std::size_t>(first - d), j = static_cast<std::size_t>(last - d);
    const std::size_t n = size();
    if (i >= j || j > n) return d + i;
    if (j < n) std::memmove(d + i, d + j, (n - j) * sizeof(T));
    head()->size -= static_cast<std::uint32_t>(j - i);
    return d + i;
  }
  void swap(CompactVec& o) noexcept { std::swap(p_, o.p_); }

  friend bool operator==(const CompactVec& a, const CompactVec& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  Head* head() const { return reinterpret_cast<Head*>(p_); }
  void release() {
    if (p_) ::operator delete(p_);
    p_ = nullptr;
  }
  unsigned char* p_ = nullptr;
};

template <class A>
class SourceSet {
 public:
  using value_type = A;
  using const_iterator = const A*;

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
  std::span<const A> view() const { return {v_.data(), v_.size()}; }
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
  CompactVec<A> v_;
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
