"""Resource bounds (docs/reliability.md, "Resource bounds"): a scenario that would grow beyond
--max-memory stops with a clear error and exit 2 instead of being killed, with its outputs
flushed up to that point; --max-memory values are checked; HTML reports of huge inputs are
capped. The binary is the one of MCSIM_BIN_DIR (ctest sets it), as in test_hostile.py.
"""
import json
import pathlib
import re
import struct

import pytest

from test_hostile import ROOT, mcsim, run  # noqa: F401  (the binary fixture, sanitizer-checked runs)


def busy_scenario(path: pathlib.Path, hosts=40, until="20h") -> pathlib.Path:
    """A querier with a 1 s query interval and `hosts` IGMPv3 hosts in 5 groups for `until`:
    every second 1 query and `hosts` reports, all kept by `mcsim check` for the golden
    comparison, so its memory grows with virtual time."""
    lines = [
        "name: growing log",
        "seed: 3",
        f"until: {until}",
        "lans: [{name: lan0}]",
        "routers: [{name: r1, lan: lan0, ipv4: 10.0.0.1, igmp: 3, query_interval: 1s, "
        "query_response_interval: 500ms}]",
        "hosts:",
    ]
    for i in range(hosts):
        lines.append(f"  - {{name: h{i}, lan: lan0, ipv4: 10.0.{1 + i // 200}.{2 + i % 200}, igmp: 3}}")
    lines.append("events:")
    for i in range(hosts):
        lines.append(f"  - {{at: 1s, host: h{i}, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.{1 + i % 5}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_check_stops_a_growing_scenario_at_the_memory_limit(mcsim, tmp_path):
    sc = busy_scenario(tmp_path / "grow.yaml")
    rc, out, err = run(mcsim, "check", sc, "--max-memory", "150M")
    assert rc == 2, (out, err)
    m = re.search(r"ERROR (\S+): stopped at t=([0-9.]+) s: resident memory (\S+ \S+) is over the limit of "
                  r"(150\.0 MiB|157286400 bytes) \(--max-memory\)", out)
    assert m, out
    assert m.group(1) == str(sc)
    t = float(m.group(2))
    assert 0 < t < 20 * 3600, out  # stopped during the run, before its end
    used, unit = m.group(3).split()
    if unit == "bytes":  # printed in bytes when both round to "150.0 MiB"
        assert m.group(4) == "157286400 bytes" and int(used) > 157286400, out
    else:
        assert unit in ("MiB", "GiB") and m.group(4) == "150.0 MiB" and float(used) * (1024 if unit == "GiB" else 1) > 150, out
    assert out.rstrip().endswith("0 passed, 1 failed"), out


def test_run_stops_at_the_memory_limit_with_outputs_flushed(mcsim, tmp_path):
    pcaps = tmp_path / "pcaps"
    rc, out, err = run(mcsim, "run", ROOT / "scenarios" / "default.yaml", "--format", "jsonl",
                       "--pcap-dir", pcaps, "--max-memory", "1M")
    assert rc == 2, (out, err)
    assert re.search(r"mcsim run: \S+default\.yaml: stopped at t=0\.000000 s: resident memory [0-9.]+ MiB is over "
                     r"the limit of 1\.0 MiB \(--max-memory\); output flushed up to here", err), err
    for line in out.splitlines():
        json.loads(line)  # every line complete
    for f in pcaps.glob("*.pcap"):  # each capture has a whole header (and whole records)
        rc2, _, err2 = run(mcsim, "decode", f)
        assert rc2 == 0, err2


def test_the_same_scenarios_pass_without_a_tight_limit(mcsim, tmp_path):
    sc = busy_scenario(tmp_path / "small.yaml", hosts=5, until="30s")
    rc, out, err = run(mcsim, "check", sc, "--max-memory", "none")
    assert rc == 0, (out, err)
    rc, out, err = run(mcsim, "run", ROOT / "scenarios" / "default.yaml", "--max-memory", "4G")
    assert rc == 0, (out, err)


@pytest.mark.parametrize("cmd", ["run", "check"])
@pytest.mark.parametrize("value", ["lots", "12Q", "-5M", "1.5", "1..5G", "99999999999T"])
def test_bad_max_memory_values_are_refused(mcsim, cmd, value):
    rc, out, err = run(mcsim, cmd, ROOT / "scenarios" / "default.yaml", "--max-memory", value)
    assert rc == 2
    assert err.strip().splitlines()[0] == (
        f"mcsim {cmd}: --max-memory: '{value}' is not a size (e.g. 512M, 4G, 0 for no limit)")


def test_max_memory_needs_a_value(mcsim):
    rc, out, err = run(mcsim, "run", ROOT / "scenarios" / "default.yaml", "--max-memory")
    assert rc == 2
    assert "mcsim run: --max-memory needs a value" in err


def igmpv2_report_frame(i: int) -> bytes:
    """Ethernet + IPv4 (TTL 1, Router Alert) + IGMPv2 report for 239.2.(i>>8).(i&255),
    checksums computed here (RFC 1071), so the capture is valid input for decode."""
    def csum(b):
        s = sum(struct.unpack(f"!{len(b) // 2}H", b))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        return (~s) & 0xFFFF
    g = bytes([239, 2, (i >> 8) & 255, i & 255])
    igmp = bytearray(struct.pack("!BBH4s", 0x16, 0, 0, g))
    struct.pack_into("!H", igmp, 2, csum(bytes(igmp)))
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x46, 0, 24 + 8, 0, 0, 1, 2, 0, bytes([10, 0, 0, 2]), g))
    ip += b"\x94\x04\x00\x00"
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    mac = bytes([0x01, 0x00, 0x5E, g[1] & 0x7F, g[2], g[3]])
    return mac + bytes([2, 0, 0, 0, 0, 2]) + b"\x08\x00" + bytes(ip) + bytes(igmp)


def test_html_report_of_a_large_capture_keeps_the_first_100000_messages(mcsim, tmp_path):
    cap = tmp_path / "big.pcap"
    n = 100_250
    with open(cap, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        recs = []
        for i in range(n):
            f = igmpv2_report_frame(i % 65536)
            recs.append(struct.pack("<IIII", 1000 + i // 1000, (i % 1000) * 1000, len(f), len(f)) + f)
        fh.write(b"".join(recs))
    html = tmp_path / "r.html"
    rc, out, err = run(mcsim, "decode", cap, "--format", "jsonl", "--html", html)
    assert rc == 0, err
    assert len(out.splitlines()) == n  # the decode itself is complete
    assert "mcsim decode: the report shows the first 100000 of 100250 messages" in err
    page = html.read_text()
    assert "(first 100000 of 100250 messages)" in page
