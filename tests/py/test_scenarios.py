"""The scenario library (scenarios/**/*.yaml): every scenario passes `mcsim check`, runs are
reproducible (same seed -> byte-identical JSONL and pcaps), every capture the scenarios make
decodes cleanly in tshark, and `mcsim check` / `mcsim run` report bad input with the right exit
code and position."""
import concurrent.futures
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

SCENARIO_DIR = ROOT / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.rglob("*.yaml"))
IDS = [str(p.relative_to(SCENARIO_DIR)) for p in SCENARIOS]


def run(args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120, **kw)


def run_scenario(mcsim_bin, scenario, pcap_dir):
    """One `mcsim run --format jsonl --pcap-dir`: (stdout bytes, {pcap name: bytes})."""
    r = subprocess.run([str(mcsim_bin), "run", str(scenario), "--format", "jsonl", "--pcap-dir", str(pcap_dir)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, f"{scenario}: exit {r.returncode}\n{r.stderr.decode(errors='replace')}"
    pcaps = {p.name: p.read_bytes() for p in sorted(pathlib.Path(pcap_dir).glob("*.pcap"))}
    return r.stdout, pcaps


def test_library_is_not_empty():
    assert len(SCENARIOS) >= 25, f"expected the seed scenario library under {SCENARIO_DIR}"
    seed = SCENARIO_DIR / "seed"
    assert len(list((seed / "windows-table").glob("row*.yaml"))) == 14


def test_check_all_scenarios_pass(mcsim_bin):
    r = run([mcsim_bin, "check", SCENARIO_DIR])
    assert r.returncode == 0, r.stdout + r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert last == f"{len(SCENARIOS)} passed, 0 failed", r.stdout


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_same_seed_same_run(mcsim_bin, scenario, tmp_path):
    out1, pcaps1 = run_scenario(mcsim_bin, scenario, tmp_path / "a")
    out2, pcaps2 = run_scenario(mcsim_bin, scenario, tmp_path / "b")
    assert out1, "no events logged"
    assert out1 == out2, "JSONL differs between two runs with the same seed"
    assert pcaps1, "no pcap written"
    assert pcaps1.keys() == pcaps2.keys()
    for name in pcaps1:
        assert pcaps1[name] == pcaps2[name], f"{name} differs between two runs with the same seed"


def test_pcaps_decode_cleanly_in_tshark(mcsim_bin, tmp_path):
    if shutil.which("tshark") is None:
        pytest.skip("tshark not installed (scripts/setup.sh installs it)")
    pcaps = []
    for i, scenario in enumerate(SCENARIOS):
        d = tmp_path / f"s{i}"
        run_scenario(mcsim_bin, scenario, d)
        pcaps += [(scenario, p) for p in sorted(d.glob("*.pcap"))]
    assert pcaps

    def dissect(item):
        scenario, pcap = item
        r = subprocess.run(["tshark", "-n", "-r", str(pcap), "-V"], capture_output=True, text=True, timeout=120)
        bad = [line.strip() for line in r.stdout.splitlines() if "Malformed" in line or "Expert Info (Error" in line]
        return scenario, pcap, r.returncode, bad, r.stderr

    problems = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for scenario, pcap, rc, bad, err in pool.map(dissect, pcaps):
            if rc != 0:
                problems.append(f"{scenario} {pcap.name}: tshark exit {rc}: {err.strip()}")
            if bad:
                problems.append(f"{scenario} {pcap.name}: " + "; ".join(bad[:5]))
    assert not problems, "\n".join(problems)


# ---- bad input ---------------------------------------------------------------------------------

GOOD = """\
name: probe
until: 6s
lans:
  - name: lan0
hosts:
  - name: h1
    lan: lan0
    ipv4: 10.0.0.2
events:
  - {at: 1s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1, expect: ok}
expect:
  - {at: 3s, host: h1, group: 239.1.1.1, mode: exclude, sources: []}
"""


def test_wrong_expectation_fails_with_file_and_line(mcsim_bin, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    assert run([mcsim_bin, "check", good]).returncode == 0
    bad = tmp_path / "wrong-expectation.yaml"
    bad.write_text(GOOD.replace("mode: exclude", "mode: include"))  # line 12
    r = run([mcsim_bin, "check", bad])
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(re.escape(str(bad)) + r":12(:\d+)?", r.stdout), r.stdout
    assert r.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"
    # A wrong expected error on a call is a failure too.
    bad2 = tmp_path / "wrong-errno.yaml"
    bad2.write_text(GOOD.replace("expect: ok", "expect: WSAEINVAL"))  # line 10
    r = run([mcsim_bin, "check", bad2])
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(re.escape(str(bad2)) + r":10(:\d+)?", r.stdout), r.stdout


def test_broken_yaml_exits_2_with_position(mcsim_bin, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nhosts: [\n  - {a: b\n")
    r = run([mcsim_bin, "check", broken])
    assert r.returncode == 2, r.stdout + r.stderr
    assert re.search(re.escape(str(broken)) + r":\d+:\d+: ", r.stdout + r.stderr), r.stdout + r.stderr
    # A well-formed file with an unknown key is bad input as well, at the key's position.
    typo = tmp_path / "typo.yaml"
    typo.write_text(GOOD.replace("    ipv4: 10.0.0.2", "    ipv4: 10.0.0.2\n    ipv5: 1"))
    r = run([mcsim_bin, "check", typo])
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{typo}:9:5:" in r.stdout + r.stderr, r.stdout + r.stderr


@pytest.mark.parametrize("extra, needle", [
    (["--bogus"], "unknown option"),
    (["--until", "30"], "--until"),
    (["--profile", "bogus"], "--profile"),
], ids=["unknown-flag", "until-without-unit", "bogus-profile"])
def test_run_usage_errors_exit_2(mcsim_bin, tmp_path, extra, needle):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    r = run([mcsim_bin, "run", good] + extra)
    assert r.returncode == 2, r.stdout + r.stderr
    assert needle in r.stderr


def test_run_missing_file_exits_2(mcsim_bin, tmp_path):
    r = run([mcsim_bin, "run", tmp_path / "no-such-scenario.yaml"])
    assert r.returncode == 2, r.stdout + r.stderr
    assert "no-such-scenario.yaml" in r.stderr
