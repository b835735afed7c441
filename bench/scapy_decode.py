#!/usr/bin/python3
"""Scapy read-and-dissect loop over an IGMP/MLD capture (the Scapy leg of compare_decode.sh).

Reads the first N frames with PcapReader (each frame is dissected by Scapy as it is
read: Ether / IP|IPv6 / IGMP, IGMPv3 + IGMPv3mq|IGMPv3mr, ICMPv6ML*) and touches the
fields that `mcsim decode --format jsonl` prints: addresses, TTL/hop limit, TOS, Router
Alert, message type, group, max response code, S/QRV/QQIC, query sources, group records
with their sources and aux length, checksum field. Scapy does not verify checksums on
dissection, so this loop does less work than mcsim (which verifies the IPv4 header,
IGMP and ICMPv6 checksums).

Prints one line: `scapy <version> packets=<n> messages=<m> seconds=<wall> cpu_seconds=<cpu>`.

usage: /usr/bin/python3 bench/scapy_decode.py FILE [--count N]
"""

import argparse
import sys
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--count", type=int, default=20000, help="frames to read (0 = all; default 20000)")
    args = ap.parse_args(argv)

    import scapy
    from scapy.config import conf
    from scapy.main import load_contrib

    load_contrib("igmp")
    load_contrib("igmpv3")
    from scapy.contrib.igmp import IGMP
    from scapy.contrib.igmpv3 import IGMPv3, IGMPv3mq, IGMPv3mr
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, ICMPv6MLQuery, ICMPv6MLQuery2,
                                    ICMPv6MLReport, ICMPv6MLDone, ICMPv6MLReport2)
    from scapy.utils import PcapReader

    conf.verb = 0
    mld_simple = (ICMPv6MLQuery, ICMPv6MLReport, ICMPv6MLDone)
    sink = []  # keeps the touched values alive so nothing is optimised away
    packets = messages = 0
    t0, c0 = time.perf_counter(), time.process_time()
    with PcapReader(args.file) as reader:
        for p in reader:
            packets += 1
            if IP in p:
                ip = p[IP]
                row = [p.time, ip.src, ip.dst, ip.ttl, ip.tos, ip.chksum,
                       any(o.option == 20 for o in ip.options)]
                if IGMPv3 in p:
                    g = p[IGMPv3]
                    row += [g.type, g.mrcode, g.chksum]
                    if IGMPv3mq in p:
                        q = p[IGMPv3mq]
                        row += [q.gaddr, q.s, q.qrv, q.qqic, list(q.srcaddrs)]
                    elif IGMPv3mr in p:
                        for r in p[IGMPv3mr].records:
                            row += [r.rtype, r.maddr, list(r.srcaddrs), r.auxdlen]
                elif IGMP in p:
                    g = p[IGMP]
                    row += [g.type, g.mrcode, g.chksum, g.gaddr]
                elif ip.proto == 2:
                    row.append(bytes(ip.payload)[:1])  # DVMRP/PIMv1/mtrace/RGMP: type byte
                else:
                    continue
            elif IPv6 in p:
                ip = p[IPv6]
                row = [p.time, ip.src, ip.dst, ip.hlim, IPv6ExtHdrHopByHop in p]
                if ICMPv6MLQuery2 in p:
                    m = p[ICMPv6MLQuery2]
                    row += [m.type, m.code, m.cksum, m.mrd, m.mladdr, m.S, m.QRV, m.QQIC, list(m.sources)]
                elif ICMPv6MLReport2 in p:
                    m = p[ICMPv6MLReport2]
                    row += [m.type, m.cksum]
                    for r in m.records:
                        row += [r.rtype, r.dst, list(r.sources), r.auxdata_len]
                else:
                    for cls in mld_simple:
                        if cls in p:
                            m = p[cls]
                            row += [m.type, m.code, m.cksum, m.mrd, m.mladdr]
                            break
                    else:
                        continue
            else:
                continue
            messages += 1
            sink.append(len(row))
            if len(sink) > 4096:
                sink.clear()
            if args.count and packets >= args.count:
                break
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"scapy {scapy.VERSION} packets={packets} messages={messages} seconds={secs:.3f} cpu_seconds={cpu:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
