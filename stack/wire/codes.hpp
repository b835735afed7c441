// Max Resp Code / Maximum Response Code and QQIC floating-point encodings.
#pragma once

#include <cstdint>

namespace mcsim::wire {

// RFC 9776 §4.1.1 (IGMPv3 Max Resp Code, tenths of a second) and §4.1.7 (QQIC, seconds):
// code < 128 is the value itself; otherwise 1|exp(3)|mant(4) means (mant | 0x10) << (exp + 3).
constexpr std::uint32_t decode_code8(std::uint8_t code) {
  if (code < 128) return code;
  std::uint32_t exp = (code >> 4) & 0x7;
  std::uint32_t mant = code & 0xF;
  return (mant | 0x10) << (exp + 3);
}
inline constexpr std::uint32_t kMaxCode8Value = decode_code8(0xFF);  // 31744

/// Largest code whose decoded value does not exceed `value` (values above the
/// largest representable one clamp to code 0xFF).
constexpr std::uint8_t encode_code8(std::uint32_t value) {
  if (value < 128) return static_cast<std::uint8_t>(value);
  if (value >= kMaxCode8Value) return 0xFF;
  std::uint32_t exp = 0;
  while ((value >> (exp + 3)) > 0x1F) ++exp;
  std::uint32_t mant = (value >> (exp + 3)) & 0xF;
  return static_cast<std::uint8_t>(0x80 | (exp << 4) | mant);
}

// RFC 9777 §5.1.3 (MLDv2 Maximum Response Code, milliseconds): code < 32768 is the value
// itself; otherwise 1|exp(3)|mant(12) means (mant | 0x1000) << (exp + 3).
constexpr std::uint32_t decode_code16(std::uint16_t code) {
  if (code < 32768) return code;
  std::uint32_t exp = (code >> 12) & 0x7;
  std::uint32_t mant = code & 0xFFF;
  return (mant | 0x1000) << (exp + 3);
}
inline constexpr std::uint32_t kMaxCode16Value = decode_code16(0xFFFF);  // 8387584

constexpr std::uint16_t encode_code16(std::uint32_t value) {
  if (value < 32768) return static_cast<std::uint16_t>(value);
  if (value >= kMaxCode16Value) return 0xFFFF;
  std::uint32_t exp = 0;
  while ((value >> (exp + 3)) > 0x1FFF) ++exp;
  std::uint32_t mant = (value >> (exp + 3)) & 0xFFF;
  return static_cast<std::uint16_t>(0x8000 | (exp << 12) | mant);
}

// RFC 9777 §5.1.9: MLDv2 QQIC uses the same 8-bit format as IGMPv3 (seconds).
constexpr std::uint32_t decode_qqic(std::uint8_t code) { return decode_code8(code); }
constexpr std::uint8_t encode_qqic(std::uint32_t seconds) { return encode_code8(seconds); }

static_assert(decode_code8(127) == 127);
static_assert(decode_code8(128) == 128);
static_assert(encode_code8(128) == 0x80);
static_assert(kMaxCode8Value == 31744);
static_assert(decode_code16(32767) == 32767);
static_assert(decode_code16(32768) == 32768);
static_assert(kMaxCode16Value == 8387584);

}  // namespace mcsim::wire
