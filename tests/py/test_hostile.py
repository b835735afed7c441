"""Hostile input everywhere input enters (docs/reliability.md).

Every case runs the mcsim binary on a crafted capture or scenario and asserts the exit code,
a substring of the message and that no sanitizer report appears. The binary is the one of
MCSIM_BIN_DIR (ctest sets it: build/bin, or build-asan/bin in the MCSIM_SANITIZE build);
without MCSIM_BIN_DIR, build-asan/bin/mcsim is preferred when it exists. The expected
messages are listed in tests/hostile/README.md. Binary files are generated in tmp_path.
"""
import json
import os
import pathlib
import signal
import struct
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer", "SUMMARY: UndefinedBehavior")


@pytest.fixture(scope="module")
def mcsim() -> pathlib.Path:
    if "MCSIM_BIN_DIR" in os.environ:
        exe = pathlib.Path(os.environ["MCSIM_BIN_DIR"]) / "mcsim"
    else:
        asan = ROOT / "build-asan" / "bin" / "mcsim"
        exe = asan if asan.exists() else ROOT / "build" / "bin" / "mcsim"
    if not exe.exists():
        pytest.fail(f"{exe} not built (set MCSIM_BIN_DIR or build first)")
    return exe


def run(exe, *args, timeout=120):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    p = subprocess.run([str(exe), *map(str, args)], capture_output=True, timeout=timeout, env=env)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    for mark in SANITIZER_MARKS:
        assert mark not in err, f"sanitizer report for {args}:\n{err[:4000]}"
    return p.returncode, out, err


# ---- capture builders -------------------------------------------------------------------

def pcap_header(linktype=1, snaplen=262144):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(data, caplen=None, length=None, ts=1):
    caplen = len(data) if caplen is None else caplen
    length = len(data) if length is None else length
    return struct.pack("<IIII", ts, 0, caplen, length) + data


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth4(ip):
    return b"\x01\x00\x5e\x00\x00\x16\x02\x00\x00\x00\x00\x01\x08\x00" + ip


def eth6(ip):
    return b"\x33\x33\x00\x00\x00\x16\x02\x00\x00\x00\x00\x01\x86\xdd" + ip


def ip4(payload, dst=bytes([224, 0, 0, 22])):
    opts = b"\x94\x04\x00\x00"  # Router Alert (RFC 2113)
    h = struct.pack("!BBHHHBBH4s4s", 0x46, 0xC0, 24 + len(payload), 0, 0, 1, 2, 0, bytes([10, 0, 0, 1]), dst) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def igmpv3(records):
    body = b"\x22\x00\x00\x00\x00\x00" + struct.pack("!H", len(records)) + b"".join(records)
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def ip6(nh, payload):
    src = bytes.fromhex("fe800000000000000000000000000001")
    dst = bytes.fromhex("ff020000000000000000000000000016")
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, 1) + src + dst + payload


G = bytes([239, 1, 1, 1])
GOOD = eth4(ip4(igmpv3([b"\x04\x00\x00\x00" + G])))  # TO_EX {} for 239.1.1.1
MLD_V2 = b"\x8f\x00\x00\x00\x00\x00\x00\x01\x04\x00\x00\x00" + bytes.fromhex("ff3e0000000000000000000000001234")


def hbh(nh):
    return bytes([nh, 0]) + b"\x05\x02\x00\x00\x01\x00"  # Router Alert + PadN (RFC 2711)


def bad_checksum(frame):
    b = bytearray(frame)
    b[-5] ^= 0xFF
    return bytes(b)


# name -> (file bytes, decode rc, decode substring (stdout+stderr), validate rc or None)
CAPTURES = {
    "truncated_file_header": (pcap_header()[:10], 2, "truncated dump file", 2),
    "truncated_record_header": (pcap_header() + pcap_record(GOOD) + pcap_record(GOOD)[:8], 2,
                                "frame 2: truncated dump file; tried to read 16 header bytes", 2),
    "truncated_record_data": (pcap_header() + pcap_record(GOOD)[:30], 2,
                              "frame 1: truncated dump file; tried to read 54 captured bytes, only got 14", 2),
    "trailing_bytes": (pcap_header() + pcap_record(GOOD) + b"\x01\x02\x03", 2,
                       "frame 2: truncated dump file; tried to read 16 header bytes, only got 3", 2),
    "caplen_gt_len": (pcap_header() + pcap_record(GOOD, length=len(GOOD) - 10), 0, "igmpv3_report", 0),
    "zero_length_packet": (pcap_header() + pcap_record(b""), 0, "", 0),
    "packet_256k": (pcap_header() + pcap_record(b"\x01\x00\x5e" + b"\0" * (262144 - 3)), 0, "", 0),
    "caplen_over_snaplen": (pcap_header(snaplen=65535) + pcap_record(b"\0" * 300000), 2,
                            "frame 1: invalid packet capture length 300000, bigger than snaplen of 65535", 2),
    "caplen_4g": (pcap_header(snaplen=65535) + pcap_record(b"\0" * 3000, caplen=0xFFFFFFFF, length=300000), 2,
                  "invalid packet capture length 4294967295", 2),
    "pcapng_block_length_lie": (struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
                                + struct.pack("<IIHHI", 1, 20, 1, 0, 0) + struct.pack("<I", 20)
                                + struct.pack("<IIIIIII", 6, 0xFFFFFFF0, 0, 0, 0, 60, 60) + b"\0" * 60, 2,
                                "pcapng block size 4294967280 > maximum", 2),
    "unknown_linktype": (pcap_header(linktype=147) + pcap_record(GOOD), 2, "unsupported link type 147", 2),
    "igmpv3_65535_sources": (pcap_header() + pcap_record(eth4(ip4(igmpv3([b"\x01\x00\xff\xff" + G + bytes([10, 0, 0, 2]) * 3])))),
                             0, "bad_source_count", None),
    "igmpv3_aux_past_end": (pcap_header() + pcap_record(eth4(ip4(igmpv3([b"\x01\x40\x00\x01" + G + bytes([10, 0, 0, 2])])))),
                            0, '"truncated"', None),
    "bad_checksum": (pcap_header() + pcap_record(bad_checksum(GOOD)), 0, "bad_checksum", None),
    "mld_hop_by_hop_chain": (pcap_header() + pcap_record(eth6(ip6(0, hbh(60) + bytes([58, 0]) + b"\x01\x04\0\0\0\0" + MLD_V2))),
                             0, "mldv2_report", None),
    "mld_repeated_hop_by_hop": (pcap_header() + pcap_record(eth6(ip6(0, hbh(0) + hbh(0) + hbh(58) + MLD_V2))), 0, "", None),
    "mld_200_extension_headers": (pcap_header() + pcap_record(eth6(ip6(60, bytes([60, 0, 1, 4, 0, 0, 0, 0]) * 199
                                                                       + bytes([58, 0, 1, 4, 0, 0, 0, 0]) + MLD_V2))),
                                  0, "mldv2_report", None),
}


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_hostile_capture(mcsim, tmp_path, name):
    data, rc, substring, vrc = CAPTURES[name]
    f = tmp_path / f"{name}.pcap"
    f.write_bytes(data)
    code, out, err = run(mcsim, "decode", f, "--format", "jsonl")
    assert code == rc, (out, err)
    assert substring in out + err
    for line in out.splitlines():
        json.loads(line)  # every JSONL line is complete JSON
    for role in ("router", "host"):
        code, out, err = run(mcsim, "validate", f, "--role", role)
        if vrc is not None:
            assert code == vrc, (role, out, err)
        else:
            assert code in (0, 1), (role, out, err)
        if vrc == 2:
            assert substring in err


def billion_laughs():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\nname: *a9\n"


# name -> (file bytes, substring of the loader's file:line:col message)
SCENARIOS = {
    "wrong_type": (b'name: x\nseed: "abc"\n', "wrong_type.yaml:2:7: seed: expected a whole number"),
    "unknown_key": (b"name: x\nbogus_key: 1\n", "unknown_key.yaml:2:1: unknown key 'bogus_key'"),
    "duplicate_key": (b"name: x\nname: y\n", "duplicate_key.yaml:2:1: duplicate key 'name'"),
    "billion_laughs": (billion_laughs().encode(), "billion_laughs.yaml:2:10: YAML aliases (*name) are not supported"),
    "anchor_merge": (b"base: &b {name: h, lan: l}\nname: x\nhosts: [{<<: *b}]\n", "anchor_merge.yaml:"),
    "deep_sequence": (b"name: x\nevents: " + b"[" * 100000 + b"]" * 100000 + b"\n", "nesting deeper than 64 levels"),
    "deep_mapping": (b"name: x\nevents: " + b"{a: " * 50000 + b"1" + b"}" * 50000 + b"\n", "nesting deeper than 64 levels"),
    "huge_number": (b"name: x\nseed: 999999999999999999999999999999\n", "huge_number.yaml:2:7: seed: '999999999999999999999999999999' is too large"),
    "huge_duration": (b"name: x\nuntil: 99999999999999999999s\n", "huge_duration.yaml:2:8: until: bad duration"),
    "time_without_unit": (b"name: x\nuntil: 30\n", "time_without_unit.yaml:2:8: until: duration needs a unit"),
    "non_utf8": (b"name: \xff\xfe\xc0\x80x\n", "non_utf8.yaml:1:7: the file is not valid UTF-8 (byte 0xff)"),
    "event_time_no_unit": (b"name: x\nlans: [{name: l}]\nhosts: [{name: h, lan: l, ipv4: 10.0.0.1}]\n"
                           b"events: [{at: 5, host: h, socket: A, op: IP_ADD_MEMBERSHIP, group: 239.1.1.1}]\n",
                           "event_time_no_unit.yaml:4:15: at: duration needs a unit"),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_hostile_scenario(mcsim, tmp_path, name):
    data, substring = SCENARIOS[name]
    f = tmp_path / f"{name}.yaml"
    f.write_bytes(data)
    code, out, err = run(mcsim, "run", f)
    assert code == 2, (out, err)
    assert err.startswith("mcsim run: "), err
    assert substring in err, err


def test_committed_hostile_corpus(mcsim):
    """tests/hostile/*: small committed files, each with its expectation in README.md."""
    d = ROOT / "tests" / "hostile"
    cases = json.loads((d / "expected.json").read_text())
    for name, exp in cases.items():
        code, out, err = run(mcsim, *[a.replace("{}", str(d / name)) for a in exp["args"]])
        assert code == exp["rc"], (name, out, err)
        assert exp["message"] in out + err, (name, out, err)


# ---- interrupted runs -------------------------------------------------------------------

def read_pcap_records(path):
    """Minimal classic-pcap reader: every record must be complete."""
    b = path.read_bytes()
    assert len(b) >= 24, f"{path}: no pcap header"
    n, off = 0, 24
    while off < len(b):
        assert off + 16 <= len(b), f"{path}: partial record header at {off}"
        caplen = struct.unpack("<I", b[off + 8:off + 12])[0]
        off += 16 + caplen
        assert off <= len(b), f"{path}: partial record data"
        n += 1
    return n


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_leaves_valid_pcap_and_jsonl(mcsim, tmp_path, sig):
    pcaps = tmp_path / "pcaps"
    scenario = ROOT / "scenarios" / "default.yaml"
    p = subprocess.Popen([str(mcsim), "run", str(scenario), "--until", "2000000h", "--pcap-dir", str(pcaps),
                          "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.0)
    assert p.poll() is None, "the run ended before the signal: make --until larger"
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    err = err.decode("utf-8", "replace")
    for mark in SANITIZER_MARKS:
        assert mark not in err, err
    assert p.returncode == 130, err
    assert "interrupted" in err
    lines = out.decode().splitlines()
    assert lines, "no JSONL written before the signal"
    for line in lines:
        json.loads(line)  # complete records only
    files = sorted(pcaps.glob("*.pcap"))
    assert files
    total = 0
    for f in files:
        total += read_pcap_records(f)
        code, dout, derr = run(mcsim, "decode", f, "--format", "jsonl")
        assert code == 0, derr
    assert total > 0


def test_interrupted_decode_flushes_complete_records(mcsim, tmp_path):
    fifo = tmp_path / "live.pcap"
    os.mkfifo(fifo)
    p = subprocess.Popen([str(mcsim), "decode", str(fifo), "--format", "jsonl"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    with open(fifo, "wb") as w:
        w.write(pcap_header())
        for i in range(50):
            w.write(pcap_record(GOOD, ts=i + 1))
        w.write(pcap_record(GOOD)[:20])  # a record cut short by the interruption
        w.flush()
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        time.sleep(0.5)
    out, err = p.communicate(timeout=60)
    err = err.decode("utf-8", "replace")
    for mark in SANITIZER_MARKS:
        assert mark not in err, err
    assert p.returncode == 130, err
    lines = out.decode().splitlines()
    assert len(lines) == 50
    for line in lines:
        assert json.loads(line)["kind"] == "igmpv3_report"
