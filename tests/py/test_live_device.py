"""`mcsim live` judges the device it runs against: every frame of the run goes through the
router-role validator, and the summary lists the device's findings (issue #10: "the device's
querier behaviour findings"). A fake querier in a network namespace made here sends IGMPv3
queries with known faults, built byte by byte below from RFC 9776 §4.1 (not by mcsim):
TTL 2 (IGMP-TTL-1, RFC 9776 §4), no Router Alert (IGMP-RA-1, RFC 9776 §4), and a
group-specific query sent to 224.0.0.1 instead of its group (DST-GSQ-1, RFC 9776 §4.1.12).
The summary must name those rules on those frames, and list exactly what
`mcsim validate --role router` finds in the run's own pcap. Needs root; skipped otherwise."""
import json
import time
import os
import shutil
import subprocess

import pytest

from netlab import Lab, need_root, running

DEV_MAC = "02:00:00:99:00:01"

QUERY_LIB = r"""
import socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def query(group, ttl, router_alert, dst):
    # RFC 9776 §4.1: type 0x11, Max Resp Code 10 (1 s), checksum, group, S=0 QRV=2, QQIC 125, 0 sources
    igmp = struct.pack("!BBH4sBBH", 0x11, 10, 0, socket.inet_aton(group), 0x02, 125, 0)
    igmp = igmp[:2] + struct.pack("!H", csum(igmp)) + igmp[4:]
    opts = b"\x94\x04\x00\x00" if router_alert else b""
    ihl = 5 + len(opts) // 4
    ip = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0xC0, 4 * ihl + len(igmp), 1, 0x4000, ttl, 2, 0,
                     socket.inet_aton("10.3.0.1"), socket.inet_aton(dst)) + opts
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    d = socket.inet_aton(dst)
    eth = bytes([1, 0, 0x5E, d[1] & 0x7F, d[2], d[3]]) + bytes.fromhex(sys.argv[2].replace(":", "")) + b"\x08\x00"
    return eth + ip + igmp

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
time.sleep(float(sys.argv[3]))
"""

SENDER = QUERY_LIB + r"""
for frame in (query("0.0.0.0", 2, True, "224.0.0.1"),       # IGMP-TTL-1
              query("0.0.0.0", 1, False, "224.0.0.1"),      # IGMP-RA-1
              query("239.3.0.1", 1, True, "224.0.0.1")):    # DST-GSQ-1
    s.send(frame)
    time.sleep(0.3)
"""


# A bare veth pair (tests/py/netlab.py): the fake querier's end has DEV_MAC.
LAB = Lab("qd", bridge=None, dev_mac=DEV_MAC)
DEVNS, EMNS, DEVIF, EMIF = LAB.dev, LAB.em, LAB.port, LAB.iface


@pytest.fixture
def link():
    need_root()
    with LAB:
        yield


def test_live_summary_lists_the_devices_findings(link, mcsim_bin, tmp_path):
    yaml = tmp_path / "dev.yaml"
    yaml.write_text("""name: device check
until: 4s
lans: [{name: lan0}]
hosts:
  - block: 3
    name: e
    lan: lan0
    ipv4: 10.3.0.10/16
    mac: 02:00:00:30:00:00
    solicited_node: false
    events:
      - {at: 200ms, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.3.0.0/24}
""")
    cap = tmp_path / "dev.pcap"
    p = subprocess.Popen(["ip", "netns", "exec", EMNS, str(mcsim_bin), "live", "--iface", EMIF, str(yaml), "--pcap",
                          str(cap), "--duration", "3s", "--format", "jsonl"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with running(p):
        sender = subprocess.run(["ip", "netns", "exec", DEVNS, "/usr/bin/python3", "-c", SENDER, DEVIF, DEV_MAC, "1.0"],
                                capture_output=True, text=True, timeout=20)
        assert sender.returncode == 0, sender.stderr
        out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    s = json.loads(out.strip().splitlines()[-1])
    assert s["querier_ipv4"] == "10.3.0.1"  # (a query the hosts must ignore is not counted as seen)
    got = [(f["frame"], f["rule"], f["severity"]) for f in s["device_findings"]]

    # The queries' frame numbers in the run's pcap (frames from the device's MAC).
    dec = subprocess.run([str(mcsim_bin), "decode", str(cap), "--format", "jsonl"], capture_output=True, text=True)
    assert dec.returncode == 0, dec.stderr
    queries = [m["frame"] for m in map(json.loads, dec.stdout.splitlines()) if m.get("kind", "").endswith("query")]
    assert len(queries) == 3, dec.stdout[:2000]
    ttl, no_ra, gsq = queries
    assert (ttl, "IGMP-TTL-1", "must") in got, got
    assert (no_ra, "IGMP-RA-1", "must") in got, got
    assert (gsq, "DST-GSQ-1", "must") in got, got
    assert s["device_must"] >= 3 and s["device_messages"] >= 3

    # Exactly what `mcsim validate --role router` finds in the same run's pcap.
    v = subprocess.run([str(mcsim_bin), "validate", str(cap), "--role", "router", "--format", "jsonl"],
                       capture_output=True, text=True)
    assert v.returncode == 1, v.stdout + v.stderr
    lines = [json.loads(x) for x in v.stdout.splitlines() if x.strip()]
    want = [(f["frame"], f["rule"], f["severity"]) for f in lines if "rule" in f]
    assert got == want
    summary = lines[-1]["summary"]
    assert (s["device_must"], s["device_should"], s["device_info"]) == (summary["must"], summary["should"],
                                                                         summary["info"])
    assert s["device_messages"] == summary["messages"]

    # The text summary says the same in one line per finding.
    text = subprocess.run(["ip", "netns", "exec", EMNS, str(mcsim_bin), "live", "--iface", EMIF, str(yaml),
                           "--duration", "300ms"], capture_output=True, text=True, timeout=20)
    assert text.returncode == 0, text.stderr
    assert "device checks (router role, docs/validate.md): 0 messages judged, 0 findings" in text.stdout


def test_live_without_cap_net_raw_says_so_in_one_line(link, mcsim_bin):
    """Without CAP_NET_RAW (here: as user nobody, through setpriv) the run is refused with
    one line naming the capability and how to grant it, exit 2 (issue #10 "Safety")."""
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) not installed")
    import tempfile
    with tempfile.TemporaryDirectory(prefix="mcsim-nocap-") as d:
        os.chmod(d, 0o755)  # readable by nobody, unlike pytest's tmp_path
        yaml = os.path.join(d, "s.yaml")
        with open(yaml, "w") as f:
            f.write("name: no cap\nuntil: 1s\nlans: [{name: lan0}]\n"
                    "hosts: [{name: h1, lan: lan0, ipv4: 10.3.0.10}]\n")
        os.chmod(yaml, 0o644)
        r = subprocess.run(["ip", "netns", "exec", EMNS, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            str(mcsim_bin), "live", "--iface", EMIF, yaml], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr == (f"mcsim live: {EMIF}: needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep "
                        "build/bin/mcsim)\n"), r.stderr


# IEEE 802.1Q: after an untagged general query (which hosts on VLAN 100 must not hear), the
# same query tagged with VLAN ID 100 (TPID 0x8100 after the source MAC, PCP 0).
VLAN_SENDER = QUERY_LIB + r"""
q = query("0.0.0.0", 1, True, "224.0.0.1")
s.send(q)
time.sleep(0.5)
s.send(q[:12] + bytes([0x81, 0x00, 0x00, 100]) + q[12:])
"""


def test_live_vlan_tags_what_it_sends_and_hears_only_its_vlan(link, mcsim_bin, tmp_path):
    """--vlan 100: every frame the hosts send leaves tagged with VLAN 100 (seen by tcpdump on
    the device's side, whose libpcap puts back the tag the kernel took out), the untagged
    query is not heard, the tagged one is answered by each host."""
    if not shutil.which("tcpdump"):
        pytest.skip("tcpdump not installed (scripts/setup.sh installs it)")
    yaml = tmp_path / "vlan.yaml"
    yaml.write_text("""name: vlan
until: 4s
lans: [{name: lan0}]
hosts:
  - block: 3
    name: e
    lan: lan0
    ipv4: 10.3.0.10/16
    mac: 02:00:00:30:00:00
    solicited_node: false
    events:
      - {at: 200ms, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.3.0.0/24}
""")
    dev_cap = tmp_path / "device.pcap"
    td = subprocess.Popen(["ip", "netns", "exec", DEVNS, "tcpdump", "-i", DEVIF, "-U", "-w", str(dev_cap)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with running(td):
        time.sleep(0.5)  # tcpdump listening
        p = subprocess.Popen(["ip", "netns", "exec", EMNS, str(mcsim_bin), "live", "--iface", EMIF, str(yaml),
                              "--vlan", "100", "--duration", "3s", "--format", "jsonl"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with running(p):
            sender = subprocess.run(["ip", "netns", "exec", DEVNS, "/usr/bin/python3", "-c", VLAN_SENDER, DEVIF,
                                     DEV_MAC, "1.0"], capture_output=True, text=True, timeout=20)
            assert sender.returncode == 0, sender.stderr
            out, err = p.communicate(timeout=20)
        time.sleep(0.3)
        td.terminate()
        td.wait()
    assert p.returncode == 0, err
    s = json.loads(out.strip().splitlines()[-1])
    assert s["queries_seen"] == 1 and s["responses"] == 3 and s["late"] == 0, s
    lines = subprocess.run(["tcpdump", "-r", str(dev_cap), "-e", "-nn"], capture_output=True, text=True).stdout
    ours = [ln for ln in lines.splitlines() if " 02:00:00:30:00:0" in ln.split(">")[0]]
    # 3 joins and their retransmission, 3 answers; every one tagged
    assert len(ours) >= 9 and all("vlan 100, p 0, ethertype IPv4" in ln for ln in ours), lines


@pytest.mark.parametrize("value", ["0", "4095", "-1", "1e2", "abc", ""])
def test_live_vlan_flag_errors(mcsim_bin, tmp_path, value):
    """A VLAN ID outside 1-4094 (802.1Q reserves 0 and 4095) is refused before anything
    else, exit 2, naming the flag and the value."""
    r = subprocess.run([str(mcsim_bin), "live", "--iface", "lo", "--vlan", value, str(tmp_path / "none.yaml")],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert r.stderr == f"mcsim live: --vlan: '{value}' is not a VLAN ID from 1 to 4094 (IEEE 802.1Q)\n", r.stderr


def test_live_vlan_flag_needs_a_value(mcsim_bin):
    r = subprocess.run([str(mcsim_bin), "live", "--vlan"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and r.stderr == "mcsim live: --vlan needs a value\n", r.stderr
