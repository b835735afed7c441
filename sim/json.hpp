// A small JSON object writer for event logs (keys in insertion order, no allocation beyond
// the output string).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stack/addr.hpp"
#include "stack/time.hpp"

namespace mcsim::sim {

/// Seconds with up to 9 decimals, trailing zeros trimmed ("1.5", "0.000001", "3.0").
std::string format_seconds(Time t);

class JsonObject {
 public:
  JsonObject() : s_("{") {}
  JsonObject& str(std::string_view k, std::string_view v);
  JsonObject& num(std::string_view k, std::int64_t v);
  JsonObject& boolean(std::string_view k, bool v);
  JsonObject& seconds(std::string_view k, Time t);
  JsonObject& addr(std::string_view k, const IpAddr& a);
  template <class Range>
  JsonObject& addr_list(std::string_view k, const Range& r) {
    key(k);
    s_ += '[';
    bool first = true;
    for (const auto& a : r) {
      if (!first) s_ += ',';
      first = false;
      s_ += '"';
      s_ += IpAddr(a).to_string();
      s_ += '"';
    }
    s_ += ']';
    return *this;
  }
  /// Appends the members of another complete object `{...}` (its braces dropped).
  JsonObject& merge(std::string_view object);
  std::string done();  // closes the object and moves the text out

 private:
  void key(std::string_view k);
  std::string s_;
  bool first_ = true;
};

}  // namespace mcsim::sim
