#!/usr/bin/python3
"""Compare `mcsim decode --format jsonl` with tshark and Scapy on one large capture.

In one run, pinned to one core (taskset -c CPU):
  1. builds bench/out/igmp_mld_<N>.pcap with make_capture.py if it is missing,
  2. times `mcsim decode --format jsonl FILE > /dev/null` (best of --repeat runs),
  3. times `tshark -n -r FILE -Y <IGMP/MLD filter> -T fields -e ... > /dev/null` with the
     fields equivalent to what the JSONL prints (one run),
  4. times the Scapy read-and-dissect loop of scapy_decode.py on the first --scapy-count
     frames and scales it to packets/s (Scapy is ~1000x slower: a full run takes hours),
  5. runs decode_bench (Google Benchmark) for mcsim's decode-only rate (pcap::Reader +
     decode_frame + validation, no output) over the same file,
and prints a table with the ratios and whether the targets are met
(>= 10x tshark, >= 100x Scapy, >= 3M messages/s decode without output).

Not part of the test suite (it takes a few minutes). Run from anywhere:
    /usr/bin/python3 bench/compare_decode.py [-n 1000000] [--build-dir build] [--cpu 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"  # Debian interpreter: has python3-scapy

# Fields equivalent to the JSONL of `mcsim decode` (frame, time, ip, src, dst, ttl,
# router_alert, tos, kind/type, version, group, max_resp_ms, s_flag, qrv, qqi_s, sources,
# records{type, group, sources, aux_len}, checksum_ok). Checked against
# `tshark -G fields` of tshark 4.0.
TSHARK_FIELDS = [
    "frame.number", "frame.time_epoch",
    "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.ttl", "ipv6.hlim", "ip.dsfield",
    "ip.opt.ra", "ipv6.opt.router_alert", "ip.checksum.status",
    "igmp.type", "igmp.version", "igmp.max_resp", "igmp.maddr", "igmp.s", "igmp.qrv", "igmp.qqic",
    "igmp.saddr", "igmp.record_type", "igmp.aux_data_len", "igmp.checksum.status",
    "icmpv6.type", "icmpv6.code", "icmpv6.checksum.status",
    "icmpv6.mld.maximum_response_delay", "icmpv6.mld.maximum_response_code", "icmpv6.mld.multicast_address",
    "icmpv6.mld.flag.s", "icmpv6.mld.flag.qrv", "icmpv6.mld.qqi", "icmpv6.mld.source_address",
    "icmpv6.mldr.mar.record_type", "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.source_address",
    "icmpv6.mldr.mar.aux_data_len",
]
# The same frames mcsim decodes: everything in IP protocol 2, and ICMPv6 MLD types.
TSHARK_FILTER = "ip.proto == 2 || icmpv6.type in {130, 131, 132, 143}"


def pinned(cpu: int, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu)] + cmd if shutil.which("taskset") else cmd


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], stdout=subprocess.DEVNULL, env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one run."""
    c0, t0 = children_cpu(), time.perf_counter()
    subprocess.run(cmd, stdout=stdout, stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - t0, children_cpu() - c0


def first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        return out.splitlines()[0].strip() if out else "?"
    except OSError:
        return "not installed"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--count", type=int, default=1_000_000, help="frames in the capture (default 1000000)")
    ap.add_argument("--capture", help="capture to use (default bench/out/igmp_mld_<N>.pcap, built if missing)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--cpu", type=int, default=0, help="core to pin every tool to (default 0)")
    ap.add_argument("--repeat", type=int, default=3, help="mcsim runs, best taken (default 3)")
    ap.add_argument("--scapy-count", type=int, default=20000, help="frames Scapy dissects (default 20000)")
    ap.add_argument("--skip-tshark", action="store_true")
    ap.add_argument("--skip-scapy", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)

    mcsim = os.path.join(args.build_dir, "bin", "mcsim")
    bench = os.path.join(args.build_dir, "bin", "decode_bench")
    if not (os.access(mcsim, os.X_OK) and os.access(bench, os.X_OK)):
        print(f"building mcsim and decode_bench in {args.build_dir} ...", flush=True)
        subprocess.run(["cmake", "--build", args.build_dir, "-j2", "--target", "mcsim", "decode_bench"], check=True)

    capture = args.capture or os.path.join(HERE, "out", f"igmp_mld_{args.count}.pcap")
    if not os.path.exists(capture):
        subprocess.run([PY, os.path.join(HERE, "make_capture.py"), "-n", str(args.count), "-o", capture], check=True)
    size = os.path.getsize(capture)

    # Warm the page cache so every tool reads the file from memory.
    with open(capture, "rb") as fh:
        while fh.read(1 << 24):
            pass

    rows = []  # (tool, packets, wall seconds, cpu seconds, note)

    # --- mcsim decode --format jsonl
    cmd = pinned(args.cpu, [mcsim, "decode", "--format", "jsonl", capture])
    count = subprocess.run(cmd, capture_output=True, check=True).stdout.count(b"\n")
    best = min((timed(cmd) for _ in range(args.repeat)), key=lambda t: t[0])
    rows.append(("mcsim decode --format jsonl", count, best[0], best[1], f"best of {args.repeat}, > /dev/null"))
    mcsim_rate, mcsim_cpu_rate = count / best[0], count / best[1]

    # --- mcsim decode only (decode_bench over the same file)
    env = dict(os.environ, MCSIM_BENCH_PCAP=capture)
    out = subprocess.run(pinned(args.cpu, [bench, "--benchmark_filter=^BM_(ReadPcapFile|DecodeFrame)(/|$)",
                                           "--benchmark_format=json"]),
                         capture_output=True, text=True, check=True, env=env).stdout
    bj = {b["name"].split("/")[0]: b for b in json.loads(out)["benchmarks"]}
    rf = bj["BM_ReadPcapFile"]
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[rf.get("time_unit", "ns")]
    rows.append(("mcsim decode-only (no output)", int(rf["frames"]), rf["real_time"] * scale, rf["cpu_time"] * scale,
                 "decode_bench BM_ReadPcapFile: pcap::Reader + decode_frame + validation"))
    decode_only_rate = rf["frames"] / (rf["real_time"] * scale)  # wall clock, like the other rows
    in_memory_rate = bj["BM_DecodeFrame"]["items_per_second"]

    # --- tshark
    tshark_ver = first_line(["tshark", "--version"])
    if not args.skip_tshark and shutil.which("tshark"):
        cmd = ["tshark", "-n", "-r", capture, "-o", "ip.check_checksum:TRUE", "-Y", TSHARK_FILTER, "-T", "fields"]
        for f in TSHARK_FIELDS:
            cmd += ["-e", f]
        # tshark prints one line per matching frame; check on a prefix that it matches them all.
        check_n = min(20000, args.count)
        lines = subprocess.run(cmd[:1] + ["-c", str(check_n)] + cmd[1:], capture_output=True,
                               check=True).stdout.count(b"\n")
        if lines != check_n:
            print(f"warning: tshark matched {lines} of the first {check_n} frames", file=sys.stderr)
        wall, cpu = timed(pinned(args.cpu, cmd))
        rows.append(("tshark -T fields (" + str(len(TSHARK_FIELDS)) + " fields)", args.count, wall, cpu,
                     "ip.check_checksum:TRUE, -Y IGMP/MLD, > /dev/null"))

    # --- Scapy
    scapy_ver = "?"
    if not args.skip_scapy:
        out = subprocess.run(pinned(args.cpu, [PY, os.path.join(HERE, "scapy_decode.py"), capture,
                                               "--count", str(args.scapy_count)]),
                             capture_output=True, text=True, check=True).stdout
        m = re.search(r"scapy (\S+) packets=(\d+) messages=(\d+) seconds=([\d.]+) cpu_seconds=([\d.]+)", out)
        if m:
            scapy_ver = m.group(1)
            rows.append(("Scapy PcapReader + dissect", int(m.group(2)), float(m.group(4)), float(m.group(5)),
                         f"first {m.group(2)} frames only, rate scaled"))

    # --- report
    print()
    print(f"capture: {capture}  ({args.count} frames, {size / 1e6:.1f} MB, page cache warm)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; every tool pinned to CPU {args.cpu}")
    print(f"mcsim:   {mcsim}")
    print(f"tshark:  {tshark_ver}")
    print(f"scapy:   {scapy_ver} (/usr/bin/python3 {platform.python_version()})")
    print()
    hdr = (f"{'tool':<36} {'packets':>9} {'seconds':>9} {'packets/s':>12} {'mcsim jsonl / tool':>19}"
           f" {'cpu s':>8} {'(cpu ratio)':>11}  note")
    print(hdr)
    print("-" * len(hdr))
    results = []
    for tool, pk, secs, cpu, note in rows:
        rate = pk / secs if secs > 0 else float("inf")
        ratio = mcsim_rate / rate
        cpu_ratio = mcsim_cpu_rate / (pk / cpu) if cpu > 0 else float("nan")
        print(f"{tool:<36} {pk:>9} {secs:>9.3f} {rate:>12,.0f} {ratio:>18.2f}x {cpu:>8.3f} {cpu_ratio:>10.2f}x  {note}")
        results.append({"tool": tool, "packets": pk, "seconds": secs, "cpu_seconds": cpu, "packets_per_s": rate,
                        "ratio_mcsim_jsonl_over_tool": ratio, "cpu_ratio": cpu_ratio, "note": note})
    print("(seconds = wall clock, which the ratios and targets use; cpu s = user+sys of the process, "
          "shown because other load on the core inflates wall time)")
    print()
    print(f"mcsim decode-only, in memory (decode_bench BM_DecodeFrame, builder mix): {in_memory_rate:,.0f} messages/s")

    def by(prefix):
        return next((r for r in results if r["tool"].startswith(prefix)), None)

    ok = True
    checks = [("decode without output >= 3,000,000 messages/s", decode_only_rate >= 3e6,
               f"{decode_only_rate:,.0f}/s")]
    if by("tshark"):
        checks.append(("mcsim jsonl >= 10x tshark", by("tshark")["ratio_mcsim_jsonl_over_tool"] >= 10,
                       f"{by('tshark')['ratio_mcsim_jsonl_over_tool']:.1f}x"))
    if by("Scapy"):
        checks.append(("mcsim jsonl >= 100x Scapy", by("Scapy")["ratio_mcsim_jsonl_over_tool"] >= 100,
                       f"{by('Scapy')['ratio_mcsim_jsonl_over_tool']:.1f}x"))
    for name, passed, val in checks:
        ok &= passed
        print(f"target: {name:<50} {val:>14}  {'met' if passed else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"capture": capture, "frames": args.count, "tshark": tshark_ver, "scapy": scapy_ver,
                       "results": results, "decode_only_in_memory": in_memory_rate,
                       "targets": [{"name": n, "met": p, "value": v} for n, p, v in checks]}, fh, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
