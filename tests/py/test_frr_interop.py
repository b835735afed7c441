"""FRR pimd's IGMP querier against real Linux hosts, compared with mcsim's router model.

Each case makes two network namespaces joined by a veth pair: `mcfrrq<pid>_<n>` runs FRR's
zebra + pimd (run directly, no systemd: config, pid files and vty sockets in a temp dir),
`mcfrrh<pid>_<n>` is the Linux host whose kernel is driven with real sockets (any-source
joins, blocks, SSM joins, leaves). Every IGMP frame on the querier's side of the veth is
captured (AF_PACKET), written as a pcap and checked with `mcsim validate --role router`.
The host's reports are then injected, at the same times, into a scenario whose router
(stack/router) has pimd's timers, and FRR's queries are compared with the model's as facts
(general query fields, startup count and spacing, interval, the group(-and-source)-specific
queries after each leave / BLOCK); FRR's group view (`show ip igmp groups/sources json`) is
compared with the model's groups at the same times. Differences are named (EXPECTED_*) and
documented in docs/interop.md ("FRR pimd"). Needs root and FRR (/usr/lib/frr/pimd); skipped
otherwise. Debian's frr 8.4 has no pim6d, so MLD is not covered.
"""
import contextlib
import ctypes
import json
import os
import pathlib
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FRR = pathlib.Path("/usr/lib/frr")
BIN_DIR = pathlib.Path(os.environ.get("MCSIM_BIN_DIR", ROOT / "build" / "bin"))
PYDIR = pathlib.Path(os.environ.get("MCSIM_PYTHON_DIR", BIN_DIR.parent / "python"))

if os.geteuid() != 0:
    pytest.skip("FRR interop needs root (network namespaces)", allow_module_level=True)
if not (FRR / "pimd").exists() or not (FRR / "zebra").exists() or not shutil.which("vtysh"):
    pytest.skip("FRR not installed (/usr/lib/frr/pimd, zebra, vtysh): apt-get install frr", allow_module_level=True)
if not shutil.which("ip"):
    pytest.skip("iproute2 'ip' not found", allow_module_level=True)
if not (PYDIR / "mcsim" / "__init__.py").exists():
    pytest.skip(f"mcsim Python package not built at {PYDIR}", allow_module_level=True)
sys.path.insert(0, str(PYDIR))
import mcsim  # noqa: E402

QADDR, HADDR = "10.97.0.1", "10.97.0.2"
QI, QRI, LMQI, LMQC = 5.0, 1.0, 0.5, 2  # pimd: query-interval 5, query-max-response-time 10 ds, lmqi 5 ds
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_counter = [0]


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


@contextlib.contextmanager
def in_netns(name: str):
    """Runs the block with this thread in namespace `name` (sockets made there stay there)."""
    orig = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        yield
    finally:
        _libc.setns(orig, CLONE_NEWNET)
        os.close(fd)
        os.close(orig)


# --- host sockets (RFC 3678 protocol-independent options) ------------------------------
MCAST_JOIN_GROUP, MCAST_BLOCK_SOURCE, MCAST_LEAVE_GROUP = 42, 43, 45
MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_SOURCE_GROUP = 46, 47


def _sa(addr: str) -> bytes:
    return struct.pack("=HH4s", socket.AF_INET, 0, socket.inet_aton(addr)).ljust(128, b"\0")


class Host:
    def __init__(self, ns: str, ifname: str):
        with in_netns(ns):
            self.ifindex = socket.if_nametoindex(ifname)
            self.socks = {k: socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for k in "ABC"}

    def opt(self, sock: str, opt: int, group: str, source: str = None):
        data = struct.pack("=I4x", self.ifindex) + _sa(group) + (_sa(source) if source else b"")
        self.socks[sock].setsockopt(socket.IPPROTO_IP, opt, data)

    def close(self):
        for s in self.socks.values():
            s.close()


# --- capture ----------------------------------------------------------------------------
class Capture(threading.Thread):
    """AF_PACKET capture of the IGMP frames on one interface (both directions)."""

    def __init__(self, ns: str, ifname: str):
        super().__init__(daemon=True)
        with in_netns(ns):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
            self.sock.bind((ifname, 0))
        self.sock.settimeout(0.1)
        self.frames = []  # (time, bytes)
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                continue
            t = time.time()
            if len(data) > 34 and data[12:14] == b"\x08\x00" and data[23] == 2:
                self.frames.append((t, data))

    def stop(self):
        self.stop_ev.set()
        self.join()
        self.sock.close()

    def write_pcap(self, path: pathlib.Path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, d in self.frames:
                us = int(round(t * 1e6))
                f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(d), len(d)))
                f.write(d)


def parse_igmp(data: bytes) -> dict:
    ihl = (data[14] & 0x0F) * 4
    src, dst = socket.inet_ntoa(data[26:30]), socket.inet_ntoa(data[30:34])
    total = struct.unpack("!H", data[16:18])[0]
    m = data[14 + ihl:14 + total]
    out = {"src": src, "dst": dst, "type": m[0]}
    if m[0] == 0x11:
        group = socket.inet_ntoa(m[4:8])
        if len(m) >= 12:
            mrc = m[1]
            mrt = mrc if mrc < 128 else ((mrc & 0x0F) | 0x10) << (((mrc >> 4) & 0x07) + 3)
            qqic = m[9]
            qqi = qqic if qqic < 128 else ((qqic & 0x0F) | 0x10) << (((qqic >> 4) & 0x07) + 3)
            n = struct.unpack("!H", m[10:12])[0]
            srcs = sorted(socket.inet_ntoa(m[12 + 4 * i:16 + 4 * i]) for i in range(n))
            out.update(kind="query", version=3, group=group, max_resp_ms=mrt * 100, s_flag=bool(m[8] & 8),
                       qrv=m[8] & 7, qqi_s=qqi, sources=srcs)
        else:
            out.update(kind="query", version=2 if m[1] else 1, group=group, max_resp_ms=m[1] * 100,
                       s_flag=False, qrv=None, qqi_s=None, sources=[])
    elif m[0] == 0x22:
        recs, off = [], 8
        for _ in range(struct.unpack("!H", m[6:8])[0]):
            rtype, aux, n = m[off], m[off + 1], struct.unpack("!H", m[off + 2:off + 4])[0]
            g = socket.inet_ntoa(m[off + 4:off + 8])
            srcs = sorted(socket.inet_ntoa(m[off + 8 + 4 * i:off + 12 + 4 * i]) for i in range(n))
            recs.append((rtype, g, srcs))
            off += 8 + 4 * n + 4 * aux
        out.update(kind="v3report", records=recs)
    elif m[0] == 0x16:
        out.update(kind="v2report", group=socket.inet_ntoa(m[4:8]))
    elif m[0] == 0x17:
        out.update(kind="leave", group=socket.inet_ntoa(m[4:8]))
    return out


# --- the FRR lab --------------------------------------------------------------------------
class FrrLab:
    def __init__(self, version: int):
        _counter[0] += 1
        tag = f"{os.getpid()}_{_counter[0]}"
        self.qns, self.hns = f"mcfrrq{tag}", f"mcfrrh{tag}"
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="mcsim-frr-"))
        self.version = version
        self.pids = []

    def __enter__(self):
        sh("ip", "netns", "add", self.qns)
        sh("ip", "netns", "add", self.hns)
        sh("ip", "-n", self.qns, "link", "add", "vq", "type", "veth", "peer", "name", "vh", "netns", self.hns)
        sh("ip", "-n", self.qns, "addr", "add", f"{QADDR}/24", "dev", "vq")
        sh("ip", "-n", self.hns, "addr", "add", f"{HADDR}/24", "dev", "vh")
        for ns, dev in ((self.qns, "vq"), (self.hns, "vh")):
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "netns", "exec", self.hns, "sysctl", "-qw", "net.ipv4.conf.vh.igmpv3_unsolicited_report_interval=100")
        sh("ip", "netns", "exec", self.hns, "sysctl", "-qw", "net.ipv4.conf.vh.igmpv2_unsolicited_report_interval=100")
        (self.dir / "zebra.conf").write_text("hostname mcsim-zebra\n")
        # query-max-response-time before query-interval: pimd checks QI*10 >= MRT on each line.
        (self.dir / "pimd.conf").write_text(
            "hostname mcsim-pimd\ninterface vq\n ip igmp\n"
            f" ip igmp version {self.version}\n ip igmp query-max-response-time {int(QRI * 10)}\n"
            f" ip igmp query-interval {int(QI)}\n ip igmp last-member-query-interval {int(LMQI * 10)}\n"
            f" ip igmp last-member-query-count {LMQC}\n")
        shutil.chown(self.dir, "frr", "frr")
        self.dir.chmod(0o755)
        self.host = Host(self.hns, "vh")
        self.cap = Capture(self.qns, "vq")
        self.cap.start()
        return self

    def start_frr(self):
        d = self.dir
        common = ["-d", "-u", "frr", "-g", "frr", "--vty_socket", str(d), "-z", str(d / "zserv.api")]
        for daemon in ("zebra", "pimd"):
            r = sh("ip", "netns", "exec", self.qns, str(FRR / daemon), *common, "-f", str(d / f"{daemon}.conf"),
                   "-i", str(d / f"{daemon}.pid"), "--log", f"file:{d}/{daemon}.log", check=False)
            assert r.returncode == 0, f"{daemon} failed: {r.stdout}{r.stderr}"
            for _ in range(50):
                if (d / f"{daemon}.pid").exists() and (d / f"{daemon}.pid").read_text().strip():
                    break
                time.sleep(0.05)
            self.pids.append(int((d / f"{daemon}.pid").read_text()))
            if daemon == "zebra":
                for _ in range(50):
                    if (d / "zserv.api").exists():
                        break
                    time.sleep(0.05)

    def vtysh(self, cmd: str):
        r = sh("vtysh", "--vty_socket", str(self.dir), "-d", "pimd", "-c", cmd)
        return json.loads(r.stdout)

    def frr_groups(self) -> dict:
        """{group: (mode, sorted sources)} as the model reports it: EXCLUDE lists the sources
        whose timer is 0 (blocked), INCLUDE the sources with a running timer."""
        groups = self.vtysh("show ip igmp groups json").get("vq", {}).get("groups", [])
        srcs = self.vtysh("show ip igmp sources json").get("vq", {})
        out = {}
        for g in groups:
            name = g["group"]
            if name.startswith("224.0.0."):
                continue
            rows = srcs.get(name, {}).get("sources", [])
            if "mode" not in g:  # IGMPv2 querier: pimd shows no filter mode
                out[name] = (None, sorted(s["source"] for s in rows if s["source"] != "*"))
                continue
            mode = g["mode"].lower()
            if mode == "exclude":
                ss = [s["source"] for s in rows if s["source"] != "*" and s["timer"].startswith("--")]
            else:
                ss = [s["source"] for s in rows if s["source"] != "*" and not s["timer"].startswith("--")]
            out[name] = (mode, sorted(ss))
        return out

    def __exit__(self, *exc):
        with contextlib.suppress(Exception):
            self.cap.stop()
        with contextlib.suppress(Exception):
            self.host.close()
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        for pid in self.pids:
            for _ in range(40):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
        sh("ip", "netns", "del", self.qns, check=False)
        sh("ip", "netns", "del", self.hns, check=False)
        if exc[0] is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"FRR logs kept in {self.dir}", file=sys.stderr)


# --- the router model fed the same reports ------------------------------------------------
def run_model(version: int, t0: float, frames, snapshots, until: float):
    """Scenario with one router (pimd's timers) started at t0, the captured host frames
    injected at their times; returns (model queries [(t, fields)], {snapshot: groups})."""
    events, last_ms = [], 0
    for t, d in frames:
        ms = max(last_ms, int(round((t - t0) * 1000)))
        last_ms = ms
        events.append(f'  - {{at: {ms}ms, lan: lan0, op: INJECT, frame: "{d.hex()}"}}')
    y = (f"name: frr-model\nuntil: {int(until * 1000)}ms\nlans:\n  - {{name: lan0, latency: 0s}}\n"
         f"routers:\n  - {{name: r1, lan: lan0, ipv4: {QADDR}, igmp: {version}, mld: 0, "
         f"query_interval: {int(QI * 1000)}ms, query_response_interval: {int(QRI * 1000)}ms, "
         f"last_member_query_interval: {int(LMQI * 1000)}ms, last_member_query_count: {LMQC}}}\n"
         "events:\n" + ("\n".join(events) if events else "  []") + "\n")
    sim = mcsim.Simulation(mcsim.Scenario.from_yaml(y))
    r1 = sim.router("r1")
    views = {}
    for name, (ts, groups) in sorted(snapshots.items(), key=lambda kv: kv[1][0]):
        sim.run(until=ts - t0)
        views[name] = {g: v for g in groups if (v := r1.group(g)) is not None}
        views[name] = {g: (m, sorted(s)) for g, (m, s) in views[name].items()}
    sim.run()
    q = [(e["t"], {k: e.get(k) for k in ("dst", "version", "group", "max_resp_ms", "s_flag", "qrv", "qqi_s", "sources")})
         for e in sim.events if e["event"] == "tx" and e["node"] == "r1" and e["kind"] == "igmp_query"]
    return q, views


def frr_queries(frames, t0):
    out = []
    for t, d in frames:
        p = parse_igmp(d)
        if p["src"] == QADDR and p.get("kind") == "query":
            out.append((t - t0, {"dst": p["dst"], **{k: p[k] for k in ("version", "group", "max_resp_ms", "s_flag",
                                                                             "qrv", "qqi_s", "sources")}}))
    return out


def general_facts(queries):
    gq = [(t, f) for t, f in queries if f["group"] == "0.0.0.0"]
    gaps = [round(b[0] - a[0], 2) for a, b in zip(gq, gq[1:])]
    startup = 1 + next((i for i, g in enumerate(gaps) if g > 0.8 * QI), len(gaps))
    return {"fields": sorted({json.dumps(f, sort_keys=True) for _, f in gq}), "startup_count": startup,
            "startup_gaps": gaps[:startup - 1], "steady_gaps": gaps[startup - 1:]}


def specific_facts(queries, trigger_t, group):
    """The specific queries for `group` within LMQT + 0.5 s of the trigger: (delay from the
    trigger, rounded to 0.1 s; fields)."""
    window = LMQI * LMQC + 0.5
    return [(round(t - trigger_t, 1), f) for t, f in queries
            if f["group"] == group and trigger_t - 0.05 <= t <= trigger_t + window]


def near(a, b, tol):
    return all(abs(x - y) <= tol for x, y in zip(a, b)) and len(a) == len(b)


def validate(pcap: pathlib.Path):
    r = subprocess.run([str(BIN_DIR / "mcsim"), "validate", str(pcap), "--role", "router", "--format", "jsonl"],
                       capture_output=True, text=True)
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    return sorted({(x["rule"], x["reason"].split(" (")[0]) for x in lines if "rule" in x}), lines


# --- the cases ----------------------------------------------------------------------------
class Run:
    """One FRR run: the capture, FRR's queries, the model's queries, both group views."""


def run_case(version: int, joins, leaves, tmp: pathlib.Path) -> Run:
    with FrrLab(version) as lab:
        start = time.time()
        lab.start_frr()
        time.sleep(3.0)
        for sock, opt, *args in joins:
            lab.host.opt(sock, opt, *args)
        time.sleep(2.5)
        snap1 = (time.time(), lab.frr_groups())
        t_leave = time.time()
        for sock, opt, *args in leaves:
            lab.host.opt(sock, opt, *args)
        time.sleep(2.5)
        snap2 = (time.time(), lab.frr_groups())
        time.sleep(max(0.0, start + 12.6 - time.time()))
        lab.cap.stop()
        r = Run()
        r.frames = list(lab.cap.frames)
        r.pcap = tmp / f"frr-igmpv{version}.pcap"
        lab.cap.write_pcap(r.pcap)
    parsed = [(t, d, parse_igmp(d)) for t, d in r.frames]
    fq = [t for t, d, p in parsed if p["src"] == QADDR and p.get("kind") == "query"]
    assert fq, "pimd sent no query"
    r.t0 = fq[0]
    r.startup_delay = r.t0 - start
    # The host's frames (the querier namespace's own kernel reports 224.0.0.22/224.0.0.2 for
    # pimd's sockets: not host reports, left out of the model).
    r.host = [(t, d) for t, d, p in parsed if p["src"] != QADDR]
    r.host_parsed = [(t - r.t0, p) for t, d, p in parsed if p["src"] != QADDR]
    groups = sorted(set(snap1[1]) | set(snap2[1]) | {"239.1.1.1", "239.1.1.2", "239.1.1.3", "232.1.1.1"})
    r.model_q, views = run_model(version, r.t0, r.host, {"s1": (snap1[0], groups), "s2": (snap2[0], groups)},
                                 until=r.frames[-1][0] - r.t0 + 0.5)
    r.frr_q = frr_queries(r.frames, r.t0)
    r.frr_groups = (snap1[1], snap2[1])
    r.model_groups = (views["s1"], views["s2"])
    r.leave_t = t_leave - r.t0
    r.findings, r.validate_lines = validate(r.pcap)
    return r


def show(r: Run) -> str:
    lines = [f"t0 = pimd start + {r.startup_delay:.3f} s; leaves at {r.leave_t:.3f}"]
    lines += [f"HOST {t:.3f} {p}" for t, p in r.host_parsed]
    lines += [f"FRR {t:.3f} {f}" for t, f in r.frr_q]
    lines += [f"MODEL {t:.3f} {f}" for t, f in r.model_q]
    lines += [f"groups FRR {r.frr_groups}", f"groups model {r.model_groups}", f"validate {r.findings}"]
    return "\n".join(lines)


# Named expected differences (docs/interop.md, "FRR pimd"). Each is asserted exactly: the
# model's fact holds and FRR shows the named alternative in its place.
EXPECTED_GQ_S_FLAG = "FRR sets S on every IGMPv3 general query (model: clear)"
EXPECTED_STARTUP_SQI = "FRR's Startup Query Interval is QI/4 in whole seconds: 1 s for QI 5 s (model 1.25 s)"
EXPECTED_GSQ_LMQC_PLUS_1 = ("FRR sends Q(G) on each TO_IN and then LMQC retransmissions LMQI apart, counted from "
                            "the first trigger: LMQC+1 after one TO_IN (model: LMQC, restarted by the repeat)")
EXPECTED_GSSQ_REPEAT = ("FRR sends its Q(G,S) retransmission at once when the host repeats the BLOCK "
                        "(model: LMQI after the first)")
EXPECTED_V2_GSQ_PAIRS = ("IGMPv2 leave: FRR sends every group-specific query twice (2 x LMQC queries, in "
                         "identical pairs at +0 and +LMQI; model: LMQC)")

TOL = 0.06  # s: both sides see the host's frames at the same capture times; pimd's timers are exact to ms


def check_general(r: Run, version: int):
    keys = ("dst", "version", "group", "max_resp_ms") + (("s_flag", "qrv", "qqi_s", "sources") if version == 3 else ())
    frr, model = general_facts(r.frr_q), general_facts(r.model_q)
    want = {"dst": "224.0.0.1", "version": version, "group": "0.0.0.0", "max_resp_ms": int(QRI * 1000)}
    if version == 3:
        want.update(s_flag=False, qrv=2, qqi_s=int(QI), sources=[])
    model_fields = [{k: json.loads(f)[k] for k in keys} for f in model["fields"]]
    frr_fields = [{k: json.loads(f)[k] for k in keys} for f in frr["fields"]]
    assert model_fields == [want], show(r)
    if version == 3:
        assert frr_fields == [{**want, "s_flag": True}], EXPECTED_GQ_S_FLAG + "\n" + show(r)
    else:
        assert frr_fields == [want], show(r)
    # startup: RV = 2 queries in both; spacing QI/4 (model) vs whole seconds (EXPECTED_STARTUP_SQI)
    assert model["startup_count"] == frr["startup_count"] == 2, show(r)
    assert near(model["startup_gaps"], [QI / 4], 0.01), show(r)
    assert near(frr["startup_gaps"], [float(int(QI / 4))], TOL), EXPECTED_STARTUP_SQI + "\n" + show(r)
    # steady interval: QI in both (two intervals inside the run)
    assert len(frr["steady_gaps"]) >= 2 and near(frr["steady_gaps"], [QI] * len(frr["steady_gaps"]), TOL), show(r)
    assert len(model["steady_gaps"]) >= 1 and near(model["steady_gaps"], [QI] * len(model["steady_gaps"]), 0.01), show(r)


def trigger_times(r: Run, rec_type: int, group: str):
    return [t for t, p in r.host_parsed if p.get("kind") == "v3report"
            and any(rt == rec_type and g == group for rt, g, _ in p["records"])]


def check_specific(r: Run, trig, group, frr_delays, model_delays, fields, why):
    f = specific_facts(r.frr_q, trig, group)
    m = specific_facts(r.model_q, trig, group)
    f_t = [round(x, 3) for x, _ in f]
    m_t = [round(x, 3) for x, _ in m]
    assert near(m_t, model_delays, TOL), f"model {m_t} != {model_delays}\n" + show(r)
    assert near(f_t, frr_delays, TOL), f"{why}: FRR {f_t} != {frr_delays}\n" + show(r)
    for _, q in f + m:
        assert {k: q[k] for k in fields} == fields, show(r)


def check_groups(r: Run, v2: bool):
    for frr, model in zip(r.frr_groups, r.model_groups):
        if v2:  # pimd shows no filter mode in IGMPv2; the model holds a v2 report as IS_EX{} (RFC 9776 §7.3.2)
            assert set(frr) == set(model), show(r)
            assert all(v == (None, []) for v in frr.values()), show(r)
            assert all(v == ("exclude", []) for v in model.values()), show(r)
        else:
            assert frr == model, show(r)


def test_frr_igmpv3(tmp_path):
    """IGMPv3 querier: any-source join, EXCLUDE with a blocked source, SSM join of two
    sources; then leave (TO_IN{}) and BLOCK of one SSM source."""
    r = run_case(3, [("A", MCAST_JOIN_GROUP, "239.1.1.1"),
                     ("B", MCAST_JOIN_GROUP, "239.1.1.2"), ("B", MCAST_BLOCK_SOURCE, "239.1.1.2", "10.97.0.5"),
                     ("C", MCAST_JOIN_SOURCE_GROUP, "232.1.1.1", "10.97.0.9"),
                     ("C", MCAST_JOIN_SOURCE_GROUP, "232.1.1.1", "10.97.0.10")],
                 [("A", MCAST_LEAVE_GROUP, "239.1.1.1"), ("C", MCAST_LEAVE_SOURCE_GROUP, "232.1.1.1", "10.97.0.9")],
                 tmp_path)
    print(show(r))
    # the group views: equal after the joins and after the leave / BLOCK
    assert r.frr_groups[0] == {"239.1.1.1": ("exclude", []), "239.1.1.2": ("exclude", ["10.97.0.5"]),
                               "232.1.1.1": ("include", ["10.97.0.10", "10.97.0.9"])}, show(r)
    assert r.frr_groups[1] == {"239.1.1.2": ("exclude", ["10.97.0.5"]),
                               "232.1.1.1": ("include", ["10.97.0.10"])}, show(r)
    check_groups(r, v2=False)
    check_general(r, 3)
    common = {"version": 3, "max_resp_ms": int(LMQI * 1000), "s_flag": False, "qrv": 2, "qqi_s": int(QI)}
    # leave: TO_IN{} (Linux sends it RV = 2 times; the repeat `rep` s later)
    toin = trigger_times(r, 3, "239.1.1.1")
    assert len(toin) == 2, show(r)
    rep = toin[1] - toin[0]
    check_specific(r, toin[0], "239.1.1.1", [0, rep, LMQI, 2 * LMQI], [0, rep, rep + LMQI],
                   {**common, "dst": "239.1.1.1", "group": "239.1.1.1", "sources": []}, EXPECTED_GSQ_LMQC_PLUS_1)
    # BLOCK{10.97.0.9} on INCLUDE{.9, .10}
    block = trigger_times(r, 6, "232.1.1.1")
    assert len(block) == 2, show(r)
    rep = block[1] - block[0]
    check_specific(r, block[0], "232.1.1.1", [0, rep], [0, LMQI],
                   {**common, "dst": "232.1.1.1", "group": "232.1.1.1", "sources": ["10.97.0.9"]},
                   EXPECTED_GSSQ_REPEAT)
    # mcsim validate --role router: no findings (Q-LMQ-2 spacing is not judged when the host
    # sent the trigger twice; the S flag of general queries is no rule)
    assert r.findings == [], show(r)


def test_frr_igmpv2(tmp_path):
    """IGMPv2 querier: two joins, one leave."""
    r = run_case(2, [("A", MCAST_JOIN_GROUP, "239.1.1.1"), ("B", MCAST_JOIN_GROUP, "239.1.1.3")],
                 [("A", MCAST_LEAVE_GROUP, "239.1.1.1")], tmp_path)
    print(show(r))
    assert set(r.frr_groups[0]) == {"239.1.1.1", "239.1.1.3"} and set(r.frr_groups[1]) == {"239.1.1.3"}, show(r)
    check_groups(r, v2=True)
    check_general(r, 2)
    leaves = [t for t, p in r.host_parsed if p.get("kind") == "leave" and p["group"] == "239.1.1.1"]
    assert len(leaves) == 1, show(r)  # Linux sends the IGMPv2 leave once
    f = specific_facts(r.frr_q, leaves[0], "239.1.1.1")
    m = specific_facts(r.model_q, leaves[0], "239.1.1.1")
    assert near([x for x, _ in m], [0, LMQI], TOL), show(r)
    assert near([x for x, _ in f], [0, 0, LMQI, LMQI], TOL), EXPECTED_V2_GSQ_PAIRS + "\n" + show(r)
    for _, q in f + m:
        assert (q["dst"], q["version"], q["group"], q["max_resp_ms"]) == ("239.1.1.1", 2, "239.1.1.1", 500), show(r)
    # validate: the second query of each pair is Q-LMQ-2 (0 s spacing), nothing else
    assert [rule for rule, _ in r.findings] == ["Q-LMQ-2"], show(r)
    assert r.findings[0][1].startswith("last-member query 0.00"), show(r)
