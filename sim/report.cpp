// HTML report and static SVG ladder (sim/report.hpp, docs/report.md).
#include "sim/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

namespace mcsim::sim::report {
namespace {

// ---- a minimal JSON reader for the objects the simulator and decoder write ----

struct J {
  enum T { Null, Bool, Num, Str, Arr, Obj } type = Null;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<J> a;
  std::vector<std::pair<std::string, J>> o;
  J();
  J(const J&);
  J(J&&) noexcept;
  J& operator=(const J&);
  J& operator=(J&&) noexcept;
  ~J();
  const J& operator[](std::string_view k) const;
  std::string str() const { return type == Str ? s : std::string(); }
};
// Special members out of the class body: clang with libstdc++ rejects the implicit ones
// (std::pair<std::string, J> is instantiated while J is still incomplete).
J::J() = default;
J::J(const J&) = default;
J::J(J&&) noexcept = default;
J& J::operator=(const J&) = default;
J& J::operator=(J&&) noexcept = default;
J::~J() = default;
const J& J::operator[](std::string_view k) const {
  static const J none;
  for (const auto& [key, v] : o)
    if (key == k) return v;
  return none;
}

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}
  J value() {
    ws();
    J v;
    if (i_ >= t_.size()) return v;
    const char c = t_[i_];
    if (c == '{') {
      v.type = J::Obj;
      ++i_;
      ws();
      if (peek('}')) return ++i_, v;
      while (i_ < t_.size()) {
        ws();
        std::string k = string();
        ws();
        if (peek(':')) ++i_;
        v.o.emplace_back(std::move(k), value());
        ws();
        if (peek(',')) { ++i_; continue; }
        if (peek('}')) ++i_;
        break;
      }
    } else if (c == '[') {
      v.type = J::Arr;
      ++i_;
      ws();
      if (peek(']')) return ++i_, v;
      while (i_ < t_.size()) {
        v.a.push_back(value());
        ws();
        if (peek(',')) { ++i_; continue; }
        if (peek(']')) ++i_;
        break;
      }
    } else if (c == '"') {
      v.type = J::Str;
      v.s = string();
    } else if (t_.substr(i_, 4) == "true") {
      v.type = J::Bool, v.b = true, i_ += 4;
    } else if (t_.substr(i_, 5) == "false") {
      v.type = J::Bool, i_ += 5;
    } else if (t_.substr(i_, 4) == "null") {
      i_ += 4;
    } else {
      const std::size_t start = i_;
      while (i_ < t_.size() && std::string_view("+-0123456789.eE").find(t_[i_]) != std::string_view::npos) ++i_;
      v.type = J::Num;
      v.n = std::strtod(std::string(t_.substr(start, i_ - start)).c_str(), nullptr);
      if (i_ == start) ++i_;  // not JSON: skip a character rather than loop
    }
    return v;
  }

 private:
  bool peek(char c) const { return i_ < t_.size() && t_[i_] == c; }
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\t' || t_[i_] == '\r')) ++i_;
  }
  std::string string() {
    std::string out;
    if (!peek('"')) return out;
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"') {
      char c = t_[i_++];
      if (c == '\\' && i_ < t_.size()) {
        c = t_[i_++];
        if (c == 'n') c = '\n';
        else if (c == 't') c = '\t';
        else if (c == 'u' && i_ + 4 <= t_.size()) {
          const unsigned cp = static_cast<unsigned>(std::strtoul(std::string(t_.substr(i_, 4)).c_str(), nullptr, 16));
          i_ += 4;
          if (cp < 0x80) out += static_cast<char>(cp);
          else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
          else
            out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                out += static_cast<char>(0x80 | (cp & 0x3F));
          continue;
        }
      }
      out += c;
    }
    ++i_;
    return out;
  }
  std::string_view t_;
  std::size_t i_ = 0;
};

J parse(std::string_view s) { return Parser(s).value(); }

// ---- labels ----

std::string short_record(std::string_view type_name) {
  if (type_name == "MODE_IS_INCLUDE") return "IS_IN";
  if (type_name == "MODE_IS_EXCLUDE") return "IS_EX";
  if (type_name == "CHANGE_TO_INCLUDE_MODE") return "TO_IN";
  if (type_name == "CHANGE_TO_EXCLUDE_MODE") return "TO_EX";
  if (type_name == "ALLOW_NEW_SOURCES") return "ALLOW";
  if (type_name == "BLOCK_OLD_SOURCES") return "BLOCK";
  return std::string(type_name);
}

std::string source_set(const J& sources, std::size_t max = 4) {
  std::string out = "{";
  for (std::size_t i = 0; i < sources.a.size(); ++i) {
    if (i == max) {
      out += ", +" + std::to_string(sources.a.size() - max);
      break;
    }
    if (i) out += ",";
    out += sources.a[i].str();
  }
  return out + "}";
}

bool unspecified(const std::string& g) { return g.empty() || g == "0.0.0.0" || g == "::"; }

/// Label and colour class of one decoded message object.
std::pair<std::string, std::string> describe(const J& m) {
  const std::string kind = m["kind"].str();
  const bool mld = kind.rfind("mld", 0) == 0;
  const std::string group = m["group"].str();
  std::string label, cls = "other";
  if (kind == "igmp_query" || kind == "mld_query") {
    cls = "query";
    const int v = static_cast<int>(m["version"].n);
    label = (mld ? "MLDv" : "v") + std::to_string(v) + " query ";
    if (unspecified(group)) label += "general";
    else label += group + (m["sources"].a.empty() ? "" : " " + source_set(m["sources"]));
    if (m["s_flag"].b) label += " S";
  } else if (kind == "igmpv3_report" || kind == "mldv2_report") {
    cls = "report";
    label = mld ? "MLDv2 report" : "v3 report";
    const auto& recs = m["records"].a;
    bool all_leave = !recs.empty();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const std::string t = short_record(recs[i]["type_name"].str());
      all_leave = all_leave && t == "TO_IN" && recs[i]["sources"].a.empty();
      if (i == 3) {
        label += " (+" + std::to_string(recs.size() - 3) + " records)";
        break;
      }
      label += (i ? "; " : " ") + t + " " + recs[i]["group"].str() + " " + source_set(recs[i]["sources"]);
    }
    if (all_leave) cls = "leave";
  } else if (kind == "igmpv1_report" || kind == "igmpv2_report" || kind == "mldv1_report") {
    cls = "report";
    label = (kind == "igmpv1_report" ? "v1 report " : kind == "igmpv2_report" ? "v2 report " : "MLDv1 report ") + group;
  } else if (kind == "igmpv2_leave" || kind == "mldv1_done") {
    cls = "leave";
    label = (mld ? "MLDv1 done " : "v2 leave ") + group;
  } else {
    label = kind.empty() ? "message" : kind;
  }
  if (!m["errors"].a.empty()) label += " [" + m["errors"].a[0].str() + "]";
  return {label, cls};
}

bool is_multicast(const std::string& a) {
  if (a.find(':') != std::string::npos) return a.size() >= 2 && (a[0] == 'f' || a[0] == 'F') && (a[1] == 'f' || a[1] == 'F');
  const int first = std::atoi(a.c_str());
  return first >= 224 && first <= 239;
}

std::string fmt(double v, int prec = 6) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  std::string s = b;
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

void json_str(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '<') out += "\\u003c";  // never "</script>" inside the page's data
    else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      out += b;
    } else out += static_cast<char>(c);
  }
  out += '"';
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

constexpr std::size_t kMaxGroupColumns = 16;  // more destinations share an "other groups" column

}  // namespace

Input input_for(const Scenario& sc) {
  Input in;
  in.title = sc.name.empty() ? "mcsim run" : sc.name;
  for (const auto& r : sc.routers) {
    in.nodes.push_back({r.name, "router"});
    if (r.ipv4) in.owner[r.ipv4->to_string()] = r.name;
    if (r.ipv6) in.owner[r.ipv6->to_string()] = r.name;
  }
  for (const auto& s : sc.switches) in.nodes.push_back({s.name, "switch"});
  for_each_host(sc, [&](const HostSpec& h) {
    in.nodes.push_back({h.name, "host"});
    if (h.ipv4) in.owner[h.ipv4->to_string()] = h.name;
    if (h.ipv6) in.owner[h.ipv6->to_string()] = h.name;
  });
  for (const auto& d : sc.devices) {
    in.nodes.push_back({d.name, "device"});
    in.owner[d.ipv4.to_string()] = d.name;
  }
  return in;
}

Ladder ladder_of(const Input& in) {
  Ladder L;
  std::map<std::string, std::size_t> col;
  auto column = [&](const std::string& name, const std::string& kind) {
    auto [it, fresh] = col.try_emplace(name, L.columns.size());
    if (fresh) L.columns.push_back({name, kind});
    return it->second;
  };
  for (const auto& n : in.nodes) column(n.name, n.kind);
  // Sender columns first (in order of appearance for captures), then group columns.
  std::vector<J> parsed;
  parsed.reserve(in.events.size());
  for (const auto& e : in.events) parsed.push_back(parse(e));
  std::vector<std::string> groups;
  std::set<std::string> group_seen;
  auto note_group = [&](const std::string& g) {
    if (group_seen.insert(g).second) groups.push_back(g);
  };
  for (const auto& e : parsed) {
    const std::string ev = e["event"].str();
    if (in.capture) {
      const std::string src = e["src"].str();
      column(in.owner.count(src) ? in.owner.at(src) : src, "addr");
    } else if (!e["node"].str().empty() && ev != "expect" && ev != "summary") {
      column(e["node"].str(), "host");
    }
    const std::string dst = ev == "send" ? e["group"].str() : e["dst"].str();
    if ((in.capture || ev == "tx" || ev == "send") && !dst.empty() && (is_multicast(dst) || !in.owner.count(dst)) &&
        !(in.capture && col.count(dst)))
      note_group(dst);
  }
  const bool overflow = groups.size() > kMaxGroupColumns;
  std::size_t other = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (overflow && i + 1 >= kMaxGroupColumns) {
      other = column("other groups", "group");
      break;
    }
    column(groups[i], "group");
  }
  auto dest = [&](const std::string& d) -> std::size_t {
    if (auto o = in.owner.find(d); o != in.owner.end()) return column(o->second, "host");
    if (auto c = col.find(d); c != col.end()) return c->second;
    return overflow ? other : column(d, "group");
  };
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const J& e = parsed[i];
    const std::string ev = e["event"].str();
    Message m;
    m.event = i;
    if (in.capture) {
      const std::string src = e["src"].str();
      m.t = e["time"].n;
      m.frame = static_cast<std::uint64_t>(e["frame"].n);
      m.from = column(in.owner.count(src) ? in.owner.at(src) : src, "addr");
      m.to = dest(e["dst"].str());
      std::tie(m.label, m.cls) = describe(e);
    } else if (ev == "tx") {
      m.t = e["t"].n;
      m.from = col.at(e["node"].str());
      m.to = dest(e["dst"].str());
      std::tie(m.label, m.cls) = describe(e);
    } else if (ev == "send") {
      m.t = e["t"].n;
      m.from = col.at(e["node"].str());
      m.to = dest(e["group"].str());
      m.cls = "data";
      m.label = "data " + e["source"].str() + " > " + e["group"].str();
      if (e["count"].n > 1) m.label += " x" + fmt(e["count"].n, 0);
    } else if (ev == "drop" || ev == "runt") {
      m.t = e["t"].n;
      m.from = m.to = col.at(e["node"].str());
      m.cls = "drop";
      m.arrow = false;
      m.label = ev == "drop" ? "drop from " + e["from"].str() + ": " + e["reason"].str()
                             : "runt " + fmt(e["bytes"].n, 0) + " bytes";
    } else {
      continue;
    }
    L.messages.push_back(std::move(m));
  }
  return L;
}

std::string html(const Input& in) {
  const Ladder L = ladder_of(in);
  std::string d = "{\"title\":";
  json_str(d, in.title);
  d += ",\"capture\":";
  d += in.capture ? "true" : "false";
  d += ",\"columns\":[";
  for (std::size_t i = 0; i < L.columns.size(); ++i) {
    if (i) d += ',';
    d += "{\"name\":";
    json_str(d, L.columns[i].name);
    d += ",\"kind\":";
    json_str(d, L.columns[i].kind);
    d += '}';
  }
  // msgs: [t, from, to, class, label, event index, frame, arrow]
  d += "],\n\"msgs\":[";
  for (std::size_t i = 0; i < L.messages.size(); ++i) {
    const auto& m = L.messages[i];
    if (i) d += ",\n";
    d += '[' + fmt(m.t, 9) + ',' + std::to_string(m.from) + ',' + std::to_string(m.to) + ',';
    json_str(d, m.cls);
    d += ',';
    json_str(d, m.label);
    d += ',' + std::to_string(m.event) + ',' + std::to_string(m.frame) + ',' + (m.arrow ? "1" : "0") + ']';
  }
  auto raw_list = [&](const std::vector<std::string>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) d += ",\n";
      for (char c : v[i]) {
        if (c == '<') d += "\\u003c";
        else d += c;
      }
    }
  };
  d += "],\n\"events\":[";
  raw_list(in.events);
  d += "],\n\"findings\":[";
  raw_list(in.findings);
  d += "]}";
  std::string page = kHtmlTemplate;
  const auto at = page.find("@@DATA@@");
  if (at != std::string::npos) page.replace(at, 8, d);
  return page;
}

std::string svg(const Input& in, const SvgRange& range) {
  const Ladder L = ladder_of(in);
  std::vector<const Message*> rows;
  for (const auto& m : L.messages) {
    if (range.from && m.t < *range.from) continue;
    if (range.to && m.t > *range.to) continue;
    if (rows.size() >= range.max_messages) break;
    rows.push_back(&m);
  }
  constexpr double kLeft = 90, kColW = 150, kTop = 50, kRowH = 22;
  const double width = kLeft + kColW * static_cast<double>(L.columns.size()) + 20;
  const double height = kTop + kRowH * static_cast<double>(rows.size()) + 20;
  auto x = [&](std::size_t c) { return kLeft + kColW * (static_cast<double>(c) + 0.5); };
  auto colour = [](const std::string& cls) {
    if (cls == "query") return "#1f6fd1";
    if (cls == "report") return "#1a8a3a";
    if (cls == "leave") return "#d97a00";
    if (cls == "data") return "#7a4bc2";
    if (cls == "drop") return "#d0202a";
    return "#666666";
  };
  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt(width, 0) + "\" height=\"" + fmt(height, 0) +
       "\" viewBox=\"0 0 " + fmt(width, 0) + ' ' + fmt(height, 0) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s += "<title>" + xml_escape(in.title) + "</title>\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  s += "<g class=\"columns\">\n";
  for (std::size_t c = 0; c < L.columns.size(); ++c) {
    const bool grp = L.columns[c].kind == "group";
    s += "<line x1=\"" + fmt(x(c)) + "\" y1=\"" + fmt(kTop - 12) + "\" x2=\"" + fmt(x(c)) + "\" y2=\"" +
         fmt(height - 10) + "\" stroke=\"" + (grp ? "#bbbbbb" : "#888888") + "\"" +
         (grp ? " stroke-dasharray=\"4 3\"" : "") + "/>\n";
    s += "<text x=\"" + fmt(x(c)) + "\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">" +
         xml_escape(L.columns[c].name) + "</text>\n";
    s += "<text x=\"" + fmt(x(c)) + "\" y=\"33\" text-anchor=\"middle\" fill=\"#777777\">" +
         xml_escape(L.columns[c].kind) + "</text>\n";
  }
  s += "</g>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Message& m = *rows[i];
    const double y = kTop + kRowH * (static_cast<double>(i) + 0.75);
    const char* c = colour(m.cls);
    s += "<g class=\"msg " + m.cls + "\">";
    s += "<text x=\"4\" y=\"" + fmt(y) + "\" fill=\"#555555\">" + fmt(m.t, 6) + "s</text>";
    const double x1 = x(m.from), x2 = x(m.to);
    if (!m.arrow || m.from == m.to) {
      s += "<path d=\"M" + fmt(x1 - 5) + ' ' + fmt(y - 5) + " l10 10 m0 -10 l-10 10\" stroke=\"" + c +
           "\" stroke-width=\"2\"/>";
      s += "<text x=\"" + fmt(x1 + 9) + "\" y=\"" + fmt(y - 2) + "\" fill=\"" + c + "\">" + xml_escape(m.label) + "</text>";
    } else {
      const double dir = x2 > x1 ? 1 : -1;
      s += "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y) + "\" x2=\"" + fmt(x2 - 7 * dir) + "\" y2=\"" + fmt(y) +
           "\" stroke=\"" + c + "\" stroke-width=\"1.6\"/>";
      s += "<path d=\"M" + fmt(x2) + ' ' + fmt(y) + " l" + fmt(-8 * dir) + " -4 v8 z\" fill=\"" + c + "\"/>";
      s += "<circle cx=\"" + fmt(x1) + "\" cy=\"" + fmt(y) + "\" r=\"2.5\" fill=\"" + c + "\"/>";
      // The label starts beside the sender: readable even when the destination is far right.
      s += "<text x=\"" + fmt(x1 + 10 * dir) + "\" y=\"" + fmt(y - 4) + "\" text-anchor=\"" +
           (dir > 0 ? "start" : "end") + "\" fill=\"" + c + "\">" +
           xml_escape(m.label) + "</text>";
    }
    s += "</g>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace mcsim::sim::report
