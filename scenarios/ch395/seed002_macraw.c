/* Seed 002, MAC-RAW method: socket 0 in MAC-RAW mode sends the seed's hand-built frame
 * verbatim (destination 54:bf:64:1c:2a:9c — the author's PC, a unicast MAC —, source
 * b4:05:00:00:00:00, IPv4 192.168.1.10 -> 224.0.0.22, TTL 1, no Router Alert, then the
 * 16-byte IGMPv3 report and 8 zero bytes). The buffer is 58 bytes: the author's comment
 * says the trailing zeros make the 64-byte minimum, but 58 + 4 (FCS) = 62 < 64, and the
 * chip does not pad MAC-RAW frames, so the frame is a runt. */
#include <string.h>

#include "sim/ch395/ch395.h"

typedef struct {
  Ch395FwParams p;
  uint64_t next_send_ns;
  int ok;
} Seed002MacRaw;

static UINT8 MyBuffer1[] = {
    0x54, 0xbf, 0x64, 0x1c, 0x2a, 0x9c, 0xb4, 0x05, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x2c, 0x02, 0x98, 0x00, 0x00, 0x01, 0x02, 0x13, 0x16, 0xc0, 0xa8, 0x01, 0x0A,
    0xe0, 0x00, 0x00, 0x16, 0x22, 0x00, 0xf9, 0x02, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00,
    0x00, 0xe0, 0x00, 0x00, 0xfb, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void seed002_macraw_init(void* ctx) {
  Seed002MacRaw* st = (Seed002MacRaw*)ctx;
  static const uint8_t mac[6] = {0xb4, 0x05, 0x00, 0x00, 0x00, 0x00};
  int zero = 1;
  for (int i = 0; i < 6; i++)
    if (st->p.mac[i]) zero = 0;
  if (zero) memcpy(st->p.mac, mac, 6);
  if (st->p.report_interval_ms == 0) st->p.report_interval_ms = 10000;
  CH395CMDReset();
  CH395CMDSetMACAddr(st->p.mac); /* "MAC RAW仅需要设置MAC地址" (WCH EXAM1) */
  if (CH395CMDInitCH395() != CMD_ERR_SUCCESS) return;
  CH395SetSocketProtType(0, PROTO_TYPE_MAC_RAW);
  if (CH395OpenSocket(0) != CMD_ERR_SUCCESS) return;
  st->ok = 1;
}

static void seed002_macraw_poll(void* ctx, uint64_t now_ns) {
  Seed002MacRaw* st = (Seed002MacRaw*)ctx;
  if (!st->ok) return;
  if (CH395CMDGetGlobIntStatus_ALL() & GINT_STAT_SOCK0) {
    if (CH395GetSocketInt(0) & SINT_STAT_RECV) CH395ClearRecvBuf(0);
  }
  if (now_ns >= st->next_send_ns) {
    CH395SendData(0, MyBuffer1, (UINT16)sizeof(MyBuffer1));
    st->next_send_ns = now_ns + (uint64_t)st->p.report_interval_ms * 1000000u;
  }
}

const Ch395Firmware ch395_fw_seed002_macraw = {"seed002_macraw", sizeof(Seed002MacRaw), seed002_macraw_init,
                                               seed002_macraw_poll};
