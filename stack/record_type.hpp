// Group record types, RFC 9776 §4.2.12 / RFC 9777 §5.2.12 numbering; shared by the wire
// codec (stack/wire) and the filter algebra (stack/filter).
#pragma once

#include <cstdint>
#include <string_view>

namespace mcsim {

enum class RecordType : std::uint8_t {
  ModeIsInclude = 1,
  ModeIsExclude = 2,
  ChangeToIncludeMode = 3,
  ChangeToExcludeMode = 4,
  AllowNewSources = 5,
  BlockOldSources = 6,
};

constexpr std::string_view to_string(RecordType t) {
  switch (t) {
    case RecordType::ModeIsInclude: return "MODE_IS_INCLUDE";
    case RecordType::ModeIsExclude: return "MODE_IS_EXCLUDE";
    case RecordType::ChangeToIncludeMode: return "CHANGE_TO_INCLUDE_MODE";
    case RecordType::ChangeToExcludeMode: return "CHANGE_TO_EXCLUDE_MODE";
    case RecordType::AllowNewSources: return "ALLOW_NEW_SOURCES";
    case RecordType::BlockOldSources: return "BLOCK_OLD_SOURCES";
  }
  return "?";
}

}  // namespace mcsim
