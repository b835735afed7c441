#include "sim/golden.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"

namespace mcsim::sim {
namespace {

const char* abbrev(int type) {
  static constexpr const char* k[] = {"?", "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK"};
  return type >= 1 && type <= 6 ? k[type] : "?";
}

/// The semantic line of one decoded message (a JSON object as `mcsim decode` prints it).
std::string semantic_line(const YAML::Node& m) {
  std::string s = m["kind"].as<std::string>("?");
  if (m["version"]) s += " v" + m["version"].as<std::string>();
  s += " " + m["src"].as<std::string>("?") + " > " + m["dst"].as<std::string>("?");
  if (m["group"]) s += " " + m["group"].as<std::string>();
  if (m["sources"] && m["sources"].IsSequence() && m["sources"].size() > 0) {
    s += " {";
    for (std::size_t i = 0; i < m["sources"].size(); ++i) s += (i ? ", " : "") + m["sources"][i].as<std::string>();
    s += "}";
  }
  if (m["records"]) {
    for (const auto& r : m["records"]) {
      s += std::string(" ") + abbrev(r["type"].as<int>(0)) + " " + r["group"].as<std::string>("?") + " {";
      const auto srcs = r["sources"];
      for (std::size_t i = 0; i < srcs.size(); ++i) s += (i ? ", " : "") + srcs[i].as<std::string>();
      s += "}";
    }
  }
  return s;
}

}  // namespace

Semantics semantics_of_log(const std::vector<std::string>& lines) {
  Semantics out;
  for (const auto& line : lines) {
    if (line.find("\"event\":\"tx\"") == std::string::npos) continue;
    try {
      YAML::Node n = YAML::Load(line);
      if (n["event"].as<std::string>("") != "tx") continue;
      out.push_back(semantic_line(n));
    } catch (const std::exception&) {
      out.push_back("<unparsable log line>");
    }
  }
  return out;
}

std::optional<Semantics> load_golden(const std::string& path, std::string& error) {
  const bool is_log = path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
  if (is_log) {
    std::ifstream in(path);
    if (!in) {
      error = path + ": cannot read golden log";
      return std::nullopt;
    }
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return semantics_of_log(lines);
  }
  auto reader = pcap::Reader::open(path, error);
  if (!reader) return std::nullopt;
  Semantics out;
  pcap::Frame f;
  wire::DecodedPacket p;
  std::string json;
  while (reader->next(f)) {
    if (!pcap::decode_frame(f, p)) continue;
    json.clear();
    pcap::append_json(json, f, p);
    try {
      out.push_back(semantic_line(YAML::Load(json)));
    } catch (const std::exception&) {
      out.push_back("<undecodable frame " + std::to_string(f.number) + ">");
    }
  }
  if (!reader->error().empty()) {
    error = reader->error();
    return std::nullopt;
  }
  return out;
}

std::string diff_semantics(const Semantics& golden, const Semantics& run, const std::string& golden_name) {
  if (golden == run) return {};
  std::size_t i = 0;
  while (i < golden.size() && i < run.size() && golden[i] == run[i]) ++i;
  std::string d = "messages differ from " + golden_name + " at message " + std::to_string(i + 1) + " (golden has " +
                  std::to_string(golden.size()) + ", run has " + std::to_string(run.size()) + "):\n";
  const std::size_t from = i >= 2 ? i - 2 : 0;
  for (std::size_t k = from; k < i; ++k) d += "    " + golden[k] + "\n";
  for (std::size_t k = i; k < std::min(golden.size(), i + 3); ++k) d += "  - " + golden[k] + "\n";
  for (std::size_t k = i; k < std::min(run.size(), i + 3); ++k) d += "  + " + run[k] + "\n";
  return d;
}

}  // namespace mcsim::sim
