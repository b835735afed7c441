/* Seed 002, IP-RAW method: the firmware of the seed's account (WCH CH395, socket 3 in IP-RAW
 * mode, IP protocol 2, destination 224.0.0.22, TTL 1) periodically sends a hand-built
 * 16-byte IGMPv3 report: one CHANGE_TO_EXCLUDE_MODE record for 224.0.0.251, with the
 * checksum the author read off Wireshark (F9 02).
 *
 * Sockets 0-2 are opened in UDP mode as in the seed's CH395SocketInitOpen(). Note the
 * seed's InitSocketParam() copies the destination 224.0.0.22 into CH395Inf.IPAddr (the
 * chip's own address variable) and then uses that as socket 3's destination; the chip's
 * IP was already programmed before, so only the destination is affected — reproduced here.
 * What the chip puts on the wire: an IPv4 header without options (no Router Alert), TOS 0,
 * checksum-valid, to 01:00:5e:00:00:16. */
#include <string.h>

#include "sim/ch395/ch395.h"

typedef struct {
  Ch395FwParams p;
  uint8_t ch395_ipaddr[4]; /* the seed's CH395Inf.IPAddr */
  uint64_t next_send_ns;
  int ok;
} Seed002IpRaw;

static const UINT8 Socket3DesIP[4] = {224, 0, 0, 22};
static const UINT8 BroadcastIP[4] = {255, 255, 255, 255};
static const UINT8 IPRawProto = 0x02;
static UINT8 MyBuffer1[16] = {0x22, 0x00, 0xf9, 0x02, 0x00, 0x00, 0x00, 0x01,
                              0x04, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0xfb};

static void seed002_default_params(Ch395FwParams* p) {
  static const uint8_t ip[4] = {192, 168, 1, 200}; /* "CH395的IP1.200" */
  static const uint8_t mask[4] = {255, 255, 255, 0};
  static const uint8_t gw[4] = {192, 168, 1, 1};
  static const uint8_t mac[6] = {0xb4, 0x05, 0x00, 0x00, 0x00, 0x00}; /* the seed's MAC-RAW source */
  int zero = 1;
  for (int i = 0; i < 4; i++)
    if (p->ip[i]) zero = 0;
  if (zero) memcpy(p->ip, ip, 4);
  zero = 1;
  for (int i = 0; i < 4; i++)
    if (p->mask[i]) zero = 0;
  if (zero) memcpy(p->mask, mask, 4);
  zero = 1;
  for (int i = 0; i < 4; i++)
    if (p->gateway[i]) zero = 0;
  if (zero) memcpy(p->gateway, gw, 4);
  zero = 1;
  for (int i = 0; i < 6; i++)
    if (p->mac[i]) zero = 0;
  if (zero) memcpy(p->mac, mac, 6);
  if (p->report_interval_ms == 0) p->report_interval_ms = 10000;
}

static void seed002_ipraw_init(void* ctx) {
  Seed002IpRaw* st = (Seed002IpRaw*)ctx;
  UINT8 i;
  seed002_default_params(&st->p);
  /* CH395Init(): as in WCH's examples */
  CH395CMDReset();
  if (CH395CMDCheckExist(0x65) != 0x9a) return;
  CH395CMDSetIPAddr(st->p.ip);
  CH395CMDSetGWIPAddr(st->p.gateway);
  CH395CMDSetMASKAddr(st->p.mask);
  CH395CMDSetMACAddr(st->p.mac);
  if (CH395CMDInitCH395() != CMD_ERR_SUCCESS) return;
  memcpy(st->ch395_ipaddr, st->p.ip, 4);

  /* InitSocketParam(): the destination lands in CH395Inf.IPAddr */
  memcpy(st->ch395_ipaddr, Socket3DesIP, sizeof(Socket3DesIP));

  /* CH395SocketInitOpen() */
  for (i = 0; i < 3; i++) {
    CH395SetSocketDesIP(i, (UINT8*)BroadcastIP);
    CH395SetSocketProtType(i, PROTO_TYPE_UDP);
    CH395SetSocketSourPort(i, (UINT16)(5000 + 1000 * i));
    if (CH395OpenSocket(i) != CMD_ERR_SUCCESS) return;
  }
  CH395SetSocketDesIP(3, st->ch395_ipaddr);
  CH395SetSocketProtType(3, PROTO_TYPE_IP_RAW);
  CH395SetSocketIPRAWProto(3, IPRawProto);
  if (CH395OpenSocket(3) != CMD_ERR_SUCCESS) return;
  CH395SetTTLNum(3, 1); /* "一定设定一个CH395的TTL值": after the socket is open */
  st->ok = 1;
  st->next_send_ns = 0;
}

static void seed002_ipraw_poll(void* ctx, uint64_t now_ns) {
  Seed002IpRaw* st = (Seed002IpRaw*)ctx;
  UINT16 g;
  UINT8 i;
  if (!st->ok) return;
  /* CH395GlobalInterrupt(): acknowledge socket interrupts, discard anything received */
  g = CH395CMDGetGlobIntStatus_ALL();
  for (i = 0; i < 8; i++) {
    if (g & (GINT_STAT_SOCK0 << i)) {
      UINT8 s = CH395GetSocketInt(i);
      if (s & SINT_STAT_RECV) CH395ClearRecvBuf(i);
    }
  }
  if (now_ns >= st->next_send_ns) {
    CH395SendData(3, MyBuffer1, 16);
    st->next_send_ns = now_ns + (uint64_t)st->p.report_interval_ms * 1000000u;
  }
}

const Ch395Firmware ch395_fw_seed002_ipraw = {"seed002_ipraw", sizeof(Seed002IpRaw), seed002_ipraw_init,
                                              seed002_ipraw_poll};
