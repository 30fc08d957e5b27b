"""Durations and instants, as Python callers give them and as the binary reads them.

A duration is a string the binary reads (``"60s"``, ``"2m"``, ``"1m30s"``, ``"500ms"``), a number
of seconds (``int`` or ``float``), or a :class:`datetime.timedelta`. An instant is Unix seconds
(``int`` or ``float``) or a :class:`datetime.datetime` (a naive one is local time, as
:meth:`datetime.datetime.timestamp` reads it).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Optional, Union

__all__ = ["Duration", "Instant", "duration_flag", "duration_seconds", "unix_seconds"]

Duration = Union[str, int, float, timedelta]
Instant = Union[int, float, datetime]

_UNITS = {
    "ns": 1e-9, "nsec": 1e-9,
    "us": 1e-6, "usec": 1e-6, "µs": 1e-6,
    "ms": 1e-3, "msec": 1e-3, "millis": 1e-3,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}
_PART = re.compile(r"\s*(\d+)\s*([a-zµ]+)", re.IGNORECASE)


def _seconds_of_number(value: Union[int, float, timedelta]) -> float:
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number of seconds >= 0, not {value!r}")
    return seconds


def duration_flag(value: Duration) -> str:
    """The value of a ``--timeout``/``--for``/``--fresh`` flag for ``value``."""
    if isinstance(value, bool):
        raise TypeError("a duration must be a str, a number of seconds or a timedelta, not a bool")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float, timedelta)):
        seconds = _seconds_of_number(value)
        if seconds == int(seconds):
            return f"{int(seconds)}s"
        return f"{max(1, round(seconds * 1000))}ms"
    raise TypeError(f"a duration must be a str, a number of seconds or a timedelta, not {type(value).__name__}")


def duration_seconds(value: Optional[Duration]) -> Optional[float]:
    """``value`` in seconds, or None when it is None or a string this module cannot read
    (the binary then judges it)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, timedelta)):
        return _seconds_of_number(value)
    text = value.strip()
    total = 0.0
    position = 0
    for part in _PART.finditer(text):
        if part.start() != position:
            return None
        factor = _UNITS.get(part.group(2).lower())
        if factor is None:
            return None
        total += int(part.group(1)) * factor
        position = part.end()
    if position == 0 or text[position:].strip():
        return None
    return total


def unix_seconds(value: Instant) -> int:
    """``value`` as whole Unix seconds (rounded down)."""
    if isinstance(value, bool):
        raise TypeError("an instant must be Unix seconds or a datetime, not a bool")
    if isinstance(value, datetime):
        return math.floor(value.timestamp())
    if isinstance(value, (int, float)):
        return math.floor(value)
    raise TypeError(f"an instant must be Unix seconds or a datetime, not {type(value).__name__}")
