#!/usr/bin/env python3
"""Seeds the libFuzzer corpora at run time (nothing from ../shared is copied into the repo).

usage: make_corpus.py OUT_DIR [SHARED_DIR]
  OUT_DIR/fuzz_pcap      whole captures from SHARED_DIR/pcaps and scenarios/captures (<= 256 KiB)
  OUT_DIR/fuzz_wire      one file per frame: a mode byte (0 Ethernet, 1 raw IP, 2|lt<<2 other
                         link types) followed by the frame, from the classic pcap and pcapng files
  OUT_DIR/fuzz_scenario  every scenarios/**/*.yaml
  OUT_DIR/<other>        tests/fuzz/seeds/<target>/* (committed, tiny)
"""
import hashlib
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
LT_INDEX = {0: 0, 108: 1, 113: 2, 276: 3, 228: 4, 229: 5, 1: 6, 101: 7}


def put(d: pathlib.Path, data: bytes) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def frames_pcap(b: bytes):
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    lt = struct.unpack(e + "I", b[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(b):
        _, _, incl, _ = struct.unpack(e + "IIII", b[off:off + 16])
        off += 16
        yield lt, b[off:off + incl]
        off += incl


def frames_pcapng(b: bytes):
    off, lts, e = 0, [], "<"
    while off + 12 <= len(b):
        btype = struct.unpack(e + "I", b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if b[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            lts = []
        blen = struct.unpack(e + "I", b[off + 4:off + 8])[0]
        if blen < 12:
            return
        body = b[off + 8:off + blen - 4]
        if btype == 1:
            lts.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, cap, _ = struct.unpack(e + "IIIII", body[:20])
            if ifid < len(lts):
                yield lts[ifid], body[20:20 + cap]
        off += blen


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    caps = sorted((shared / "pcaps").glob("*.pcap*")) if (shared / "pcaps").is_dir() else []
    caps += sorted((ROOT / "scenarios").rglob("*.pcap"))
    n = {"fuzz_pcap": 0, "fuzz_wire": 0, "fuzz_scenario": 0}
    for c in caps:
        if c.suffix not in (".pcap", ".pcapng") or c.stat().st_size > 256 * 1024:
            continue
        data = c.read_bytes()
        put(out / "fuzz_pcap", data)
        n["fuzz_pcap"] += 1
        gen = frames_pcapng(data) if data[:4] == b"\x0a\x0d\x0d\x0a" else frames_pcap(data)
        try:
            for k, (lt, fr) in enumerate(gen):
                if k >= 200:
                    break
                mode = 0 if lt == 1 else 1 if lt in (101,) else 2 | (LT_INDEX.get(lt, 6) << 2)
                put(out / "fuzz_wire", bytes([mode]) + fr)
                n["fuzz_wire"] += 1
        except struct.error:
            pass
    for y in sorted((ROOT / "scenarios").rglob("*.yaml")):
        put(out / "fuzz_scenario", y.read_bytes())
        n["fuzz_scenario"] += 1
    seeds = ROOT / "tests" / "fuzz" / "seeds"
    for d in sorted(seeds.iterdir()) if seeds.is_dir() else []:
        for f in sorted(d.iterdir()):
            put(out / d.name, f.read_bytes())
            n[d.name] = n.get(d.name, 0) + 1
    print("seeded:", ", ".join(f"{k} {v}" for k, v in sorted(n.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
