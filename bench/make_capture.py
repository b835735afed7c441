#!/usr/bin/python3
"""Write a large classic pcap (Ethernet) of IGMP/MLD frames for decode benchmarks.

Frames are taken from the real public captures in ../shared/pcaps (pcap and pcapng
are parsed here in pure Python; only the standard library is used), reduced to the
frames that carry IGMP (IPv4 protocol 2) or MLD (ICMPv6 130/131/132/143) directly in
IP, re-wrapped in Ethernet II when they came from another link type, de-duplicated,
and then cycled through with incrementing timestamps until N frames are written.
When the captures directory is missing, a built-in set of hand-written frames is used.

usage: /usr/bin/python3 bench/make_capture.py [-n N] [--pcaps DIR] [-o OUT] [--mix kinds|frames]
"""

from __future__ import annotations

import argparse
import collections
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PCAPS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "pcaps"))
if not os.path.isdir(DEFAULT_PCAPS):
    DEFAULT_PCAPS = "/work/shared/pcaps"

LT_NULL, LT_ETHERNET, LT_RAW, LT_LOOP, LT_SLL, LT_IPV4, LT_IPV6, LT_SLL2 = 0, 1, 101, 108, 113, 228, 229, 276
MLD_TYPES = {130, 131, 132, 143}


# --------------------------------------------------------------------------- reading

def read_pcap(data: bytes):
    """Yields (linktype, frame bytes, orig_len) from a classic pcap file."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("not a pcap file")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break  # truncated last record
        yield linktype, data[off:off + incl], orig
        off += incl


def read_pcapng(data: bytes):
    """Yields (linktype, frame bytes, orig_len) from a pcapng file (EPB, SPB, obsolete PB)."""
    off = 0
    e = "<"
    linktypes: list[int] = []
    snaplens: list[int] = []
    while off + 12 <= len(data):
        btype_raw = data[off:off + 4]
        if btype_raw == b"\x0a\x0d\x0d\x0a":  # Section Header Block: learn byte order
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            linktypes, snaplens = [], []
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # Interface Description Block
            lt, _, snap = struct.unpack(e + "HHI", body[:8])
            linktypes.append(lt)
            snaplens.append(snap)
        elif btype == 6:  # Enhanced Packet Block
            ifid, _, _, cap, orig = struct.unpack(e + "IIIII", body[:20])
            if ifid < len(linktypes):
                yield linktypes[ifid], body[20:20 + cap], orig
        elif btype == 3:  # Simple Packet Block
            (orig,) = struct.unpack(e + "I", body[:4])
            cap = min(orig, snaplens[0] or orig) if snaplens else orig
            if linktypes:
                yield linktypes[0], body[4:4 + cap], orig
        elif btype == 2:  # obsolete Packet Block
            ifid, _, _, _, cap, orig = struct.unpack(e + "HHIIII", body[:20])
            if ifid < len(linktypes):
                yield linktypes[ifid], body[20:20 + cap], orig
        off += blen


def read_capture(path: str):
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return list(read_pcapng(data))
    return list(read_pcap(data))


# --------------------------------------------------------------------------- classifying

def ip_of(linktype: int, f: bytes):
    """The IP datagram inside a frame, or None."""
    if linktype == LT_ETHERNET:
        if len(f) < 14:
            return None
        off = 12
        et = int.from_bytes(f[off:off + 2], "big")
        while et in (0x8100, 0x88A8, 0x9100):
            off += 4
            if off + 2 > len(f):
                return None
            et = int.from_bytes(f[off:off + 2], "big")
        return f[off + 2:] if et in (0x0800, 0x86DD) else None
    if linktype == LT_SLL:
        return f[16:] if len(f) >= 16 and int.from_bytes(f[14:16], "big") in (0x0800, 0x86DD) else None
    if linktype == LT_SLL2:
        return f[20:] if len(f) >= 20 and int.from_bytes(f[0:2], "big") in (0x0800, 0x86DD) else None
    if linktype in (LT_NULL, LT_LOOP):
        return f[4:] if len(f) > 4 else None
    if linktype in (LT_RAW, LT_IPV4, LT_IPV6, 12, 14):
        return f or None
    return None


def igmp_kind(payload: bytes) -> str:
    if not payload:
        return "igmp_truncated"
    t = payload[0]
    if t == 0x11:
        if len(payload) >= 12:
            return "igmpv3_query"
        return "igmpv1_query" if len(payload) >= 2 and payload[1] == 0 else "igmpv2_query"
    return {
        0x12: "igmpv1_report", 0x16: "igmpv2_report", 0x17: "igmpv2_leave", 0x22: "igmpv3_report",
        0x13: "igmp_other_dvmrp", 0x14: "igmp_other_pimv1", 0x1E: "igmp_other_mtrace",
        0x1F: "igmp_other_mtrace", 0xFF: "igmp_other_rgmp", 0xFE: "igmp_other_rgmp",
        0xFD: "igmp_other_rgmp", 0xFC: "igmp_other_rgmp",
    }.get(t, "igmp_other")


def mld_kind(icmp: bytes) -> str:
    t = icmp[0]
    if t == 130:
        return "mldv2_query" if len(icmp) >= 28 else "mldv1_query"
    return {131: "mldv1_report", 132: "mldv1_done", 143: "mldv2_report"}[t]


def classify(ip: bytes):
    """Message kind of an IP datagram carrying IGMP/MLD directly, else None."""
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 2 or ihl < 20:
            return None
        if int.from_bytes(ip[6:8], "big") & 0x1FFF:
            return "igmp_fragment"
        total = int.from_bytes(ip[2:4], "big")  # drop Ethernet padding
        return igmp_kind(ip[ihl:max(total, ihl)])
    if v == 6 and len(ip) >= 40:
        nh, off = ip[6], 40
        while nh in (0, 43, 60, 51):
            if off + 2 > len(ip):
                return None
            hlen = (ip[off + 1] + 2) * 4 if nh == 51 else (ip[off + 1] + 1) * 8
            nh, off = ip[off], off + hlen
        end = 40 + int.from_bytes(ip[4:6], "big")
        if nh == 58 and off < len(ip) and ip[off] in MLD_TYPES:
            return mld_kind(ip[off:max(end, off + 1)])
    return None


def multicast_mac(ip: bytes) -> bytes:
    if ip[0] >> 4 == 6 and len(ip) >= 40:
        return b"\x33\x33" + ip[36:40]  # RFC 2464 §7
    if len(ip) >= 20:
        return bytes([0x01, 0x00, 0x5E, ip[17] & 0x7F, ip[18], ip[19]])  # RFC 1112 §6.4
    return b"\x01\x00\x5e\x00\x00\x01"


def to_ethernet(linktype: int, frame: bytes, orig: int, ip: bytes):
    """(frame, orig_len) as an Ethernet II frame."""
    if linktype == LT_ETHERNET:
        return frame, orig
    et = b"\x86\xdd" if ip[0] >> 4 == 6 else b"\x08\x00"
    hdr = multicast_mac(ip) + b"\x02\x00\x00\x00\x00\x01" + et
    lost = orig - len(frame)  # bytes the original capture cut off
    return hdr + ip, len(hdr) + len(ip) + max(lost, 0)


# --------------------------------------------------------------------------- built-in frames

def _csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ip4(src: str, dst: str, igmp: bytes, ra: bool = True) -> bytes:
    opts = b"\x94\x04\x00\x00" if ra else b""
    ihl = (20 + len(opts)) // 4
    a = bytes(int(x) for x in src.split(".")) + bytes(int(x) for x in dst.split("."))
    h = struct.pack("!BBHHHBBH", 0x40 | ihl, 0xC0, 20 + len(opts) + len(igmp), 0, 0, 1, 2, 0) + a + opts
    h = h[:10] + struct.pack("!H", _csum(h)) + h[12:]
    return h + igmp


def _igmp(b: bytes) -> bytes:
    return b[:2] + struct.pack("!H", _csum(b)) + b[4:]


def _v4(s: str) -> bytes:
    return bytes(int(x) for x in s.split("."))


def _v6(s: str) -> bytes:
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def _ip6(src: str, dst: str, icmp: bytes) -> bytes:
    s, d = _v6(src), _v6(dst)
    hbh = bytes([58, 0, 5, 2, 0, 0, 1, 0])  # hop-by-hop: Router Alert (RFC 2711) + PadN
    pseudo = s + d + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", _csum(pseudo + icmp)) + icmp[4:]
    return struct.pack("!IHBB", 0x60000000, len(hbh) + len(icmp), 0, 1) + s + d + hbh + icmp


def builtin_frames():
    """Hand-written IGMPv1/v2/v3 and MLDv1/v2 messages, one of each kind."""
    z4 = b"\x00\x00"
    dgrams = [
        _ip4("10.0.0.1", "224.0.0.1", _igmp(b"\x11\x00" + z4 + _v4("0.0.0.0")), ra=False),           # v1 query
        _ip4("10.0.0.2", "239.1.1.1", _igmp(b"\x12\x00" + z4 + _v4("239.1.1.1")), ra=False),         # v1 report
        _ip4("10.0.0.1", "224.0.0.1", _igmp(b"\x11\x64" + z4 + _v4("0.0.0.0"))),                      # v2 query
        _ip4("10.0.0.2", "239.1.1.1", _igmp(b"\x16\x00" + z4 + _v4("239.1.1.1"))),                    # v2 report
        _ip4("10.0.0.2", "224.0.0.2", _igmp(b"\x17\x00" + z4 + _v4("239.1.1.1"))),                    # v2 leave
        _ip4("10.0.0.1", "224.0.0.1", _igmp(b"\x11\x64" + z4 + _v4("0.0.0.0") + b"\x02\x7d\x00\x00")),  # v3 query
        _ip4("10.0.0.1", "232.1.1.1", _igmp(b"\x11\x0a" + z4 + _v4("232.1.1.1") + b"\x0a\x7d\x00\x02"
                                            + _v4("10.1.1.1") + _v4("10.1.1.2"))),                  # v3 GSSQ
        _ip4("10.0.0.2", "224.0.0.22", _igmp(b"\x22\x00" + z4 + b"\x00\x00\x00\x02"
                                             + b"\x04\x00\x00\x00" + _v4("239.255.255.250")
                                             + b"\x01\x00\x00\x02" + _v4("232.1.1.1")
                                             + _v4("10.1.1.1") + _v4("10.1.1.2"))),                 # v3 report
        _ip6("fe80::1", "ff02::1", b"\x82\x00\x00\x00\x27\x10\x00\x00" + bytes(16)),                 # MLDv1 query
        _ip6("fe80::2", "ff05::1:3", b"\x83\x00\x00\x00\x00\x00\x00\x00" + _v6("ff05::1:3")),       # MLDv1 report
        _ip6("fe80::2", "ff02::2", b"\x84\x00\x00\x00\x00\x00\x00\x00" + _v6("ff05::1:3")),         # MLDv1 done
        _ip6("fe80::1", "ff02::1", b"\x82\x00\x00\x00\x27\x10\x00\x00" + bytes(16)
             + b"\x02\x7d\x00\x00"),                                                                # MLDv2 query
        _ip6("fe80::2", "ff02::16", b"\x8f\x00\x00\x00\x00\x00\x00\x02"
             + b"\x04\x00\x00\x00" + _v6("ff02::fb")
             + b"\x01\x00\x00\x01" + _v6("ff3e::8000:1") + _v6("2001:db8::1")),                     # MLDv2 report
    ]
    out = []
    for d in dgrams:
        f, orig = to_ethernet(LT_RAW, d, len(d), d)
        if len(f) < 60:
            f = f + bytes(60 - len(f))
            orig = len(f)
        out.append(("builtin", classify(d), f, orig))
    return out


# --------------------------------------------------------------------------- main

def collect(pcaps_dir: str):
    frames = []
    seen = set()
    for name in sorted(os.listdir(pcaps_dir)):
        path = os.path.join(pcaps_dir, name)
        if not name.endswith((".pcap", ".pcapng")) or not os.path.isfile(path):
            continue
        try:
            records = read_capture(path)
        except (ValueError, struct.error) as exc:
            print(f"make_capture: skipping {name}: {exc}", file=sys.stderr)
            continue
        for lt, frame, orig in records:
            ip = ip_of(lt, frame)
            kind = classify(ip) if ip else None
            if kind is None:
                continue
            f, o = to_ethernet(lt, frame, orig, ip)
            key = (f, o)
            if key in seen:
                continue
            seen.add(key)
            frames.append((name, kind, f, o))
    return frames


def schedule(frames, mix: str):
    """Order in which unique frames are cycled: `frames` repeats the de-duplicated list as
    is (kinds weighted by how many distinct frames the captures hold); `kinds` interleaves
    one frame of each kind at a time (every non-membership IGMP type counted as one kind
    "igmp_other"), so each kind gets about the same share of the output."""
    if mix == "frames":
        return list(frames)
    by_kind = collections.OrderedDict()
    for fr in frames:
        k = "igmp_other" if fr[1].startswith("igmp_other") else fr[1]
        by_kind.setdefault(k, []).append(fr)
    longest = max(len(v) for v in by_kind.values())
    order = []
    for i in range(longest):
        for v in by_kind.values():
            order.append(v[i % len(v)])
    return order


def write_pcap(path: str, order, n: int, t0: int = 1_700_000_000, step_us: int = 1):
    """Classic pcap, microsecond timestamps, LINKTYPE_ETHERNET; `order` cycled to n records."""
    tmp = path + ".tmp"
    pack = struct.Struct("<IIII").pack
    bodies = [(f, len(f), o) for _, _, f, o in order]
    m = len(bodies)
    with open(tmp, "wb", buffering=1 << 22) as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LT_ETHERNET))
        chunk = []
        for i in range(n):
            f, cap, orig = bodies[i % m]
            us = i * step_us
            chunk.append(pack(t0 + us // 1_000_000, us % 1_000_000, cap, orig))
            chunk.append(f)
            if len(chunk) >= 65536:
                fh.write(b"".join(chunk))
                chunk.clear()
        fh.write(b"".join(chunk))
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--count", type=int, default=1_000_000, help="frames to write (default 1000000)")
    ap.add_argument("--pcaps", default=DEFAULT_PCAPS, help="directory of source captures (default %(default)s)")
    ap.add_argument("-o", "--output", help="output file (default bench/out/igmp_mld_<N>.pcap)")
    ap.add_argument("--builtin", action="store_true", help="use only the built-in frames")
    ap.add_argument("--mix", choices=("kinds", "frames"), default="kinds",
                    help="kinds: equal share per message kind (default); frames: each unique frame once per cycle")
    args = ap.parse_args(argv)

    if not args.output:
        args.output = os.path.join(HERE, "out", f"igmp_mld_{args.count}.pcap")
    frames = [] if args.builtin or not os.path.isdir(args.pcaps) else collect(args.pcaps)
    source = args.pcaps
    if not frames:
        if not args.builtin:
            print(f"make_capture: no IGMP/MLD frames under {args.pcaps}; using built-in frames", file=sys.stderr)
        frames = builtin_frames()
        source = "built-in frames"
    os.makedirs(os.path.dirname(os.path.abspath(args.output)) or ".", exist_ok=True)
    order = schedule(frames, args.mix)
    write_pcap(args.output, order, args.count)

    unique = collections.Counter(k for _, k, _, _ in frames)
    written = collections.Counter()
    m = len(order)
    for idx, (_, k, _, _) in enumerate(order):
        written[k] += args.count // m + (1 if idx < args.count % m else 0)
    files = collections.Counter(src for src, _, _, _ in frames)
    total_bytes = os.path.getsize(args.output)
    print(f"wrote {args.output}: {args.count} frames, {total_bytes} bytes, cycling {len(frames)} unique "
          f"frames of {len(files)} captures ({source}), mix={args.mix}")
    print(f"{'kind':<20} {'unique':>7} {'written':>9} {'share':>7}")
    for k in sorted(unique):
        print(f"{k:<20} {unique[k]:>7} {written[k]:>9} {100.0 * written[k] / max(args.count, 1):>6.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
