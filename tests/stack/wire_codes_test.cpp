// Max Resp Code / QQIC (RFC 9776 §4.1.1, §4.1.7) and MLDv2 Maximum Response Code / QQIC
// (RFC 9777 §5.1.3, §5.1.9) floating-point encodings. Expected values are computed by hand
// from the RFC formulas, written out below; never from our own encoder.
#include "stack/wire/codes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace mcsim::wire {
namespace {

// RFC 9776 §4.1.1: "If Max Resp Code < 128, Max Resp Time = Max Resp Code".
TEST(IgmpV3MaxRespCode, Code127IsLinear) {
  EXPECT_EQ(decode_code8(0), 0u);
  EXPECT_EQ(decode_code8(1), 1u);
  EXPECT_EQ(decode_code8(100), 100u);   // 10.0 s, the RFC 9776 §8.3 default
  EXPECT_EQ(decode_code8(127), 127u);   // 12.7 s
  EXPECT_EQ(encode_code8(127), 127);
  EXPECT_EQ(encode_code8(0), 0);
}

// RFC 9776 §4.1.1: code >= 128 is |1|exp|mant| and the time is (mant | 0x10) << (exp + 3).
TEST(IgmpV3MaxRespCode, MaxRespCode128IsExponentialForm) {
  EXPECT_EQ(decode_code8(0x80), 128u);  // exp 0, mant 0: 0x10 << 3
  EXPECT_EQ(decode_code8(0x81), 136u);  // 0x11 << 3
  EXPECT_EQ(decode_code8(0x8F), 248u);  // 0x1F << 3
  EXPECT_EQ(decode_code8(0x90), 256u);  // exp 1, mant 0: 0x10 << 4
  EXPECT_EQ(decode_code8(0xA5), 672u);  // exp 2, mant 5: 0x15 << 5
  EXPECT_EQ(decode_code8(0xF0), 16384u);  // exp 7, mant 0: 0x10 << 10
  EXPECT_EQ(encode_code8(128), 0x80);
  EXPECT_EQ(encode_code8(136), 0x81);
  EXPECT_EQ(encode_code8(256), 0x90);
}

// RFC 9776 §4.1.1: the largest code 0xFF is (0xF | 0x10) << (7 + 3) = 31744 tenths (3174.4 s).
TEST(IgmpV3MaxRespCode, CodeFFIs31744Tenths) {
  EXPECT_EQ(decode_code8(0xFF), 31744u);
  EXPECT_EQ(decode_code8(0xFE), 30720u);
  EXPECT_EQ(encode_code8(31744), 0xFF);
  EXPECT_EQ(kMaxCode8Value, 31744u);
}

// RFC 9776 §4.1.1: values that are not representable are sent as the next smaller one
// (a querier must not promise a longer time than it means).
TEST(IgmpV3MaxRespCode, EncodeRoundsDownBetweenRepresentableValues) {
  for (std::uint32_t v = 129; v <= 135; ++v) EXPECT_EQ(encode_code8(v), 0x80) << v;
  for (std::uint32_t v = 249; v <= 255; ++v) EXPECT_EQ(encode_code8(v), 0x8F) << v;
  EXPECT_EQ(encode_code8(30721), 0xFE);
  EXPECT_EQ(encode_code8(31743), 0xFE);
  EXPECT_EQ(encode_code8(1000), 0xAF);  // 1000 -> exp 2 (1000 >> 5 = 31), mant 0xF: 0x1F << 5 = 992
  EXPECT_EQ(decode_code8(0xAF), 992u);
}

// RFC 9776 §4.1.1: above 31744 nothing is representable; clamp to the maximum.
TEST(IgmpV3MaxRespCode, EncodeClampsAboveMaximum) {
  EXPECT_EQ(encode_code8(31745), 0xFF);
  EXPECT_EQ(encode_code8(100000), 0xFF);
  EXPECT_EQ(encode_code8(std::numeric_limits<std::uint32_t>::max()), 0xFF);
}

// RFC 9776 §4.1.1: every one of the 256 codes names a distinct time, so
// decode(encode(decode(c))) == decode(c) and, in fact, encode(decode(c)) == c.
TEST(IgmpV3MaxRespCode, AllCodesRoundTrip) {
  std::uint32_t prev = 0;
  for (unsigned c = 0; c <= 0xFF; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    const std::uint32_t t = decode_code8(code);
    EXPECT_EQ(decode_code8(encode_code8(t)), t) << c;
    EXPECT_EQ(encode_code8(t), code) << c;
    if (c > 0) {
      EXPECT_GT(t, prev) << "decoded times increase strictly at code " << c;
    }
    // Floor property: everything up to the next code's time encodes to this code.
    if (c < 0xFF) {
      EXPECT_EQ(encode_code8(decode_code8(static_cast<std::uint8_t>(c + 1)) - 1), code) << c;
    }
    prev = t;
  }
}

// RFC 9776 §4.1.7: QQIC uses the same format, in seconds: 125 s (the default Query
// Interval, §8.2) is linear; 0x80 is 128 s, 0xFF is 31744 s.
TEST(IgmpV3Qqic, SameFormatAsMaxRespCode) {
  EXPECT_EQ(decode_qqic(125), 125u);
  EXPECT_EQ(decode_qqic(127), 127u);
  EXPECT_EQ(decode_qqic(0x80), 128u);
  EXPECT_EQ(decode_qqic(0xFF), 31744u);
  EXPECT_EQ(encode_qqic(125), 125);
  EXPECT_EQ(encode_qqic(128), 0x80);
  EXPECT_EQ(encode_qqic(130), 0x80);  // rounds down to 128 s
  EXPECT_EQ(encode_qqic(40000), 0xFF);
  for (unsigned c = 0; c <= 0xFF; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    EXPECT_EQ(decode_qqic(encode_qqic(decode_qqic(code))), decode_qqic(code)) << c;
  }
}

// RFC 9777 §5.1.3: "If Maximum Response Code < 32768, Maximum Response Delay = Maximum
// Response Code" (milliseconds).
TEST(MldV2MaxRespCode, Code32767IsLinear) {
  EXPECT_EQ(decode_code16(0), 0u);
  EXPECT_EQ(decode_code16(10000), 10000u);  // 10 s, the RFC 9777 §9.3 default
  EXPECT_EQ(decode_code16(32767), 32767u);
  EXPECT_EQ(encode_code16(32767), 32767);
  EXPECT_EQ(encode_code16(10000), 10000);
}

// RFC 9777 §5.1.3: code >= 32768 is |1|exp(3)|mant(12)| and the delay is
// (mant | 0x1000) << (exp + 3).
TEST(MldV2MaxRespCode, Code32768IsExponentialForm) {
  EXPECT_EQ(decode_code16(0x8000), 32768u);   // 0x1000 << 3
  EXPECT_EQ(decode_code16(0x8001), 32776u);   // 0x1001 << 3
  EXPECT_EQ(decode_code16(0x8FFF), 65528u);   // 0x1FFF << 3
  EXPECT_EQ(decode_code16(0x9000), 65536u);   // exp 1: 0x1000 << 4
  EXPECT_EQ(decode_code16(0xFFFF), 8387584u); // 0x1FFF << 10
  EXPECT_EQ(decode_code16(0xFFFE), 8386560u); // 0x1FFE << 10
  EXPECT_EQ(kMaxCode16Value, 8387584u);
  EXPECT_EQ(encode_code16(32768), 0x8000);
  EXPECT_EQ(encode_code16(65536), 0x9000);
  EXPECT_EQ(encode_code16(8387584), 0xFFFF);
}

// RFC 9777 §5.1.3: round down between representable delays; clamp above 8387584 ms.
TEST(MldV2MaxRespCode, EncodeRoundsDownAndClamps) {
  for (std::uint32_t v = 32769; v <= 32775; ++v) EXPECT_EQ(encode_code16(v), 0x8000) << v;
  EXPECT_EQ(encode_code16(65535), 0x8FFF);
  EXPECT_EQ(encode_code16(8387583), 0xFFFE);
  EXPECT_EQ(encode_code16(8387585), 0xFFFF);
  EXPECT_EQ(encode_code16(10'000'000), 0xFFFF);
  EXPECT_EQ(encode_code16(std::numeric_limits<std::uint32_t>::max()), 0xFFFF);
}

// RFC 9777 §5.1.3: all 65536 codes round-trip and name strictly increasing delays.
TEST(MldV2MaxRespCode, AllCodesRoundTrip) {
  std::uint32_t prev = 0;
  unsigned failures = 0;
  for (unsigned c = 0; c <= 0xFFFF; ++c) {
    const auto code = static_cast<std::uint16_t>(c);
    const std::uint32_t t = decode_code16(code);
    if (decode_code16(encode_code16(t)) != t || encode_code16(t) != code) ++failures;
    if (c > 0 && t <= prev) ++failures;
    if (c < 0xFFFF && encode_code16(decode_code16(static_cast<std::uint16_t>(c + 1)) - 1) != code) ++failures;
    prev = t;
  }
  EXPECT_EQ(failures, 0u);
}

// RFC 9777 §5.1.9: MLDv2 QQIC is the 8-bit IGMPv3 format, in seconds.
TEST(MldV2Qqic, UsesIgmpV3EightBitFormat) {
  EXPECT_EQ(decode_qqic(60), 60u);  // tcpdump__icmpv6.pcap frame 3 carries QQIC 60
  EXPECT_EQ(decode_qqic(0x8C), 224u);  // (0xC | 0x10) << 3
}

}  // namespace
}  // namespace mcsim::wire
