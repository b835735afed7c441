#include "stack/wire/errors.hpp"

namespace mcsim::wire {

const char* error_id(WireError e) {
  switch (e) {
    case WireError::Truncated: return "truncated";
    case WireError::LengthMismatch: return "length_mismatch";
    case WireError::BadIpChecksum: return "bad_ip_checksum";
    case WireError::BadChecksum: return "bad_checksum";
    case WireError::BadTtl: return "bad_ttl";
    case WireError::UnknownType: return "unknown_type";
    case WireError::BadSourceCount: return "bad_source_count";
    case WireError::TrailingBytes: return "trailing_bytes";
    case WireError::BadIpVersion: return "bad_ip_version";
    case WireError::BadIpHeaderLength: return "bad_ip_header_length";
    case WireError::BadIpOptions: return "bad_ip_options";
    case WireError::BadExtensionHeader: return "bad_extension_header";
    case WireError::Fragmented: return "fragmented";
    case WireError::BadRecordType: return "bad_record_type";
    case WireError::BadQueryLength: return "bad_query_length";
    case WireError::BadCode: return "bad_code";
    case WireError::SnapTruncated: return "snap_truncated";
    case WireError::kCount: break;
  }
  return "unknown";
}

const char* error_reason(WireError e) {
  switch (e) {
    case WireError::Truncated: return "message is shorter than its fixed header or counts require";
    case WireError::LengthMismatch: return "a length field disagrees with the bytes present";
    case WireError::BadIpChecksum: return "IPv4 header checksum is wrong (RFC 791 §3.1)";
    case WireError::BadChecksum: return "IGMP/ICMPv6 checksum is wrong (RFC 9776 §4.1.2 / RFC 4443 §2.3)";
    case WireError::BadTtl: return "TTL / hop limit is not 1 (RFC 9776 §4 / RFC 9777 §5)";
    case WireError::UnknownType: return "message type is not an IGMP/MLD membership type";
    case WireError::BadSourceCount: return "Number of Sources claims more sources than the message holds";
    case WireError::TrailingBytes: return "bytes follow the message inside the IP payload";
    case WireError::BadIpVersion: return "IP version is neither 4 nor 6";
    case WireError::BadIpHeaderLength: return "IPv4 header length is below 20 bytes or beyond the datagram";
    case WireError::BadIpOptions: return "IPv4 option list is malformed (RFC 791 §3.1)";
    case WireError::BadExtensionHeader: return "IPv6 extension header chain is malformed (RFC 8200 §4)";
    case WireError::Fragmented: return "IP fragment: message cannot be decoded from this fragment alone";
    case WireError::BadRecordType: return "group record type is not 1..6 (RFC 9776 §4.2.12)";
    case WireError::BadQueryLength: return "query length matches no version (RFC 9776 §7.1 / RFC 9777 §8.1): ignored";
    case WireError::BadCode: return "ICMPv6 Code is not 0 (RFC 9777 §5.1.1)";
    case WireError::SnapTruncated: return "capture snap length cut the frame";
    case WireError::kCount: break;
  }
  return "unknown error";
}

}  // namespace mcsim::wire
