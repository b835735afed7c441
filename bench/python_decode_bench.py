#!/usr/bin/python3
"""Python-level decode of a large IGMP/MLD capture with `mcsim.decode` versus Scapy
(`rdpcap` + dissection) of the same file in the same run, and the per-call overhead of a
socket option called from Python.

mcsim leg: every message of the file becomes an `mcsim.Message` (the objects of
`mcsim decode --format jsonl`) and its kind, addresses and records are touched.
Scapy leg: `rdpcap(file, count=N)` reads and dissects a prefix of N frames (Scapy takes
minutes per million frames), the same fields are touched, and the time is scaled linearly
to the whole file (printed as such).

usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_decode_bench.py
       [--file F] [--packets 1000000] [--scapy-count 20000] [--socket-calls 20000]
The capture is made with bench/make_capture.py when F does not exist.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def count_frames(path: str) -> int:
    """Frames in a classic pcap (record headers only)."""
    import struct
    n = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        endian = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return n
            incl = struct.unpack(endian + "IIII", rec)[2]
            f.seek(incl, 1)
            n += 1


def mcsim_leg(mcsim, path: str):
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    sink = 0
    for m in mcsim.decode(path):
        n += 1
        recs = m.get("records")
        sink += len(m.kind) + len(m.src) + len(m.dst) + (len(recs) if recs else 0)
    return n, time.perf_counter() - t0, time.process_time() - c0


def scapy_leg(path: str, count: int):
    import scapy
    from scapy.config import conf
    from scapy.main import load_contrib

    conf.verb = 0
    load_contrib("igmp")
    load_contrib("igmpv3")
    from scapy.contrib.igmp import IGMP
    from scapy.contrib.igmpv3 import IGMPv3, IGMPv3mq, IGMPv3mr
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6, ICMPv6MLQuery2, ICMPv6MLReport2
    from scapy.utils import rdpcap

    t0, c0 = time.perf_counter(), time.process_time()
    pkts = rdpcap(path, count=count)
    messages = 0
    sink = 0
    for p in pkts:
        if IP in p:
            ip = p[IP]
            sink += len(ip.src) + len(ip.dst) + ip.ttl
            if IGMPv3mr in p:
                for r in p[IGMPv3mr].records:
                    sink += len(r.maddr) + len(r.srcaddrs)
            elif IGMPv3mq in p:
                sink += len(p[IGMPv3mq].gaddr)
            elif IGMPv3 in p or IGMP in p:
                sink += 1
            messages += 1
        elif IPv6 in p:
            ip = p[IPv6]
            sink += len(ip.src) + len(ip.dst) + ip.hlim
            if ICMPv6MLReport2 in p:
                for r in p[ICMPv6MLReport2].records:
                    sink += len(r.dst) + len(r.sources)
            elif ICMPv6MLQuery2 in p:
                sink += len(p[ICMPv6MLQuery2].mladdr)
            messages += 1
    return len(pkts), messages, time.perf_counter() - t0, time.process_time() - c0, scapy.VERSION


def socket_leg(mcsim, calls: int):
    """Per-call cost of socket options from Python: join/leave pairs (fast path) and
    set_filter (an action loaded as a scenario mapping)."""
    sim = mcsim.Simulation.new(seed=1, until="1h")
    sim.add_lan("lan0")
    h = sim.add_host("h1", lan="lan0", ipv4="10.0.0.2")
    s = h.socket("A")
    sim.run(until="1s")
    t0 = time.perf_counter()
    for i in range(calls // 2):
        s.join("239.1.1.1")
        s.leave("239.1.1.1")
    fast = (time.perf_counter() - t0) / (calls // 2 * 2)
    core = sim._ensure()
    t0 = time.perf_counter()
    for i in range(calls // 2):
        core.apply_option("h1", "B", "IP_ADD_MEMBERSHIP", "239.2.2.2")
        core.apply_option("h1", "B", "IP_DROP_MEMBERSHIP", "239.2.2.2")
    raw = (time.perf_counter() - t0) / (calls // 2 * 2)
    n = max(calls // 10, 100)
    t0 = time.perf_counter()
    for i in range(n // 2):
        s.set_filter("239.3.3.3", "include", ["10.0.0.7"])
        s.set_filter("239.3.3.3", "include", [])
    generic = (time.perf_counter() - t0) / (n // 2 * 2)
    err = 0
    t0 = time.perf_counter()
    s.join("239.4.4.4")
    for i in range(n):
        try:
            s.join("239.4.4.4")
        except mcsim.SocketError:
            err += 1
    failing = (time.perf_counter() - t0) / n
    return fast, raw, generic, failing, len(sim.events)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", default=os.path.join(HERE, "out", "igmp_mld_1000000.pcap"))
    ap.add_argument("--packets", type=int, default=1_000_000, help="frames when the file is made")
    ap.add_argument("--scapy-count", type=int, default=20000, help="Scapy prefix (frames)")
    ap.add_argument("--socket-calls", type=int, default=20000)
    args = ap.parse_args(argv)

    import mcsim

    if not os.path.exists(args.file):
        os.makedirs(os.path.dirname(args.file), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "make_capture.py"), "-n", str(args.packets), "-o", args.file],
                       check=True)
    frames = count_frames(args.file)
    print(f"file: {args.file} ({frames} frames, {os.path.getsize(args.file) / 1e6:.1f} MB)")

    n, secs, cpu = mcsim_leg(mcsim, args.file)
    print(f"mcsim.decode (Message objects): {n} messages in {secs:.3f} s wall, {cpu:.3f} s CPU "
          f"= {n / secs / 1e6:.2f} M msg/s")

    sp, sm, ssecs, scpu, ver = scapy_leg(args.file, args.scapy_count)
    scale = frames / sp
    est = ssecs * scale
    print(f"scapy {ver} rdpcap+dissect: {sp} frames ({sm} messages) in {ssecs:.3f} s wall "
          f"= {sp / ssecs:.0f} frames/s; scaled x{scale:.1f} to the whole file: {est:.1f} s (estimate)")
    print(f"ratio (scapy scaled / mcsim.decode, wall): {est / secs:.0f}x")

    fast, raw, generic, failing, nev = socket_leg(mcsim, args.socket_calls)
    print(f"socket option from Python: Socket.join/leave {fast * 1e6:.2f} us/call "
          f"(_core.apply_option directly {raw * 1e6:.2f} us/call); "
          f"Socket.set_filter {generic * 1e6:.1f} us/call (action loaded as a mapping); "
          f"failing join raising SocketError {failing * 1e6:.1f} us/call ({nev} events logged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
