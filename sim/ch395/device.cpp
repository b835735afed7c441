// CH395 command-level model. Sources: docs/ch395.md (codes and data phases from WCH's
// CH395INC.H / CH395CMD.C, orix-software/ch395-lib doc/EVT/EXAM/PUB/).
#include "sim/ch395/device.hpp"

#include <algorithm>

#include "stack/wire/checksum.hpp"

namespace mcsim::ch395 {

namespace {

constexpr std::size_t kMinFrame = 60;  // Ethernet minimum without FCS (IEEE 802.3)

std::uint16_t get16be(const std::vector<std::uint8_t>& v, std::size_t i) {
  return static_cast<std::uint16_t>((v[i] << 8) | v[i + 1]);
}

void put16be(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

bool is_multicast_ip(const std::array<std::uint8_t, 4>& ip) { return (ip[0] & 0xF0) == 0xE0; }

// Fixed input length of each implemented command (the x of CMDxy_NAME in CH395INC.H);
// -1: not implemented by this model.
int input_len(std::uint8_t cmd) {
  switch (cmd) {
    case CMD01_GET_IC_VER:
    case CMD00_RESET_ALL:
    case CMD00_ENTER_SLEEP:
    case CMD02_GET_GLOB_INT_STATUS_ALL:
    case CMD01_GET_PHY_STATUS:
    case CMD0W_INIT_CH395:
    case CMD01_GET_GLOB_INT_STATUS:
    case CMD01_GET_CMD_STATUS:
    case CMD06_GET_MAC_ADDR:
    case CMD014_GET_IP_INF:
      return 0;
    case CMD11_CHECK_EXIST:
    case CMD10_SET_PHY:
    case CMD10_CLEAR_RECV_BUF_SN:
    case CMD12_GET_SOCKET_STATUS_SN:
    case CMD11_GET_INT_STATUS_SN:
    case CMD1W_OPEN_SOCKET_SN:
    case CMD1W_TCP_LISTEN_SN:
    case CMD1W_TCP_CONNECT_SN:
    case CMD1W_TCP_DISNCONNECT_SN:
    case CMD12_GET_RECV_LEN_SN:
    case CMD1W_CLOSE_SOCKET_SN:
    case CMD01_PING_ENABLE:
      return 1;
    case CMD20_SET_PROTO_TYPE_SN:
    case CMD20_SET_IPRAW_PRO_SN:
    case CMD20_SET_TTL:
      return 2;
    case CMD30_SET_DES_PORT_SN:
    case CMD30_SET_SOUR_PORT_SN:
    case CMD30_WRITE_SEND_BUF_SN:  // + the announced number of data bytes
    case CMD30_READ_RECV_BUF_SN:
    case CMD30_SET_RECV_BUF:
    case CMD30_SET_SEND_BUF:
      return 3;
    case CMD40_SET_IP_ADDR:
    case CMD40_SET_GWIP_ADDR:
    case CMD40_SET_MASK_ADDR:
      return 4;
    case CMD50_SET_IP_ADDR_SN:
      return 5;
    case CMD60_SET_MAC_ADDR:
      return 6;
    case CMD90_SET_MAC_FILT:
      return 9;
    default:
      return -1;
  }
}

}  // namespace

std::uint8_t mac_hash_index(const std::array<std::uint8_t, 6>& mac) {
  // WCH CH395CRCRet6Bit (CH395CMD.C): MSB-first CRC register, data bits LSB first.
  constexpr std::uint32_t kPoly = 0x04C11DB7u;
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::uint8_t c : mac) {
    for (int bit = 0; bit < 8; ++bit) {
      const bool fb = (((crc >> 31) ^ c) & 1u) != 0;
      crc = (crc << 1) ^ (fb ? kPoly : 0u);
      c = static_cast<std::uint8_t>(c >> 1);
    }
  }
  return static_cast<std::uint8_t>(crc >> 26);
}

Ch395Device::Ch395Device(Ch395Config cfg) : cfg_(cfg) { reset_all(); }

void Ch395Device::reset_all() {
  for (auto& s : sockets_) {
    s = SocketState{};
    s.recv_capacity = cfg_.recv_buf_bytes;
    s.send_capacity = cfg_.send_buf_bytes;
  }
  mac_ = cfg_.default_mac;
  ip_ = {};
  gw_ = {};
  mask_ = {{255, 255, 255, 0}};  // CH395CMD.C: "子网掩码，默认为255.255.255.0"
  // Model default (not documented by WCH): receive own unicast and broadcast, send enabled,
  // multicast hash table empty.
  filt_type_ = MAC_FILT_RECV_ENABLE | MAC_FILT_SEND_ENABLE | MAC_FILT_RECV_BORADPKT;
  hash0_ = hash1_ = 0;
  initialized_ = false;
  glob_flags_ = 0;
  cmd_status_ = CMD_ERR_SUCCESS;
  ip_id_ = 0;
  tx_.clear();
  runts_.clear();
  in_cmd_ = false;
  in_.clear();
  out_.clear();
}

std::uint16_t Ch395Device::glob_int_status() const {
  std::uint16_t v = glob_flags_;
  for (int i = 0; i < kNumSockets; ++i)
    if (sockets_[static_cast<std::size_t>(i)].int_status != 0) v = static_cast<std::uint16_t>(v | (GINT_STAT_SOCK0 << i));
  return v;
}

void Ch395Device::start_output(std::initializer_list<std::uint8_t> bytes) {
  out_.insert(out_.end(), bytes.begin(), bytes.end());
}

void Ch395Device::finish_command() {
  if (in_cmd_ && !cmd_done_) ++counters_.aborted_commands;
  in_cmd_ = false;
  cmd_done_ = false;
  in_.clear();
  out_.clear();
  send_len_ = 0;
}

void Ch395Device::end_cmd() { finish_command(); }

void Ch395Device::write_cmd(std::uint8_t cmd) {
  finish_command();
  ++counters_.commands;
  in_cmd_ = true;
  cmd_ = cmd;
  const int need = input_len(cmd);
  if (need < 0) {
    ++counters_.unknown_commands;
    cmd_done_ = true;  // ignored
    return;
  }
  if (need > 0) return;
  cmd_done_ = true;
  switch (cmd) {
    case CMD01_GET_IC_VER:
      start_output({cfg_.ic_version});
      break;
    case CMD00_RESET_ALL:
      reset_all();
      in_cmd_ = true;
      cmd_done_ = true;
      break;
    case CMD00_ENTER_SLEEP:
      break;
    case CMD02_GET_GLOB_INT_STATUS_ALL: {
      // Output: 2 bytes, low byte first (CH395CMDGetGlobIntStatus_ALL). Reading cancels the
      // chip-level interrupts ("收到此命令CH395自动取消中断"); socket bits stay until the
      // socket's own status is read.
      const std::uint16_t v = glob_int_status();
      start_output({static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)});
      glob_flags_ = 0;
      break;
    }
    case CMD01_GET_GLOB_INT_STATUS: {
      const std::uint16_t v = glob_int_status();
      start_output({static_cast<std::uint8_t>(v)});
      glob_flags_ = 0;
      break;
    }
    case CMD01_GET_PHY_STATUS:
      start_output({static_cast<std::uint8_t>(link_up_ ? PHY_100M_FLL : PHY_DISCONN)});
      break;
    case CMD0W_INIT_CH395:
      // Completes at once here (the real chip takes ~200 ms, polled via GET_CMD_STATUS,
      // which then answers CH395_ERR_BUSY until done).
      initialized_ = true;
      cmd_status_ = CMD_ERR_SUCCESS;
      break;
    case CMD01_GET_CMD_STATUS:
      start_output({cmd_status_});
      break;
    case CMD06_GET_MAC_ADDR:
      start_output({mac_[0], mac_[1], mac_[2], mac_[3], mac_[4], mac_[5]});
      break;
    case CMD014_GET_IP_INF:
      start_output({ip_[0], ip_[1], ip_[2], ip_[3], gw_[0], gw_[1], gw_[2], gw_[3], mask_[0], mask_[1],
                    mask_[2], mask_[3], 0, 0, 0, 0, 0, 0, 0, 0});
      break;
    default:
      break;
  }
}

void Ch395Device::write_data(std::uint8_t b) {
  if (!in_cmd_ || cmd_done_) return;  // surplus bytes are ignored
  in_.push_back(b);
  execute_data(b);
}

void Ch395Device::execute_data(std::uint8_t) {
  const std::size_t n = in_.size();
  const std::uint8_t s = in_[0];
  auto sock = [&]() -> SocketState* { return valid_socket(s) ? &sockets_[s] : nullptr; };
  if (cmd_ == CMD30_WRITE_SEND_BUF_SN) {
    if (n == 3) {
      send_len_ = static_cast<std::size_t>(in_[1] | (in_[2] << 8));  // length, low byte first
      if (send_len_ == 0) cmd_done_ = true;
      return;
    }
    if (n == 3 + send_len_) {
      cmd_done_ = true;
      do_send(s, std::vector<std::uint8_t>(in_.begin() + 3, in_.end()));
    }
    return;
  }
  if (static_cast<int>(n) < input_len(cmd_)) return;
  cmd_done_ = true;
  switch (cmd_) {
    case CMD11_CHECK_EXIST:
      start_output({static_cast<std::uint8_t>(~in_[0])});
      break;
    case CMD10_SET_PHY:
    case CMD01_PING_ENABLE:
      break;  // accepted, no effect in the model
    case CMD60_SET_MAC_ADDR:
      std::copy_n(in_.begin(), 6, mac_.begin());
      break;
    case CMD40_SET_IP_ADDR:
      std::copy_n(in_.begin(), 4, ip_.begin());
      break;
    case CMD40_SET_GWIP_ADDR:
      std::copy_n(in_.begin(), 4, gw_.begin());
      break;
    case CMD40_SET_MASK_ADDR:
      std::copy_n(in_.begin(), 4, mask_.begin());
      break;
    case CMD90_SET_MAC_FILT:
      // Type, then HASH0 and HASH1, each low byte first (CH395CMDSetMACFilt).
      filt_type_ = in_[0];
      hash0_ = static_cast<std::uint32_t>(in_[1]) | (static_cast<std::uint32_t>(in_[2]) << 8) |
               (static_cast<std::uint32_t>(in_[3]) << 16) | (static_cast<std::uint32_t>(in_[4]) << 24);
      hash1_ = static_cast<std::uint32_t>(in_[5]) | (static_cast<std::uint32_t>(in_[6]) << 8) |
               (static_cast<std::uint32_t>(in_[7]) << 16) | (static_cast<std::uint32_t>(in_[8]) << 24);
      break;
    case CMD10_CLEAR_RECV_BUF_SN:
      if (auto* so = sock()) {
        so->rx.clear();
        so->rx_bytes = 0;
        so->rx_head_offset = 0;
        so->int_status = static_cast<std::uint8_t>(so->int_status & ~SINT_STAT_RECV);
      }
      break;
    case CMD12_GET_SOCKET_STATUS_SN:
      if (auto* so = sock())
        start_output({static_cast<std::uint8_t>(so->open ? 1 : 0), 0});
      else
        start_output({0, 0});
      break;
    case CMD11_GET_INT_STATUS_SN:
      if (auto* so = sock()) {
        start_output({so->int_status});
        // Reading clears the socket's interrupt; RECV stays while data is buffered
        // ("接收到数据或者接收缓冲区不为空").
        so->int_status = so->rx.empty() ? 0 : static_cast<std::uint8_t>(SINT_STAT_RECV);
      } else {
        start_output({0});
      }
      break;
    case CMD50_SET_IP_ADDR_SN:
      if (auto* so = sock()) std::copy_n(in_.begin() + 1, 4, so->dst_ip.begin());
      break;
    case CMD30_SET_DES_PORT_SN:
      if (auto* so = sock()) so->dst_port = static_cast<std::uint16_t>(in_[1] | (in_[2] << 8));
      break;
    case CMD30_SET_SOUR_PORT_SN:
      if (auto* so = sock()) so->src_port = static_cast<std::uint16_t>(in_[1] | (in_[2] << 8));
      break;
    case CMD20_SET_PROTO_TYPE_SN:
      if (auto* so = sock()) so->proto = in_[1];
      break;
    case CMD20_SET_IPRAW_PRO_SN:
      if (auto* so = sock()) so->ipraw_proto = in_[1];
      break;
    case CMD20_SET_TTL:
      // "It shall be set after the Socket is opened, and the maximum value is 128": OPEN
      // resets the TTL to 128, so a TTL set before is lost; above 128 is refused.
      if (auto* so = sock()) {
        if (in_[1] > 128)
          ++counters_.ttl_rejected;
        else
          so->ttl = in_[1];
      }
      break;
    case CMD1W_OPEN_SOCKET_SN:
      do_open(s);
      break;
    case CMD1W_CLOSE_SOCKET_SN:
      do_close(s);
      break;
    case CMD1W_TCP_LISTEN_SN:
    case CMD1W_TCP_CONNECT_SN:
    case CMD1W_TCP_DISNCONNECT_SN:
      cmd_status_ = CMD_RET_ABORT;  // TCP is not modelled
      break;
    case CMD12_GET_RECV_LEN_SN: {
      std::uint16_t len = 0;
      if (auto* so = sock(); so && !so->rx.empty())
        len = static_cast<std::uint16_t>(so->rx.front().size() - so->rx_head_offset);
      start_output({static_cast<std::uint8_t>(len), static_cast<std::uint8_t>(len >> 8)});
      break;
    }
    case CMD30_READ_RECV_BUF_SN: {
      std::size_t want = static_cast<std::size_t>(in_[1] | (in_[2] << 8));
      auto* so = sock();
      while (so && want > 0 && !so->rx.empty()) {
        auto& head = so->rx.front();
        const std::size_t take = std::min(want, head.size() - so->rx_head_offset);
        out_.insert(out_.end(), head.begin() + static_cast<std::ptrdiff_t>(so->rx_head_offset),
                    head.begin() + static_cast<std::ptrdiff_t>(so->rx_head_offset + take));
        so->rx_head_offset += take;
        so->rx_bytes -= take;
        want -= take;
        if (so->rx_head_offset == head.size()) {
          so->rx.pop_front();
          so->rx_head_offset = 0;
          break;  // one packet per read: packet boundaries are kept
        }
      }
      // RECV is a level: it drops when the buffer has been emptied.
      if (so && so->rx.empty()) so->int_status = static_cast<std::uint8_t>(so->int_status & ~SINT_STAT_RECV);
      break;
    }
    case CMD30_SET_RECV_BUF:
      if (auto* so = sock()) so->recv_capacity = static_cast<std::uint16_t>(in_[2] * 512);
      break;
    case CMD30_SET_SEND_BUF:
      if (auto* so = sock()) so->send_capacity = static_cast<std::uint16_t>(in_[2] * 512);
      break;
    default:
      break;
  }
}

std::uint8_t Ch395Device::read_data() {
  if (out_.empty()) return 0;
  const std::uint8_t b = out_.front();
  out_.pop_front();
  return b;
}

void Ch395Device::do_open(std::uint8_t s) {
  if (!valid_socket(s)) {
    cmd_status_ = CH395_ERR_ARG;
    return;
  }
  auto& so = sockets_[s];
  if (!initialized_) {
    cmd_status_ = CMD_RET_ABORT;  // model choice: INIT_CH395 first, as every WCH example does
    return;
  }
  if (so.open) {
    cmd_status_ = CH395_ERR_OPEN;
    return;
  }
  if (so.proto == PROTO_TYPE_MAC_RAW && s != 0) {
    cmd_status_ = CH395_ERR_ARG;  // MAC-RAW only on socket 0
    return;
  }
  if (so.proto == PROTO_TYPE_TCP || so.proto > PROTO_TYPE_TCP) {
    cmd_status_ = CMD_RET_ABORT;  // TCP is not modelled
    return;
  }
  so.open = true;
  so.ttl = 128;
  so.int_status = 0;
  so.rx.clear();
  so.rx_bytes = 0;
  so.rx_head_offset = 0;
  cmd_status_ = CMD_ERR_SUCCESS;
}

void Ch395Device::do_close(std::uint8_t s) {
  if (!valid_socket(s)) {
    cmd_status_ = CH395_ERR_ARG;
    return;
  }
  auto& so = sockets_[s];
  // "After Socket is closed, the receive buffer and transmit buffer of Socket are emptied,
  // but the configuration information is still reserved."
  so.open = false;
  so.rx.clear();
  so.rx_bytes = 0;
  so.rx_head_offset = 0;
  so.int_status = 0;
  cmd_status_ = CMD_ERR_SUCCESS;
}

void Ch395Device::add_neighbour(const std::array<std::uint8_t, 4>& ip, const std::array<std::uint8_t, 6>& mac) {
  for (auto& n : neighbours_)
    if (n.first == ip) {
      n.second = mac;
      return;
    }
  neighbours_.emplace_back(ip, mac);
}

bool Ch395Device::dst_mac_for(const std::array<std::uint8_t, 4>& ip, std::array<std::uint8_t, 6>& mac) const {
  if (is_multicast_ip(ip)) {  // RFC 1112 §6.4: 01:00:5e + low 23 bits
    mac = {{0x01, 0x00, 0x5e, static_cast<std::uint8_t>(ip[1] & 0x7F), ip[2], ip[3]}};
    return true;
  }
  bool bcast = ip == std::array<std::uint8_t, 4>{{255, 255, 255, 255}};
  bool same_subnet = true;
  bool directed = true;
  for (int i = 0; i < 4; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if ((ip[k] & mask_[k]) != (ip_[k] & mask_[k])) same_subnet = false;
    if ((ip[k] | mask_[k]) != 0xFF) directed = false;
  }
  if (bcast || (same_subnet && directed)) {
    mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    return true;
  }
  const auto& next_hop = same_subnet ? ip : gw_;
  for (const auto& n : neighbours_)
    if (n.first == next_hop) {
      mac = n.second;
      return true;
    }
  return false;  // would need ARP, which this model does not have
}

void Ch395Device::build_ipv4(std::uint8_t s, std::uint8_t proto, const std::vector<std::uint8_t>& payload,
                             std::vector<std::uint8_t>& out) {
  const auto& so = sockets_[s];
  const std::size_t start = out.size();
  out.push_back(0x45);  // version 4, IHL 5: no options, so no Router Alert
  out.push_back(0x00);  // TOS 0
  put16be(out, static_cast<std::uint16_t>(20 + payload.size()));
  put16be(out, ip_id_++);
  put16be(out, 0x0000);  // DF clear, MF clear, offset 0
  out.push_back(so.ttl);
  out.push_back(proto);
  put16be(out, 0);  // checksum placeholder
  out.insert(out.end(), ip_.begin(), ip_.end());
  out.insert(out.end(), so.dst_ip.begin(), so.dst_ip.end());
  const std::uint16_t csum =
      wire::inet_checksum(std::span<const std::uint8_t>(out.data() + start, 20));
  out[start + 10] = static_cast<std::uint8_t>(csum >> 8);
  out[start + 11] = static_cast<std::uint8_t>(csum);
  out.insert(out.end(), payload.begin(), payload.end());
}

void Ch395Device::do_send(std::uint8_t s, const std::vector<std::uint8_t>& data) {
  if (!valid_socket(s)) return;
  auto& so = sockets_[s];
  if (!so.open) {
    ++counters_.tx_dropped_closed;
    return;
  }
  if (data.size() > so.send_capacity) {
    ++counters_.tx_dropped_overflow;
    return;
  }
  if (!(filt_type_ & MAC_FILT_SEND_ENABLE)) {
    ++counters_.tx_send_disabled;
    return;
  }
  std::vector<std::uint8_t> frame;
  if (so.proto == PROTO_TYPE_MAC_RAW) {
    frame = data;  // the whole frame, as given: the chip does not pad MAC-RAW frames
    if (frame.size() < kMinFrame) {
      if (cfg_.runt_policy == RuntPolicy::Strict) {
        ++counters_.tx_runts_dropped;
        last_runt_ = frame;
        if (runts_.size() < 64) runts_.push_back(frame);
        raise(s, SINT_STAT_SEND_OK | SINT_STAT_SENBUF_FREE);  // the chip did send it
        return;
      }
      ++counters_.tx_padded;
      frame.resize(kMinFrame, 0);
    }
  } else {
    std::array<std::uint8_t, 6> dmac{};
    if (!dst_mac_for(so.dst_ip, dmac)) {
      ++counters_.tx_unresolved;
      raise(s, SINT_STAT_TIM_OUT | SINT_STAT_SENBUF_FREE);  // "ARP和TCP模式下会发生此中断"
      return;
    }
    frame.insert(frame.end(), dmac.begin(), dmac.end());
    frame.insert(frame.end(), mac_.begin(), mac_.end());
    put16be(frame, 0x0800);
    if (so.proto == PROTO_TYPE_IP_RAW) {
      build_ipv4(s, so.ipraw_proto, data, frame);
    } else {  // UDP (minimal)
      std::vector<std::uint8_t> udp;
      put16be(udp, so.src_port);
      put16be(udp, so.dst_port);
      put16be(udp, static_cast<std::uint16_t>(8 + data.size()));
      put16be(udp, 0);
      udp.insert(udp.end(), data.begin(), data.end());
      std::vector<std::uint8_t> pseudo(ip_.begin(), ip_.end());
      pseudo.insert(pseudo.end(), so.dst_ip.begin(), so.dst_ip.end());
      pseudo.push_back(0);
      pseudo.push_back(17);
      put16be(pseudo, static_cast<std::uint16_t>(udp.size()));
      std::uint16_t c = wire::checksum_finish(wire::checksum_add(wire::checksum_add(0, pseudo), udp));
      if (c == 0) c = 0xFFFF;
      udp[6] = static_cast<std::uint8_t>(c >> 8);
      udp[7] = static_cast<std::uint8_t>(c);
      build_ipv4(s, 17, udp, frame);
    }
    if (frame.size() < kMinFrame) frame.resize(kMinFrame, 0);  // the chip's stack pads (seed 002: 60 bytes)
  }
  raise(s, SINT_STAT_SEND_OK | SINT_STAT_SENBUF_FREE);
  emit_frame(std::move(frame));
}

void Ch395Device::emit_frame(std::vector<std::uint8_t> frame) {
  ++counters_.tx_frames;
  tx_.push_back(std::move(frame));
}

std::optional<std::vector<std::uint8_t>> Ch395Device::poll_tx_frame(Time) {
  if (tx_.empty()) return std::nullopt;
  auto f = std::move(tx_.front());
  tx_.pop_front();
  return f;
}

std::optional<std::vector<std::uint8_t>> Ch395Device::poll_runt_frame(Time) {
  if (runts_.empty()) return std::nullopt;
  auto f = std::move(runts_.front());
  runts_.pop_front();
  return f;
}

void Ch395Device::set_link(bool up, Time) {
  if (up == link_up_) return;
  link_up_ = up;
  glob_flags_ = static_cast<std::uint16_t>(glob_flags_ | GINT_STAT_PHY_CHANGE);
}

bool Ch395Device::accepts_destination(const std::array<std::uint8_t, 6>& dst) const {
  if (!(filt_type_ & MAC_FILT_RECV_ENABLE)) return false;
  if (filt_type_ & MAC_FILT_RECV_ALL) return true;
  if (dst == mac_) return true;
  if (dst == std::array<std::uint8_t, 6>{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}})
    return (filt_type_ & MAC_FILT_RECV_BORADPKT) != 0;
  if (dst[0] & 1) {
    if (!(filt_type_ & MAC_FILT_RECV_MULTIPKT)) return false;
    const std::uint8_t h = mac_hash_index(dst);
    return h < 32 ? ((hash0_ >> h) & 1u) != 0 : ((hash1_ >> (h - 32)) & 1u) != 0;
  }
  return false;
}

bool Ch395Device::deliver(std::uint8_t s, std::vector<std::uint8_t> pkt) {
  auto& so = sockets_[s];
  if (so.rx_bytes + pkt.size() > so.recv_capacity) {
    ++counters_.rx_overflow[s];  // receive buffer full: the packet is dropped
    return false;
  }
  so.rx_bytes += pkt.size();
  so.rx.push_back(std::move(pkt));
  ++counters_.rx_delivered;
  raise(s, SINT_STAT_RECV);
  return true;
}

void Ch395Device::receive_frame(const std::vector<std::uint8_t>& frame, Time) {
  ++counters_.rx_frames;
  if (frame.size() < 14 || !link_up_) {
    ++counters_.rx_filtered;
    return;
  }
  std::array<std::uint8_t, 6> dst{};
  std::copy_n(frame.begin(), 6, dst.begin());
  if (!accepts_destination(dst)) {
    ++counters_.rx_filtered;
    return;
  }
  bool taken = false;  // some socket wanted it (delivered, or dropped on a full buffer)
  if (sockets_[0].open && sockets_[0].proto == PROTO_TYPE_MAC_RAW) {
    deliver(0, frame);
    taken = true;
  }
  if (!initialized_ || get16be(frame, 12) != 0x0800 || frame.size() < 34) {
    if (!taken) ++counters_.rx_no_socket;
    return;
  }
  // IPv4 header checks.
  const std::size_t ihl = static_cast<std::size_t>(frame[14] & 0x0F) * 4;
  const std::size_t total = get16be(frame, 16);
  if ((frame[14] >> 4) != 4 || ihl < 20 || total < ihl || 14 + total > frame.size() ||
      wire::inet_checksum(std::span<const std::uint8_t>(frame.data() + 14, ihl)) != 0) {
    ++counters_.rx_bad_ip;
    return;
  }
  std::array<std::uint8_t, 4> ipdst{};
  std::copy_n(frame.begin() + 30, 4, ipdst.begin());
  bool for_us = ipdst == ip_ || is_multicast_ip(ipdst) || ipdst == std::array<std::uint8_t, 4>{{255, 255, 255, 255}};
  if (!for_us) {
    bool directed = true;
    for (std::size_t k = 0; k < 4; ++k)
      if ((ipdst[k] | mask_[k]) != 0xFF || (ipdst[k] & mask_[k]) != (ip_[k] & mask_[k])) directed = false;
    for_us = directed;
  }
  if (!for_us) {
    if (!taken) ++counters_.rx_no_socket;
    return;
  }
  const std::uint8_t proto = frame[23];
  const auto pbegin = frame.begin() + static_cast<std::ptrdiff_t>(14 + ihl);
  const auto pend = frame.begin() + static_cast<std::ptrdiff_t>(14 + total);
  for (std::uint8_t s = 0; s < kNumSockets; ++s) {
    const auto& so = sockets_[s];
    if (!so.open) continue;
    if (so.proto == PROTO_TYPE_IP_RAW && so.ipraw_proto == proto) {
      // IP-RAW: the IP payload only; every packet of the socket's protocol.
      deliver(s, std::vector<std::uint8_t>(pbegin, pend));
      taken = true;
    } else if (so.proto == PROTO_TYPE_UDP && proto == 17 && pend - pbegin >= 8) {
      const std::uint16_t dport = static_cast<std::uint16_t>((pbegin[2] << 8) | pbegin[3]);
      if (dport == so.src_port) {
        deliver(s, std::vector<std::uint8_t>(pbegin + 8, pend));
        taken = true;
      }
    }
  }
  if (!taken) ++counters_.rx_no_socket;
}

}  // namespace mcsim::ch395
