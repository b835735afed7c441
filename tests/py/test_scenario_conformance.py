"""Everything the simulator puts on the wire conforms: every scenario's per-LAN pcaps pass
`mcsim validate` in both roles (host: reports/leaves; router: queries, timing, election).
Scenarios that deliberately send non-conformant traffic list their expected findings here."""
import json
import pathlib
import subprocess

import pytest

from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))
# scenario file name -> {(role, rule id), ...} it is expected to break. Each must appear.
EXPECTED_FINDINGS: dict = {
    # Seed 002's IP-RAW method: the CH395 builds an IPv4 header without options and TOS 0
    # (RFC 9776 §4: Router Alert MUST, TOS 0xC0 SHOULD), and the firmware resends its
    # CHANGE_TO_EXCLUDE report every 5 s instead of answering queries (§5.1).
    "seed002_ipraw.yaml": {("host", "IGMP-RA-1"), ("host", "IGMP-TOS-1"), ("host", "HOST-REPEAT-1")},
    # The MAC-RAW variant as the seed wrote it: the same, plus its wrong IPv4 header checksum
    # (0x1316, RFC 791 §3.1) and the 8 zero bytes counted in Total Length (trailing bytes).
    "seed002_macraw.yaml": {("host", "IGMP-RA-1"), ("host", "IGMP-TOS-1"), ("host", "HOST-REPEAT-1"),
                            ("host", "CKSUM-2"), ("host", "WF-1")},
}


@pytest.mark.parametrize("path", SCENARIOS, ids=[str(p.relative_to(ROOT / "scenarios")) for p in SCENARIOS])
def test_simulated_traffic_validates(path, mcsim_bin, tmp_path):
    r = subprocess.run([str(mcsim_bin), "run", str(path), "--pcap-dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr
    pcaps = sorted(tmp_path.glob("*.pcap"))
    assert pcaps, f"{path}: no pcap written"
    found = set()
    for p in pcaps:
        for role in ("host", "router"):
            v = subprocess.run([str(mcsim_bin), "validate", str(p), "--role", role, "--format", "jsonl"],
                               capture_output=True, text=True, timeout=120)
            assert v.returncode in (0, 1), v.stderr
            for line in v.stdout.splitlines():
                o = json.loads(line)
                if "rule" in o and o.get("severity") != "info":
                    found.add((role, o["rule"], p.name, o.get("frame"), o.get("reason")))
    expected = EXPECTED_FINDINGS.get(path.name, set())
    unexpected = {f for f in found if (f[0], f[1]) not in expected}
    assert not unexpected, "\n".join(map(str, sorted(unexpected)))
    missing = expected - {(f[0], f[1]) for f in found}
    assert not missing, f"{path.name}: expected findings not reported: {sorted(missing)}"

