// Live capture/inject handle on a real interface, through libpcap only (pcap_create,
// pcap_activate, pcap_setfilter, pcap_next_ex, pcap_inject, pcap_findalldevs) so that a
// build against Npcap stays possible. Used by live mode (sim/live.hpp, docs/live.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pcap/capture.hpp"

namespace mcsim::pcap {

/// What live mode listens to: IGMP, ARP, and IPv6 with a hop-by-hop header (MLD carries
/// the Router Alert option there, RFC 9777 §5) or ICMPv6 directly (ND, MLD without HbH).
inline constexpr const char* kLiveFilter = "igmp or arp or (ip6 and (ip6[6]=0 or icmp6))";

/// Bytes captured per frame (longer frames are truncated; membership messages are not
/// that long at a 1500-byte MTU).
inline constexpr std::uint32_t kLiveSnaplen = 4096;

class LiveHandle {
 public:
  /// Opens `iface` for capture and injection: immediate mode, non-blocking, the BPF
  /// `filter`, incoming frames only where the platform allows it. On failure returns
  /// nullptr with one line in `error`: interface not found, loopback refused, interface
  /// down, or "needs CAP_NET_RAW (...)" when permission is denied.
  static std::unique_ptr<LiveHandle> open(const std::string& iface, std::string& error,
                                          const std::string& filter = kLiveFilter);
  /// Opens `iface` for injection only (a second handle that a sending thread owns: a
  /// libpcap handle is not to be used from two threads): same checks and errors as open(),
  /// blocking sends, a filter that captures nothing and a small kernel buffer.
  static std::unique_ptr<LiveHandle> open_injector(const std::string& iface, std::string& error);
  ~LiveHandle();
  LiveHandle(const LiveHandle&) = delete;
  LiveHandle& operator=(const LiveHandle&) = delete;

  /// A file descriptor to poll() for readability (-1 where the platform has none: Windows).
  int selectable_fd() const { return fd_; }
  /// Waits until a frame may be waiting or `timeout_ms` passes (poll() on the selectable fd;
  /// on Windows the Npcap event object). Returns early on a signal (EINTR).
  /// `wake_fd` (>= 0, POSIX only) is polled too: another thread writes to it to wake the
  /// waiter early.
  void wait(int timeout_ms, int wake_fd = -1);
  /// Next captured frame without blocking: 1 = a frame (f.data valid until the next call),
  /// 0 = none waiting, -1 = error (error() says why).
  int next(Frame& f);
  /// Sends one Ethernet frame; false on error (error() says why).
  bool inject(Bytes frame);
  /// Sends frames in order, several per system call where the platform has one for it
  /// (Linux: sendmmsg on the handle's packet socket, what pcap_inject does one frame at a
  /// time; elsewhere pcap_inject each). Returns how many were sent; fewer than given means an
  /// error (error() says why).
  std::size_t inject_batch(const Bytes* frames, std::size_t n);
  /// Frames the kernel dropped for this handle so far (pcap_stats), 0 when unknown.
  std::uint64_t dropped();
  /// True when the handle only sees incoming frames (pcap_setdirection worked).
  bool incoming_only() const { return incoming_only_; }
  const std::string& error() const { return error_; }
  const std::string& iface() const { return iface_; }
  int linktype() const { return linktype_; }

 private:
  LiveHandle() = default;
  static std::unique_ptr<LiveHandle> open_impl(const std::string& iface, std::string& error,
                                               const std::string& filter, bool inject_only);
  struct Impl;
  Impl* impl_ = nullptr;
  std::string iface_;
  std::string error_;
  int fd_ = -1;
  int linktype_ = 0;
  bool incoming_only_ = false;
  std::uint64_t count_ = 0;
};

/// The permission message live mode prints when capture is refused.
inline constexpr const char* kNeedsCapNetRaw =
    "needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep build/bin/mcsim)";

}  // namespace mcsim::pcap
