"""Small helpers shared by the mcsim modules (durations, JSON text)."""
from __future__ import annotations

import json
from typing import Optional, Union

from . import _core

#: A duration: a string with a unit ("30s", "500ms", "2m") or a number of seconds.
DurationLike = Union[str, int, float]


def to_seconds(value: Optional[DurationLike]) -> Optional[float]:
    """Converts a duration ("30s", "1.5s", "250ms", 2.0) to float seconds; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a duration is a string with a unit or a number of seconds, not a bool")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"duration must not be negative: {value}")
        return float(value)
    if isinstance(value, str):
        s = _core.parse_duration(value.strip())
        if s is None:
            raise ValueError(f"malformed duration {value!r}: a number with a unit (ns, us, ms, s, m, h), e.g. '30s'")
        return s
    raise TypeError(f"a duration is a string with a unit or a number of seconds, not {type(value).__name__}")


def duration_text(value: DurationLike) -> str:
    """A duration as scenario-file text (numbers of seconds become whole nanoseconds)."""
    if isinstance(value, str):
        to_seconds(value)  # validate early, with a Python error
        return value
    secs = to_seconds(value)
    assert secs is not None
    return f"{round(secs * 1e9)}ns"


def dumps(obj: object) -> str:
    """Compact JSON, which is also YAML flow syntax (what the scenario loader reads)."""
    return json.dumps(obj, separators=(", ", ": "))
