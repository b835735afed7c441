// libFuzzer target: whole capture files (pcap / pcapng) through pcap::Reader, decode_frame,
// the formatters and the Validator in both roles. The input is written to a memfd.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "pcap/capture.hpp"
#include "pcap/decode.hpp"
#include "pcap/format.hpp"
#include "pcap/validate.hpp"

using namespace mcsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = memfd_create("fuzz_pcap", 0);
  if (fd < 0) return 0;
  std::size_t off = 0;
  while (off < size) {
    ssize_t n = write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  std::string err;
  auto reader = pcap::Reader::open(path, err);
  if (reader) {
    pcap::Validator router(pcap::Role::Router), host(pcap::Role::Host);
    pcap::Frame f;
    wire::DecodedPacket p;
    std::string out;
    int frames = 0;
    while (frames++ < 4096 && reader->next(f)) {
      const bool carried = pcap::decode_frame(f, p);
      if (carried) {
        out.clear();
        pcap::append_json(out, f, p);
        pcap::append_text(out, f, p);
      }
      router.feed(f, p);
      host.feed(f, p);
    }
    router.finish();
    host.finish();
    (void)router.violations();
    (void)host.violations();
  }
  close(fd);
  return 0;
}
