// Network-namespace helpers shared by the interop tests that talk to the running Linux
// kernel (tests/stack/host_interop_linux_test.cpp, tests/pcap/bridge_interop_linux_test.cpp).
// Linux only; the tests create and delete their own namespaces.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace mcsim::testing {

/// Runs a shell command quietly; true when it exits 0.
inline bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

/// Runs `f` with the calling thread in network namespace `ns` (made by `ip netns add`),
/// then returns to the namespace the thread was in. Sockets made inside stay bound to `ns`.
template <class F>
auto in_netns(const std::string& ns, F&& f) -> decltype(f()) {
  const int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
    if (self >= 0) close(self);
    if (target >= 0) close(target);
    throw std::runtime_error("setns into " + ns + " failed: " + std::strerror(errno));
  }
  struct Back {
    int self, target;
    ~Back() {
      setns(self, CLONE_NEWNET);
      close(self);
      close(target);
    }
  } back{self, target};
  return f();
}

}  // namespace mcsim::testing
