#include "pcap/live.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>

#ifdef _WIN32
#include <windows.h>
#else
#include <poll.h>
#endif
#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#endif

namespace mcsim::pcap {

struct LiveHandle::Impl {
  pcap_t* handle = nullptr;
};

namespace {

/// Looks `iface` up among the capture devices: "" when usable, else why not.
std::string check_device(const std::string& iface) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, errbuf) != 0) return {};  // cannot tell; pcap_activate will say
  std::string why = "interface '" + iface + "' not found";
  for (pcap_if_t* d = all; d; d = d->next) {
    if (iface != d->name) continue;
    if (d->flags & PCAP_IF_LOOPBACK)
      why = "interface '" + iface + "' is a loopback interface: live mode needs an Ethernet interface (refused)";
    else if (!(d->flags & PCAP_IF_UP))
      why = "interface '" + iface + "' is down (bring it up first: ip link set " + iface + " up)";
    else if (!(d->flags & PCAP_IF_RUNNING))
      why = "interface '" + iface + "' is up but not running (no carrier)";
    else
      why.clear();
    break;
  }
  pcap_freealldevs(all);
  return why;
}

bool is_permission(int rc, const char* msg) {
  return rc == PCAP_ERROR_PERM_DENIED || std::strstr(msg, "ermission") || std::strstr(msg, "not permitted");
}

}  // namespace

std::unique_ptr<LiveHandle> LiveHandle::open(const std::string& iface, std::string& error, const std::string& filter) {
  return open_impl(iface, error, filter, false);
}

std::unique_ptr<LiveHandle> LiveHandle::open_injector(const std::string& iface, std::string& error) {
  // No frame's first byte masked with 0 is 1: the filter captures nothing (compiled without
  // the optimizer, which refuses a filter that "rejects all packets").
  return open_impl(iface, error, "ether[0] & 0 = 1", true);
}

std::unique_ptr<LiveHandle> LiveHandle::open_impl(const std::string& iface, std::string& error, const std::string& filter,
                                                  bool inject_only) {
  if (iface.empty()) {
    error = "no interface given";
    return nullptr;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* h = pcap_create(iface.c_str(), errbuf);
  if (!h) {
    error = iface + ": " + errbuf;
    return nullptr;
  }
  auto fail = [&](std::string msg) {
    pcap_close(h);
    error = std::move(msg);
    return nullptr;
  };
  // Slots in the kernel ring are snaplen-sized: a short snaplen and a large buffer keep a
  // burst of thousands of queries/reports from overflowing it. IGMP/MLD/ARP/ND frames fit.
  pcap_set_snaplen(h, static_cast<int>(inject_only ? 64 : kLiveSnaplen));
  pcap_set_buffer_size(h, inject_only ? 64 << 10 : 32 << 20);
  pcap_set_promisc(h, inject_only ? 0 : 1);  // the emulated hosts' MACs are not the interface's own
  pcap_set_immediate_mode(h, 1);
  pcap_set_timeout(h, 1);
  const int rc = pcap_activate(h);
  if (rc < 0) {
    const std::string msg = pcap_geterr(h);
    if (is_permission(rc, msg.c_str())) return fail(iface + ": " + kNeedsCapNetRaw);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) return fail("interface '" + iface + "' not found");
    if (rc == PCAP_ERROR_IFACE_NOT_UP) return fail("interface '" + iface + "' is down (bring it up first: ip link set " + iface + " up)");
    return fail(iface + ": cannot capture: " + msg);
  }
  // Checked after activation so that permission problems are reported as such.
  if (std::string why = check_device(iface); !why.empty()) return fail(why);
  const int lt = pcap_datalink(h);
  if (lt != DLT_EN10MB) return fail("interface '" + iface + "' is not Ethernet (link type " + std::to_string(lt) + ")");
  // Our own injected frames must not come back (nor fill the ring). Linux >= 4.20: the
  // kernel does not even copy frames sent on the interface to this socket
  // (PACKET_IGNORE_OUTGOING). Older Linux kernels: an "inbound" filter. Elsewhere (Npcap):
  // pcap_setdirection and the caller's own-MAC check.
  //
  // Not "inbound" where the option works: libpcap runs the new filter in user space on the
  // first ring slot after pcap_setfilter (frames that may have passed the old filter), and
  // there "inbound" (a load of the kernel's packet type) rejects every frame, so the first
  // frame captured was lost: the querier's first query (test_live_device.py).
  bool ignore_outgoing = false;
#if defined(__linux__) && defined(PACKET_IGNORE_OUTGOING)
  const int one = 1;
  ignore_outgoing = ::setsockopt(pcap_fileno(h), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == 0;
#endif
#ifdef __linux__
  if (inject_only) {
    // A send that cannot complete within 2 s (a stuck driver queue) fails with EAGAIN
    // instead of blocking the sending thread, and so the end of the run, for ever.
    const timeval limit{2, 0};
    (void)::setsockopt(pcap_fileno(h), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  }
#endif
  struct bpf_program prog{};
  bool inbound = !inject_only && !ignore_outgoing &&
                 pcap_compile(h, &prog, ("inbound and (" + filter + ")").c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (!inbound && pcap_compile(h, &prog, filter.c_str(), inject_only ? 0 : 1, PCAP_NETMASK_UNKNOWN) != 0)
    return fail(iface + ": bad capture filter '" + filter + "': " + pcap_geterr(h));
  const int frc = pcap_setfilter(h, &prog);
  pcap_freecode(&prog);
  if (frc != 0) return fail(iface + ": cannot set capture filter: " + pcap_geterr(h));
  if (!inject_only && pcap_setnonblock(h, 1, errbuf) != 0) return fail(iface + ": cannot set non-blocking mode: " + errbuf);
  std::unique_ptr<LiveHandle> l(new LiveHandle());
  l->incoming_only_ = pcap_setdirection(h, PCAP_D_IN) == 0 || inbound || ignore_outgoing;
  l->impl_ = new Impl{h};
  l->iface_ = iface;
  l->linktype_ = lt;
#ifdef _WIN32
  l->fd_ = -1;  // Npcap: wait() uses pcap_getevent()
#else
  l->fd_ = pcap_get_selectable_fd(h);
#endif
  return l;
}

LiveHandle::~LiveHandle() {
  if (impl_) {
    pcap_close(impl_->handle);
    delete impl_;
  }
}

void LiveHandle::wait(int timeout_ms, int wake_fd) {
  if (timeout_ms <= 0) return;
#ifdef _WIN32
  (void)wake_fd;
  WaitForSingleObject(pcap_getevent(impl_->handle), static_cast<DWORD>(timeout_ms));
#else
  pollfd p[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  if (fd_ < 0 && wake_fd < 0) {
    ::poll(nullptr, 0, std::min(timeout_ms, 5));
    return;
  }
  if (fd_ < 0) timeout_ms = std::min(timeout_ms, 5);
  ::poll(p, 2, timeout_ms);  // negative fds are ignored; EINTR: the caller checks its stop flag
#endif
}

int LiveHandle::next(Frame& f) {
  struct pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(impl_->handle, &hdr, &data);
  if (rc == 1) {
    f.number = ++count_;
    f.ts_sec = hdr->ts.tv_sec;
    f.ts_nsec = static_cast<std::uint32_t>(hdr->ts.tv_usec) * 1000u;
    f.caplen = hdr->caplen;
    f.len = hdr->len;
    f.linktype = linktype_;
    f.data = Bytes(data, hdr->caplen);
    return 1;
  }
  if (rc == 0) return 0;
  error_ = iface_ + ": capture failed: " + pcap_geterr(impl_->handle);
  return -1;
}

bool LiveHandle::inject(Bytes frame) {
  if (pcap_inject(impl_->handle, frame.data(), frame.size()) < 0) {
    error_ = iface_ + ": inject failed: " + pcap_geterr(impl_->handle);
    return false;
  }
  return true;
}

std::size_t LiveHandle::inject_batch(const Bytes* frames, std::size_t n) {
#if defined(__linux__)
  // libpcap's Linux pcap_inject is a send() on this bound packet socket; sendmmsg sends up
  // to kChunk of them in one call (the kernel still sends each frame on its own, through the
  // qdisc and to every tap, as for send()).
  constexpr std::size_t kChunk = 64;
  mmsghdr msgs[kChunk];
  iovec iov[kChunk];
  std::size_t done = 0;
  while (done < n) {
    const std::size_t k = std::min(kChunk, n - done);
    for (std::size_t i = 0; i < k; ++i) {
      iov[i].iov_base = const_cast<std::uint8_t*>(frames[done + i].data());
      iov[i].iov_len = frames[done + i].size();
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int rc = ::sendmmsg(pcap_fileno(impl_->handle), msgs, static_cast<unsigned>(k), 0);
    if (rc < 0) {
      if (errno == EINTR) continue;
      error_ = iface_ + ": inject failed: " + std::strerror(errno);
      return done;
    }
    done += static_cast<std::size_t>(rc);
  }
  return done;
#else
  for (std::size_t i = 0; i < n; ++i)
    if (!inject(frames[i])) return i;
  return n;
#endif
}

std::uint64_t LiveHandle::dropped() {
  struct pcap_stat st{};
  if (pcap_stats(impl_->handle, &st) != 0) return 0;
  return st.ps_drop;
}

}  // namespace mcsim::pcap
