"""`--html` reports and `--svg` ladders (docs/report.md): the page is loaded in headless
Chromium (skipped with a message when it is not installed), the DOM is checked for one
arrow per message and no script errors, and a screenshot is left in <build>/artifacts/
for a person to look at."""
import json
import os
import pathlib
import shutil
import socket
import struct
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, _bin_dir

SVG_NS = "{http://www.w3.org/2000/svg}"


def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed (apt-get install chromium): HTML report browser checks skipped")
    return exe


def browser(tmp_path, url, *extra):
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'chrome-profile'}", "--enable-logging=stderr", "--v=0", *extra, url]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def dump_dom(tmp_path, page):
    url = page if isinstance(page, str) else page.resolve().as_uri()
    r = browser(tmp_path, url, "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Uncaught" not in r.stderr and "ERROR:CONSOLE" not in r.stderr, r.stderr[-2000:]
    return r.stdout


def body_attrs(dom):
    start = dom.index("<body")
    tag = dom[start:dom.index(">", start)]
    return dict(part.split("=", 1) for part in tag[5:].split() if "=" in part)


def artifacts():
    d = _bin_dir().parent / "artifacts"
    d.mkdir(parents=True, exist_ok=True)
    return d


def run(mcsim_bin, *args):
    return subprocess.run([str(mcsim_bin), *map(str, args)], capture_output=True, text=True, timeout=120)


def arrows(dom):
    return dom.count('class="msg ')


def test_run_report_has_one_arrow_per_message(mcsim_bin, tmp_path):
    out = artifacts()
    page, svg = out / "report.html", out / "ladder.svg"
    r = run(mcsim_bin, "run", ROOT / "scenarios/default.yaml", "--format", "jsonl", "--html", page, "--svg", svg)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    messages = sum(e["event"] in ("tx", "send") for e in events)
    assert messages > 10
    html = page.read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", ""), "the page must not fetch anything"
    dom = dump_dom(tmp_path, page)
    attrs = body_attrs(dom)
    assert attrs["data-errors"] == '"0"', attrs
    assert attrs["data-ready"] == '"1"'
    assert arrows(dom) == messages
    assert dom.count('class="msg report') == sum(e["event"] == "tx" and "report" in e["kind"] for e in events)
    # Expectations are listed; membership timelines come from the state events.
    assert dom.count("<li class=\"pass\"") == sum(e["event"] == "expect" for e in events)
    assert "h1  239.1.1.1" in dom and "wire  239.1.1.1" in dom
    shot = out / "report.png"
    shot.unlink(missing_ok=True)
    r = browser(tmp_path, page.resolve().as_uri(), f"--screenshot={shot}", "--window-size=1400,900")
    assert shot.exists() and shot.stat().st_size > 10000, r.stderr[-2000:]


def test_run_svg_is_static_xml_with_one_arrow_per_message(mcsim_bin, tmp_path):
    svg = tmp_path / "ladder.svg"
    r = run(mcsim_bin, "run", ROOT / "scenarios/default.yaml", "--format", "jsonl", "--svg", svg)
    assert r.returncode == 0, r.stderr
    messages = [json.loads(line) for line in r.stdout.splitlines()]
    messages = [e for e in messages if e["event"] in ("tx", "send")]
    root = ET.parse(svg).getroot()
    assert root.tag == SVG_NS + "svg"
    assert not list(root.iter(SVG_NS + "script"))
    groups = [g for g in root.iter(SVG_NS + "g") if "msg" in g.get("class", "").split()]
    assert len(groups) == len(messages)
    assert len(groups) == len([g for g in groups if g.find(SVG_NS + "path") is not None])
    # A time range and a cap.
    r = run(mcsim_bin, "run", ROOT / "scenarios/default.yaml", "--svg", svg, "--svg-from", "10s", "--svg-to", "21s")
    assert r.returncode == 0, r.stderr
    want = [e for e in messages if 10 <= e["t"] <= 21]
    assert len([g for g in ET.parse(svg).getroot().iter(SVG_NS + "g") if "msg" in g.get("class", "")]) == len(want)
    r = run(mcsim_bin, "run", ROOT / "scenarios/default.yaml", "--svg", svg, "--svg-max", "5")
    assert len([g for g in ET.parse(svg).getroot().iter(SVG_NS + "g") if "msg" in g.get("class", "")]) == 5
    r = run(mcsim_bin, "run", ROOT / "scenarios/default.yaml", "--svg", svg, "--svg-from", "ten")
    assert r.returncode == 2 and "--svg-from" in r.stderr


# ---- a generated capture of 10,000 messages ----

def ip_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def igmp_frame(src, dst, payload, ttl=1):
    payload = payload[:2] + struct.pack("!H", ip_checksum(payload)) + payload[4:]
    ra = bytes([0x94, 4, 0, 0])
    hdr = struct.pack("!BBHHHBBH4s4s", 0x46, 0xC0, 24 + len(payload), 0, 0, ttl, 2, 0,
                      socket.inet_aton(src), socket.inet_aton(dst)) + ra
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    d = socket.inet_aton(dst)
    mac = bytes([1, 0, 0x5E, d[1] & 0x7F, d[2], d[3]])
    return mac + bytes.fromhex("020000000001") + b"\x08\x00" + hdr + payload


def big_capture(path, n=10000, hosts=40, groups=24, bad_ttl_every=0):
    frames = []
    for i in range(n):
        t = i * 0.01
        if i % 50 == 0:  # general query
            f = igmp_frame("10.0.0.1", "224.0.0.1", bytes([0x11, 100, 0, 0]) + bytes(4) + bytes([2, 125, 0, 0]))
        else:
            h = f"10.0.1.{1 + i % hosts}"
            g = socket.inet_aton(f"239.1.{(i // 7) % groups}.1")
            if i % 13 == 0:  # v2 leave
                f = igmp_frame(h, "224.0.0.2", bytes([0x17, 0, 0, 0]) + g)
            elif i % 5 == 0:  # v2 report, to the group itself
                f = igmp_frame(h, socket.inet_ntoa(g), bytes([0x16, 0, 0, 0]) + g)
            else:  # v3 report IS_EX {}
                f = igmp_frame(h, "224.0.0.22", bytes([0x22, 0, 0, 0, 0, 0, 0, 1]) + bytes([2, 0, 0, 0]) + g)
        if bad_ttl_every and i % bad_ttl_every == 3:  # TTL 2: a finding of validate
            f = f[:14 + 8] + b"\x02" + f[14 + 9:]
            hdr = bytearray(f[14:38])
            hdr[10:12] = b"\0\0"
            hdr[10:12] = struct.pack("!H", ip_checksum(bytes(hdr)))
            f = f[:14] + bytes(hdr) + f[38:]
        frames.append((t, f))
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for t, f in frames:
        out += struct.pack("<IIII", int(t), int(round((t % 1) * 1e6)), len(f), len(f)) + f
    path.write_bytes(out)


def test_10000_message_capture_loads_fast(mcsim_bin, tmp_path):
    cap = tmp_path / "big.pcap"
    big_capture(cap)
    page = artifacts() / "report-10000.html"
    r = run(mcsim_bin, "decode", cap, "--format", "jsonl", "--html", page)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 10000
    start = time.monotonic()
    dom = dump_dom(tmp_path, page)
    elapsed = time.monotonic() - start
    attrs = body_attrs(dom)
    assert attrs["data-errors"] == '"0"' and attrs["data-ready"] == '"1"', attrs
    # Repeats are collapsed by default at this size and only rows near the view are drawn.
    rows = int(attrs["data-rows"].strip('"'))
    assert 0 < rows <= 10000
    assert 0 < arrows(dom) <= 400
    assert "other groups" in dom  # more destinations than group columns
    assert elapsed < 15, f"dump-dom of the 10,000-message page took {elapsed:.1f}s"
    assert int(attrs["data-render-ms"].strip('"')) < 3000
    shot = artifacts() / "report-10000.png"
    browser(tmp_path, page.resolve().as_uri(), f"--screenshot={shot}", "--window-size=1400,900")


def test_validate_report_links_findings(mcsim_bin, tmp_path):
    cap = tmp_path / "small.pcap"
    big_capture(cap, n=60, bad_ttl_every=10)
    page = tmp_path / "validate.html"
    r = run(mcsim_bin, "validate", cap, "--role", "host", "--format", "jsonl", "--html", page)
    assert r.returncode in (0, 1), r.stderr
    findings = [json.loads(line) for line in r.stdout.splitlines() if '"frame"' in line]
    assert findings
    dom = dump_dom(tmp_path, page)
    attrs = body_attrs(dom)
    assert attrs["data-errors"] == '"0"', attrs
    assert arrows(dom) == 60
    assert dom.count("<li class=\"must\"") + dom.count("<li class=\"should\"") + dom.count("<li class=\"info\"") == len(findings)
    if findings:  # a finding selects (highlights) the message of its frame
        dom = dump_dom(tmp_path / "2", page.resolve().as_uri() + "#finding=0")
        frame = findings[0]["frame"]
        i = int(body_attrs(dom)["data-selected"].strip('"'))
        assert i == frame - 1  # every frame of this capture is a message
        assert f'class="msg query hl" data-i="{i}"' in dom or f'hl" data-i="{i}"' in dom
        assert f"frame {frame}:" in dom


def test_help_mentions_html(mcsim_bin):
    for cmd in ("run", "decode", "validate"):
        assert "--html FILE" in run(mcsim_bin, cmd, "--help").stdout
    assert "--svg FILE" in run(mcsim_bin, "run", "--help").stdout
