// Decoding the IGMP/MLD message carried by one captured frame.
#pragma once

#include "pcap/capture.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::pcap {

/// Decodes the IGMP/MLD message in frame `f` into `out` (reused across calls; no
/// allocation in steady state). Returns false when the frame carries none.
/// A frame cut by the snap length gets SnapTruncated on top of what the cut causes.
bool decode_frame(const Frame& f, wire::DecodedPacket& out);

}  // namespace mcsim::pcap
