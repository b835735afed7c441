"""`mcsim validate`: findings on real captures (checked by hand against `mcsim decode`),
exit codes, output formats."""
import json
import struct
import subprocess

import pytest

from conftest import ROOT

LINUX = ROOT / "scenarios" / "captures" / "linux-join-leave.pcap"


def run(mcsim_bin, *args):
    return subprocess.run([str(mcsim_bin), *map(str, args)], capture_output=True, text=True, timeout=60)


def findings(mcsim_bin, path, role):
    r = run(mcsim_bin, "validate", path, "--role", role, "--format", "jsonl")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert "summary" in lines[-1]
    return r.returncode, [(f["frame"], f["rule"], f["severity"]) for f in lines[:-1]], lines[-1]["summary"]


@pytest.mark.parametrize("role", ["host", "router"])
def test_linux_capture_is_clean(mcsim_bin, role):
    # Linux 6.x kernel traffic: MLDv2 reports from :: before DAD (allowed, RFC 9777 §5.2.13),
    # state changes sent twice (Robustness Variable 2), IGMPv2/MLDv1 compatibility joins and
    # leaves. No querier is on the link, so the router-side timing rules have nothing to judge.
    rc, got, summary = findings(mcsim_bin, LINUX, role)
    assert got == []
    assert rc == 0 and summary["ok"] is True
    assert summary["messages"] == (28 if role == "host" else 0)


def test_tcpdump_igmpv2_router(mcsim_bin, shared_pcaps):
    # Querier 192.168.1.2 (IGMPv2): its four queries (frames 1, 6, 11, 15) carry no Router
    # Alert option (RFC 2236 §2, should). After the leaves in frames 5 and 10 it sends one
    # group-specific query each (frames 6, 11) where [Last Member Query Count] defaults to the
    # Robustness Variable 2 (RFC 2236 §3, §8.9); no report for 225.1.1.3 / 225.1.1.4 comes in
    # between (frames 7 and 12 report other groups). General queries 1 and 15 are 125.07 s
    # apart: one interval, consistent (learned, IGMPv2 has no QQIC); MRT 10 s < QI.
    rc, got, summary = findings(mcsim_bin, shared_pcaps / "tcpdump__IGMP_V2.pcap", "router")
    assert got == [
        (1, "IGMP-RA-2", "should"),
        (6, "IGMP-RA-2", "should"),
        (6, "Q-LMQ-1", "should"),
        (11, "IGMP-RA-2", "should"),
        (11, "Q-LMQ-1", "should"),
        (15, "IGMP-RA-2", "should"),
    ]
    assert rc == 1 and summary["messages"] == 4 and summary["must"] == 0 and summary["should"] == 6


def test_tcpdump_igmpv2_host(mcsim_bin, shared_pcaps):
    # Reports carry TTL 1 and Router Alert, go to their group, leaves to 224.0.0.2. Reports
    # after the general query of frame 1 (10 s) come at +0.9, +7.1, +8.4 s; after frame 15 at
    # +3.9, +4.9, +8.0 s. Joins 225.1.1.4 (frames 7-9) and 225.1.1.5 (12-14) are sent three
    # times: the initial report repeated "once or twice" (RFC 2236 §3) is within the rule.
    rc, got, summary = findings(mcsim_bin, shared_pcaps / "tcpdump__IGMP_V2.pcap", "host")
    assert got == []
    assert rc == 0 and summary["messages"] == 14


def test_text_format(mcsim_bin, shared_pcaps):
    r = run(mcsim_bin, "validate", shared_pcaps / "tcpdump__IGMP_V2.pcap", "--role", "router")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "frame 1: IGMP-RA-2 (RFC 2236 §2): IGMPv2 message without the Router Alert option [should]"
    assert lines[2].startswith("frame 6: Q-LMQ-1 (")
    assert "1 of 2 last-member queries after the leave for 225.1.1.3 in frame 5" in lines[2]
    assert lines[-1].startswith("FAIL: ") and "6 findings (0 must, 6 should, 0 info)" in lines[-1]


def ip_checksum(b):
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def v2_report(ttl):
    igmp = bytearray(b"\x16\x00\x00\x00\xef\x01\x01\x01")
    igmp[2:4] = struct.pack("!H", ip_checksum(bytes(igmp)))
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s4s", 0x46, 0, 24 + 8, 0, 0, ttl, 2, 0, bytes([10, 0, 0, 5]),
                                bytes([239, 1, 1, 1]), b"\x94\x04\x00\x00"))
    hdr[10:12] = struct.pack("!H", ip_checksum(bytes(hdr)))
    return bytes(hdr) + bytes(igmp)


def pcap(datagrams):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)  # raw IP
    for i, d in enumerate(datagrams):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(d), len(d)) + d
    return out


def test_exit_codes(mcsim_bin, tmp_path):
    good = tmp_path / "good.pcap"
    good.write_bytes(pcap([v2_report(1)]))
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(pcap([v2_report(1), v2_report(4)]))
    assert run(mcsim_bin, "validate", good, "--role", "host").returncode == 0
    r = run(mcsim_bin, "validate", bad, "--role", "host")
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "frame 2: IGMP-TTL-1 (RFC 9776 §4 / RFC 2236 §2): TTL 4, must be 1"
    # Host messages are not judged in router role.
    assert run(mcsim_bin, "validate", bad, "--role", "router").returncode == 0
    # Usage errors and unreadable input: 2, with decode's message for the file.
    for args in ([good], [good, "--role"], [good, "--role", "switch"], ["--role", "host"],
                 [good, "--role", "host", "--format", "xml"], [good, "--role", "host", "--bogus"]):
        r = run(mcsim_bin, "validate", *args)
        assert r.returncode == 2, args
        assert r.stderr.startswith("mcsim validate: "), r.stderr
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture at all")
    r = run(mcsim_bin, "validate", junk, "--role", "host")
    d = run(mcsim_bin, "decode", junk)
    assert r.returncode == 2 and d.returncode == 2
    assert r.stderr.replace("mcsim validate: ", "") == d.stderr.replace("mcsim decode: ", "")
    r = run(mcsim_bin, "validate", tmp_path / "missing.pcap", "--role", "host")
    assert r.returncode == 2 and "missing.pcap" in r.stderr


def test_findings_before_a_truncated_record_are_printed(mcsim_bin, tmp_path):
    # Frame 2 breaks IGMP-TTL-1; the third record's header promises 100 bytes and the file ends.
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(pcap([v2_report(1), v2_report(4)]) + struct.pack("<IIII", 1700000002, 0, 100, 100) + b"\x45")
    r = run(mcsim_bin, "validate", cut, "--role", "host")
    assert r.returncode == 2
    assert r.stdout == "frame 2: IGMP-TTL-1 (RFC 9776 §4 / RFC 2236 §2): TTL 4, must be 1\n"
    assert r.stderr.startswith("mcsim validate: ") and "truncated" in r.stderr, r.stderr


def test_help_lists_rules(mcsim_bin):
    r = run(mcsim_bin, "validate", "--help")
    assert r.returncode == 0
    for rule in ("WF-1", "IGMP-TTL-1", "MLD-RA-1", "Q-LMQ-1", "Q-ELECT-1", "HOST-RESP-1", "HOST-REPEAT-1"):
        assert f"  {rule} " in r.stdout
    assert "validate FILE" in run(mcsim_bin, "--help").stdout


def test_rules_documented(mcsim_bin):
    doc = (ROOT / "docs" / "validate.md").read_text()
    r = run(mcsim_bin, "validate", "--help")
    ids = [l.split()[0] for l in r.stdout.split("rules:\n", 1)[1].splitlines() if l.strip()]
    assert len(ids) == 36
    for rule in ids:
        assert f"| {rule} |" in doc, rule
