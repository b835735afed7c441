// Model of WCH's CH395 Ethernet controller at the command level (DESIGN.md "CH395 device
// model"). The firmware side is a byte stream (command byte, data bytes in, data bytes out,
// end of command) exactly as WCH's transport functions drive it; the network side is two
// plain hooks: poll_tx_frame() hands out the Ethernet frames the chip transmits and
// receive_frame() takes a frame from the wire (MAC filter applied). Sans-IO: nothing here
// reads a clock; every call that can change state over time takes `now`.
//
// Sources of every fact (command codes, data phases, status and interrupt bits, the hash
// function, buffer sizes) are listed in docs/ch395.md.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "sim/ch395/ch395.h"
#include "stack/time.hpp"

namespace mcsim::ch395 {

inline constexpr int kNumSockets = 8;  // GINT_STAT_SOCK0..7 (CH395INC.H, version >= 0x44)

/// What the chip does with a MAC-RAW frame shorter than the 60-byte Ethernet minimum
/// (the chip does not pad MAC-RAW frames; seed 002 sends a 58-byte one).
enum class RuntPolicy : std::uint8_t {
  Strict,   // the frame goes out short and every receiver drops it: it never reaches the wire
            // hook (counted in Counters::tx_runts_dropped, kept in last_runt())
  Lenient,  // the frame is padded with zeros to 60 bytes, as a forgiving receiver would see it
};

struct Ch395Config {
  RuntPolicy runt_policy = RuntPolicy::Strict;
  std::uint8_t ic_version = 0x44;  // GET_IC_VER: bit 7 = 0, bit 6 = 1, bits 5..0 version
  // Per-socket buffers: WCH's EVT example (Socket_R_S_Buf_Modify) gives each of the 8
  // sockets 4 x 512 bytes of receive and 2 x 512 bytes of send buffer (48 blocks = 24 KiB).
  std::uint16_t recv_buf_bytes = 4 * 512;
  std::uint16_t send_buf_bytes = 2 * 512;
  std::array<std::uint8_t, 6> default_mac{{0x84, 0xc2, 0xe4, 0x00, 0x00, 0x01}};
};

/// Multicast hash-filter index of a destination MAC: the top 6 bits of the Ethernet CRC-32
/// register (poly 0x04C11DB7, init 0xFFFFFFFF, data bits LSB first, no final inversion or
/// reflection) — WCH's CH395CRCRet6Bit. 0..31 select HASH0 bit n, 32..63 HASH1 bit n-32.
std::uint8_t mac_hash_index(const std::array<std::uint8_t, 6>& mac);

struct Counters {
  std::uint64_t commands = 0;
  std::uint64_t unknown_commands = 0;   // codes this model does not implement (ignored)
  std::uint64_t aborted_commands = 0;   // data phase cut short by a new command / end
  std::uint64_t tx_frames = 0;          // frames handed to the wire
  std::uint64_t tx_runts_dropped = 0;   // strict mode: MAC-RAW runts no receiver accepts
  std::uint64_t tx_padded = 0;          // lenient mode: MAC-RAW runts padded
  std::uint64_t tx_dropped_closed = 0;  // WRITE_SEND_BUF on a closed socket
  std::uint64_t tx_dropped_overflow = 0;  // more than the send buffer holds
  std::uint64_t tx_unresolved = 0;      // unicast IP destination without a neighbour entry
  std::uint64_t tx_send_disabled = 0;   // SET_MAC_FILT without MAC_FILT_SEND_ENABLE
  std::uint64_t rx_frames = 0;          // frames offered by the wire
  std::uint64_t rx_filtered = 0;        // rejected by the MAC filter (address / hash)
  std::uint64_t rx_delivered = 0;       // copies put into socket receive buffers
  std::uint64_t rx_no_socket = 0;       // accepted but no socket wanted it
  std::uint64_t rx_bad_ip = 0;          // bad IPv4 header or checksum
  std::array<std::uint64_t, kNumSockets> rx_overflow{};  // receive buffer full: dropped
  std::uint64_t ttl_rejected = 0;       // SET_TTL above 128
};

struct SocketState {
  std::uint8_t proto = PROTO_TYPE_IP_RAW;  // SET_PROTO_TYPE_SN
  std::uint8_t ipraw_proto = 0;            // SET_IPRAW_PRO_SN
  std::array<std::uint8_t, 4> dst_ip{};    // SET_IP_ADDR_SN
  std::uint16_t dst_port = 0;              // SET_DES_PORT_SN
  std::uint16_t src_port = 0;              // SET_SOUR_PORT_SN
  std::uint8_t ttl = 128;                  // default TTL; SET_TTL after open
  bool open = false;
  std::uint8_t int_status = 0;             // SINT_STAT_*
  std::uint16_t recv_capacity = 0;         // bytes; Ch395Config / SET_RECV_BUF blocks x 512
  std::uint16_t send_capacity = 0;         // bytes; Ch395Config / SET_SEND_BUF blocks x 512
  std::deque<std::vector<std::uint8_t>> rx;  // received packets, oldest first
  std::size_t rx_bytes = 0;
  std::size_t rx_head_offset = 0;            // bytes of rx.front() already read
};

class Ch395Device {
 public:
  explicit Ch395Device(Ch395Config cfg = {});

  // ---- firmware side: WCH byte stream ----
  /// Starts a command (ends any command in progress, as WCH's SPI transport does by
  /// toggling chip select and the UART transport by sending the sync codes first).
  void write_cmd(std::uint8_t cmd);
  void write_data(std::uint8_t b);
  /// Next output byte of the current command; 0 when it has none (the line floats).
  std::uint8_t read_data();
  /// xEndCH395Cmd(): ends the current command. Optional — WCH's UART and parallel
  /// transports define it empty, so a command also ends at the next write_cmd().
  void end_cmd();

  // ---- network side ----
  /// Next Ethernet frame the chip puts on the wire (no FCS), oldest first.
  std::optional<std::vector<std::uint8_t>> poll_tx_frame(Time now);
  /// A frame from the wire (no FCS). MAC filter, then delivery to sockets.
  void receive_frame(const std::vector<std::uint8_t>& frame, Time now);
  /// Strict mode: the next MAC-RAW runt the chip sent but no receiver accepts (for the
  /// event log / a pcap that wants to show it); never delivered to other nodes.
  std::optional<std::vector<std::uint8_t>> poll_runt_frame(Time now);
  /// Link state (GET_PHY_STATUS; a change raises GINT_STAT_PHY_CHANGE).
  void set_link(bool up, Time now);

  /// INT# pin: low (true here) while any global interrupt is pending. The device node
  /// runs the firmware's poll when this becomes true.
  bool interrupt_pending() const { return glob_int_status() != 0; }
  std::uint16_t glob_int_status() const;

  /// Static neighbour entry for unicast IP destinations (this model has no ARP).
  void add_neighbour(const std::array<std::uint8_t, 4>& ip, const std::array<std::uint8_t, 6>& mac);

  // ---- inspection (tests, event log) ----
  const Ch395Config& config() const { return cfg_; }
  const Counters& counters() const { return counters_; }
  const SocketState& socket(int i) const { return sockets_[static_cast<std::size_t>(i)]; }
  const std::array<std::uint8_t, 6>& mac() const { return mac_; }
  const std::array<std::uint8_t, 4>& ip() const { return ip_; }
  std::uint8_t mac_filter_type() const { return filt_type_; }
  std::uint32_t hash0() const { return hash0_; }
  std::uint32_t hash1() const { return hash1_; }
  bool initialized() const { return initialized_; }
  std::uint8_t last_cmd_status() const { return cmd_status_; }
  std::uint16_t next_ip_id() const { return ip_id_; }
  /// The last MAC-RAW runt (strict mode: the frame that never made it onto the wire).
  const std::vector<std::uint8_t>& last_runt() const { return last_runt_; }
  /// Would a frame to this destination MAC pass the filter?
  bool accepts_destination(const std::array<std::uint8_t, 6>& dst) const;

  /// Opaque C handle for ch395_bind().
  Ch395DeviceHandle* handle() { return reinterpret_cast<Ch395DeviceHandle*>(this); }
  static Ch395Device* from_handle(Ch395DeviceHandle* h) { return reinterpret_cast<Ch395Device*>(h); }

 private:
  void reset_all();
  void start_output(std::initializer_list<std::uint8_t> bytes);
  void execute_data(std::uint8_t b);  // a data byte of the current command
  void finish_command();
  void do_open(std::uint8_t s);
  void do_close(std::uint8_t s);
  void do_send(std::uint8_t s, const std::vector<std::uint8_t>& data);
  void emit_frame(std::vector<std::uint8_t> frame);
  bool dst_mac_for(const std::array<std::uint8_t, 4>& ip, std::array<std::uint8_t, 6>& mac) const;
  void build_ipv4(std::uint8_t s, std::uint8_t proto, const std::vector<std::uint8_t>& payload,
                  std::vector<std::uint8_t>& out);
  bool deliver(std::uint8_t s, std::vector<std::uint8_t> pkt);
  void raise(std::uint8_t s, std::uint8_t bits) { sockets_[s].int_status |= bits; }
  static bool valid_socket(std::uint8_t s) { return s < kNumSockets; }

  Ch395Config cfg_;
  Counters counters_;
  std::array<SocketState, kNumSockets> sockets_{};
  std::array<std::uint8_t, 6> mac_{};
  std::array<std::uint8_t, 4> ip_{};
  std::array<std::uint8_t, 4> gw_{};
  std::array<std::uint8_t, 4> mask_{{255, 255, 255, 0}};
  std::uint8_t filt_type_ = 0;
  std::uint32_t hash0_ = 0;
  std::uint32_t hash1_ = 0;
  bool initialized_ = false;
  bool link_up_ = true;
  std::uint16_t glob_flags_ = 0;  // GINT_STAT_UNREACH..DHCP (bits 0-3)
  std::uint8_t cmd_status_ = CMD_ERR_SUCCESS;
  std::uint16_t ip_id_ = 0;
  std::vector<std::pair<std::array<std::uint8_t, 4>, std::array<std::uint8_t, 6>>> neighbours_;

  // command in progress
  bool in_cmd_ = false;
  std::uint8_t cmd_ = 0;
  std::vector<std::uint8_t> in_;   // data bytes received for cmd_
  std::deque<std::uint8_t> out_;   // bytes for read_data()
  std::size_t send_len_ = 0;       // WRITE_SEND_BUF_SN announced length
  bool cmd_done_ = false;          // data phase complete and executed

  std::deque<std::vector<std::uint8_t>> tx_;
  std::vector<std::uint8_t> last_runt_;
  std::deque<std::vector<std::uint8_t>> runts_;
};

}  // namespace mcsim::ch395
