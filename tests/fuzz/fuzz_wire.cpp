// libFuzzer target: Ethernet frames and raw IP datagrams through the wire decoders and the
// text/JSON formatters of pcap/format.hpp. First byte selects the entry point.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pcap/capture.hpp"
#include "pcap/format.hpp"
#include "stack/wire/packet.hpp"

using namespace mcsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  wire::Bytes body(data + 1, size - 1);
  static wire::DecodedPacket pkt;  // reused on purpose: decoding into a used value must be clean
  pcap::Frame f;
  f.number = 1;
  f.caplen = static_cast<std::uint32_t>(body.size());
  f.len = f.caplen + (mode & 0x80 ? 7u : 0u);  // sometimes "cut by the capture"
  f.data = body;
  bool carried = false;
  switch (mode & 3) {
    case 0:
      f.linktype = pcap::linktype::kEthernet;
      carried = wire::decode_ethernet_frame(body, pkt);
      break;
    case 1:
      f.linktype = pcap::linktype::kRaw;
      carried = wire::decode_ip_datagram(body, pkt);
      break;
    default: {
      static const int lts[] = {pcap::linktype::kNull, pcap::linktype::kLoop, pcap::linktype::kLinuxSll,
                                pcap::linktype::kLinuxSll2, pcap::linktype::kIpv4, pcap::linktype::kIpv6,
                                pcap::linktype::kEthernet, pcap::linktype::kRaw};
      f.linktype = lts[(mode >> 2) & 7];
      wire::Bytes ip;
      wire::ErrorSet errs;
      if (pcap::extract_ip(f.linktype, body, ip, errs)) carried = wire::decode_ip_datagram(ip, pkt);
      break;
    }
  }
  std::string out;
  (void)pcap::message_kind_name(pkt);
  if (carried) {
    pcap::append_json(out, f, pkt);
    pcap::append_text(out, f, pkt);
  }
  std::string js;
  pcap::append_json_string(js, std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
  return 0;
}
