"""`mcsim decode` on bad input: clear message naming file/frame, exit 2 for unreadable
files, per-frame errors otherwise, never a crash."""
import json
import struct
import subprocess

import pytest

# Seed 002: the IGMPv3 report a CH395 sends (one CHANGE_TO_EXCLUDE_MODE record for 224.0.0.251).
SEED002_IGMP = bytes.fromhex("2200f90200000001040000 00e00000fb".replace(" ", ""))


def ip_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(payload, src="192.168.1.10", dst="224.0.0.22", ttl=1, proto=2):
    import socket
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x0298, 0, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + payload


def eth(ip):
    return bytes.fromhex("01005e000016" "b40500000000" "0800") + ip


def pcap(frames, linktype=1, snaplen=65535, lens=None):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        orig = lens[i] if lens else len(f)
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), orig) + f
    return out


def run(mcsim_bin, *args):
    return subprocess.run([str(mcsim_bin), *map(str, args)], capture_output=True, text=True, timeout=30)


def test_seed002_report_decodes_from_a_capture(mcsim_bin, tmp_path):
    f = tmp_path / "seed002.pcap"
    f.write_bytes(pcap([eth(ipv4(SEED002_IGMP))]))
    r = run(mcsim_bin, "decode", "--format", "jsonl", f)
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["kind"] == "igmpv3_report" and m["checksum_ok"]
    assert m["records"] == [{"type": 4, "type_name": "CHANGE_TO_EXCLUDE_MODE", "group": "224.0.0.251",
                             "sources": [], "aux_len": 0}]
    assert m["router_alert"] is False and m["tos"] == 0 and m["ttl"] == 1
    assert m["errors"] == []


@pytest.mark.parametrize("content,what", [
    (b"", "empty file"),
    (b"hello, this is not a capture file\n", "text file"),
    (struct.pack("<IHH", 0xA1B2C3D4, 2, 4), "truncated global header"),
])
def test_unreadable_file_exit_2_naming_it(mcsim_bin, tmp_path, content, what):
    f = tmp_path / "bad.pcap"
    f.write_bytes(content)
    r = run(mcsim_bin, "decode", f)
    assert r.returncode == 2, what
    assert str(f) in r.stderr, what
    assert r.stdout == ""


def test_missing_file(mcsim_bin, tmp_path):
    r = run(mcsim_bin, "decode", tmp_path / "nope.pcap")
    assert r.returncode == 2 and "nope.pcap" in r.stderr


def test_truncated_record_reports_frame_and_keeps_earlier_output(mcsim_bin, tmp_path):
    good = eth(ipv4(SEED002_IGMP))
    data = pcap([good, good])
    f = tmp_path / "cut.pcap"
    f.write_bytes(data[:-10])  # second record's data cut short
    r = run(mcsim_bin, "decode", "--format", "jsonl", f)
    assert r.returncode == 2
    assert len(r.stdout.splitlines()) == 1  # frame 1 still decoded
    assert "frame 2" in r.stderr and str(f) in r.stderr


def test_unsupported_link_type(mcsim_bin, tmp_path):
    f = tmp_path / "user0.pcap"
    f.write_bytes(pcap([b"\x00" * 20], linktype=147))
    r = run(mcsim_bin, "decode", f)
    assert r.returncode == 2
    assert "unsupported link type 147" in r.stderr and str(f) in r.stderr


def test_snap_truncated_frame_is_a_per_frame_error(mcsim_bin, tmp_path):
    # An IGMPv3 report with 2 sources, captured with only the first 54 bytes (14 Ethernet + 20 IP + 8 + 8 record header + 4).
    rec = bytes.fromhex("01000002" "e1010101" "0a000001" "0a000002")
    igmp = bytearray(bytes.fromhex("22000000" "00000001") + rec)
    igmp[2:4] = struct.pack("!H", ip_checksum(bytes(igmp)))
    frame = eth(ipv4(bytes(igmp)))
    f = tmp_path / "snap.pcap"
    f.write_bytes(pcap([frame[:54]], snaplen=54, lens=[len(frame)]))
    r = run(mcsim_bin, "decode", "--format", "jsonl", f)
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert "snap_truncated" in m["errors"] and "length_mismatch" in m["errors"]
    assert "bad_source_count" in m["errors"]
    assert m["records"][0]["sources"] == ["10.0.0.1"]  # what was captured, nothing invented


def test_zero_length_and_non_ip_frames_are_skipped(mcsim_bin, tmp_path):
    f = tmp_path / "mixed.pcap"
    arp = bytes.fromhex("ffffffffffff" "020000000001" "0806") + b"\0" * 28
    f.write_bytes(pcap([b"", arp, b"\x01", eth(ipv4(SEED002_IGMP))]))
    r = run(mcsim_bin, "decode", "--format", "jsonl", f)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["frame"] == 4


def test_bad_igmp_checksum_and_claimed_65535_sources(mcsim_bin, tmp_path):
    bad_ck = bytearray(SEED002_IGMP)
    bad_ck[2:4] = b"\x01\x02"  # the seed's first attempt, before it fixed the checksum
    huge = bytearray(bytes.fromhex("22000000" "00000001" "0100ffff" "e1010101"))
    huge[2:4] = struct.pack("!H", ip_checksum(bytes(huge)))
    f = tmp_path / "bad.pcap"
    f.write_bytes(pcap([eth(ipv4(bytes(bad_ck))), eth(ipv4(bytes(huge)))]))
    r = run(mcsim_bin, "decode", "--format", "jsonl", f)
    assert r.returncode == 0, r.stderr
    a, b = map(json.loads, r.stdout.splitlines())
    assert a["checksum_ok"] is False and a["errors"] == ["bad_checksum"]
    assert b["errors"] == ["bad_source_count"] and b["records"][0]["sources"] == []


@pytest.mark.parametrize("args,code", [
    (["decode"], 2),
    (["decode", "--format"], 2),
    (["decode", "--format", "xml", "x.pcap"], 2),
    (["decode", "--filter", "pim", "x.pcap"], 2),
    (["decode", "--bogus", "x.pcap"], 2),
    (["decode", "--help"], 0),
    (["--help"], 0),
    (["frobnicate"], 2),
    ([], 2),
])
def test_usage_errors(mcsim_bin, args, code):
    r = run(mcsim_bin, *args)
    assert r.returncode == code, (args, r.stderr)
    if code == 2:
        assert r.stderr.strip(), args
    else:
        assert "usage:" in r.stdout


def test_text_output_spells_out_records(mcsim_bin, tmp_path):
    f = tmp_path / "seed002.pcap"
    f.write_bytes(pcap([eth(ipv4(SEED002_IGMP))]))
    r = run(mcsim_bin, "decode", f)
    assert r.returncode == 0
    assert "192.168.1.10 → 224.0.0.22 IGMPv3 Membership Report: TO_EX 224.0.0.251 {}" in r.stdout
