// Group records and the State-Change records a host sends when an interface
// filter changes (RFC 9776 §5.1 table, RFC 9777 §6.1). Independent of the wire
// codec in stack/wire: this is the protocol-level value.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stack/filter/filter.hpp"
#include "stack/record_type.hpp"

namespace mcsim {

template <class A>
struct GroupRecord {
  RecordType type = RecordType::ModeIsInclude;
  A group{};
  SourceSet<A> sources;
  friend bool operator==(const GroupRecord&, const GroupRecord&) = default;
};

/// At most two records result from one change (ALLOW + BLOCK).
template <class A>
using StateChange = std::vector<GroupRecord<A>>;

/// Appends to `out` the State-Change records for `group` going from interface
/// state `old_state` to `new_state` (RFC 9776 §5.1 table):
///   INCLUDE(A) -> INCLUDE(B): ALLOW(B-A), BLOCK(A-B)
///   EXCLUDE(A) -> EXCLUDE(B): ALLOW(A-B), BLOCK(B-A)
///   INCLUDE(A) -> EXCLUDE(B): TO_EX(B)
///   EXCLUDE(A) -> INCLUDE(B): TO_IN(B)
/// Empty ALLOW/BLOCK records are not sent; equal states give no record.
template <class A>
void append_state_change(const A& group, const Filter<A>& old_state, const Filter<A>& new_state,
                         std::vector<GroupRecord<A>>& out) {
  if (old_state == new_state) return;  // RFC 9776 §5.1: no change, no report
  auto add = [&](RecordType t, SourceSet<A> s) {
    const bool list_change = t == RecordType::AllowNewSources || t == RecordType::BlockOldSources;
    if (list_change && s.empty()) return;  // RFC 9776 §5.1: only non-empty source-list records
    out.push_back(GroupRecord<A>{t, group, std::move(s)});
  };
  const auto& a = old_state.sources;
  const auto& b = new_state.sources;
  if (old_state.mode == FilterMode::Include && new_state.mode == FilterMode::Include) {
    add(RecordType::AllowNewSources, b - a);  // RFC 9776 §5.1 row INCLUDE(A)->INCLUDE(B)
    add(RecordType::BlockOldSources, a - b);
  } else if (old_state.mode == FilterMode::Exclude && new_state.mode == FilterMode::Exclude) {
    add(RecordType::AllowNewSources, a - b);  // RFC 9776 §5.1 row EXCLUDE(A)->EXCLUDE(B)
    add(RecordType::BlockOldSources, b - a);
  } else if (new_state.mode == FilterMode::Exclude) {
    add(RecordType::ChangeToExcludeMode, b);  // RFC 9776 §5.1 row INCLUDE(A)->EXCLUDE(B)
  } else {
    add(RecordType::ChangeToIncludeMode, b);  // RFC 9776 §5.1 row EXCLUDE(A)->INCLUDE(B)
  }
}

template <class A>
StateChange<A> state_change_records(const A& group, const Filter<A>& old_state, const Filter<A>& new_state) {
  StateChange<A> out;
  append_state_change(group, old_state, new_state, out);
  return out;
}

/// What one listener's record tells a router about that listener's filter
/// (the per-host reading of RFC 9776 §6.4 without timers): TO_IN/TO_EX and
/// IS_IN/IS_EX replace the state, ALLOW adds to INCLUDE / removes from
/// EXCLUDE, BLOCK the opposite.
template <class A>
void apply_record(Filter<A>& state, const GroupRecord<A>& r) {
  switch (r.type) {
    case RecordType::ModeIsInclude:
    case RecordType::ChangeToIncludeMode:
      state = Filter<A>{FilterMode::Include, r.sources};
      break;
    case RecordType::ModeIsExclude:
    case RecordType::ChangeToExcludeMode:
      state = Filter<A>{FilterMode::Exclude, r.sources};
      break;
    case RecordType::AllowNewSources:
      state.sources = state.mode == FilterMode::Include ? state.sources | r.sources : state.sources - r.sources;
      break;
    case RecordType::BlockOldSources:
      state.sources = state.mode == FilterMode::Include ? state.sources - r.sources : state.sources | r.sources;
      break;
  }
}

template <class A>
Filter<A> apply_records(Filter<A> state, std::span<const GroupRecord<A>> records) {
  for (const auto& r : records) apply_record(state, r);
  return state;
}

}  // namespace mcsim
