/* A correct IGMPv3 host (RFC 9776) written as CH395 firmware, through a MAC-RAW socket 0:
 * the chip has no multicast join and its IP-RAW header carries no Router Alert, so the
 * firmware builds whole frames itself:
 *  - opens the MAC hash filter for 224.0.0.1 and each of its groups (CH395CRCRet6Bit index:
 *    0-31 -> HASH0 bit n, 32-63 -> HASH1 bit n-32), receive multicast enabled;
 *  - every report: Ethernet to 01:00:5e:00:00:16, IPv4 TOS 0xC0, TTL 1, Router Alert
 *    (RFC 2113), protocol 2, to 224.0.0.22, correct IP and IGMP checksums, padded to the
 *    60-byte minimum (the chip does not pad MAC-RAW frames);
 *  - join: CHANGE_TO_EXCLUDE_MODE {} for its groups, sent [Robustness Variable] times at
 *    random intervals within the Unsolicited Report Interval (1 s) (RFC 9776 §5.1);
 *  - queries: general -> one current-state report, MODE_IS_EXCLUDE {} for every group;
 *    group-specific -> MODE_IS_EXCLUDE {}; group-and-source-specific -> MODE_IS_INCLUDE
 *    with the queried sources (its filter is EXCLUDE {}, so none is excluded); each after a
 *    random delay within Max Resp Time, with the pending-response rules of RFC 9776 §5.2;
 *    QRV of a v3 query is adopted as Robustness Variable (§4.1.6);
 *  - leave (params.leave_at_ns): CHANGE_TO_INCLUDE_MODE {} for its groups, [Robustness]
 *    times, then silence.
 * IGMPv1/v2 queries are answered with v3 reports (older-version querier compatibility,
 * RFC 9776 §7, is not implemented by this firmware). */
#include <string.h>

#include "sim/ch395/ch395.h"

#define MAX_SRC 16
#define NS_PER_MS 1000000ull

typedef struct {
  uint8_t pending;   /* a group-specific or group-and-source-specific response is due */
  uint8_t group_only;
  uint64_t due_ns;
  uint8_t nsrc;
  uint8_t src[MAX_SRC][4];
} GroupPending;

typedef struct {
  Ch395FwParams p;
  int ok;
  int joined;
  int left;
  uint32_t rng;
  uint8_t robustness;
  uint16_t ip_id;
  /* state-change report retransmissions */
  uint8_t sc_type;
  uint8_t sc_left;
  uint64_t sc_next_ns;
  /* general-query response */
  uint8_t gen_pending;
  uint64_t gen_due_ns;
  GroupPending grp[CH395_FW_MAX_GROUPS];
  UINT8 buf[1536];
} Reporter;

static uint32_t rnd(Reporter* st) {
  uint32_t x = st->rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  st->rng = x;
  return x;
}

/* random delay in [0, max_ns) */
static uint64_t rnd_delay(Reporter* st, uint64_t max_ns) {
  if (max_ns < 1000000u) return 0;
  return ((uint64_t)rnd(st) * 65536u + (rnd(st) & 0xFFFFu)) % max_ns;
}

static uint16_t csum(const uint8_t* p, size_t n) {
  uint32_t s = 0;
  size_t i;
  for (i = 0; i + 1 < n; i += 2) s += (uint32_t)((p[i] << 8) | p[i + 1]);
  if (n & 1) s += (uint32_t)(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xFFFFu) + (s >> 16);
  return (uint16_t)~s;
}

typedef struct {
  uint8_t type;
  const uint8_t* group;
  uint8_t nsrc;
  const uint8_t (*src)[4];
} Rec;

static void send_report(Reporter* st, const Rec* recs, int nrec) {
  UINT8* f = st->buf;
  size_t n = 0, ip0, ig0;
  int r, k;
  uint16_t c;
  /* Ethernet: 01:00:5e:00:00:16 (RFC 1112 §6.4 mapping of 224.0.0.22) */
  f[n++] = 0x01; f[n++] = 0x00; f[n++] = 0x5e; f[n++] = 0x00; f[n++] = 0x00; f[n++] = 0x16;
  memcpy(f + n, st->p.mac, 6); n += 6;
  f[n++] = 0x08; f[n++] = 0x00;
  ip0 = n;
  f[n++] = 0x46;             /* IHL 6: 4 bytes of options */
  f[n++] = 0xC0;             /* TOS: internetwork control (RFC 9776 §4) */
  f[n++] = 0; f[n++] = 0;    /* total length, below */
  f[n++] = (uint8_t)(st->ip_id >> 8); f[n++] = (uint8_t)st->ip_id; st->ip_id++;
  f[n++] = 0; f[n++] = 0;    /* no fragmentation */
  f[n++] = 1;                /* TTL 1 */
  f[n++] = 2;                /* IGMP */
  f[n++] = 0; f[n++] = 0;    /* header checksum, below */
  memcpy(f + n, st->p.ip, 4); n += 4;
  f[n++] = 224; f[n++] = 0; f[n++] = 0; f[n++] = 22;
  f[n++] = 0x94; f[n++] = 0x04; f[n++] = 0x00; f[n++] = 0x00; /* Router Alert (RFC 2113) */
  ig0 = n;
  f[n++] = 0x22; f[n++] = 0x00; f[n++] = 0; f[n++] = 0; f[n++] = 0; f[n++] = 0;
  f[n++] = (uint8_t)(nrec >> 8); f[n++] = (uint8_t)nrec;
  for (r = 0; r < nrec; r++) {
    f[n++] = recs[r].type;
    f[n++] = 0; /* aux data len */
    f[n++] = 0; f[n++] = recs[r].nsrc;
    memcpy(f + n, recs[r].group, 4); n += 4;
    for (k = 0; k < recs[r].nsrc; k++) {
      memcpy(f + n, recs[r].src[k], 4);
      n += 4;
    }
  }
  f[ip0 + 2] = (uint8_t)((n - ip0) >> 8);
  f[ip0 + 3] = (uint8_t)(n - ip0);
  c = csum(f + ip0, 24);
  f[ip0 + 10] = (uint8_t)(c >> 8); f[ip0 + 11] = (uint8_t)c;
  c = csum(f + ig0, n - ig0);
  f[ig0 + 2] = (uint8_t)(c >> 8); f[ig0 + 3] = (uint8_t)c;
  while (n < 60) f[n++] = 0; /* the chip does not pad MAC-RAW frames */
  CH395SendData(0, f, (UINT16)n);
}

static void send_all_groups(Reporter* st, uint8_t type) {
  Rec recs[CH395_FW_MAX_GROUPS];
  int i, n = 0;
  for (i = 0; i < st->p.num_groups && i < CH395_FW_MAX_GROUPS; i++) {
    recs[n].type = type;
    recs[n].group = st->p.groups[i];
    recs[n].nsrc = 0;
    recs[n].src = 0;
    n++;
  }
  if (n) send_report(st, recs, n);
}

static void start_state_change(Reporter* st, uint8_t type, uint64_t now_ns) {
  send_all_groups(st, type);
  st->sc_type = type;
  st->sc_left = (uint8_t)(st->robustness > 1 ? st->robustness - 1 : 0);
  st->sc_next_ns = now_ns + rnd_delay(st, 1000 * NS_PER_MS); /* Unsolicited Report Interval */
}

static void filter_add(const uint8_t ip[4], UINT32* h0, UINT32* h1) {
  UINT8 mac[6];
  UINT8 idx;
  mac[0] = 0x01; mac[1] = 0x00; mac[2] = 0x5e;
  mac[3] = (uint8_t)(ip[1] & 0x7F); mac[4] = ip[2]; mac[5] = ip[3];
  idx = CH395CRCRet6Bit(mac);
  if (idx < 32)
    *h0 |= (UINT32)1u << idx;
  else
    *h1 |= (UINT32)1u << (idx - 32);
}

static void reporter_init(void* ctx) {
  Reporter* st = (Reporter*)ctx;
  static const uint8_t all_hosts[4] = {224, 0, 0, 1};
  UINT32 h0 = 0, h1 = 0;
  int i;
  st->rng = st->p.seed ? st->p.seed : (0x9E3779B9u ^ ((uint32_t)st->p.mac[4] << 8) ^ st->p.mac[5]);
  st->robustness = 2;
  CH395CMDReset();
  if (CH395CMDCheckExist(0x65) != 0x9a) return;
  CH395CMDSetMACAddr(st->p.mac);
  CH395CMDSetIPAddr(st->p.ip);
  CH395CMDSetGWIPAddr(st->p.gateway);
  CH395CMDSetMASKAddr(st->p.mask);
  filter_add(all_hosts, &h0, &h1);
  for (i = 0; i < st->p.num_groups && i < CH395_FW_MAX_GROUPS; i++) filter_add(st->p.groups[i], &h0, &h1);
  CH395CMDSetMACFilt(MAC_FILT_RECV_ENABLE | MAC_FILT_SEND_ENABLE | MAC_FILT_RECV_BORADPKT | MAC_FILT_RECV_MULTIPKT,
                     h0, h1);
  if (CH395CMDInitCH395() != CMD_ERR_SUCCESS) return;
  CH395SetSocketProtType(0, PROTO_TYPE_MAC_RAW);
  if (CH395OpenSocket(0) != CMD_ERR_SUCCESS) return;
  st->ok = 1;
}

static uint64_t max_resp_ns(const UINT8* ig, size_t len) {
  uint32_t tenths;
  uint8_t code = ig[1];
  if (len >= 12) {
    if (code < 128)
      tenths = code;
    else
      tenths = (uint32_t)((code & 0x0F) | 0x10) << (((code >> 4) & 0x07) + 3); /* RFC 9776 §4.1.1 */
  } else {
    tenths = code ? code : 100; /* IGMPv1 query: 10 s (RFC 2236 §4) */
  }
  return (uint64_t)tenths * 100 * NS_PER_MS;
}

static int group_index(Reporter* st, const UINT8* g) {
  int i;
  for (i = 0; i < st->p.num_groups && i < CH395_FW_MAX_GROUPS; i++)
    if (memcmp(st->p.groups[i], g, 4) == 0) return i;
  return -1;
}

static void handle_query(Reporter* st, const UINT8* ig, size_t len, uint64_t now_ns) {
  uint64_t mrt = max_resp_ns(ig, len);
  uint64_t due;
  uint16_t nsrc = 0;
  int gi, k;
  if (mrt > 20 * NS_PER_MS) mrt -= 20 * NS_PER_MS; /* leave room for the poll tick */
  due = now_ns + rnd_delay(st, mrt);
  if (len >= 12) {
    uint8_t qrv = ig[8] & 0x07;
    if (qrv) st->robustness = qrv;
    nsrc = (uint16_t)((ig[10] << 8) | ig[11]);
    if (len < 12u + 4u * nsrc) return;
  }
  if (!st->joined || st->left) return;
  /* rule 1: a pending general response that comes sooner covers this query */
  if (st->gen_pending && st->gen_due_ns <= due) return;
  if (ig[4] == 0 && ig[5] == 0 && ig[6] == 0 && ig[7] == 0) { /* general query: rule 2 */
    st->gen_pending = 1;
    st->gen_due_ns = due;
    return;
  }
  gi = group_index(st, ig + 4);
  if (gi < 0) return; /* not a member: nothing to report */
  {
    GroupPending* gp = &st->grp[gi];
    if (!gp->pending) { /* rule 3 */
      gp->pending = 1;
      gp->due_ns = due;
      gp->group_only = nsrc == 0;
      gp->nsrc = 0;
    } else { /* rule 4/5 */
      if (due < gp->due_ns) gp->due_ns = due;
      if (nsrc == 0) gp->group_only = 1;
    }
    if (!gp->group_only) {
      for (k = 0; k < nsrc; k++) {
        const UINT8* s = ig + 12 + 4 * k;
        int j, have = 0;
        for (j = 0; j < gp->nsrc; j++)
          if (memcmp(gp->src[j], s, 4) == 0) have = 1;
        if (!have && gp->nsrc < MAX_SRC) memcpy(gp->src[gp->nsrc++], s, 4);
      }
    }
  }
}

static void handle_frame(Reporter* st, const UINT8* f, size_t n, uint64_t now_ns) {
  size_t ihl, total;
  if (n < 14 + 20 || f[12] != 0x08 || f[13] != 0x00) return;
  if ((f[14] >> 4) != 4) return;
  ihl = (size_t)(f[14] & 0x0F) * 4;
  total = (size_t)((f[16] << 8) | f[17]);
  if (ihl < 20 || total < ihl + 8 || 14 + total > n) return;
  if (f[23] != 2 || csum(f + 14, ihl) != 0) return;
  if (csum(f + 14 + ihl, total - ihl) != 0) return; /* IGMP checksum */
  if (f[14 + ihl] != 0x11) return;                  /* only queries matter to a host */
  handle_query(st, f + 14 + ihl, total - ihl, now_ns);
}

static void reporter_poll(void* ctx, uint64_t now_ns) {
  Reporter* st = (Reporter*)ctx;
  int i;
  if (!st->ok) return;
  if (CH395CMDGetGlobIntStatus_ALL() & GINT_STAT_SOCK0) {
    UINT8 s = CH395GetSocketInt(0);
    if (s & SINT_STAT_RECV) {
      UINT16 len;
      while ((len = CH395GetRecvLength(0)) != 0) {
        if (len > sizeof(st->buf)) {
          CH395ClearRecvBuf(0);
          break;
        }
        CH395GetRecvData(0, len, st->buf);
        handle_frame(st, st->buf, len, now_ns);
      }
    }
  }
  if (!st->joined) {
    st->joined = 1;
    start_state_change(st, 4 /* CHANGE_TO_EXCLUDE_MODE */, now_ns);
  }
  if (!st->left && st->p.leave_at_ns && now_ns >= st->p.leave_at_ns) {
    st->left = 1;
    st->gen_pending = 0;
    for (i = 0; i < CH395_FW_MAX_GROUPS; i++) st->grp[i].pending = 0;
    start_state_change(st, 3 /* CHANGE_TO_INCLUDE_MODE */, now_ns);
  }
  if (st->sc_left && now_ns >= st->sc_next_ns) {
    send_all_groups(st, st->sc_type);
    st->sc_left--;
    st->sc_next_ns = now_ns + rnd_delay(st, 1000 * NS_PER_MS);
  }
  if (st->gen_pending && now_ns >= st->gen_due_ns) {
    st->gen_pending = 0;
    send_all_groups(st, 2 /* MODE_IS_EXCLUDE */);
  }
  for (i = 0; i < st->p.num_groups && i < CH395_FW_MAX_GROUPS; i++) {
    GroupPending* gp = &st->grp[i];
    if (gp->pending && now_ns >= gp->due_ns) {
      Rec r;
      gp->pending = 0;
      r.group = st->p.groups[i];
      if (gp->group_only || gp->nsrc == 0) {
        r.type = 2; /* MODE_IS_EXCLUDE {} */
        r.nsrc = 0;
        r.src = 0;
      } else {
        r.type = 1; /* MODE_IS_INCLUDE (queried sources) */
        r.nsrc = gp->nsrc;
        r.src = (const uint8_t(*)[4])gp->src;
      }
      send_report(st, &r, 1);
    }
  }
}

const Ch395Firmware ch395_fw_igmpv3_reporter = {"igmpv3_reporter", sizeof(Reporter), reporter_init, reporter_poll};
