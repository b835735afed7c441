// CH395 device model: command byte stream, WCH C API, hash filter, seed 002 firmware frames,
// MAC-RAW runts, IP-RAW receive, buffer overflow, the IGMPv3 reporter firmware.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "sim/ch395/ch395.h"
#include "sim/ch395/device.hpp"
#include "stack/wire/checksum.hpp"
#include "stack/wire/packet.hpp"

using mcsim::Time;
using mcsim::ch395::Ch395Config;
using mcsim::ch395::Ch395Device;
using mcsim::ch395::RuntPolicy;
using Bytes = std::vector<std::uint8_t>;
namespace wire = mcsim::wire;

namespace {

using Mac = std::array<std::uint8_t, 6>;

void cmd(Ch395Device& d, std::uint8_t c, std::initializer_list<std::uint8_t> data = {}) {
  d.write_cmd(c);
  for (auto b : data) d.write_data(b);
}

Bytes read(Ch395Device& d, std::size_t n) {
  Bytes out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(d.read_data());
  return out;
}

std::vector<Bytes> drain(Ch395Device& d, Time now = 0) {
  std::vector<Bytes> v;
  while (auto f = d.poll_tx_frame(now)) v.push_back(*f);
  return v;
}

// RAII binding of the C API to a device.
struct Bind {
  explicit Bind(Ch395Device& d) { ch395_bind(d.handle()); }
  ~Bind() { ch395_bind(nullptr); }
};

// Firmware instance: zeroed state of the firmware's size, params at its head.
struct Fw {
  const Ch395Firmware* fw;
  std::vector<std::uint64_t> mem;
  explicit Fw(const char* name, const Ch395FwParams& p = {}) : fw(ch395_find_firmware(name)) {
    EXPECT_NE(fw, nullptr);
    mem.assign(fw->state_size / 8 + 1, 0);
    std::memcpy(mem.data(), &p, sizeof p);
  }
  void init() { fw->init(mem.data()); }
  void poll(Time now) { fw->poll(mem.data(), static_cast<std::uint64_t>(now)); }
};

wire::DecodedPacket decode(const Bytes& f) {
  wire::DecodedPacket d;
  EXPECT_TRUE(wire::decode_ethernet_frame(wire::Bytes(f), d));
  return d;
}

// An IGMP query frame as a router sends it (TTL 1, RA, TOS 0xC0) to `dst`.
Bytes query_frame(mcsim::Ipv4Addr group, mcsim::Ipv4Addr dst, std::uint8_t mrc = 10,
                  std::vector<mcsim::Ipv4Addr> sources = {}) {
  auto msg = wire::igmp_query(3, group, mrc, false, 2, 125, sources);
  Bytes dgram;
  wire::build_igmp_datagram(wire::igmp_ip_header(mcsim::Ipv4Addr(192, 168, 1, 1), dst), msg, dgram);
  Bytes frame;
  wire::build_ethernet_for(mcsim::MacAddr(Mac{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}}), wire::Bytes(dgram), frame);
  return frame;
}

// Chip set up over the byte interface: IP 192.168.1.200, initialised.
void basic_setup(Ch395Device& d) {
  cmd(d, CMD40_SET_IP_ADDR, {192, 168, 1, 200});
  cmd(d, CMD60_SET_MAC_ADDR, {0x02, 0, 0, 0, 0, 0x01});
  cmd(d, CMD0W_INIT_CH395);
  d.end_cmd();
}

void open_ipraw(Ch395Device& d, std::uint8_t s, std::uint8_t proto, std::array<std::uint8_t, 4> dst) {
  cmd(d, CMD20_SET_PROTO_TYPE_SN, {s, PROTO_TYPE_IP_RAW});
  cmd(d, CMD20_SET_IPRAW_PRO_SN, {s, proto});
  cmd(d, CMD50_SET_IP_ADDR_SN, {s, dst[0], dst[1], dst[2], dst[3]});
  cmd(d, CMD1W_OPEN_SOCKET_SN, {s});
  cmd(d, CMD01_GET_CMD_STATUS);
  ASSERT_EQ(d.read_data(), CMD_ERR_SUCCESS);
}

const std::uint8_t kSeedReport[16] = {0x22, 0x00, 0xF9, 0x02, 0x00, 0x00, 0x00, 0x01,
                                      0x04, 0x00, 0x00, 0x00, 0xE0, 0x00, 0x00, 0xFB};

}  // namespace

// ---- the hash filter ----

TEST(Ch395Hash, ThreeKnownVectors) {
  using mcsim::ch395::mac_hash_index;
  EXPECT_EQ(mac_hash_index(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}), 31);  // HASH0 bit 31
  EXPECT_EQ(mac_hash_index(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16}}), 39);  // HASH1 bit 7
  EXPECT_EQ(mac_hash_index(Mac{{0x33, 0x33, 0x00, 0x00, 0x00, 0x16}}), 6);   // HASH0 bit 6
  UINT8 m1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
  UINT8 m2[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x16};
  UINT8 m3[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x16};
  EXPECT_EQ(CH395CRCRet6Bit(m1), 31);
  EXPECT_EQ(CH395CRCRet6Bit(m2), 39);
  EXPECT_EQ(CH395CRCRet6Bit(m3), 6);
}

TEST(Ch395Hash, FilterAcceptsExactlyTheHashedBit) {
  Ch395Device d;
  const std::uint8_t multi = MAC_FILT_RECV_ENABLE | MAC_FILT_SEND_ENABLE | MAC_FILT_RECV_MULTIPKT;
  cmd(d, CMD90_SET_MAC_FILT, {multi, 0, 0, 0, 0x80, 0, 0, 0, 0});  // HASH0 bit 31
  EXPECT_EQ(d.hash0(), 0x80000000u);
  EXPECT_TRUE(d.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}));
  EXPECT_FALSE(d.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16}}));
  cmd(d, CMD90_SET_MAC_FILT, {multi, 0, 0, 0, 0, 0x80, 0, 0, 0});  // HASH1 bit 7
  EXPECT_EQ(d.hash1(), 0x80u);
  EXPECT_TRUE(d.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16}}));
  EXPECT_FALSE(d.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}));
  cmd(d, CMD90_SET_MAC_FILT, {multi, 0x40, 0, 0, 0, 0, 0, 0, 0});  // HASH0 bit 6
  EXPECT_TRUE(d.accepts_destination(Mac{{0x33, 0x33, 0x00, 0x00, 0x00, 0x16}}));
  // Without MAC_FILT_RECV_MULTIPKT no multicast passes; RECV_ALL passes everything.
  cmd(d, CMD90_SET_MAC_FILT, {MAC_FILT_RECV_ENABLE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  EXPECT_FALSE(d.accepts_destination(Mac{{0x33, 0x33, 0x00, 0x00, 0x00, 0x16}}));
  cmd(d, CMD90_SET_MAC_FILT, {MAC_FILT_RECV_ENABLE | MAC_FILT_RECV_ALL, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(d.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x7f, 0x00, 0x09}}));
}

// ---- the byte interface, command by command ----

TEST(Ch395Bytes, IdentityCommands) {
  Ch395Device d;
  cmd(d, 0x06, {0x65});  // CHECK_EXIST: bitwise inverse
  EXPECT_EQ(d.read_data(), 0x9A);
  d.end_cmd();
  cmd(d, 0x01);  // GET_IC_VER: bit 7 = 0, bit 6 = 1
  const auto v = d.read_data();
  EXPECT_EQ(v & 0xC0, 0x40);
  EXPECT_GE(v, 0x44);
  cmd(d, 0x26);  // GET_PHY_STATUS
  EXPECT_EQ(d.read_data(), PHY_100M_FLL);
  d.set_link(false, 0);
  cmd(d, 0x26);
  EXPECT_EQ(d.read_data(), PHY_DISCONN);
  cmd(d, 0x19);  // GET_GLOB_INT_STATUS_ALL: PHY change, 2 bytes low first; reading clears
  EXPECT_EQ(read(d, 2), (Bytes{GINT_STAT_PHY_CHANGE, 0}));
  cmd(d, 0x19);
  EXPECT_EQ(read(d, 2), (Bytes{0, 0}));
  EXPECT_EQ(d.read_data(), 0);  // nothing more to read
}

TEST(Ch395Bytes, AddressesAndInit) {
  Ch395Device d;
  cmd(d, 0x22, {192, 168, 1, 200});          // SET_IP_ADDR
  cmd(d, 0x23, {192, 168, 1, 1});            // SET_GWIP_ADDR
  cmd(d, 0x24, {255, 255, 255, 0});          // SET_MASK_ADDR
  cmd(d, 0x21, {0x02, 0x11, 0x22, 0x33, 0x44, 0x55});  // SET_MAC_ADDR
  d.end_cmd();
  EXPECT_EQ(d.ip(), (std::array<std::uint8_t, 4>{{192, 168, 1, 200}}));
  cmd(d, 0x40);  // GET_MAC_ADDR
  EXPECT_EQ(read(d, 6), (Bytes{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}));
  cmd(d, 0x25, {0x1C, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});  // SET_MAC_FILT, LSB first
  EXPECT_EQ(d.mac_filter_type(), 0x1C);
  EXPECT_EQ(d.hash0(), 0x04030201u);
  EXPECT_EQ(d.hash1(), 0x08070605u);
  EXPECT_FALSE(d.initialized());
  cmd(d, 0x27);  // INIT_CH395
  cmd(d, 0x2C);  // GET_CMD_STATUS
  EXPECT_EQ(d.read_data(), CMD_ERR_SUCCESS);
  EXPECT_TRUE(d.initialized());
  cmd(d, 0x05);  // RESET_ALL: back to defaults
  d.end_cmd();
  EXPECT_FALSE(d.initialized());
  EXPECT_EQ(d.ip(), (std::array<std::uint8_t, 4>{}));
}

TEST(Ch395Bytes, CutCommandsAndUnknownCodes) {
  Ch395Device d;
  cmd(d, 0x22, {10, 0});  // SET_IP_ADDR cut after 2 bytes by the next command
  cmd(d, 0x2C);
  EXPECT_EQ(d.ip(), (std::array<std::uint8_t, 4>{}));
  EXPECT_EQ(d.counters().aborted_commands, 1u);
  cmd(d, 0xA5, {1, 2});
  EXPECT_EQ(d.counters().unknown_commands, 1u);
  // No xEndCH395Cmd (UART/parallel transports): commands still end at the next command.
  cmd(d, 0x22, {1, 2, 3, 4});
  cmd(d, 0x23, {5, 6, 7, 8});
  EXPECT_EQ(d.ip(), (std::array<std::uint8_t, 4>{{1, 2, 3, 4}}));
}

TEST(Ch395Bytes, SocketCommandsAndIprawSend) {
  Ch395Device d;
  basic_setup(d);
  cmd(d, 0x34, {3, 0});                 // SET_PROTO_TYPE_SN: IP-RAW
  cmd(d, 0x3E, {3, 2});                 // SET_IPRAW_PRO_SN: 2
  cmd(d, 0x31, {3, 224, 0, 0, 22});     // SET_IP_ADDR_SN
  cmd(d, 0x32, {3, 0x34, 0x12});        // SET_DES_PORT_SN, low byte first
  cmd(d, 0x33, {3, 0x88, 0x13});        // SET_SOUR_PORT_SN
  d.end_cmd();
  EXPECT_EQ(d.socket(3).dst_port, 0x1234);
  EXPECT_EQ(d.socket(3).src_port, 5000);
  cmd(d, 0x35, {3});                    // OPEN_SOCKET_SN
  cmd(d, 0x2C);
  EXPECT_EQ(d.read_data(), CMD_ERR_SUCCESS);
  cmd(d, 0x51, {3, 1});                 // SET_TTL
  d.write_cmd(0x39);                    // WRITE_SEND_BUF_SN: socket, len low, len high, data
  d.write_data(3);
  d.write_data(16);
  d.write_data(0);
  for (auto b : kSeedReport) d.write_data(b);
  d.end_cmd();
  auto frames = drain(d);
  ASSERT_EQ(frames.size(), 1u);
  cmd(d, 0x19);
  EXPECT_EQ(read(d, 2), (Bytes{GINT_STAT_SOCK3, 0}));
  cmd(d, 0x30, {3});                    // GET_INT_STATUS_SN: send OK + buffer free; read clears
  EXPECT_EQ(d.read_data(), SINT_STAT_SEND_OK | SINT_STAT_SENBUF_FREE);
  cmd(d, 0x30, {3});
  EXPECT_EQ(d.read_data(), 0);
  cmd(d, 0x3D, {3});                    // CLOSE_SOCKET_SN
  cmd(d, 0x2C);
  EXPECT_EQ(d.read_data(), CMD_ERR_SUCCESS);
  EXPECT_FALSE(d.socket(3).open);
  // Writing to a closed socket sends nothing.
  cmd(d, 0x39, {3, 1, 0, 0xAA});
  EXPECT_TRUE(drain(d).empty());
  EXPECT_EQ(d.counters().tx_dropped_closed, 1u);
}

TEST(Ch395Bytes, OpenRules) {
  Ch395Device d;
  auto open_status = [&](std::uint8_t s, std::uint8_t proto) {
    cmd(d, 0x34, {s, proto});
    cmd(d, 0x35, {s});
    cmd(d, 0x2C);
    return d.read_data();
  };
  EXPECT_EQ(open_status(1, PROTO_TYPE_UDP), CMD_RET_ABORT);  // before INIT_CH395
  basic_setup(d);
  EXPECT_EQ(open_status(1, PROTO_TYPE_MAC_RAW), CH395_ERR_ARG);  // MAC-RAW only on socket 0
  EXPECT_EQ(open_status(7, PROTO_TYPE_MAC_RAW), CH395_ERR_ARG);
  EXPECT_EQ(open_status(0, PROTO_TYPE_MAC_RAW), CMD_ERR_SUCCESS);
  EXPECT_EQ(open_status(0, PROTO_TYPE_MAC_RAW), CH395_ERR_OPEN);  // already open
  EXPECT_EQ(open_status(2, PROTO_TYPE_TCP), CMD_RET_ABORT);       // TCP: not modelled
  EXPECT_EQ(open_status(8, PROTO_TYPE_UDP), CH395_ERR_ARG);       // 8 sockets: 0..7
  EXPECT_EQ(open_status(7, PROTO_TYPE_UDP), CMD_ERR_SUCCESS);
}

TEST(Ch395Bytes, TtlRules) {
  Ch395Device d;
  basic_setup(d);
  cmd(d, 0x51, {3, 1});  // before open: lost, OPEN resets the TTL to 128
  open_ipraw(d, 3, 2, {224, 0, 0, 22});
  EXPECT_EQ(d.socket(3).ttl, 128);
  cmd(d, 0x39, {3, 1, 0, 0x00});
  auto f = drain(d);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0][14 + 8], 128);
  cmd(d, 0x51, {3, 129});  // above 128: refused
  EXPECT_EQ(d.socket(3).ttl, 128);
  EXPECT_EQ(d.counters().ttl_rejected, 1u);
  cmd(d, 0x51, {3, 1});
  EXPECT_EQ(d.socket(3).ttl, 1);
  cmd(d, 0x39, {3, 1, 0, 0x00});
  f = drain(d);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0][14 + 8], 1);
}

// ---- the C API ----

TEST(Ch395CApi, WchFunctionsDriveTheBoundDevice) {
  Ch395Device d;
  Bind bind(d);
  EXPECT_EQ(CH395CMDCheckExist(0x65), 0x9A);
  EXPECT_GE(CH395CMDGetVer(), 0x44);
  UINT8 ip[4] = {192, 168, 1, 200}, gw[4] = {192, 168, 1, 1}, mask[4] = {255, 255, 255, 0};
  UINT8 mac[6] = {0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE}, got[6] = {};
  CH395CMDSetIPAddr(ip);
  CH395CMDSetGWIPAddr(gw);
  CH395CMDSetMASKAddr(mask);
  CH395CMDSetMACAddr(mac);
  CH395CMDGetMACAddr(got);
  EXPECT_EQ(0, std::memcmp(mac, got, 6));
  CH395CMDSetMACFilt(MAC_FILT_RECV_ENABLE | MAC_FILT_SEND_ENABLE | MAC_FILT_RECV_MULTIPKT, 0x80000000u, 0x80u);
  EXPECT_EQ(d.hash0(), 0x80000000u);
  EXPECT_EQ(d.hash1(), 0x80u);
  CH395SetMACFilt(MAC_FILT_RECV_ENABLE | MAC_FILT_SEND_ENABLE | MAC_FILT_RECV_MULTIPKT, 1u, 0x80u);
  EXPECT_EQ(d.hash0(), 1u);  // 224.0.0.22 (01:00:5e:00:00:16) stays open: HASH1 bit 7
  EXPECT_EQ(CH395CMDInitCH395(), CMD_ERR_SUCCESS);
  EXPECT_EQ(CH395CMDGetPHYStatus(), PHY_100M_FLL);
  UINT8 dst[4] = {224, 0, 0, 22};
  CH395SetSocketDesIP(3, dst);
  CH395SetSocketProtType(3, PROTO_TYPE_IP_RAW);
  CH395SetSocketIPRAWProto(3, 2);
  CH395SetSocketDesPort(3, 1000);
  CH395SetSocketSourPort(3, 5000);
  EXPECT_EQ(CH395OpenSocket(3), CMD_ERR_SUCCESS);
  CH395SetTTLNum(3, 1);
  UINT8 payload[16];
  std::memcpy(payload, kSeedReport, 16);
  CH395SendData(3, payload, 16);
  EXPECT_EQ(CH395CMDGetGlobIntStatus_ALL(), GINT_STAT_SOCK3);
  EXPECT_EQ(CH395GetSocketInt(3), SINT_STAT_SEND_OK | SINT_STAT_SENBUF_FREE);
  EXPECT_EQ(drain(d).size(), 1u);
  // Receive through the C API.
  d.receive_frame(query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 22)), 0);
  EXPECT_EQ(CH395CMDGetGlobIntStatus(), GINT_STAT_SOCK3);
  EXPECT_EQ(CH395GetSocketInt(3), SINT_STAT_RECV);
  ASSERT_EQ(CH395GetRecvLength(3), 12);
  UINT8 buf[12];
  CH395GetRecvData(3, 12, buf);
  EXPECT_EQ(buf[0], 0x11);
  EXPECT_EQ(CH395GetRecvLength(3), 0);
  d.receive_frame(query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 22)), 0);
  EXPECT_EQ(CH395GetRecvLength(3), 12);
  CH395ClearRecvBuf(3);
  EXPECT_EQ(CH395GetRecvLength(3), 0);
  EXPECT_EQ(CH395CloseSocket(3), CMD_ERR_SUCCESS);
  CH395CMDReset();
  EXPECT_FALSE(d.initialized());
}

TEST(Ch395CApi, UnboundCallsAreHarmless) {
  ch395_bind(nullptr);
  EXPECT_EQ(CH395CMDCheckExist(0x65), 0);
  EXPECT_EQ(CH395OpenSocket(0), 0);
}

TEST(Ch395CApi, FirmwareRegistry) {
  EXPECT_NE(ch395_find_firmware("seed002_ipraw"), nullptr);
  EXPECT_NE(ch395_find_firmware("seed002_macraw"), nullptr);
  EXPECT_NE(ch395_find_firmware("igmpv3_reporter"), nullptr);
  EXPECT_EQ(ch395_find_firmware("nope"), nullptr);
  int n = 0;
  for (auto* const* f = ch395_firmware_list(); *f; ++f) {
    EXPECT_GE((*f)->state_size, sizeof(Ch395FwParams));
    ++n;
  }
  EXPECT_EQ(n, 3);
}

// ---- seed 002 ----

TEST(Ch395Seed002, IprawFrameByteByByte) {
  Ch395Device d;
  Bind bind(d);
  Fw fw("seed002_ipraw");
  fw.init();
  fw.poll(0);
  auto frames = drain(d);
  ASSERT_EQ(frames.size(), 1u);
  const Bytes& f = frames[0];
  ASSERT_EQ(f.size(), 60u);  // 14 + 20 + 16 = 50, padded by the chip (the seed saw 60)
  EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), (Bytes{0x01, 0x00, 0x5e, 0x00, 0x00, 0x16}));
  EXPECT_EQ(Bytes(f.begin() + 6, f.begin() + 12), (Bytes{0xb4, 0x05, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(f[12], 0x08);
  EXPECT_EQ(f[13], 0x00);
  const std::uint8_t* ip = f.data() + 14;
  EXPECT_EQ(ip[0], 0x45);  // no options: no Router Alert
  EXPECT_EQ(ip[1], 0x00);  // TOS 0
  EXPECT_EQ((ip[2] << 8) | ip[3], 36);
  const int id0 = (ip[4] << 8) | ip[5];
  EXPECT_EQ(ip[6], 0x00);  // DF clear
  EXPECT_EQ(ip[7], 0x00);
  EXPECT_EQ(ip[8], 1);     // TTL 1
  EXPECT_EQ(ip[9], 2);     // protocol 2
  EXPECT_EQ(wire::inet_checksum(wire::Bytes(ip, 20)), 0);
  EXPECT_EQ(Bytes(ip + 12, ip + 16), (Bytes{192, 168, 1, 200}));
  EXPECT_EQ(Bytes(ip + 16, ip + 20), (Bytes{224, 0, 0, 22}));
  EXPECT_EQ(Bytes(ip + 20, ip + 36), Bytes(std::begin(kSeedReport), std::end(kSeedReport)));
  for (std::size_t i = 50; i < 60; ++i) EXPECT_EQ(f[i], 0);

  // Decoded, it is the message the author meant: an IGMPv3 report, one TO_EX {} record for
  // 224.0.0.251, checksum valid — but no Router Alert and TOS 0.
  auto dp = decode(f);
  EXPECT_EQ(dp.proto, wire::PacketProto::Igmp);
  EXPECT_TRUE(dp.usable);
  EXPECT_EQ(dp.igmp.kind, wire::MsgKind::V3Report);
  EXPECT_TRUE(dp.igmp.checksum_ok);
  ASSERT_EQ(dp.igmp.records.size(), 1u);
  EXPECT_EQ(dp.igmp.records[0].type, 4);
  EXPECT_EQ(dp.igmp.records[0].group, mcsim::Ipv4Addr(224, 0, 0, 251));
  EXPECT_FALSE(dp.ip4.router_alert);
  EXPECT_EQ(dp.ip4.tos, 0);
  EXPECT_EQ(dp.ip4.ttl, 1);
  EXPECT_TRUE(dp.ip4.checksum_ok);

  // Periodic: nothing before the interval, then the same report with the next id.
  fw.poll(mcsim::seconds(5));
  EXPECT_TRUE(drain(d).empty());
  fw.poll(mcsim::seconds(10));
  frames = drain(d);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ((frames[0][18] << 8) | frames[0][19], (id0 + 1) & 0xFFFF);
  EXPECT_EQ(wire::inet_checksum(wire::Bytes(frames[0].data() + 14, 20)), 0);
  // Sockets 0-2 are open in UDP mode as in the seed.
  for (int s = 0; s < 3; ++s) {
    EXPECT_TRUE(d.socket(s).open);
    EXPECT_EQ(d.socket(s).proto, PROTO_TYPE_UDP);
  }
}

TEST(Ch395Seed002, MacRawRuntStrictAndLenient) {
  for (auto policy : {RuntPolicy::Strict, RuntPolicy::Lenient}) {
    Ch395Config cfg;
    cfg.runt_policy = policy;
    Ch395Device d(cfg);
    Bind bind(d);
    Fw fw("seed002_macraw");
    fw.init();
    EXPECT_EQ(d.socket(0).proto, PROTO_TYPE_MAC_RAW);
    fw.poll(0);
    auto frames = drain(d);
    if (policy == RuntPolicy::Strict) {
      EXPECT_TRUE(frames.empty());
      EXPECT_EQ(d.counters().tx_runts_dropped, 1u);
      ASSERT_EQ(d.last_runt().size(), 58u);
      EXPECT_EQ(d.last_runt()[0], 0x54);
      auto runt = d.poll_runt_frame(0);
      ASSERT_TRUE(runt.has_value());
      EXPECT_EQ(runt->size(), 58u);
      EXPECT_FALSE(d.poll_runt_frame(0).has_value());
    } else {
      ASSERT_EQ(frames.size(), 1u);
      const Bytes& f = frames[0];
      ASSERT_EQ(f.size(), 60u);
      EXPECT_EQ(f[58], 0);
      EXPECT_EQ(f[59], 0);
      EXPECT_EQ(d.counters().tx_padded, 1u);
      // The seed's frame: unicast to the PC, IPv4 to 224.0.0.22, TTL 1, no RA, the report
      // plus 8 bytes of zeros inside the datagram (Total Length 44).
      EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), (Bytes{0x54, 0xbf, 0x64, 0x1c, 0x2a, 0x9c}));
      auto dp = decode(f);
      EXPECT_EQ(dp.igmp.kind, wire::MsgKind::V3Report);
      EXPECT_TRUE(dp.igmp.checksum_ok);
      EXPECT_EQ(dp.ip4.dst, mcsim::Ipv4Addr(224, 0, 0, 22));
      EXPECT_EQ(dp.ip4.ttl, 1);
      EXPECT_FALSE(dp.ip4.router_alert);
      EXPECT_EQ(dp.ip4.total_len, 44);
    }
    // Either way the chip reports the send as done.
    EXPECT_EQ(d.socket(0).int_status & SINT_STAT_SEND_OK, SINT_STAT_SEND_OK);
  }
}

// ---- receive ----

TEST(Ch395Receive, QueryReachesIprawSocketOnlyWithHashBit31) {
  Ch395Device d;
  basic_setup(d);
  open_ipraw(d, 3, 2, {224, 0, 0, 22});
  const auto q = query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 1));
  const std::uint8_t multi = MAC_FILT_RECV_ENABLE | MAC_FILT_SEND_ENABLE | MAC_FILT_RECV_MULTIPKT;
  cmd(d, CMD90_SET_MAC_FILT, {multi, 0, 0, 0, 0, 0, 0, 0, 0});
  d.receive_frame(q, 0);
  cmd(d, CMD12_GET_RECV_LEN_SN, {3});
  EXPECT_EQ(read(d, 2), (Bytes{0, 0}));
  EXPECT_EQ(d.counters().rx_filtered, 1u);
  cmd(d, CMD90_SET_MAC_FILT, {multi, 0, 0, 0, 0x80, 0, 0, 0, 0});  // HASH0 bit 31
  d.receive_frame(q, 0);
  cmd(d, CMD12_GET_RECV_LEN_SN, {3});
  EXPECT_EQ(read(d, 2), (Bytes{12, 0}));  // the IGMP message only, no IP header
  cmd(d, CMD30_READ_RECV_BUF_SN, {3, 12, 0});
  const Bytes payload = read(d, 12);
  EXPECT_EQ(payload[0], 0x11);
  EXPECT_EQ(wire::inet_checksum(wire::Bytes(payload)), 0);
  EXPECT_EQ(Bytes(payload.begin() + 4, payload.begin() + 8), (Bytes{0, 0, 0, 0}));
}

TEST(Ch395Receive, IprawSocketGetsEveryPacketOfItsProtocol) {
  Ch395Device d;
  basic_setup(d);
  open_ipraw(d, 3, 2, {224, 0, 0, 22});
  open_ipraw(d, 4, 17, {224, 0, 0, 22});
  cmd(d, CMD90_SET_MAC_FILT, {MAC_FILT_RECV_ENABLE | MAC_FILT_RECV_ALL, 0, 0, 0, 0, 0, 0, 0, 0});
  // A report from another host to 224.0.0.22 and a query to a group: both protocol 2.
  d.receive_frame(query_frame(mcsim::Ipv4Addr(239, 1, 2, 3), mcsim::Ipv4Addr(239, 1, 2, 3)), 0);
  wire::IgmpMessage rep = wire::igmpv3_report();
  rep.add_record(mcsim::RecordType::ChangeToExcludeMode, mcsim::Ipv4Addr(239, 9, 9, 9), {});
  Bytes dg, fr;
  wire::build_igmp_datagram(wire::igmp_ip_header(mcsim::Ipv4Addr(192, 168, 1, 7), mcsim::Ipv4Addr(224, 0, 0, 22)),
                            rep, dg);
  wire::build_ethernet_for(mcsim::MacAddr(Mac{{0x02, 0, 0, 0, 0, 7}}), wire::Bytes(dg), fr);
  d.receive_frame(fr, 0);
  EXPECT_EQ(d.socket(3).rx.size(), 2u);
  EXPECT_EQ(d.socket(4).rx.size(), 0u);  // protocol 17 socket: nothing
  // A bad IP checksum is dropped.
  fr[24] ^= 0xFF;
  d.receive_frame(fr, 0);
  EXPECT_EQ(d.counters().rx_bad_ip, 1u);
  EXPECT_EQ(d.socket(3).rx.size(), 2u);
}

TEST(Ch395Receive, FullReceiveBufferDropsAndCounts) {
  Ch395Device d;
  basic_setup(d);
  open_ipraw(d, 3, 2, {224, 0, 0, 22});
  cmd(d, CMD90_SET_MAC_FILT, {MAC_FILT_RECV_ENABLE | MAC_FILT_RECV_MULTIPKT, 0, 0, 0, 0x80, 0, 0, 0, 0});
  const auto q = query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 1));
  for (int i = 0; i < 200; ++i) d.receive_frame(q, 0);
  // 2 KiB receive buffer: 170 twelve-byte queries fit, 30 are dropped.
  EXPECT_EQ(d.socket(3).rx_bytes, 170u * 12u);
  EXPECT_EQ(d.counters().rx_overflow[3], 30u);
  // Freeing space lets the next one in.
  cmd(d, CMD10_CLEAR_RECV_BUF_SN, {3});
  d.receive_frame(q, 0);
  EXPECT_EQ(d.socket(3).rx_bytes, 12u);
  // SET_RECV_BUF: blocks of 512 bytes.
  cmd(d, CMD30_SET_RECV_BUF, {3, 0, 1});
  EXPECT_EQ(d.socket(3).recv_capacity, 512);
}

TEST(Ch395Receive, MacRawSocketGetsWholeFrames) {
  Ch395Device d;
  basic_setup(d);
  cmd(d, CMD20_SET_PROTO_TYPE_SN, {0, PROTO_TYPE_MAC_RAW});
  cmd(d, CMD1W_OPEN_SOCKET_SN, {0});
  cmd(d, CMD90_SET_MAC_FILT, {MAC_FILT_RECV_ENABLE | MAC_FILT_RECV_MULTIPKT, 0, 0, 0, 0x80, 0, 0, 0, 0});
  const auto q = query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 1));
  d.receive_frame(q, 0);
  cmd(d, CMD12_GET_RECV_LEN_SN, {0});
  EXPECT_EQ(read(d, 2), (Bytes{static_cast<std::uint8_t>(q.size()), 0}));
}

TEST(Ch395Send, UnicastWithoutNeighbourTimesOut) {
  Ch395Device d;
  basic_setup(d);
  open_ipraw(d, 2, 253, {192, 168, 1, 9});
  cmd(d, CMD30_WRITE_SEND_BUF_SN, {2, 1, 0, 0x55});
  EXPECT_TRUE(drain(d).empty());
  EXPECT_EQ(d.counters().tx_unresolved, 1u);
  EXPECT_TRUE(d.socket(2).int_status & SINT_STAT_TIM_OUT);
  d.add_neighbour({{192, 168, 1, 9}}, {{0x02, 0, 0, 0, 0, 9}});
  cmd(d, CMD30_WRITE_SEND_BUF_SN, {2, 1, 0, 0x55});
  auto f = drain(d);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0][5], 9);
}

// ---- the IGMPv3 reporter firmware ----

namespace {

struct ReporterRig {
  Ch395Device dev;
  Fw fw;
  std::vector<Bytes> sent;
  Time now = 0;
  static Ch395FwParams params(std::uint64_t leave_at = 0) {
    Ch395FwParams p{};
    const std::uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x03, 0x95};
    std::memcpy(p.mac, mac, 6);
    const std::uint8_t ip[4] = {192, 168, 1, 50};
    std::memcpy(p.ip, ip, 4);
    p.mask[0] = p.mask[1] = p.mask[2] = 255;
    p.num_groups = 2;
    const std::uint8_t g1[4] = {239, 1, 1, 1}, g2[4] = {239, 2, 2, 2};
    std::memcpy(p.groups[0], g1, 4);
    std::memcpy(p.groups[1], g2, 4);
    p.leave_at_ns = leave_at;
    p.seed = 12345;
    return p;
  }
  explicit ReporterRig(std::uint64_t leave_at = 0) : fw("igmpv3_reporter", params(leave_at)) {
    ch395_bind(dev.handle());
    fw.init();
  }
  ~ReporterRig() { ch395_bind(nullptr); }
  void run_until(Time t) {
    for (; now <= t; now += mcsim::ms(10)) {
      fw.poll(now);
      for (auto& f : drain(dev, now)) sent.push_back(f);
    }
  }
  std::vector<wire::DecodedPacket> take() {
    std::vector<wire::DecodedPacket> out;
    for (auto& f : sent) {
      EXPECT_GE(f.size(), 60u);
      out.push_back(decode(f));
    }
    sent.clear();
    return out;
  }
};

void expect_proper_report(const wire::DecodedPacket& p) {
  EXPECT_EQ(p.igmp.kind, wire::MsgKind::V3Report);
  EXPECT_TRUE(p.igmp.checksum_ok);
  EXPECT_TRUE(p.ip4.checksum_ok);
  EXPECT_TRUE(p.ip4.router_alert);
  EXPECT_EQ(p.ip4.tos, 0xC0);
  EXPECT_EQ(p.ip4.ttl, 1);
  EXPECT_EQ(p.ip4.dst, mcsim::Ipv4Addr(224, 0, 0, 22));
  EXPECT_TRUE(p.errors.empty()) << "decode errors " << p.errors.bits();
}

}  // namespace

TEST(Ch395Reporter, JoinsWithRobustnessStateChangeReports) {
  ReporterRig r;
  // The hash filter is open for 224.0.0.1 and both groups.
  EXPECT_TRUE(r.dev.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}));
  EXPECT_TRUE(r.dev.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x01, 0x01, 0x01}}));
  EXPECT_TRUE(r.dev.accepts_destination(Mac{{0x01, 0x00, 0x5e, 0x02, 0x02, 0x02}}));
  r.run_until(mcsim::seconds(3));
  auto pk = r.take();
  ASSERT_EQ(pk.size(), 2u);  // [Robustness Variable] = 2 transmissions
  for (auto& p : pk) {
    expect_proper_report(p);
    ASSERT_EQ(p.igmp.records.size(), 2u);
    EXPECT_EQ(p.igmp.records[0].type, 4);  // CHANGE_TO_EXCLUDE_MODE {}
    EXPECT_EQ(p.igmp.records[0].group, mcsim::Ipv4Addr(239, 1, 1, 1));
    EXPECT_EQ(p.igmp.records[1].group, mcsim::Ipv4Addr(239, 2, 2, 2));
  }
}

TEST(Ch395Reporter, AnswersQueriesWithinMaxRespTime) {
  ReporterRig r;
  r.run_until(mcsim::seconds(3));
  r.take();
  // General query, Max Resp Time 1 s.
  Time t0 = r.now;
  r.dev.receive_frame(query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 1), 10), t0);
  r.run_until(t0 + mcsim::seconds(1));
  auto pk = r.take();
  ASSERT_EQ(pk.size(), 1u);
  expect_proper_report(pk[0]);
  ASSERT_EQ(pk[0].igmp.records.size(), 2u);
  EXPECT_EQ(pk[0].igmp.records[0].type, 2);  // MODE_IS_EXCLUDE {}
  // Group-specific query for 239.2.2.2 (to the group address).
  t0 = r.now;
  r.dev.receive_frame(query_frame(mcsim::Ipv4Addr(239, 2, 2, 2), mcsim::Ipv4Addr(239, 2, 2, 2), 10), t0);
  r.run_until(t0 + mcsim::seconds(1));
  pk = r.take();
  ASSERT_EQ(pk.size(), 1u);
  expect_proper_report(pk[0]);
  ASSERT_EQ(pk[0].igmp.records.size(), 1u);
  EXPECT_EQ(pk[0].igmp.records[0].type, 2);
  EXPECT_EQ(pk[0].igmp.records[0].group, mcsim::Ipv4Addr(239, 2, 2, 2));
  // Group-and-source-specific query: IS_IN with the queried sources.
  t0 = r.now;
  r.dev.receive_frame(query_frame(mcsim::Ipv4Addr(239, 1, 1, 1), mcsim::Ipv4Addr(239, 1, 1, 1), 10,
                                  {mcsim::Ipv4Addr(10, 0, 0, 1), mcsim::Ipv4Addr(10, 0, 0, 2)}),
                      t0);
  r.run_until(t0 + mcsim::seconds(1));
  pk = r.take();
  ASSERT_EQ(pk.size(), 1u);
  expect_proper_report(pk[0]);
  ASSERT_EQ(pk[0].igmp.records.size(), 1u);
  EXPECT_EQ(pk[0].igmp.records[0].type, 1);  // MODE_IS_INCLUDE
  const auto srcs = pk[0].igmp.sources_of(pk[0].igmp.records[0]);
  ASSERT_EQ(srcs.size(), 2u);
  EXPECT_EQ(srcs[0], mcsim::Ipv4Addr(10, 0, 0, 1));
  // A query for a group it is not in: no answer.
  t0 = r.now;
  r.dev.receive_frame(query_frame(mcsim::Ipv4Addr(239, 7, 7, 7), mcsim::Ipv4Addr(224, 0, 0, 1), 10), t0);
  r.run_until(t0 + mcsim::seconds(2));
  EXPECT_TRUE(r.take().empty());
}

TEST(Ch395Reporter, LeavesWithToIn) {
  ReporterRig r(static_cast<std::uint64_t>(mcsim::seconds(5)));
  r.run_until(mcsim::seconds(4));
  r.take();
  r.run_until(mcsim::seconds(8));
  auto pk = r.take();
  ASSERT_EQ(pk.size(), 2u);
  for (auto& p : pk) {
    expect_proper_report(p);
    ASSERT_EQ(p.igmp.records.size(), 2u);
    EXPECT_EQ(p.igmp.records[0].type, 3);  // CHANGE_TO_INCLUDE_MODE {}
    EXPECT_EQ(p.igmp.records[0].num_sources, 0);
  }
  // After leaving, queries get no answer.
  r.dev.receive_frame(query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 1), 10), r.now);
  r.run_until(r.now + mcsim::seconds(2));
  EXPECT_TRUE(r.take().empty());
}

// ---- the runner a ch395 simulator node uses ----

#include "sim/ch395/firmware_runner.hpp"

TEST(Ch395Runner, TwoInstancesOfOneFirmwareAreIndependent) {
  using mcsim::ch395::FirmwareRunner;
  EXPECT_EQ(FirmwareRunner::create("nope", {}), nullptr);
  auto p1 = ReporterRig::params();
  auto p2 = ReporterRig::params();
  p2.mac[5] = 0x96;
  p2.ip[3] = 51;
  p2.num_groups = 1;
  auto a = FirmwareRunner::create("igmpv3_reporter", p1);
  auto b = FirmwareRunner::create("igmpv3_reporter", p2);
  ASSERT_TRUE(a && b);
  a->start(0);
  b->start(0);
  auto fa = drain(a->device());
  auto fb = drain(b->device());
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fa[0][11], 0x95);
  EXPECT_EQ(fb[0][11], 0x96);
  EXPECT_EQ(decode(fa[0]).igmp.records.size(), 2u);
  EXPECT_EQ(decode(fb[0]).igmp.records.size(), 1u);
  EXPECT_EQ(ch395_bound(), nullptr);  // the runner restores the previous binding
  // A query wakes the firmware through the interrupt; the answer comes on later ticks.
  const auto q = query_frame(mcsim::Ipv4Addr(), mcsim::Ipv4Addr(224, 0, 0, 1), 10);
  Time t = 0;
  for (; t < mcsim::seconds(5); t += a->tick_period()) {  // join retransmission over
    a->tick(t);
    drain(a->device());
  }
  a->tick(t);  // reads the last SEND_OK
  EXPECT_FALSE(a->device().interrupt_pending());
  a->receive_frame(q, t);
  EXPECT_FALSE(a->device().interrupt_pending());  // the firmware was woken and read it
  EXPECT_TRUE(a->device().socket(0).rx.empty());
  std::size_t answers = 0;
  for (; t <= mcsim::seconds(6); t += a->tick_period()) {
    a->tick(t);
    while (auto f = a->poll_tx_frame(t)) {
      auto dp = decode(*f);
      if (!dp.igmp.records.empty() && dp.igmp.records[0].type == 2) ++answers;
    }
  }
  EXPECT_EQ(answers, 1u);
}

TEST(Ch395Runner, Seed002MacRawRuntIsVisibleForTheLog) {
  auto r = mcsim::ch395::FirmwareRunner::create("seed002_macraw", {});
  ASSERT_TRUE(r);
  r->start(0);
  EXPECT_FALSE(r->poll_tx_frame(0).has_value());
  auto runt = r->poll_runt_frame(0);
  ASSERT_TRUE(runt.has_value());
  EXPECT_EQ(runt->size(), 58u);
}
