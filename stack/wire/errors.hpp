// Typed malformation values reported by the wire decoders.
#pragma once

#include <cstdint>
#include <string>

namespace mcsim::wire {

/// One kind of malformation. A decode reports a set of them (ErrorSet); "fatal" ones mean
/// the message could not be decoded at all, the others leave a usable message.
enum class WireError : std::uint8_t {
  Truncated,            // fewer bytes than the fixed header or the counts need
  LengthMismatch,       // a length field disagrees with the bytes present
  BadIpChecksum,        // IPv4 header checksum (RFC 791 §3.1)
  BadChecksum,          // IGMP (RFC 9776 §4.1.2) or ICMPv6 (RFC 4443 §2.3) checksum
  BadTtl,               // IGMP TTL / MLD hop limit other than 1 (RFC 9776 §4, RFC 9777 §5)
  UnknownType,          // message type not defined by the IGMP/MLD RFCs
  BadSourceCount,       // Number of Sources claims more than the message holds
  TrailingBytes,        // bytes after the message inside the IP payload
  BadIpVersion,         // IP version nibble is not 4 / 6
  BadIpHeaderLength,    // IPv4 IHL < 5 or beyond the datagram
  BadIpOptions,         // malformed IPv4 option list (RFC 791 §3.1)
  BadExtensionHeader,   // malformed IPv6 extension header chain (RFC 8200 §4)
  Fragmented,           // IP fragment: the message cannot be decoded from this frame alone
  BadRecordType,        // group record type outside 1..6 (RFC 9776 §4.2.12)
  BadQueryLength,       // IGMP query of 9..11 bytes / MLD query of 25..27 (RFC 9776 §7.1, RFC 9777 §8.1)
  BadCode,              // ICMPv6 Code field not 0 for MLD (RFC 9777 §5.1.1 / §5.2.1)
  SnapTruncated,        // capture cut the frame shorter than its wire length
  kCount
};

const char* error_id(WireError e);      // stable identifier, e.g. "bad_checksum"
const char* error_reason(WireError e);  // one line for people

class ErrorSet {
 public:
  constexpr void add(WireError e) { bits_ |= 1u << static_cast<unsigned>(e); }
  constexpr bool has(WireError e) const { return (bits_ >> static_cast<unsigned>(e)) & 1u; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr void clear() { bits_ = 0; }
  constexpr void merge(ErrorSet o) { bits_ |= o.bits_; }
  constexpr std::uint32_t bits() const { return bits_; }
  template <class F>
  void for_each(F&& f) const {
    for (unsigned i = 0; i < static_cast<unsigned>(WireError::kCount); ++i)
      if ((bits_ >> i) & 1u) f(static_cast<WireError>(i));
  }
  friend constexpr bool operator==(ErrorSet, ErrorSet) = default;

 private:
  std::uint32_t bits_ = 0;
};

}  // namespace mcsim::wire
