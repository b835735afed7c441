"""Every capture in ../shared/pcaps decodes as its FILE.expected.json (tshark) says.

The reference decodes are tshark 4.0.17 reduced to JSON (format in
../shared/pcaps/README.md). Each IGMP/MLD message and every field both
describe is compared; new captures dropped there are covered without code
changes. Where the RFC and tshark disagree, mcsim follows the RFC and the
difference is listed in RFC_OVER_TSHARK with the section.
"""
import json
import pathlib
import subprocess

import pytest

from conftest import _shared_dir

# (file, frame, field) -> RFC section that mcsim follows instead of tshark.
RFC_OVER_TSHARK: dict = {}

# tshark kind -> (our kind, query version)
QUERY_KINDS = {
    "igmpv1_query": ("igmp_query", 1),
    "igmpv2_query": ("igmp_query", 2),
    "igmpv3_query": ("igmp_query", 3),
    "mldv1_query": ("mld_query", 1),
    "mldv2_query": ("mld_query", 2),
}
SAME_KINDS = {"igmpv1_report", "igmpv2_report", "igmpv2_leave", "igmpv3_report",
              "mldv1_report", "mldv1_done", "mldv2_report"}


def captures():
    d = _shared_dir() / "pcaps"
    if not d.is_dir():
        return []
    return sorted(p.name for p in d.glob("*.expected.json"))


def decode(mcsim_bin, path):
    r = subprocess.run([str(mcsim_bin), "decode", "--format", "jsonl", str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"mcsim decode {path} exited {r.returncode}: {r.stderr}"
    return {o["frame"]: o for o in map(json.loads, r.stdout.splitlines())}


def expected_fields(p):
    """The fields of our JSONL that the tshark reference describes, as we would print them."""
    ip, msg = p["ip"], p["msg"]
    e = {"ip": ip["version"], "src": ip["src"], "dst": ip["dst"],
         "router_alert": bool(ip.get("router_alert", False))}
    e["ttl"] = ip["ttl"] if ip["version"] == 4 else ip["hop_limit"]
    if ip["version"] == 4 and "tos" in ip:
        e["tos"] = int(ip["tos"], 16)
    kind = msg["kind"]
    derived = msg.get("derived", {})
    if kind in QUERY_KINDS:
        e["kind"], e["version"] = QUERY_KINDS[kind]
        e["group"] = msg["group"]
        if kind.startswith("igmp"):
            # IGMPv1: the field is unused (RFC 2236 §4); v3: RFC 9776 §4.1.1 float form.
            if kind == "igmpv1_query":
                e["max_resp_ms"] = 0
            elif kind == "igmpv3_query":
                e["max_resp_ms"] = derived["max_resp_time_tenths_rfc3376"] * 100
            else:
                e["max_resp_ms"] = msg["max_resp_time_ms"]
        else:
            e["max_resp_ms"] = msg["max_resp_delay_ms"] if kind == "mldv1_query" else derived["max_resp_delay_ms"]
        if kind in ("igmpv3_query", "mldv2_query"):
            e["s_flag"] = msg["s_flag"]
            e["qrv"] = msg["qrv"]
            e["qqi_s"] = derived["qqi_seconds"]
            e["sources"] = msg["sources"]
    elif kind in SAME_KINDS:
        e["kind"] = kind
        if "records" in msg:
            e["records"] = [{"type": r["type"], "type_name": r["type_name"], "group": r["group"],
                             "sources": r["sources"], "aux_len": r["aux_data_len"]} for r in msg["records"]]
        else:
            e["group"] = msg["group"]
    else:  # RGMP, DVMRP, PIMv1, mtrace: other messages of IP protocol 2
        e["kind"] = "igmp_other"
        e["igmp_type"] = msg["type"]
    if msg.get("checksum_status") in ("good", "bad"):
        e["checksum_ok"] = msg["checksum_status"] == "good"
    return e


def expected_errors(p):
    """Errors our decoder must report for this frame, from the reference's own indexes."""
    msg = p["msg"]
    errs = set()
    if msg.get("checksum_status") == "bad":
        errs.add("bad_checksum")
    if p["ip"].get("header_checksum_status") == "bad":
        errs.add("bad_ip_checksum")
    trailing = msg.get("derived", {}).get("trailing_bytes", 0)
    if trailing > 0 and msg["kind"] not in ("mtrace_query", "mtrace_request", "dvmrp", "pimv1") \
            and not msg["kind"].startswith("rgmp"):
        errs.add("trailing_bytes")
    if p.get("snaplen_truncated"):
        errs.add("snap_truncated")
    return errs


@pytest.mark.parametrize("name", captures())
def test_capture_matches_reference(name, mcsim_bin, shared_pcaps):
    ref = json.loads((shared_pcaps / name).read_text())
    pcap = shared_pcaps / ref["file"]
    ours = decode(mcsim_bin, pcap)
    problems = []
    compared = 0
    ref_frames = set()
    for p in ref["packets"]:
        frame = p["frame"]
        ref_frames.add(frame)
        if p.get("encapsulation_depth", 0) > 0:
            continue  # tunnelled (AYIYA, VXLAN, ...): not decoded by mcsim
        got = ours.get(frame)
        if got is None:
            problems.append(f"frame {frame}: tshark decodes a {p['msg']['kind']}, mcsim found no message")
            continue
        compared += 1
        for key, want in expected_fields(p).items():
            if (ref["file"], frame, key) in RFC_OVER_TSHARK:
                continue
            if got.get(key) != want:
                problems.append(f"frame {frame}: {key}: mcsim {got.get(key)!r}, tshark {want!r}")
        missing = expected_errors(p) - set(got["errors"])
        if missing:
            problems.append(f"frame {frame}: errors {got['errors']} lack {sorted(missing)}")
        if not expected_errors(p) and got["errors"] and not set(got["errors"]) <= {"bad_ttl"}:
            problems.append(f"frame {frame}: well-formed per reference, mcsim reports {got['errors']}")
    extra = sorted(set(ours) - ref_frames)
    if extra:
        problems.append(f"mcsim decodes messages in frames tshark does not list: {extra[:10]}")
    assert not problems, f"{ref['file']}: {len(problems)} differences\n" + "\n".join(problems[:40])
    assert compared > 0 or all(p.get("encapsulation_depth", 0) > 0 for p in ref["packets"])


def test_reference_captures_present(shared_pcaps):
    """Keeps the suite from silently covering nothing: the shared set must hold captures."""
    assert captures(), f"no *.expected.json in {shared_pcaps}"
