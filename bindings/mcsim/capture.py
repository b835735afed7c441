"""Captures: decode (the objects of `mcsim decode --format jsonl`), validate, compare (`mcsim compare`)."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Sequence, Union

from . import _core

CaptureError = _core.CaptureError

PathLike = Union[str, os.PathLike]


class _AttrDict(dict):
    """A dict (equal to the decoded JSON object) whose keys are also attributes."""

    __slots__ = ()

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def to_dict(self) -> Dict[str, Any]:
        """A plain-dict copy (nested records too), equal to the `mcsim decode --format jsonl` object."""
        return {k: ([dict(x) if isinstance(x, dict) else x for x in v] if isinstance(v, list) else v)
                for k, v in self.items()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"


class Record(_AttrDict):
    """A group record of a report: type, type_name, group, sources, aux_len."""

    __slots__ = ()


class Message(_AttrDict):
    """One decoded IGMP/MLD message with the fields of `mcsim decode --format jsonl`
    (frame, time, ip, src, dst, ttl, router_alert, tos, kind, ..., records, checksum_ok,
    errors) as keys and attributes; report records are Record objects."""

    __slots__ = ()


def decode_dicts(path: PathLike, chunk: int = 4096) -> Iterator[Dict[str, Any]]:
    """Decodes a capture (pcap/pcapng) lazily into plain dicts (the JSONL objects). Frames
    are read and decoded in C++ without the GIL, `chunk` messages at a time."""
    dec = _core.Decoder(os.fspath(path))
    while True:
        objs = dec.next_objects(chunk)
        if objs is None:
            return
        yield from objs


def decode(path: PathLike, chunk: int = 4096) -> Iterator[Message]:
    """Decodes a capture lazily into Message objects; raises CaptureError when the file cannot
    be read (messages before a cut are yielded first)."""
    dec = _core.Decoder(os.fspath(path))
    while True:
        objs = dec.next_objects(chunk, Message, Record)
        if objs is None:
            return
        yield from objs


HAVE_VALIDATE: bool = bool(getattr(_core, "HAVE_VALIDATE", False))


def validate(path: PathLike, role: str = "router") -> Dict[str, Any]:
    """Checks a capture against the conformance rules (docs/validate.md) for `role`
    ("router" judges queries, "host" reports/leaves). Returns {"findings": [...],
    "summary": {...}}, the objects of `mcsim validate --format jsonl`."""
    if not HAVE_VALIDATE:
        raise NotImplementedError("this build of mcsim has no pcap/validate")
    return dict(_core.validate(os.fspath(path), role))


Comparable = Union[PathLike, "Any", Sequence[Union[str, Dict[str, Any]]]]


def semantics(x: Comparable) -> List[str]:
    """IGMP/MLD semantics (one line per transmitted message) of a golden/capture file path
    (.jsonl, .pcap, .pcapng), a Simulation, or a list of JSONL lines / event dicts."""
    if isinstance(x, (str, os.PathLike)):
        return list(_core.load_golden(os.fspath(x)))
    if hasattr(x, "semantics") and callable(x.semantics):
        return list(x.semantics())
    lines = [json.dumps(e, separators=(",", ":")) if isinstance(e, dict) else str(e) for e in x]
    return list(_core.semantics_of_log(lines))


def _trace(x: Comparable) -> Any:
    """A path (str) or JSONL event-log lines, as _core.compare_traces takes them."""
    if isinstance(x, (str, os.PathLike)):
        return os.fspath(x)
    if hasattr(x, "log_lines") and callable(x.log_lines):
        return list(x.log_lines())
    return [json.dumps(e, separators=(",", ":")) if isinstance(e, dict) else str(e) for e in x]


def _name(x: Comparable, default: str) -> str:
    return os.fspath(x) if isinstance(x, (str, os.PathLike)) else default


def compare_report(a: Comparable, b: Comparable, *, queries: bool = False, responses: str = "state",
                   exclude: Sequence[str] = ()) -> Dict[str, Any]:
    """`mcsim compare A B --format jsonl` as a dict: {"equal": bool, "differences": [...],
    "notes": [...], "summary": {...}, "text": the readable report}. Each side is a capture
    path (.pcap/.pcapng), a JSONL event log path, a Simulation, or a list of event
    dicts/JSONL lines. Per host (source address) the state changes must be equal in order,
    every current-state report must match its host's state; `responses="count"` also
    requires equal numbers of them, `"exact"` equal sequences; `queries=True` compares the
    queriers' queries too; `exclude` leaves out source addresses (docs/compare.md). Raises
    CaptureError for an unreadable file."""
    r = _core.compare_traces(_trace(a), _trace(b), _name(a, "a"), _name(b, "b"), bool(queries), responses,
                             [str(e) for e in exclude])
    objs = [json.loads(line) for line in r["jsonl"].splitlines()]
    return {
        "equal": bool(r["equal"]),
        "differences": [o for o in objs if "difference" in o],
        "notes": [o for o in objs if "note" in o],
        "summary": objs[-1]["summary"],
        "text": str(r["text"]),
    }


def compare(a: Comparable, b: Comparable, *, queries: bool = False, responses: str = "state",
            exclude: Sequence[str] = ()) -> str:
    """Compares two runs or captures as `mcsim compare` does (docs/compare.md): per host, the
    IGMP/MLD messages by kind, destination, group, record types and source sets, not timing,
    random delays, interleaving between hosts or (by default) queries. Empty when equal,
    else the differences as `mcsim compare` prints them (first difference per host with
    context). Options and inputs as for compare_report()."""
    r = _core.compare_traces(_trace(a), _trace(b), _name(a, "a"), _name(b, "b"), bool(queries), responses,
                             [str(e) for e in exclude])
    return "" if r["equal"] else str(r["diff"])
