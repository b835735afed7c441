#!/usr/bin/python3
"""Bounded-memory streaming over a multi-gigabyte capture (issue #11 "Resource bounds").

Generates (once) a classic pcap of N IGMP/MLD frames with bench/make_capture.py (frames of
the real public captures in ../shared/pcaps, cycled, 1 us apart), then runs over it:
  mcsim decode --format jsonl, mcsim decode (text), mcsim validate --role host|router
each with output to /dev/null, and prints wall time, messages/s and the peak resident memory
of each (os.wait4 of the child), beside the same figures for a capture 1/45 of the size, so
the reader sees that memory does not grow with the input.

Outside CI (a 4 GB file and about a minute per command):
  /usr/bin/python3 bench/stream_bench.py [--frames 45000000] [--dir /var/tmp/mcsim-bench]
      [--mcsim build/bin/mcsim] [--keep]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def run(cmd: list[str]) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in KiB) of one command, stdout to /dev/null."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{err}")
    return dt, p.returncode, ru.ru_maxrss


def make(path: pathlib.Path, frames: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(HERE / "make_capture.py"), "-n", str(frames), "-o", str(path)], check=True,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=45_000_000, help="frames in the big capture (default 45000000, ~4.2 GB)")
    ap.add_argument("--dir", default="/var/tmp/mcsim-bench", help="where the captures are written")
    ap.add_argument("--mcsim", default=str(HERE.parent / "build" / "bin" / "mcsim"))
    ap.add_argument("--keep", action="store_true", help="keep the generated captures")
    a = ap.parse_args()
    d = pathlib.Path(a.dir)
    small_n = max(1, a.frames // 45)
    caps = [(small_n, d / f"igmp_mld_{small_n}.pcap"), (a.frames, d / f"igmp_mld_{a.frames}.pcap")]
    for n, p in caps:
        make(p, n)
    cmds = [
        ("decode --format jsonl", ["decode", "--format", "jsonl"]),
        ("decode (text)", ["decode"]),
        ("validate --role host", ["validate", "--role", "host"]),
        ("validate --role router", ["validate", "--role", "router"]),
    ]
    print(f"{'command':24} {'frames':>11} {'size':>9} {'seconds':>8} {'frames/s':>11} {'peak RSS':>10}")
    for label, args in cmds:
        for n, p in caps:
            dt, rc, rss = run([a.mcsim, *args, str(p)])
            size = p.stat().st_size / 1e9
            print(f"{label:24} {n:>11,} {size:>7.2f}GB {dt:>8.1f} {n / dt:>11,.0f} {rss / 1024:>8.1f}MB", flush=True)
    if not a.keep:
        for _, p in caps:
            p.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
