"""Everything the simulator puts on the wire conforms: every scenario's per-LAN pcaps pass
`mcsim validate` in both roles (host: reports/leaves; router: queries, timing, election).
Scenarios that deliberately send non-conformant traffic list their expected findings here."""
import json
import pathlib
import subprocess

import pytest

from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))
# scenario file name -> {(role, rule id), ...} it is expected to break (none yet)
EXPECTED_FINDINGS: dict = {}


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
