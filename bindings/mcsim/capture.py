"""Captures: decode (the objects of `mcsim decode --format jsonl`), validate, compare."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Sequence, Union

from . import _core

CaptureError = _core.CaptureError

PathLike = Union[str, os.PathLike]


class _Attr:
    """Attribute access over a decoded JSON object; `to_dict()` gives the object itself."""

    __slots__ = ("_d",)

    def __init__(self, d: Dict[str, Any]) -> None:
        self._d = d

    def __getattr__(self, key: str) -> Any:
        try:
            v = self._d[key]
        except KeyError:
            raise AttributeError(key) from None
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return [Record(x) for x in v]
        return v

    def __getitem__(self, key: str) -> Any:
        return self._d[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._d.get(key, default)

    def keys(self):
        return self._d.keys()

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object (equal to the `mcsim decode --format jsonl` line)."""
        return self._d

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Attr):
            return self._d == other._d
        if isinstance(other, dict):
            return self._d == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._d!r})"


class Record(_Attr):
    """A group record of a report (type, type_name, group, sources, aux_len)."""


class Message(_Attr):
    """One decoded IGMP/MLD message: frame, time, ip, src, dst, ttl, kind, ..., errors —
    the fields of `mcsim decode --format jsonl` (docs/interop.md), as attributes."""


def decode_dicts(path: PathLike, chunk: int = 65536) -> Iterator[Dict[str, Any]]:
    """Decodes a capture (pcap/pcapng) lazily into plain dicts (the JSONL objects). The file
    is read and decoded in C++ without the GIL, `chunk` messages at a time."""
    dec = _core.Decoder(os.fspath(path))
    loads = json.loads
    while True:
        text = dec.next_chunk(chunk)
        if text is None:
            return
        yield from loads(text)


def decode(path: PathLike, chunk: int = 65536) -> Iterator[Message]:
    """Decodes a capture lazily into Message objects; raises CaptureError when the file cannot
    be read (messages before a cut are yielded first)."""
    for d in decode_dicts(path, chunk):
        yield Message(d)


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


def compare(a: Comparable, b: Comparable) -> str:
    """Compares two runs/captures by what was transmitted (kinds, addresses, groups, records,
    sources; not timing), as `mcsim run` does against a golden file. Empty when equal,
    else a readable diff (the first difference with context)."""
    name = os.fspath(a) if isinstance(a, (str, os.PathLike)) else "a"
    return str(_core.diff_semantics(semantics(a), semantics(b), name))
