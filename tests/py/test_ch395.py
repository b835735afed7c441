"""CH395 firmware scenarios (scenarios/ch395): the seed 002 frame on the simulated wire byte by
byte, and the correct reporter's report semantics against the host engine's for the same joins."""
import json
import struct
import subprocess

from conftest import ROOT

SEED002_REPORT = bytes.fromhex("2200F90200000001040000 00E00000FB".replace(" ", ""))


def frames(pcap_path):
    d = pcap_path.read_bytes()
    magic = struct.unpack("<I", d[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "classic pcap expected"
    off, out = 24, []
    while off < len(d):
        _, _, caplen, _ = struct.unpack("<IIII", d[off:off + 16])
        out.append(d[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def ip_checksum_ok(hdr):
    s = sum(struct.unpack(f"!{len(hdr) // 2}H", hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def test_seed002_ipraw_frame_byte_by_byte(mcsim_bin, tmp_path):
    r = subprocess.run([str(mcsim_bin), "run", str(ROOT / "scenarios/ch395/seed002_ipraw.yaml"), "--pcap-dir",
                        str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    dev = [f for f in frames(tmp_path / "lan0.pcap") if f[26:30] == bytes([192, 168, 1, 200])]
    assert len(dev) == 7  # at 0, 5, ..., 30 s
    for i, f in enumerate(dev):
        assert f[0:6] == bytes.fromhex("01005e000016")          # RFC 1112 §6.4 MAC of 224.0.0.22
        assert f[12:14] == b"\x08\x00"
        ip = f[14:34]
        assert ip[0] == 0x45                                      # IHL 5: no options, no Router Alert
        assert ip[1] == 0x00                                      # TOS 0
        assert struct.unpack("!H", ip[2:4])[0] == 20 + 16         # Total Length
        assert struct.unpack("!H", ip[4:6])[0] == i               # identification increments
        assert struct.unpack("!H", ip[6:8])[0] == 0               # DF clear, no fragment
        assert ip[8] == 1 and ip[9] == 2                          # TTL 1 (CH395SetTTLNum), protocol 2
        assert ip[16:20] == bytes([224, 0, 0, 22])
        assert ip_checksum_ok(ip)
        assert f[34:50] == SEED002_REPORT                         # the seed's 16 bytes, unchanged
        assert f[50:] == bytes(len(f) - 50) and len(f) == 60      # Ethernet padding to 60


def tx_semantics(events, node):
    out = []
    for e in events:
        if e.get("event") == "tx" and e.get("node") == node and e.get("kind") == "igmpv3_report":
            out.append(tuple((rec["type_name"], rec["group"], tuple(rec["sources"])) for rec in e["records"]))
    return out


def test_reporter_firmware_matches_host_engine(mcsim_bin, tmp_path):
    """The igmpv3_reporter firmware and an mcsim host make the same joins and leave: the same
    state-change records, [Robustness Variable] = 2 times each (RFC 9776 §5.1)."""
    scenario = tmp_path / "both.yaml"
    scenario.write_text("""
name: firmware vs host engine
seed: 9
until: 30s
lans: [{name: a}, {name: b}]
devices:
  - {name: dev1, kind: ch395, lan: a, firmware: igmpv3_reporter, ipv4: 192.168.1.50,
     groups: [239.1.1.1, 239.2.2.2], leave_at: 20s}
hosts:
  - {name: h1, lan: b, ipv4: 192.168.2.50, solicited_node: false}
events:
  - {at: 0s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}
  - {at: 0s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.2.2.2}
  - {at: 20s, host: h1, socket: A, op: CLOSE}
""")
    r = subprocess.run([str(mcsim_bin), "run", str(scenario), "--format", "jsonl"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    fw, host = tx_semantics(events, "dev1"), tx_semantics(events, "h1")
    join = (("CHANGE_TO_EXCLUDE_MODE", "239.1.1.1", ()), ("CHANGE_TO_EXCLUDE_MODE", "239.2.2.2", ()))
    leave = (("CHANGE_TO_INCLUDE_MODE", "239.1.1.1", ()), ("CHANGE_TO_INCLUDE_MODE", "239.2.2.2", ()))
    # The host sends one record per join call, merged while retransmissions are pending.
    flat = lambda seq: sorted(rec for msg in seq for rec in msg)
    assert flat(fw) == flat(host) == sorted(list(join) * 2 + list(leave) * 2)
    assert fw == [join, join, leave, leave]


FIRMWARE_SO_SOURCE = r"""
/* Firmware built outside mcsim, against the installed header, loaded as a shared object. */
#include <string.h>
#include "sim/ch395/ch395.h"

typedef struct { Ch395FwParams p; int sent; } Fw;

static void fw_init(void* ctx) {
  Fw* st = (Fw*)ctx;
  static const UINT8 dst[4] = {224, 0, 0, 22};
  CH395CMDReset();
  CH395CMDSetIPAddr(st->p.ip);
  CH395CMDSetMASKAddr(st->p.mask);
  CH395CMDSetMACAddr(st->p.mac);
  CH395CMDInitCH395();
  CH395SetSocketDesIP(2, (UINT8*)dst);
  CH395SetSocketProtType(2, PROTO_TYPE_IP_RAW);
  CH395SetSocketIPRAWProto(2, 2);
  CH395OpenSocket(2);
  CH395SetTTLNum(2, 1);
}

static void fw_poll(void* ctx, uint64_t now_ns) {
  /* One IGMPv3 report: ALLOW_NEW_SOURCES 232.1.1.1 {10.0.0.9}, checksum computed here. */
  Fw* st = (Fw*)ctx;
  UINT8 r[20] = {0x22, 0, 0, 0, 0, 0, 0, 1, 5, 0, 0, 1, 232, 1, 1, 1, 10, 0, 0, 9};
  unsigned long sum = 0;
  (void)now_ns;
  if (st->sent) return;
  for (int i = 0; i < 20; i += 2) sum += (unsigned)(r[i] << 8 | r[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  sum = ~sum & 0xffff;
  r[2] = (UINT8)(sum >> 8);
  r[3] = (UINT8)sum;
  CH395SendData(2, r, 20);
  st->sent = 1;
}

static const Ch395Firmware fw = {"external_allow", sizeof(Fw), fw_init, fw_poll};
const Ch395Firmware* mcsim_ch395_firmware(void) { return &fw; }
"""


def test_firmware_shared_object(mcsim_bin, tmp_path):
    """Issue: firmware 'loaded as a shared object built against the installed header'."""
    import shutil
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        import pytest
        pytest.skip("no C compiler")
    src = tmp_path / "fw.c"
    src.write_text(FIRMWARE_SO_SOURCE)
    so = tmp_path / "fw.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-I", str(ROOT), "-o", str(so), str(src)], check=True)
    scenario = tmp_path / "ext.yaml"
    scenario.write_text("""
name: external firmware
until: 3s
lans: [{name: lan0}]
routers: [{name: r1, lan: lan0, ipv4: 10.0.0.1, mld: 0}]
devices: [{name: dev1, kind: ch395, lan: lan0, firmware: ./fw.so, ipv4: 10.0.0.77}]
expect:
  - {at: 2s, router: r1, group: 232.1.1.1, mode: include, sources: [10.0.0.9]}
""")
    r = subprocess.run([str(mcsim_bin), "run", str(scenario), "--format", "jsonl"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    tx = [json.loads(line) for line in r.stdout.splitlines() if '"node":"dev1","event":"tx"' in line]
    assert len(tx) == 1 and tx[0]["records"][0]["type_name"] == "ALLOW_NEW_SOURCES" and tx[0]["checksum_ok"]
    # A bad path is a load error naming file:line:col.
    scenario.write_text(scenario.read_text().replace("./fw.so", "./missing.so"))
    r = subprocess.run([str(mcsim_bin), "run", str(scenario)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "ext.yaml:6:" in r.stderr and "missing.so" in r.stderr
