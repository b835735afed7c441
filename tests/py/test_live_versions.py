"""`mcsim live` against the Linux bridge in each protocol version (issue #10): IGMPv2, MLDv1,
and source-specific joins under IGMPv3 and MLDv2. Namespaces made here (tests/py/netlab.py):
the bridge br0 (querier and snooping, query interval 5 s, Max Resp Time 1 s, last member
interval 0.5 s x 2) with one port, and a veth end where `mcsim live` emulates a block of 8
hosts. Each test:

1. starts mcsim live, then brings br0 up, so that its startup query (in the version under
   test) arrives before the hosts' joins at 1.5 s;
2. checks the bridge's table (`bridge -d mdb show`) holds exactly the expected entries on
   the port: groups, and (S,G) source entries in IGMPv3/MLDv2 mode; with MLD, that the
   bridge's kernel resolves host e1's link-local address (mcsim answers its Neighbor
   Solicitation);
3. checks that hosts 1-4's leaves at 3.5 s take exactly their entries away within the
   last-member time (RFC 2236 §3 / RFC 2710 §4 / RFC 9776 §6.6.3: last member query count x
   interval, 1 s here, plus scheduling slack) and the others stay;
4. checks the emulated hosts sent only the version the querier asks for (IGMPv2 / MLDv1
   compatibility mode: RFC 9776 §7.2.1, RFC 9777 §8.2.1);
5. validates the run's capture with `mcsim validate --role host` (exit 0), after leaving
   out the frames of the bridge's own IP stack (its reports of 224.0.0.106, ff02::6a and its
   solicited-node group are the device's, judged by the device checks instead).

Needs root; skipped otherwise."""
import json
import struct
import subprocess
import sys
import time

import pytest

from netlab import LAST_MEMBER_S, Lab, need_root, read_pcap, running, sh, wait_for, write_pcap

JOIN_AT, LEAVE_AT, RUN_S = 1.5, 3.5, 6
MAC_PREFIX = bytes.fromhex("020000440000")[:4]  # the block's MACs 02:00:00:44:00:00 ...
DEVICE_ADDRS = {"10.1.0.1", "fe80::1", "::"}


def block(events):
    return f"""name: live versions
until: 8s
lans: [{{name: lan0}}]
hosts:
  - block: 8
    name: e
    lan: lan0
    ipv4: 10.1.0.10/16
    mac: 02:00:00:44:00:00
    solicited_node: false
    events:
{events}
"""


def is_query(frame):
    """An IGMP query (type 0x11) or MLD query (ICMPv6 130, after a Hop-by-Hop header)."""
    et = struct.unpack("!H", frame[12:14])[0]
    if et == 0x0800 and frame[23] == 2:
        return frame[14 + (frame[14] & 0x0F) * 4] == 0x11
    if et == 0x86DD:
        nh, off = frame[20], 54
        if nh == 0:
            nh, off = frame[54], 54 + (frame[55] + 1) * 8
        return nh == 58 and frame[off] == 130
    return False


def nd_probe(lab):
    """The bridge's namespace sends a datagram to e1's link-local address (from its MAC,
    modified EUI-64: fe80::ff:fe44:0): its kernel resolves it with a Neighbor Solicitation,
    which mcsim live answers for e1 (RFC 4861 §7.2.4)."""
    def resolved():
        sh("ip", "netns", "exec", lab.dev, sys.executable, "-c",
           "import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'x', ('fe80::ff:fe44:0%br0', 9))")
        time.sleep(0.2)
        return "lladdr 02:00:00:44:00:00" in sh("ip", "-n", lab.dev, "-6", "neigh", "show", "dev", "br0").stdout
    assert wait_for(resolved, time.monotonic() + 1.2), sh("ip", "-n", lab.dev, "-6", "neigh", "show").stdout


def run_case(lab, mcsim_bin, tmp_path, events, prefix, joined, stayed, kinds, probe=None):
    yaml = tmp_path / "v.yaml"
    yaml.write_text(block(events))
    cap = tmp_path / "v.pcap"
    p = lab.live(mcsim_bin, yaml, "--pcap", cap, "--duration", f"{RUN_S}s", "--format", "jsonl")
    with running(p):
        time.sleep(0.2)
        lab.bridge_up()
        t0 = time.monotonic()
        # The run's clock started before br0 came up; the first entry on the port marks the
        # joins (JOIN_AT on that clock).
        assert wait_for(lambda: bool(lab.mdb(prefix)), t0 + 10), "no join reached the bridge"
        t_join = time.monotonic()
        assert wait_for(lambda: lab.mdb(prefix) == joined, t_join + 1.5), sorted(lab.mdb(prefix))
        if probe:
            probe(lab)
        t_leave = t_join + (LEAVE_AT - JOIN_AT)
        time.sleep(max(0.0, t_leave - 0.2 - time.monotonic()))
        assert lab.mdb(prefix) == joined, sorted(lab.mdb(prefix))
        assert wait_for(lambda: lab.mdb(prefix) == stayed, t_leave + LAST_MEMBER_S + 0.8), sorted(lab.mdb(prefix))
        out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    s = json.loads(out.strip().splitlines()[-1])
    assert s["action_errors"] == 0 and s["kernel_drops"] == 0 and s["late"] == 0, s

    # What the emulated hosts sent: only the expected kinds.
    dec = subprocess_json(mcsim_bin, "decode", cap, "--format", "jsonl")
    sent = {m["kind"] for m in dec if m.get("src") not in DEVICE_ADDRS and "kind" in m}
    assert sent == kinds, sent

    # The hosts' behaviour against RFC rules, without the bridge's own host frames.
    header, recs = read_pcap(cap)
    mine = [r for r in recs if bytes(r[3][6:10]) == MAC_PREFIX or is_query(r[3])]
    assert len(mine) < len(recs)  # the bridge's own reports were there, and are left out
    hosts_only = write_pcap(tmp_path / "hosts.pcap", header, mine)
    v = run(mcsim_bin, "validate", hosts_only, "--role", "host")
    assert v.returncode == 0, v.stdout + v.stderr
    return s


def run(mcsim_bin, *args):
    return subprocess.run([str(mcsim_bin), *map(str, args)], capture_output=True, text=True, timeout=60)


def subprocess_json(mcsim_bin, *args):
    r = run(mcsim_bin, *args)
    assert r.returncode == 0, r.stderr
    return [json.loads(x) for x in r.stdout.splitlines() if x.strip()]


@pytest.fixture
def root():
    need_root()


def test_igmpv2_bridge(root, mcsim_bin, tmp_path):
    with Lab("v2", bridge=("mcast_igmp_version", "2")) as lab:
        groups = {f"239.4.0.{k}" for k in range(8)}
        run_case(lab, mcsim_bin, tmp_path, f"""\
      - {{at: {JOIN_AT}s, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.4.0.0/24}}
      - {{at: {LEAVE_AT}s, hosts: 1-4, socket: A, op: IP_DROP_MEMBERSHIP, group: 239.4.0.0/24}}""",
                 "239.4.", {(g, None) for g in groups}, {(f"239.4.0.{k}", None) for k in range(4, 8)},
                 {"igmpv2_report", "igmpv2_leave"})


def test_mldv1_bridge(root, mcsim_bin, tmp_path):
    with Lab("m1", bridge=("mcast_mld_version", "1"), ipv6=True) as lab:
        s = run_case(lab, mcsim_bin, tmp_path, f"""\
      - {{at: {JOIN_AT}s, socket: A, op: IPV6_ADD_MEMBERSHIP, group: "ff0e::4:0/112"}}
      - {{at: {LEAVE_AT}s, hosts: 1-4, socket: A, op: IPV6_DROP_MEMBERSHIP, group: "ff0e::4:0/112"}}""",
                 "ff0e::4:", {(f"ff0e::4:{k}", None) for k in range(8)}, {(f"ff0e::4:{k}", None) for k in range(4, 8)},
                 {"mldv1_report", "mldv1_done"}, probe=nd_probe)
        assert s["na_sent"] >= 1


def test_igmpv3_bridge_source_specific(root, mcsim_bin, tmp_path):
    with Lab("v3", bridge=("mcast_igmp_version", "3")) as lab:
        def entries(ks):
            return {e for k in ks for e in ((f"232.4.0.{k}", None), (f"232.4.0.{k}", "10.9.9.9"))}
        run_case(lab, mcsim_bin, tmp_path, f"""\
      - {{at: {JOIN_AT}s, socket: A, op: IP_ADD_SOURCE_MEMBERSHIP, group: 232.4.0.0/24, source: 10.9.9.9}}
      - {{at: {LEAVE_AT}s, hosts: 1-4, socket: A, op: IP_DROP_SOURCE_MEMBERSHIP, group: 232.4.0.0/24, source: 10.9.9.9}}""",
                 "232.4.", entries(range(8)), entries(range(4, 8)), {"igmpv3_report"})


def test_mldv2_bridge_source_specific(root, mcsim_bin, tmp_path):
    with Lab("m2", bridge=("mcast_mld_version", "2"), ipv6=True) as lab:
        def entries(ks):
            return {e for k in ks for e in ((f"ff3e::4:{k}", None), (f"ff3e::4:{k}", "2001:db8::9"))}
        s = run_case(lab, mcsim_bin, tmp_path, f"""\
      - {{at: {JOIN_AT}s, socket: A, op: MCAST_JOIN_SOURCE_GROUP, group: "ff3e::4:0/112", source: "2001:db8::9"}}
      - {{at: {LEAVE_AT}s, hosts: 1-4, socket: A, op: MCAST_LEAVE_SOURCE_GROUP, group: "ff3e::4:0/112", source: "2001:db8::9"}}""",
                 "ff3e::4:", entries(range(8)), entries(range(4, 8)), {"mldv2_report"}, probe=nd_probe)
        assert s["na_sent"] >= 1
