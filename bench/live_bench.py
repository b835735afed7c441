#!/usr/bin/python3
"""mcsim live at scale, in network namespaces made here (root only; issue #10, docs/live.md).

1. Report rate: HOSTS emulated hosts (a host block) each join GROUPS groups at one instant,
   robustness 1 and no solicited-node groups, so mcsim live has exactly HOSTS x GROUPS
   IGMPv3 state-change reports queued; --rate is lifted (100M/s), the queue drains as fast as
   the injection path goes. The equivalent capture, the same frames in the same order, comes
   from `mcsim run` of the same scenario (the simulator's lan0.pcap); `tcpreplay --topspeed`
   replays it on the same veth in the same run. For both, the frames that arrived are counted
   on the peer end of the veth (rx_packets of the peer, read every millisecond by a sampler
   in the peer's namespace); the rate is the 10%..90% slope of that count (sustained, not the
   first or last burst), and the total must equal the frames sent. Repeated --repeat times,
   alternating; medians and the ratio mcsim / tcpreplay are printed.

2. Answers at scale: QHOSTS emulated hosts x 1 group (joins spread over 1 s) against the
   Linux bridge (mcast_snooping, mcast_querier, IGMPv3, query interval 5 s, Max Resp Time
   1 s, mcast_hash_max 65536) on a veth; the run's summary gives every general query's
   responses and how many were late (over Max Resp Time + 10 ms); the bridge's table is
   read while joined.

  sudo /usr/bin/python3 bench/live_bench.py [--mcsim build/bin/mcsim] [--hosts 25000]
      [--groups 4] [--repeat 3] [--spread 0] [--qhosts 10000] [--skip-rate] [--skip-query]

With --spread T the joins are spread evenly over T (e.g. 100ms: 1,000,000 joins/s asked
for), so the engines produce the reports while the queue drains and the measured rate
includes them; the tcpreplay capture is the same frames either way.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
PID = os.getpid()

SAMPLER = r"""
import sys, time
path = "/sys/class/net/%s/statistics/rx_packets"
out = open(sys.argv[1], "w")
f = open(path % sys.argv[2])
stop = time.monotonic() + float(sys.argv[3])
while time.monotonic() < stop:
    f.seek(0)
    out.write("%.6f %s\n" % (time.monotonic(), f.read().strip()))
    time.sleep(0.001)
out.close()
"""


def sh(*args, check=True, timeout=60):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=check)


def ns_exec(ns, *args):
    return ["ip", "netns", "exec", ns, *args]


class Namespaces:
    def __init__(self, bridge: bool):
        self.peer, self.em = f"lbp{PID}", f"lbe{PID}"
        self.pif, self.eif = f"vp{PID}", f"ve{PID}"
        self.bridge = bridge

    def __enter__(self):
        for ns in (self.peer, self.em):
            sh("ip", "netns", "add", ns)
            sh(*ns_exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"))
            sh(*ns_exec(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"))
        sh("ip", "link", "add", self.pif, "netns", self.peer, "type", "veth", "peer", "name", self.eif, "netns", self.em)
        if self.bridge:
            sh("ip", "-n", self.peer, "link", "add", "br0", "type", "bridge", "mcast_snooping", "1", "mcast_querier", "1",
               "mcast_igmp_version", "3", "mcast_query_interval", "500", "mcast_query_response_interval", "100",
               "mcast_startup_query_interval", "100", "mcast_last_member_interval", "50", "mcast_query_use_ifaddr", "1",
               "mcast_hash_max", "65536")
            sh("ip", "-n", self.peer, "addr", "add", "10.1.0.1/16", "dev", "br0")
            sh("ip", "-n", self.peer, "link", "set", self.pif, "master", "br0")
        sh("ip", "-n", self.peer, "link", "set", self.pif, "up")
        sh("ip", "-n", self.em, "link", "set", self.eif, "up")
        deadline = time.monotonic() + 5
        while "LOWER_UP" not in sh("ip", "-n", self.em, "link", "show", self.eif).stdout and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        for ns in (self.peer, self.em):
            sh("ip", "netns", "del", ns, check=False)

    def rx(self) -> int:
        return int(sh(*ns_exec(self.peer, "cat", f"/sys/class/net/{self.pif}/statistics/rx_packets")).stdout)

    def tx_dropped(self) -> int:
        return int(sh(*ns_exec(self.em, "cat", f"/sys/class/net/{self.eif}/statistics/tx_dropped")).stdout)


def rate_scenario(path: pathlib.Path, hosts: int, groups: int, spread: str):
    path.write_text(f"""name: live report rate
until: 30s
lans: [{{name: lan0}}]
hosts:
  - block: {hosts}
    name: e
    lan: lan0
    ipv4: 10.0.0.0/12
    mac: 02:00:00:01:00:00
    solicited_node: false
    robustness: 1
    events:
      - {{at: 1s, spread: {spread}, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.0.0.0/8, groups_per_host: {groups}}}
""")


def sustained(samples_file: pathlib.Path, base: int, total: int):
    """(frames arrived, 10..90% rate in frames/s, first-to-last arrival rate)."""
    pts = []
    for line in samples_file.read_text().split("\n"):
        if line.strip():
            t, c = line.split()
            pts.append((float(t), int(c) - base))
    got = pts[-1][1] if pts else 0

    def when(n):
        for t, c in pts:
            if c >= n:
                return t
        return None
    t10, t90 = when(0.1 * total), when(0.9 * total)
    t0, t1 = when(1), when(got)
    r = 0.8 * total / (t90 - t10) if t10 and t90 and t90 > t10 else float("nan")
    r_all = got / (t1 - t0) if t0 and t1 and t1 > t0 else float("nan")
    return got, r, r_all


def measured(ns: Namespaces, cmd: list[str], seconds: float, total: int, tmp: pathlib.Path, name: str):
    base = ns.rx()
    drop0 = ns.tx_dropped()
    samples = tmp / f"{name}.samples"
    sampler = subprocess.Popen(ns_exec(ns.peer, sys.executable, "-c", SAMPLER, str(samples), ns.pif, str(seconds)))
    time.sleep(0.2)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    wall = time.monotonic() - t0
    sampler.wait()
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    got, r, r_all = sustained(samples, base, total)
    return {"arrived": got, "rate": r, "rate_first_last": r_all, "wall": wall, "tx_dropped": ns.tx_dropped() - drop0,
            "stdout": p.stdout}


def bench_rate(mcsim: str, hosts: int, groups: int, repeat: int, spread: str):
    total = hosts * groups
    with tempfile.TemporaryDirectory(prefix="mcsim-live-bench-") as d:
        tmp = pathlib.Path(d)
        yaml = tmp / "rate.yaml"
        rate_scenario(yaml, hosts, groups, spread)
        sim = subprocess.run([mcsim, "run", str(yaml), "--pcap-dir", str(tmp / "sim"), "--format", "jsonl"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if sim.returncode != 0:
            sys.exit(f"mcsim run: exit {sim.returncode}: {sim.stderr}")
        cap = tmp / "sim" / "lan0.pcap"
        dec = subprocess.run([mcsim, "decode", str(cap), "--format", "jsonl"], capture_output=True, text=True)
        lines = [json.loads(x) for x in dec.stdout.splitlines() if x.strip()]
        kinds = {}
        for m in lines:
            kinds[m.get("kind")] = kinds.get(m.get("kind"), 0) + 1
        print(f"rate: {hosts} hosts x {groups} groups = {total} IGMPv3 state-change reports, joins spread over {spread}; "
              f"equivalent capture "
              f"from `mcsim run`: {len(lines)} frames {kinds}")
        if len(lines) != total:
            sys.exit("the capture does not hold one report per join")
        res = {"mcsim": [], "tcpreplay": []}
        with Namespaces(bridge=False) as ns:
            for i in range(repeat):
                live = measured(ns, ns_exec(ns.em, mcsim, "live", "--iface", ns.eif, str(yaml), "--rate", "100000000",
                                            "--duration", "5s", "--format", "jsonl"), 6.5, total, tmp, f"mcsim{i}")
                s = json.loads(live["stdout"].strip().splitlines()[-1])
                live["sent"] = s["frames_tx"]
                res["mcsim"].append(live)
                tr = measured(ns, ns_exec(ns.em, "tcpreplay", "--topspeed", "-q", "-i", ns.eif, str(cap)), 4.5, total,
                              tmp, f"tcpreplay{i}")
                tr["sent"] = total
                res["tcpreplay"].append(tr)
                for name in ("mcsim", "tcpreplay"):
                    r = res[name][-1]
                    print(f"  run {i + 1} {name:9}: sent {r['sent']}, arrived at the peer {r['arrived']}, "
                          f"sustained {r['rate']:,.0f} frames/s (first-to-last {r['rate_first_last']:,.0f}/s), "
                          f"tx_dropped {r['tx_dropped']}")
        m = statistics.median(r["rate"] for r in res["mcsim"])
        t = statistics.median(r["rate"] for r in res["tcpreplay"])
        lost = [r["sent"] - r["arrived"] for r in res["mcsim"] + res["tcpreplay"]]
        print(f"rate: median sustained mcsim live {m:,.0f} reports/s, tcpreplay --topspeed {t:,.0f} frames/s, "
              f"ratio {m / t:.2f}; frames sent but not arrived: {lost}; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        return m, t


def bench_query(mcsim: str, qhosts: int):
    with tempfile.TemporaryDirectory(prefix="mcsim-live-bench-") as d:
        tmp = pathlib.Path(d)
        yaml = tmp / "q.yaml"
        yaml.write_text(f"""name: live answers at scale
until: 60s
lans: [{{name: lan0}}]
hosts:
  - block: {qhosts}
    name: e
    lan: lan0
    ipv4: 10.1.0.0/16
    mac: 02:00:00:01:00:00
    events:
      - {{at: 1s, spread: 1s, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.0.0/16}}
""")
        with Namespaces(bridge=True) as ns:
            sh("ip", "-n", ns.peer, "link", "set", "br0", "up")
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            # Peak RSS of this run alone (RUSAGE_CHILDREN's is the largest of every child so
            # far, the rate part's mcsim included): GNU time's %M where installed.
            rss_file = tmp / "rss"
            timer = ["/usr/bin/time", "-o", str(rss_file), "-f", "%M"] if os.path.exists("/usr/bin/time") else []
            p = subprocess.Popen(ns_exec(ns.em, *timer, mcsim, "live", "--iface", ns.eif, str(yaml), "--rate", "50000",
                                         "--duration", "16s", "--format", "jsonl"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(4.5)
            mdb = json.loads(sh("bridge", "-j", "-n", ns.peer, "mdb", "show").stdout or "[]")
            groups = {e["grp"] for b in mdb for e in b.get("mdb", []) if e.get("grp", "").startswith("239.1.")}
            out, err = p.communicate(timeout=60)
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        rss_kb = int(rss_file.read_text().split()[-1]) if timer and rss_file.exists() else ru1.ru_maxrss
        s = json.loads(out.strip().splitlines()[-1])
        general = [q for q in s["queries"] if "group" not in q]
        print(f"query: {qhosts} hosts x 1 group against the Linux bridge (IGMPv3 querier, Max Resp Time 1 s); "
              f"bridge table at 4.5 s: {len(groups)} groups; exit {p.returncode}")
        for q in general:
            print(f"  {q['t']:7.3f}s {q['version']} general, max resp {q['max_resp_ms']} ms: {q['responses']} responses, "
                  f"late {q['late']}" + (f", ms min {q['min'] * 1e3:.1f} median {q['median'] * 1e3:.1f} "
                                         f"p99 {q['p99'] * 1e3:.1f} max {q['max'] * 1e3:.1f}" if q["responses"] else ""))
        print(f"query: responses {s['responses']}, late {s['late']}, reports sent {s['reports_sent']}, "
              f"kernel drops {s['kernel_drops']}, largest send backlog {s['tx_backlog_max']}; mcsim live CPU {cpu:.2f} s "
              f"in {s['elapsed']:.1f} s, peak RSS {rss_kb / 1024:.0f} MB")
        return s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mcsim", default=str(HERE.parent / "build" / "bin" / "mcsim"))
    ap.add_argument("--hosts", type=int, default=25000)
    ap.add_argument("--groups", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--spread", default="0", help="joins spread over this time (e.g. 250ms): the engines produce "
                    "the reports while the queue drains, so the rate includes them (default 0: all at once)")
    ap.add_argument("--qhosts", type=int, default=10000)
    ap.add_argument("--skip-rate", action="store_true")
    ap.add_argument("--skip-query", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("live_bench: needs root (network namespaces, CAP_NET_RAW)")
    for tool in ("ip", "bridge") + (() if a.skip_rate else ("tcpreplay",)):
        if not shutil.which(tool):
            sys.exit(f"live_bench: '{tool}' not installed (scripts/setup.sh installs it)")
    if not a.skip_rate:
        bench_rate(a.mcsim, a.hosts, a.groups, a.repeat, a.spread)
    if not a.skip_query:
        bench_query(a.mcsim, a.qhosts)


if __name__ == "__main__":
    main()
