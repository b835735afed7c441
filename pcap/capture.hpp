// Capture-file I/O through libpcap (pcap and pcapng), restricted to the API that Npcap
// also provides, and extraction of the IP datagram from each supported link type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stack/wire/bytes.hpp"
#include "stack/wire/errors.hpp"

namespace mcsim::pcap {

using wire::Bytes;

/// LINKTYPE_* values (tcpdump.org/linktypes.html).
namespace linktype {
inline constexpr int kNull = 0;        // BSD loopback, host-order AF_ value
inline constexpr int kEthernet = 1;
inline constexpr int kRaw = 101;       // raw IPv4/IPv6
inline constexpr int kLoop = 108;      // OpenBSD loopback, network-order AF_ value
inline constexpr int kLinuxSll = 113;
inline constexpr int kIpv4 = 228;
inline constexpr int kIpv6 = 229;
inline constexpr int kLinuxSll2 = 276;
}  // namespace linktype

/// True for the link types whose frames we can take apart.
bool linktype_supported(int lt);
const char* linktype_name(int lt);

struct Frame {
  std::uint64_t number = 0;  // 1-based
  std::int64_t ts_sec = 0;
  std::uint32_t ts_nsec = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;  // original length on the wire
  int linktype = linktype::kEthernet;
  Bytes data;  // valid until the next call to Reader::next
};

/// Streams frames from a capture file; memory use does not grow with the file.
class Reader {
 public:
  /// Opens `path`; on failure returns nullptr and sets `error` to a message naming the file.
  static std::unique_ptr<Reader> open(const std::string& path, std::string& error);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// Next frame; false at the end of the file or on a read error (then error() is set,
  /// naming the file and the frame number where reading stopped).
  bool next(Frame& f);
  const std::string& error() const { return error_; }
  int linktype() const { return linktype_; }
  const std::string& path() const { return path_; }

 private:
  Reader() = default;
  struct Impl;
  Impl* impl_ = nullptr;
  std::string path_;
  std::string error_;
  int linktype_ = 0;
  std::uint64_t count_ = 0;
};

/// Writes a classic pcap file (nanosecond timestamps) that Wireshark opens.
class Writer {
 public:
  static std::unique_ptr<Writer> open(const std::string& path, int linktype, std::string& error,
                                      std::uint32_t snaplen = 262144);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  void write(std::int64_t ts_sec, std::uint32_t ts_nsec, Bytes frame, std::uint32_t orig_len = 0);
  void flush();

 private:
  Writer() = default;
  struct Impl;
  Impl* impl_ = nullptr;
};

/// Finds the IP datagram inside a frame of link type `lt`. Returns false when the frame
/// carries no IPv4/IPv6 (or is too short; then errors has Truncated).
bool extract_ip(int lt, Bytes frame, Bytes& ip, wire::ErrorSet& errors);

}  // namespace mcsim::pcap
