"""`mcsim live` against the Linux bridge's IGMPv3 querier and snooping table, in network
namespaces made by the test (tests/py/netlab.py): one holds br0 (querier, snooping, short
timers) and one end of a veth pair; the other holds the other end, where `mcsim live`
emulates 20 hosts.
Needs root (network namespaces, CAP_NET_RAW); skipped otherwise."""
import json
import subprocess
import sys
import time

import pytest

from netlab import LAST_MEMBER_S, Lab, need_root, running, sh, wait_for

HOSTS, LEAVERS = 20, 10
JOIN_AT, LEAVE_AT = 1.0, 4.0
# br<pid>-like namespaces from tests/py/netlab.py: br0 an IGMPv3 querier with short timers,
# queries from 10.1.0.1 (mcast_query_use_ifaddr), room for 8192 table entries.
LAB = Lab("lv", bridge=("mcast_igmp_version", "3", "mcast_hash_max", "8192"))
BRNS, EMNS, PORT, EMIF = LAB.dev, LAB.em, LAB.port, LAB.iface


@pytest.fixture
def netns():
    need_root()
    with LAB:
        yield


def group(n):
    return f"239.1.{n // 250}.{n % 250 + 1}"


def scenario(path, hosts=HOSTS, leavers=LEAVERS):
    """hosts h1..hN with distinct IPv4/MACs on one LAN; hN joins group(N) at 1 s, h1..h<leavers>
    leave at 4 s."""
    lines = ["name: live bridge test", "until: 8s", "lans: [{name: lan0}]", "hosts:"]
    for n in range(1, hosts + 1):
        lines.append(f"  - {{name: h{n}, lan: lan0, ipv4: 10.1.{n // 250}.{n % 250 + 2}, "
                     f"mac: \"02:00:00:10:{n >> 8:02x}:{n & 0xFF:02x}\"}}")
    lines.append("events:")
    for n in range(1, hosts + 1):
        lines.append(f"  - {{at: {JOIN_AT}s, host: h{n}, socket: A, op: IP_ADD_MEMBERSHIP, group: {group(n)}}}")
    for n in range(1, leavers + 1):
        lines.append(f"  - {{at: {LEAVE_AT}s, host: h{n}, socket: A, op: IP_DROP_MEMBERSHIP, group: {group(n)}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def groups_on_port():
    return {g for g, src in LAB.mdb("239.1.") if src is None}


def run_live(mcsim_bin, tmp_path, hosts, leavers):
    """Runs `mcsim live` for 8 s with `hosts` emulated hosts; checks the bridge's table on
    the way; returns the JSON summary and the capture."""
    yaml = scenario(tmp_path / "live.yaml", hosts, leavers)
    cap = tmp_path / "out.pcap"
    sh("ip", "-n", BRNS, "link", "set", "br0", "up")  # the querier's startup queries begin now
    t0 = time.monotonic()
    p = subprocess.Popen(["ip", "netns", "exec", EMNS, str(mcsim_bin), "live", "--iface", EMIF, str(yaml),
                          "--pcap", str(cap), "--duration", "8s", "--format", "jsonl"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with running(p):
        everyone = {group(n) for n in range(1, hosts + 1)}
        stayers = {group(n) for n in range(leavers + 1, hosts + 1)}
        # The run's clock starts once the scenario is loaded and the hosts are built, which
        # takes over a second for 1000 written-out hosts under ASan: take the time of the
        # first join seen on the port (JOIN_AT on the run's clock) as its start. Polling
        # makes the estimate late by at most one poll, which only loosens the deadlines.
        assert wait_for(lambda: bool(groups_on_port()), t0 + 15), "no join reached the bridge"
        t0 = time.monotonic() - JOIN_AT
        # Joined: every group on the port (the unsolicited reports at 1 s).
        assert wait_for(lambda: groups_on_port() == everyone, t0 + LEAVE_AT - 0.3), len(groups_on_port())
        # ARP: a datagram from the bridge's namespace to h1 makes it resolve h1's MAC. The
        # kernel may need its own ARP retry on a loaded machine, so the datagram is resent
        # and the wait runs until shortly before the leaves.
        def h1_resolved():
            sh("ip", "netns", "exec", BRNS, sys.executable, "-c",
               "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('10.1.0.3', 9))")
            time.sleep(0.2)
            return "lladdr 02:00:00:10:00:01" in sh("ip", "-n", BRNS, "neigh", "show", "10.1.0.3").stdout
        assert wait_for(h1_resolved, max(time.monotonic() + 1.0, t0 + LEAVE_AT - 0.3)), \
            sh("ip", "-n", BRNS, "neigh", "show").stdout
        if time.monotonic() < t0 + LEAVE_AT - 0.2:
            time.sleep(max(0.0, t0 + LEAVE_AT - 0.2 - time.monotonic()))
            assert groups_on_port() == everyone
        # Left: the leavers' groups go within the last-member time (plus scheduling slack).
        deadline = t0 + LEAVE_AT + LAST_MEMBER_S + 0.8
        assert wait_for(lambda: groups_on_port() == stayers, deadline), len(groups_on_port())
        out, err = p.communicate(timeout=15)
    assert p.returncode == 0, err
    s = json.loads(out.strip().splitlines()[-1])
    print(json.dumps({k: v for k, v in s.items() if k != "queries"}, indent=1))
    assert s["hosts"] == hosts and s["joins"] == hosts and s["leaves"] == leavers
    assert s["querier_ipv4"] == "10.1.0.1" and s["querier_ipv4_version"] == "IGMPv3"
    assert s["queries_by_version"].get("IGMPv3", 0) >= 2
    # The general query ~6 s in (startup queries at 0 and 1 s, then every 5 s) is answered
    # by every host still joined, each within the query's Max Resp Time (1 s).
    assert s["responses"] >= hosts - leavers and s["late"] == 0
    assert s["kernel_drops"] == 0 and s["arp_replies"] >= 1
    return s, cap


def validate(mcsim_bin, cap):
    v = subprocess.run([str(mcsim_bin), "validate", str(cap), "--role", "host"], capture_output=True, text=True,
                       timeout=60)
    assert v.returncode == 0, v.stdout + v.stderr


def test_live_against_linux_bridge(netns, mcsim_bin, tmp_path):
    s, cap = run_live(mcsim_bin, tmp_path, HOSTS, LEAVERS)
    validate(mcsim_bin, cap)


def test_live_thousand_hosts(netns, mcsim_bin, tmp_path):
    s, cap = run_live(mcsim_bin, tmp_path, 1000, 500)
    assert s["reports_sent"] >= 1000 * 2 * 2 + 500 * 2 + 500  # joins (IGMP + MLD, x2), leaves x2, answers
    validate(mcsim_bin, cap)


def test_live_needs_iface(mcsim_bin, tmp_path):
    r = subprocess.run([str(mcsim_bin), "live", str(scenario(tmp_path / "s.yaml"))], capture_output=True, text=True)
    assert r.returncode == 2 and "--iface" in r.stderr


def test_live_refuses_loopback(mcsim_bin, tmp_path):
    r = subprocess.run([str(mcsim_bin), "live", "--iface", "lo", str(scenario(tmp_path / "s.yaml"))],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "loopback" in r.stderr or "CAP_NET_RAW" in r.stderr


def test_live_block_answers_ahead_of_join_storm(netns, mcsim_bin, tmp_path):
    """A host block (docs/scenarios.md "Host blocks") of 500 hosts joins 4 groups each at
    0.5 s under --rate 1000: 2000 state-change reports and 500 retransmissions (robustness 2)
    queue for about 2.5 s. The bridge is brought up 1 s in, so its startup queries (Max Resp
    Time 1 s, at once and 1 s later) arrive inside that storm; the answers must still leave
    within Max Resp Time, because the send queue puts answers first (RFC 9776 §5.2,
    sim/send_queue.hpp). With one first-in-first-out queue they waited behind the storm
    (docs/live.md)."""
    yaml = tmp_path / "block.yaml"
    yaml.write_text("""name: join storm
until: 8s
lans: [{name: lan0}]
hosts:
  - block: 500
    name: e
    lan: lan0
    ipv4: 10.1.0.0/16
    mac: 02:00:00:10:00:00
    solicited_node: false
    events:
      - {at: 500ms, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0/16, groups_per_host: 4}
""")
    p = subprocess.Popen(["ip", "netns", "exec", EMNS, str(mcsim_bin), "live", "--iface", EMIF, str(yaml), "--rate",
                          "1000", "--duration", "6s", "--format", "jsonl"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with running(p):
        time.sleep(1.0)
        sh("ip", "-n", BRNS, "link", "set", "br0", "up")  # startup queries now, inside the storm
        out, err = p.communicate(timeout=30)
    assert p.returncode == 0, out[-2000:] + err
    s = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(s, indent=1))
    assert s["hosts"] == 500 and s["joins"] == 2000 and s["action_errors"] == 0
    # The storm queued: 2000 reports, less the few the cap (20 ms worth: 20 frames) lets
    # through between turns while the 2000 joins run (256 actions a turn, sim/live.cpp).
    assert s["tx_backlog_max"] >= 1900
    # A general query answered while the storm was still queued (it drains by about 3 s).
    stormed = [q for q in s["queries"] if "group" not in q and 0.5 < q["t"] < 2.5 and q["responses"] > 0]
    assert stormed, s["queries"]
    assert s["responses"] >= 500 and s["late"] == 0 and s["kernel_drops"] == 0
    got = groups_on_port()
    assert len(got) == 2000, len(got)


def test_live_interface_removed_mid_run(netns, mcsim_bin, tmp_path):
    """The interface disappears while reports are being sent (the sending thread's sendmmsg
    and the capture both fail): mcsim live stops at once with exit 2 and one line naming the
    interface, keeps a readable pcap of what it did before, and does not hang."""
    yaml = tmp_path / "gone.yaml"
    yaml.write_text("""name: interface removed
until: 20s
lans: [{name: lan0}]
hosts:
  - block: 200
    name: e
    lan: lan0
    ipv4: 10.1.0.0/16
    mac: 02:00:00:20:00:00
    events:
      - {at: 100ms, spread: 10s, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.2.0.0/16}
""")
    cap = tmp_path / "gone.pcap"
    p = subprocess.Popen(["ip", "netns", "exec", EMNS, str(mcsim_bin), "live", "--iface", EMIF, str(yaml), "--pcap",
                          str(cap), "--duration", "15s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with running(p):
        time.sleep(1.5)
        sh("ip", "-n", EMNS, "link", "del", EMIF)
        t0 = time.monotonic()
        out, err = p.communicate(timeout=10)
        stopped_after = time.monotonic() - t0
    assert p.returncode == 2, (p.returncode, out[-1000:], err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mcsim live: {EMIF}: ") and "failed" in lines[0], err
    assert stopped_after < 3, stopped_after
    dec = subprocess.run([str(mcsim_bin), "decode", str(cap), "--format", "jsonl"], capture_output=True, text=True)
    assert dec.returncode == 0, dec.stderr
    reports = [json.loads(x) for x in dec.stdout.splitlines() if '"igmpv3_report"' in x]
    assert len(reports) >= 10, len(reports)  # joins every 50 ms for 1.4 s, IGMPv3 by default
