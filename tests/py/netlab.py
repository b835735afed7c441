"""Network namespaces for the live-mode tests (test_live*.py, test_compare.py): two
namespaces joined by a veth pair, optionally a Linux bridge (querier, snooping) on the
device side, all made by the test and removed on exit; helpers to read the bridge's
multicast table and to edit classic pcap files (the tests' own code, not mcsim's)."""
import contextlib
import json
import os
import shutil
import struct
import subprocess
import time

import pytest

# Short bridge timers shared by the tests: query interval 5 s, Max Resp Time 1 s, startup
# query interval 1 s, last member interval 0.5 s (x last member count 2 = 1 s).
BRIDGE_TIMERS = ("mcast_query_interval", "500", "mcast_query_response_interval", "100",
                 "mcast_startup_query_interval", "100", "mcast_last_member_interval", "50")
LAST_MEMBER_S = 2 * 0.5


def sh(*args, check=True, timeout=20):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=check)


def need_root(what="live-mode test"):
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (network namespaces, CAP_NET_RAW)")
    for tool in ("ip", "bridge"):
        if not shutil.which(tool):
            pytest.skip(f"'{tool}' (iproute2) not installed: {what} skipped")


def wait_for(pred, until):
    while time.monotonic() < until:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


class Lab:
    """Namespaces `dev` (the device: a bridge br0 with the port `port`, or the bare `port`)
    and `em` (the emulated hosts' interface `iface`), joined by a veth pair.

    bridge: None for a bare link, else extra `ip link add br0 type bridge` arguments.
    ipv6:   give the device side IPv6 (br0 gets fe80::1 without DAD, so that the bridge's
            MLD querier has its source address the moment br0 comes up).
    The emulated side never has an IPv6 stack: its own kernel would report and answer
    on the link beside the emulated hosts."""

    def __init__(self, tag, bridge=None, ipv4="10.1.0.1/16", ipv6=False, dev_mac=None):
        pid = os.getpid()
        self.dev, self.em = f"{tag}d{pid}", f"{tag}e{pid}"
        self.port, self.iface = f"{tag}p{pid}", f"{tag}v{pid}"
        self.bridge, self.ipv4, self.ipv6, self.dev_mac = bridge, ipv4, ipv6, dev_mac
        self.made = []

    def __enter__(self):
        try:
            for ns in (self.dev, self.em):
                sh("ip", "netns", "add", ns)
                self.made.append(ns)
            for ns in ((self.em,) if self.ipv6 else (self.dev, self.em)):
                sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
                sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
            if self.ipv6:
                # Only fe80::1 on br0: no address of its own from the MAC (fewer kernel frames).
                sh("ip", "netns", "exec", self.dev, "sysctl", "-qw", "net.ipv6.conf.default.addr_gen_mode=1")
            mac = ("address", self.dev_mac) if self.dev_mac else ()
            sh("ip", "link", "add", self.port, "netns", self.dev, *mac, "type", "veth", "peer", "name", self.iface,
               "netns", self.em)
            if self.bridge is not None:
                sh("ip", "-n", self.dev, "link", "add", "br0", "type", "bridge", "mcast_snooping", "1",
                   "mcast_querier", "1", "mcast_query_use_ifaddr", "1", *BRIDGE_TIMERS, *self.bridge)
                sh("ip", "-n", self.dev, "addr", "add", self.ipv4, "dev", "br0")
                if self.ipv6:
                    sh("ip", "-n", self.dev, "addr", "add", "fe80::1/64", "dev", "br0", "nodad")
                sh("ip", "-n", self.dev, "link", "set", self.port, "master", "br0")
            sh("ip", "-n", self.dev, "link", "set", self.port, "up")
            sh("ip", "-n", self.em, "link", "set", self.iface, "up")
            deadline = time.monotonic() + 5
            while "LOWER_UP" not in sh("ip", "-n", self.em, "link", "show", self.iface).stdout \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for ns in self.made:
            sh("ip", "netns", "del", ns, check=False)
        self.made = []

    def bridge_up(self):
        """The querier starts: its startup queries go out now."""
        sh("ip", "-n", self.dev, "link", "set", "br0", "up")

    def mdb(self, prefix=""):
        """The bridge's entries on the port for groups starting with `prefix`:
        {(group, source or None)}, a source entry per (S,G) the bridge keeps (IGMPv3 /
        MLDv2 mode), None for the group entry."""
        out = sh("bridge", "-j", "-d", "-n", self.dev, "mdb", "show").stdout
        got = set()
        for block in json.loads(out or "[]"):
            for e in block.get("mdb", []):
                if e.get("port") == self.port and e.get("grp", "").startswith(prefix):
                    got.add((e["grp"], e.get("src")))
        return got

    def live(self, mcsim_bin, scenario, *args):
        """Starts `mcsim live` on the emulated side (the caller communicates)."""
        return subprocess.Popen(["ip", "netns", "exec", self.em, str(mcsim_bin), "live", "--iface", self.iface,
                                 str(scenario), *map(str, args)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# ---- classic pcap (little-endian, as mcsim writes it) ------------------------------------

def read_pcap(path):
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "little-endian classic pcap expected"
    recs, off = [], 24
    while off < len(data):
        ts1, ts2, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        recs.append([ts1, ts2, orig, bytearray(data[off + 16:off + 16 + incl])])
        off += 16 + incl
    return data[:24], recs


def write_pcap(path, header, recs):
    out = bytearray(header)
    for ts1, ts2, orig, frame in recs:
        out += struct.pack("<IIII", ts1, ts2, len(frame), orig) + frame
    path.write_bytes(bytes(out))
    return path


def inet_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


@contextlib.contextmanager
def running(p):
    """`with running(subprocess.Popen(...)) as p:` kills and reaps the process if the block
    is left while it still runs (a failed assertion), so that no run outlives its test."""
    try:
        yield p
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
