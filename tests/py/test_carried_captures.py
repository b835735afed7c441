"""Captures the project carries (made from the Linux kernel in network namespaces by
scripts/make-linux-capture.sh) decode as tshark decodes them, and hold what the kernel
is known to send."""
import json
import pathlib
import shutil
import subprocess

import pytest

from conftest import ROOT

CAPTURES = sorted((ROOT / "scenarios").rglob("*.pcap"))
FIELDS = ["frame.number", "ip.dst", "ipv6.dst", "ip.ttl", "ipv6.hlim", "igmp.type", "igmp.record_type",
          "igmp.maddr", "igmp.saddr", "icmpv6.type", "icmpv6.mldr.mar.record_type",
          "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.source_address", "icmpv6.mld.multicast_address"]


def decode(mcsim_bin, path):
    r = subprocess.run([str(mcsim_bin), "decode", "--format", "jsonl", str(path)],
                       capture_output=True, text=True, timeout=60, check=True)
    return [json.loads(line) for line in r.stdout.splitlines()]


def tshark_rows(path):
    r = subprocess.run(["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "separator=|",
                        "-E", "aggregator=,"] + sum((["-e", f] for f in FIELDS), []),
                       capture_output=True, text=True, timeout=120, check=True)
    rows = {}
    for line in r.stdout.splitlines():
        v = dict(zip(FIELDS, line.split("|")))
        rows[int(v["frame.number"])] = v
    return rows


def split(s):
    return [x for x in s.split(",") if x]


@pytest.mark.parametrize("path", CAPTURES, ids=[p.name for p in CAPTURES])
def test_decode_matches_tshark(path, mcsim_bin):
    if shutil.which("tshark") is None:
        pytest.skip("tshark not installed (scripts/setup.sh installs it)")
    ours = decode(mcsim_bin, path)
    ref = tshark_rows(path)
    assert ours, f"{path}: no messages decoded"
    for m in ours:
        t = ref[m["frame"]]
        where = f"{path.name} frame {m['frame']}"
        assert m["dst"] == (t["ip.dst"] or t["ipv6.dst"]), where
        assert str(m["ttl"]) == (t["ip.ttl"] or t["ipv6.hlim"]), where
        if m["ip"] == 4:
            assert int(t["igmp.type"], 16) == {"igmp_query": 0x11, "igmpv1_report": 0x12, "igmpv2_report": 0x16,
                                              "igmpv2_leave": 0x17, "igmpv3_report": 0x22}[m["kind"]], where
            rec_types, groups, srcs = "igmp.record_type", "igmp.maddr", "igmp.saddr"
        else:
            assert int(t["icmpv6.type"].split(",")[0]) == {"mld_query": 130, "mldv1_report": 131, "mldv1_done": 132,
                                                           "mldv2_report": 143}[m["kind"]], where
            rec_types, groups, srcs = ("icmpv6.mldr.mar.record_type", "icmpv6.mldr.mar.multicast_address",
                                       "icmpv6.mldr.mar.source_address")
        if "records" in m:
            assert [r["type"] for r in m["records"]] == [int(x) for x in split(t[rec_types])], where
            assert [r["group"] for r in m["records"]] == split(t[groups]), where
            assert [s for r in m["records"] for s in r["sources"]] == split(t[srcs]), where
        else:
            assert m["group"] == (split(t["igmp.maddr"]) or split(t["icmpv6.mld.multicast_address"]))[0], where
        assert m["checksum_ok"] and m["errors"] == [], where


def test_linux_capture_holds_kernel_behaviour(mcsim_bin):
    """What Linux sent for the calls in scripts/make-linux-capture.sh (RFC 9776 §5.1 records,
    RFC 2236 §3 leave to 224.0.0.2, RFC 2710 §3 done to ff02::2, RFC 9777 §5 hop limit 1 + RA)."""
    msgs = decode(mcsim_bin, ROOT / "scenarios" / "captures" / "linux-join-leave.pcap")
    v4 = [(m["kind"], m["dst"], [(r["type_name"], r["group"], r["sources"]) for r in m.get("records", [])])
          for m in msgs if m["ip"] == 4]
    # Each state change is sent twice ([Robustness Variable] = 2, RFC 9776 §5.1).
    assert v4 == [
        ("igmpv3_report", "224.0.0.22", [("CHANGE_TO_EXCLUDE_MODE", "239.1.1.1", [])]),
        ("igmpv3_report", "224.0.0.22", [("CHANGE_TO_EXCLUDE_MODE", "239.1.1.1", [])]),
        ("igmpv3_report", "224.0.0.22", [("BLOCK_OLD_SOURCES", "239.1.1.1", ["10.99.0.5"])]),
        ("igmpv3_report", "224.0.0.22", [("BLOCK_OLD_SOURCES", "239.1.1.1", ["10.99.0.5"])]),
        ("igmpv3_report", "224.0.0.22", [("ALLOW_NEW_SOURCES", "232.1.1.1", ["10.99.0.9"])]),
        ("igmpv3_report", "224.0.0.22", [("ALLOW_NEW_SOURCES", "232.1.1.1", ["10.99.0.9"])]),
        ("igmpv3_report", "224.0.0.22", [("CHANGE_TO_INCLUDE_MODE", "239.1.1.1", [])]),
        ("igmpv3_report", "224.0.0.22", [("CHANGE_TO_INCLUDE_MODE", "239.1.1.1", [])]),
        ("igmpv3_report", "224.0.0.22", [("BLOCK_OLD_SOURCES", "232.1.1.1", ["10.99.0.9"])]),
        ("igmpv3_report", "224.0.0.22", [("BLOCK_OLD_SOURCES", "232.1.1.1", ["10.99.0.9"])]),
        ("igmpv2_report", "239.2.2.2", []),
        ("igmpv2_report", "239.2.2.2", []),
        ("igmpv2_leave", "224.0.0.2", []),
    ]
    for m in msgs:
        assert m["ttl"] == 1 and m["router_alert"], m
        if m["ip"] == 4:
            assert m["tos"] == 0xC0, m  # RFC 9776 §4: Internetwork Control
    mld = [m for m in msgs if m["ip"] == 6 and m.get("group", "").startswith("ff3e") or
           any(r["group"].startswith("ff3e") for r in m.get("records", []))]
    assert [m["kind"] for m in mld] == ["mldv2_report"] * 4 + ["mldv1_report", "mldv1_report", "mldv1_done"]
    assert mld[-1]["dst"] == "ff02::2"
