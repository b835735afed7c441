#include "pcap/decode.hpp"

namespace mcsim::pcap {

bool decode_frame(const Frame& f, wire::DecodedPacket& out) {
  wire::ErrorSet link_errors;
  Bytes ip;
  if (!extract_ip(f.linktype, f.data, ip, link_errors)) return false;
  if (!wire::decode_ip_datagram(ip, out)) return false;
  if (f.caplen < f.len) out.errors.add(wire::WireError::SnapTruncated);
  return true;
}

}  // namespace mcsim::pcap
