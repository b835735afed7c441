#include "sim/json.hpp"

#include <cstdio>

#include "pcap/format.hpp"

namespace mcsim::sim {

std::string format_seconds(Time t) {
  char buf[48];
  const bool neg = t < 0;
  const std::uint64_t a = static_cast<std::uint64_t>(neg ? -t : t);
  std::snprintf(buf, sizeof buf, "%s%llu.%09llu", neg ? "-" : "", static_cast<unsigned long long>(a / 1000000000ull),
                static_cast<unsigned long long>(a % 1000000000ull));
  std::string s = buf;
  while (s.size() > 2 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

void JsonObject::key(std::string_view k) {
  if (!first_) s_ += ',';
  first_ = false;
  pcap::append_json_string(s_, k);
  s_ += ':';
}

JsonObject& JsonObject::str(std::string_view k, std::string_view v) {
  key(k);
  pcap::append_json_string(s_, v);
  return *this;
}

JsonObject& JsonObject::num(std::string_view k, std::int64_t v) {
  key(k);
  s_ += std::to_string(v);
  return *this;
}

JsonObject& JsonObject::boolean(std::string_view k, bool v) {
  key(k);
  s_ += v ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::seconds(std::string_view k, Time t) {
  key(k);
  s_ += format_seconds(t);
  return *this;
}

JsonObject& JsonObject::addr(std::string_view k, const IpAddr& a) {
  key(k);
  s_ += '"';
  s_ += a.to_string();
  s_ += '"';
  return *this;
}

JsonObject& JsonObject::merge(std::string_view object) {
  if (object.size() < 2) return *this;
  std::string_view inner = object.substr(1, object.size() - 2);
  if (inner.empty()) return *this;
  if (!first_) s_ += ',';
  first_ = false;
  s_ += inner;
  return *this;
}

std::string JsonObject::done() {
  s_ += '}';
  return std::move(s_);
}

}  // namespace mcsim::sim
