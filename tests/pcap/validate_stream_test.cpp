// pcap/validate: streaming (Validator::drain). Validating while draining findings every
// frame must give exactly the findings of one batch run (same rules, frames, reasons, in
// the same order) on real captures — the kernel capture carried in scenarios/captures and
// every capture of ../shared/pcaps — and the findings held back for an open last-member
// query window stay bounded by kMaxHeldFindings however long the window stays open.
#include "pcap/validate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "stack/wire/igmp.hpp"
#include "stack/wire/ip.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::pcap {
namespace {

namespace fs = std::filesystem;

std::string line(const Finding& f) {
  return std::to_string(f.frame) + " " + f.rule + " " + severity_name(f.severity) + " " + f.rfc + " " + f.reason;
}

// Validates `path` in `role`; drain_every 0: batch (findings after finish()).
std::vector<std::string> run(const std::string& path, Role role, int drain_every, std::size_t* max_held = nullptr) {
  std::string err;
  auto r = Reader::open(path, err);
  EXPECT_TRUE(r) << err;
  if (!r) return {};
  Validator v(role);
  std::vector<Finding> out;
  Frame f;
  wire::DecodedPacket p;
  int n = 0;
  while (r->next(f)) {
    if (decode_frame(f, p)) v.feed(f, p);
    if (drain_every && ++n % drain_every == 0) v.drain(out);
    if (max_held && v.findings.size() > *max_held) *max_held = v.findings.size();
  }
  v.finish();
  const std::size_t total = v.total_findings();
  const std::size_t violations = v.violations();
  v.drain(out);
  EXPECT_TRUE(v.findings.empty());
  EXPECT_EQ(out.size(), total);
  EXPECT_EQ(v.total_findings(), total);
  EXPECT_EQ(v.violations(), violations);
  std::vector<std::string> lines;
  for (const auto& x : out) lines.push_back(line(x));
  return lines;
}

std::vector<std::string> captures() {
  std::vector<std::string> files{std::string(MCSIM_SOURCE_DIR) + "/scenarios/captures/linux-join-leave.pcap"};
  const fs::path shared = fs::path(MCSIM_SHARED_DIR) / "pcaps";
  std::error_code ec;
  if (fs::is_directory(shared, ec)) {
    std::vector<std::string> more;
    for (const auto& e : fs::directory_iterator(shared, ec)) {
      const auto ext = e.path().extension().string();
      if (ext == ".pcap" || ext == ".pcapng" || ext == ".cap") more.push_back(e.path().string());
    }
    std::sort(more.begin(), more.end());
    files.insert(files.end(), more.begin(), more.end());
  }
  return files;
}

TEST(ValidateStream, DrainingEveryFrameGivesTheBatchFindingsOnRealCaptures) {
  std::size_t checked = 0, findings = 0;
  for (const auto& file : captures()) {
    std::string err;
    auto r = Reader::open(file, err);
    if (!r || !linktype_supported(r->linktype())) continue;  // the hostile/unsupported ones
    for (Role role : {Role::Router, Role::Host}) {
      const auto batch = run(file, role, 0);
      EXPECT_EQ(run(file, role, 1), batch) << file;
      EXPECT_EQ(run(file, role, 7), batch) << file;
      findings += batch.size();
    }
    ++checked;
  }
  if (checked == 1) GTEST_LOG_(INFO) << "../shared/pcaps not found (" << MCSIM_SHARED_DIR << "): only the carried capture checked";
  EXPECT_GE(checked, 1u);
  RecordProperty("captures", static_cast<int>(checked));
  RecordProperty("findings", static_cast<int>(findings));
}

// Feeds IGMP datagrams built with the stack/wire builders as raw-IP frames, numbered from 1.
struct Feeder {
  Validator v{Role::Router};
  std::uint64_t number = 0;
  std::vector<std::uint8_t> buf;
  void feed(std::int64_t sec, std::uint32_t nsec, const wire::Ipv4Header& ip, const wire::IgmpMessage& m) {
    buf.clear();
    wire::build_igmp_datagram(ip, m, buf);
    Frame f;
    f.number = ++number;
    f.ts_sec = sec;
    f.ts_nsec = nsec;
    f.linktype = linktype::kRaw;
    f.data = buf;
    f.caplen = f.len = static_cast<std::uint32_t>(buf.size());
    wire::DecodedPacket p;
    ASSERT_TRUE(decode_frame(f, p));
    v.feed(f, p);
  }
};

// A finding reported late on an earlier frame: the leave in frame 3 opens a last-member
// query window (RFC 2236 §3); a query without Router Alert in frame 4 is judged at once
// (IGMP-RA-2, RFC 2236 §2); when the window ends unanswered (t = 10 s), Q-LMQ-1 is reported
// on frame 3. Drained every frame, frame 4's finding must still come after frame 3's.
TEST(ValidateStream, ALateFindingOnAnEarlierFrameKeepsFrameOrder) {
  using namespace mcsim::wire;
  const Ipv4Addr host{10, 0, 0, 5}, router{10, 0, 0, 1}, group{239, 1, 1, 1};
  Feeder fd;
  Validator& v = fd.v;
  std::vector<Finding> out;
  auto feed = [&](double t, const Ipv4Header& ip, const IgmpMessage& m) {
    const auto sec = static_cast<std::int64_t>(t);
    fd.feed(sec, static_cast<std::uint32_t>((t - static_cast<double>(sec)) * 1e9), ip, m);
    v.drain(out);
  };
  feed(0, igmp_ip_header(router, ipv4::kAllSystems), igmp_query(2, {}, 10));
  feed(1, igmp_ip_header(host, group), igmp_simple(igmp_type::kV2Report, group));
  feed(5, igmp_ip_header(host, ipv4::kAllRouters), igmp_simple(igmp_type::kV2Leave, group));
  Ipv4Header no_ra = igmp_ip_header(router, ipv4::kAllSystems);
  no_ra.router_alert = false;
  feed(5.2, no_ra, igmp_query(2, {}, 10));
  EXPECT_TRUE(out.empty());  // frame 4's finding waits for the window of frame 3
  feed(10, igmp_ip_header(router, ipv4::kAllSystems), igmp_query(2, {}, 10));
  v.finish();
  v.drain(out);
  std::vector<std::string> got;
  for (const auto& f : out) got.push_back(f.rule + "@" + std::to_string(f.frame));
  EXPECT_EQ(got, (std::vector<std::string>{"Q-LMQ-1@3", "IGMP-RA-2@4"}));
}

// A router role capture whose clock stands still: an IGMPv2 leave opens a last-member-query
// window (RFC 2236 §3: LMQI 1 s) that never closes, and 70,000 group-specific queries without
// Router Alert (IGMP-RA-2, RFC 2236 §2) follow at the same instant. Without the bound every
// finding would wait for the window; with it, at most kMaxHeldFindings wait.
TEST(ValidateStream, HeldFindingsAreBoundedWhenAWindowNeverCloses) {
  using namespace mcsim::wire;
  const Ipv4Addr host{10, 0, 0, 5}, router{10, 0, 0, 1}, group{239, 1, 1, 1};
  Feeder fd;
  Validator& v = fd.v;
  const std::uint64_t& number = fd.number;
  std::vector<Finding> out;
  std::size_t max_held = 0;
  auto feed = [&](const Ipv4Header& ip, const IgmpMessage& m) {
    fd.feed(100, static_cast<std::uint32_t>(number + 1), ip, m);  // 1 ns apart: the window stays open
  };
  // A report makes the group known, a general query makes the querier heard.
  feed(igmp_ip_header(host, group), igmp_simple(igmp_type::kV2Report, group));
  feed(igmp_ip_header(router, ipv4::kAllSystems), igmp_query(2, {}, 100));
  feed(igmp_ip_header(host, ipv4::kAllRouters), igmp_simple(igmp_type::kV2Leave, group));
  const std::uint64_t window_frame = number;
  Ipv4Header gsq_ip = igmp_ip_header(router, group);
  gsq_ip.router_alert = false;
  const IgmpMessage gsq = igmp_query(2, group, 10);
  for (int i = 0; i < 70000; ++i) {
    feed(gsq_ip, gsq);
    if (number % 4096 == 0) v.drain(out);
    max_held = std::max(max_held, v.findings.size());
  }
  EXPECT_LE(max_held, Validator::kMaxHeldFindings + 4096);
  ASSERT_FALSE(out.empty());
  EXPECT_GT(out.front().frame, window_frame);  // drained past the open window's frame
  EXPECT_EQ(out.front().rule, "IGMP-RA-2");
  v.finish();
  v.drain(out);
  EXPECT_EQ(out.size(), v.total_findings());
}

}  // namespace
}  // namespace mcsim::pcap
