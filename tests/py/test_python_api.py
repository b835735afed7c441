"""The Python API (import mcsim): seed-table rows through sockets, code-built topologies equal
to YAML ones, exceptions, capture decode equal to `mcsim decode --format jsonl`, validate,
compare, sweeps on a thread pool and on dask."""
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _python_dir() -> pathlib.Path:
    if os.environ.get("MCSIM_PYTHON_DIR"):
        return pathlib.Path(os.environ["MCSIM_PYTHON_DIR"])
    bin_dir = pathlib.Path(os.environ.get("MCSIM_BIN_DIR", ROOT / "build" / "bin"))
    return bin_dir.parent / "python"


PYDIR = _python_dir()
if not (PYDIR / "mcsim" / "__init__.py").exists():
    pytest.skip(f"mcsim Python package not built at {PYDIR} (needs pybind11)", allow_module_level=True)
sys.path.insert(0, str(PYDIR))
import mcsim  # noqa: E402

TABLE = ROOT / "scenarios" / "seed" / "windows-table"
G, S = "239.1.1.1", "10.1.1.1"

# Seed table rows: the calls (2 s apart from t=1s, socket A of h1), the last one fails.
ROWS = {
    1: ("row01-add-membership-twice", [("join", G), ("join", G)], "WSAEADDRNOTAVAIL", 10049),
    2: ("row02-add-membership-then-add-source", [("join", G), ("join_source", G, S)], "WSAEADDRNOTAVAIL", 10049),
    3: ("row03-add-membership-then-drop-source", [("join", G), ("leave_source", G, S)], "WSAEINVAL", 10022),
    4: ("row04-add-membership-then-unblock", [("join", G), ("unblock", G, S)], "WSAEINVAL", 10022),
    6: ("row06-add-source-then-add-membership", [("join_source", G, S), ("join", G)], "WSAEADDRNOTAVAIL", 10049),
    7: ("row07-add-source-twice", [("join_source", G, S), ("join_source", G, S)], "WSAEADDRNOTAVAIL", 10049),
    11: ("row11-block-twice", [("join", G), ("block", G, S), ("block", G, S)], "WSAEADDRNOTAVAIL", 10049),
    12: ("row12-block-then-add-source", [("join", G), ("block", G, S), ("join_source", G, S)], "WSAEINVAL", 10022),
    13: ("row13-block-then-add-membership", [("join", G), ("block", G, S), ("join", G)], "WSAEINVAL", 10022),
    14: ("row14-unblock-twice", [("join", G), ("block", G, S), ("unblock", G, S), ("unblock", G, S)],
         "WSAEADDRNOTAVAIL", 10049),
}


def _row_in_code(calls, until: str = "12s"):
    sim = mcsim.Simulation.new(name="row", seed=1, profile="windows", until=until)
    sim.add_lan("lan0")
    h = sim.add_host("h1", lan="lan0", ipv4="10.0.0.2")
    sock = h.socket("A")
    error = None
    for i, (method, *args) in enumerate(calls):
        sim.run(until=1.0 + 2 * i)
        try:
            getattr(sock, method)(*args)
        except mcsim.SocketError as e:
            assert i == len(calls) - 1, f"call {i} failed: {e}"
            error = e
    sim.run()
    return sim, h, error


def _without_expect(events):
    return [e for e in events if e["event"] != "expect"]


@pytest.mark.parametrize("row", sorted(ROWS))
def test_seed_row_through_sockets(row):
    stem, calls, name, code = ROWS[row]
    sim, h, err = _row_in_code(calls)
    assert err is not None, f"row {row}: last call succeeded"
    assert (err.name, err.code, err.profile) == (name, code, "windows")
    assert err.reason and isinstance(err, OSError)
    # the same row loaded from YAML: passes, same events, golden semantics
    yaml_sim = mcsim.Simulation(mcsim.Scenario.load(TABLE / f"{stem}.yaml"))
    yaml_sim.run()
    assert yaml_sim.failures == 0 and yaml_sim.error == ""
    assert _without_expect(yaml_sim.events) == sim.events
    assert mcsim.compare(TABLE / f"{stem}.golden.jsonl", sim) == ""
    assert sim.results == []  # socket calls record no expectations


def test_row14_state_and_results():
    stem, calls, _, _ = ROWS[14]
    sim = mcsim.Simulation(mcsim.Scenario.load(TABLE / f"{stem}.yaml"), seed=1)
    sim.run(until="10s")
    assert sim.now == 10.0
    assert sim.host("h1").membership(G) == ("exclude", [])
    assert [r["passed"] for r in sim.results] == [True] * 5
    assert sim.results[-1]["loc"].endswith("row14-unblock-twice.yaml:28:5")
    sim.run()
    assert sim.now == sim.end == 12.0
    # JSONL identity with the CLI (minus the CLI's final summary line)
    out = subprocess.run([str(_bin()), "run", str(TABLE / f"{stem}.yaml"), "--format", "jsonl"],
                         capture_output=True, text=True, check=True).stdout
    cli = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [e for e in cli if e.get("event") != "summary"] == sim.events


def _bin() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MCSIM_BIN_DIR", ROOT / "build" / "bin")) / "mcsim"


def test_scenario_fields():
    sc = mcsim.Scenario.load(ROOT / "scenarios" / "router" / "block-source-in-exclude.yaml")
    assert sc.profile == "windows" and sc.until > 0 and sc.seed >= 0
    assert [h["name"] for h in sc.hosts] and [r["name"] for r in sc.routers] == ["r1"]
    assert {"name", "mtu", "latency", "loss", "duplicate"} <= set(sc.lans[0])
    import pickle
    assert pickle.loads(pickle.dumps(sc)).name == sc.name


def test_router_state_and_step():
    sim = mcsim.Simulation(ROOT / "scenarios" / "router" / "block-source-in-exclude.yaml")
    r1 = sim.router("r1")
    n = 0
    while sim.now < 6.0 and sim.step():
        n += 1
    assert n > 0
    sim.run(until="10s")
    assert r1.group("239.1.1.1") == ("exclude", ["10.0.0.5"])
    assert r1.group("239.9.9.9") is None
    assert r1.is_querier is True
    sim.run()
    assert sim.failures == 0
    assert all(not r["loc"].startswith("<state>") for r in sim.results)
    assert all(e.get("at") != "<state>" for e in sim.events)


def test_deliveries_counted():
    sim = mcsim.Simulation(ROOT / "scenarios" / "router" / "data-delivery-per-socket.yaml")
    sim.run()
    h2 = sim.host("h2")
    assert h2.socket("A").delivered("239.1.1.1", "10.0.0.5") == 2
    assert h2.socket("B").delivered("239.1.1.1") == 0
    assert h2.delivered("ff3e::1:2") == 1


def test_code_built_topology_with_router_equals_yaml(tmp_path):
    yaml_text = """name: built
seed: 3
until: 20s
lans: [{name: lan0}]
routers: [{name: r1, lan: lan0, ipv4: 10.0.0.1, ipv6: "fe80::1"}]
hosts: [{name: h1, lan: lan0, ipv4: 10.0.0.2, ipv6: "fe80::2"}]
events:
  - {at: 2s, host: h1, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}
  - {at: 4s, host: h1, socket: B, op: MCAST_JOIN_SOURCE_GROUP, group: "ff3e::1:2", source: "2001:db8::5"}
  - {at: 6s, host: h1, socket: A, op: SET_FILTER, group: 239.1.1.1, mode: include, sources: [10.0.0.7]}
  - {at: 8s, host: h1, socket: C, op: MCAST_JOIN_GROUP, group: 239.3.3.3}
  - {at: 9s, host: h1, socket: B, op: CLOSE}
"""
    a = mcsim.Simulation(mcsim.Scenario.from_yaml(yaml_text, name="built.yaml"))
    a.run()
    b = mcsim.Simulation.new(name="built", seed=3, until="20s")
    b.add_lan("lan0")
    b.add_router("r1", lan="lan0", ipv4="10.0.0.1", ipv6="fe80::1")
    h = b.add_host("h1", lan="lan0", ipv4="10.0.0.2", ipv6="fe80::2")
    b.run(until="2s")
    h.socket("A").join("239.1.1.1")
    b.run(until=4.0)
    h.socket("B").join_source("ff3e::1:2", "2001:db8::5")
    b.run(until="6s")
    h.socket("A").set_filter("239.1.1.1", "include", ["10.0.0.7"])
    b.run(until="8s")
    h.socket("C").setsockopt("MCAST_JOIN_GROUP", group="239.3.3.3")
    b.run(until="9s")
    h.socket("B").close()
    b.run()
    assert len(a.events) > 10
    assert a.events == b.events
    assert h.membership("239.1.1.1") == ("include", ["10.0.0.7"])
    assert b.router("r1").group("239.1.1.1") == ("include", ["10.0.0.7"])


def test_setsockopt_by_name_and_apply():
    sim = mcsim.Simulation.new(seed=1)
    sim.add_lan("lan0")
    h = sim.add_host("h1", lan="lan0", ipv4="10.0.0.2")
    sim.run(until="1s")
    s = h.socket("A")
    s.setsockopt("IP_ADD_SOURCE_MEMBERSHIP", group=G, source=S)
    with pytest.raises(mcsim.SocketError) as ei:
        s.setsockopt("IP_ADD_SOURCE_MEMBERSHIP", group=G, source=S)
    assert (ei.value.name, ei.value.code) == ("WSAEADDRNOTAVAIL", 10049)
    # an action with `expect` returns the result and records the expectation
    assert sim.apply({"host": "h1", "socket": "A", "op": "IP_ADD_MEMBERSHIP", "group": G,
                      "expect": "WSAEADDRNOTAVAIL"}) == "WSAEADDRNOTAVAIL"
    assert sim.results[-1]["passed"] is True
    assert sim.apply({"host": "h1", "socket": "C", "op": "IP_ADD_MEMBERSHIP", "group": "239.2.2.2"}) == "ok"
    assert h.membership(G) == ("include", [S])
    # not a multicast group: the API's error, as a real socket would answer
    with pytest.raises(mcsim.SocketError) as ei:
        s.join("10.0.0.9")
    assert ei.value.name == "WSAEINVAL" and ei.value.code == 10022


def test_linux_profile_error_names():
    sim = mcsim.Simulation.new(seed=1, profile="linux")
    sim.add_lan("lan0")
    h = sim.add_host("h1", lan="lan0", ipv4="10.0.0.2")
    s = h.socket("A")
    s.join(G)
    with pytest.raises(mcsim.SocketError) as ei:
        s.join(G)
    assert ei.value.profile == "linux" and ei.value.name.startswith("E") and 0 < ei.value.code < 200


def test_exceptions(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlans:\n  - {name: lan0, mtuu: 1500}\n")
    with pytest.raises(mcsim.ScenarioError) as ei:
        mcsim.Scenario.load(bad)
    assert str(ei.value).startswith(f"{bad}:3:")
    assert "did you mean 'mtu'" in str(ei.value)
    assert isinstance(ei.value, ValueError)
    with pytest.raises(mcsim.ScenarioError, match=r"^<string>:1:1"):
        mcsim.Scenario.from_yaml("- a list\n")
    sim = mcsim.Simulation.new()
    sim.add_lan("lan0")
    sim.add_host("h1", lan="lan0", ipv4="10.0.0.2")
    with pytest.raises(mcsim.ScenarioError, match="unknown op"):
        sim.apply({"host": "h1", "socket": "A", "op": "IP_JOIN_EVERYTHING", "group": G})
    with pytest.raises(mcsim.ScenarioError):
        sim.host("nobody").socket("A").join(G)
    with pytest.raises(RuntimeError):
        sim.add_lan("late")
    with pytest.raises(ValueError):
        sim.run(until="10 parsecs")
    with pytest.raises(mcsim.CaptureError):
        list(mcsim.decode(tmp_path / "missing.pcap"))
    with pytest.raises(mcsim.ScenarioError):
        mcsim.Simulation(mcsim.Scenario.from_yaml("name: x\n"), profile="beos")


def test_pcap_dir_and_compare(tmp_path):
    stem = ROWS[11][0]
    sim = mcsim.Simulation(TABLE / f"{stem}.yaml", pcap_dir=tmp_path)
    sim.run()
    pcap = tmp_path / "lan0.pcap"
    assert pcap.exists()
    assert mcsim.compare(pcap, sim) == ""
    assert mcsim.compare(TABLE / f"{stem}.golden.jsonl", pcap) == ""
    tx = [e for e in sim.events if e["event"] == "tx"]
    msgs = list(mcsim.decode(pcap))
    assert len(msgs) == len(tx)
    assert [m.kind for m in msgs] == [e["kind"] for e in tx]
    assert msgs[0].records[0].type_name == tx[0]["records"][0]["type_name"]
    other = TABLE / f"{ROWS[1][0]}.golden.jsonl"
    assert "differ" in mcsim.compare(other, sim)


def _pcap_files(d):
    return sorted(p for p in d.iterdir() if p.suffix in (".pcap", ".pcapng", ".cap"))


def test_decode_equals_cli_jsonl(mcsim_bin, shared_pcaps):
    files = _pcap_files(shared_pcaps)
    assert files
    checked = 0
    for f in files:
        proc = subprocess.run([str(mcsim_bin), "decode", "--format", "jsonl", str(f)], capture_output=True, text=True)
        cli = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        if proc.returncode != 0:
            with pytest.raises(mcsim.CaptureError):
                list(mcsim.decode(f))
            continue
        msgs = list(mcsim.decode(f, chunk=7))  # small chunks exercise the chunk boundaries
        assert [m.to_dict() for m in msgs] == cli, f.name
        assert list(mcsim.decode_dicts(f)) == cli
        # the C++ JSON-to-object path builds what json.loads builds (floats, escapes, ...)
        dec, via_json = mcsim._core.Decoder(str(f)), []
        while (text := dec.next_chunk(5)) is not None:
            via_json += json.loads(text)
        assert via_json == cli
        assert all(type(x) is dict for x in mcsim.decode_dicts(f))
        for m, d in zip(msgs, cli):
            assert m.kind == d["kind"] and m.src == d["src"] and m == d
        checked += 1
    assert checked > 0


@pytest.mark.skipif(not mcsim.HAVE_VALIDATE, reason="pcap/validate not in this build")
def test_validate_equals_cli(mcsim_bin, shared_pcaps):
    for f in _pcap_files(shared_pcaps)[:6]:
        for role in ("router", "host"):
            proc = subprocess.run([str(mcsim_bin), "validate", str(f), "--role", role, "--format", "jsonl"],
                                  capture_output=True, text=True)
            if proc.returncode == 2:
                continue
            lines = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
            got = mcsim.validate(f, role=role)
            assert got["findings"] == lines[:-1]
            assert got["summary"] == lines[-1]["summary"]
    with pytest.raises(ValueError):
        mcsim.validate(_pcap_files(shared_pcaps)[0], role="switch")


def _strip(rows):
    return [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]


def test_sweep_sequential_and_threads():
    sc = mcsim.Scenario.load(TABLE / f"{ROWS[14][0]}.yaml")
    params = {"until": ["5s", "12s"], "profile": ["windows"]}
    seq = mcsim.sweep(sc, seeds=[1, 2, 3], params=params)
    assert len(seq) == 6
    assert [(r["seed"], r["until"]) for r in seq[:2]] == [(1, "5s"), (1, "12s")]
    assert all(r["ok"] and r["failed"] == 0 and r["error"] == "" for r in seq)
    assert all(r["tx"] > 0 for r in seq)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        par = mcsim.sweep(sc, seeds=[1, 2, 3], params=params, executor=ex)
    assert _strip(par) == _strip(seq)
    with pytest.raises(ValueError):
        mcsim.sweep(sc, params={"colour": ["red"]})


def test_sweep_on_dask():
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed (python3-distributed)")
    sc = mcsim.Scenario.load(TABLE / f"{ROWS[1][0]}.yaml")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        rows = mcsim.sweep(sc, seeds=[1, 2], params={"until": ["6s", "12s"]}, executor=client)
    assert _strip(rows) == _strip(mcsim.sweep(sc, seeds=[1, 2], params={"until": ["6s", "12s"]}))
    assert all(r["ok"] for r in rows)


def test_sweep_dataframe():
    pd = pytest.importorskip("pandas", reason="pandas not installed (python3-pandas)")
    df = mcsim.sweep(TABLE / f"{ROWS[1][0]}.yaml", seeds=[1, 2], as_frame=True)
    assert isinstance(df, pd.DataFrame) and list(df["seed"]) == [1, 2]


def test_durations():
    assert mcsim.to_seconds("1.5s") == 1.5
    assert mcsim.to_seconds("250ms") == 0.25
    assert mcsim.to_seconds(3) == 3.0
    with pytest.raises(ValueError):
        mcsim.to_seconds("12")
