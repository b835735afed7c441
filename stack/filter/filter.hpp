// Source filters (RFC 9776 §3.1 / RFC 9777 §4.1) and the interface-state merge
// of any number of socket filters (RFC 9776 §3.2 / RFC 9777 §4.2).
#pragma once

#include <cstdint>
#include <string_view>

#include "stack/filter/source_set.hpp"

namespace mcsim {

/// Filter mode. The numeric values are this project's own; the Winsock and
/// Linux encodings of MCAST_INCLUDE/MCAST_EXCLUDE differ (see api/options.hpp).
enum class FilterMode : std::uint8_t { Include, Exclude };

constexpr std::string_view to_string(FilterMode m) { return m == FilterMode::Include ? "INCLUDE" : "EXCLUDE"; }

/// (filter mode, source list). INCLUDE {} means "not a member" (RFC 9776 §3.1).
template <class A>
struct Filter {
  FilterMode mode = FilterMode::Include;
  SourceSet<A> sources;

  static Filter none() { return {}; }
  /// Any-source membership: EXCLUDE {} (RFC 9776 §3.1, IP_ADD_MEMBERSHIP).
  static Filter any_source() { return {FilterMode::Exclude, {}}; }
  bool is_member() const { return mode == FilterMode::Exclude || !sources.empty(); }
  /// Would a datagram from `src` pass this filter?
  bool allows(const A& src) const { return (mode == FilterMode::Include) == sources.contains(src); }

  friend bool operator==(const Filter&, const Filter&) = default;
};

/// Accumulates socket filters into the interface filter, RFC 9776 §3.2 /
/// RFC 9777 §4.2:
///  - any EXCLUDE: mode EXCLUDE, sources = (∩ of the exclude lists) − (∪ of
///    the include lists);
///  - all INCLUDE: mode INCLUDE, sources = ∪ of the include lists.
/// Buffers are reused across reset()s, so steady-state merging allocates
/// nothing once they have grown.
template <class A>
class FilterMerger {
 public:
  void reset() {
    any_exclude_ = false;
    excl_.clear();
    incl_.clear();
  }
  void add(const Filter<A>& f) {
    if (f.mode == FilterMode::Exclude) {
      if (!any_exclude_) {
        excl_ = f.sources;  // first EXCLUDE socket starts the intersection
        any_exclude_ = true;
      } else {
        excl_.intersect_with(f.sources);  // RFC 9776 §3.2: exclude lists intersect
      }
    } else if (!f.sources.empty()) {
      incl_.unite_with(f.sources, scratch_);  // RFC 9776 §3.2: include lists unite
    }
  }
  /// The merged interface filter.
  void result(Filter<A>& out) const {
    if (any_exclude_) {
      out.mode = FilterMode::Exclude;  // RFC 9776 §3.2: any EXCLUDE wins
      SourceSet<A>::subtract(excl_, incl_, out.sources);  // minus include sources
    } else {
      out.mode = FilterMode::Include;
      out.sources = incl_;
    }
  }
  Filter<A> result() const {
    Filter<A> f;
    result(f);
    return f;
  }

 private:
  bool any_exclude_ = false;
  SourceSet<A> excl_, incl_, scratch_;
};

/// Merges a range of filters (anything iterable yielding Filter<A> or pointers
/// to it is accepted through `get`).
template <class A, class Range>
Filter<A> merge_filters(const Range& filters) {
  FilterMerger<A> m;
  for (const auto& f : filters) m.add(f);
  return m.result();
}

}  // namespace mcsim
