"""ISO 8601 timestamps read the same on every Python imgql supports.

Glance writes ``2025-10-02T08:30:39Z``, and a query may say the same. Python
3.11's ``datetime.fromisoformat`` reads that and most of ISO 8601; 3.10's reads
only what ``isoformat()`` writes (no ``Z``, three or six fraction digits, an
offset with colons). On 3.11 and later :func:`fromisoformat` *is* the standard
one; on 3.10 it first tries the standard one, then rewrites the forms 3.11
would have read into the one 3.10 reads, so that a record's times and a
query's literals mean the same whichever Python runs them.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable

__all__ = ["as_isoformat", "fromisoformat"]

# A date (extended or basic), then an optional time after any one character,
# then an optional UTC offset: the forms of 3.11's reader that 3.10's lacks.
_ISO = re.compile(
    r"(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})"
    r"(?:(?P<sep>.)(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?)?",
    re.ASCII,
)
_OFFSET = re.compile(
    r"(?P<sign>[+-])(?P<hours>\d{2})(?::?(?P<minutes>\d{2})(?::?(?P<seconds>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
)


def _fraction(digits: str | None) -> str:
    # 3.11 reads any number of digits and keeps the first six.
    return f".{(digits or '')[:6].ljust(6, '0')}" if digits else ""


def _offset(text: str | None) -> str:
    if not text:
        return ""
    if text == "Z":
        return "+00:00"
    parts = _OFFSET.fullmatch(text)
    if parts is None:  # pragma: no cover - _ISO only lets through what _OFFSET reads
        raise ValueError(text)
    offset = f"{parts['sign']}{parts['hours']}:{parts['minutes'] or '00'}"
    if parts["seconds"]:
        offset += f":{parts['seconds']}{_fraction(parts['fraction'])}"
    return offset


def as_isoformat(text: str) -> str | None:
    """``text`` rewritten in the form ``isoformat()`` writes, which every
    Python reads; None when it is not a form 3.11's reader takes."""
    parts = _ISO.fullmatch(text)
    if parts is None:
        return None
    rewritten = f"{parts['year']}-{parts['month']}-{parts['day']}"
    if parts["hour"] is not None:
        rewritten += f"{parts['sep']}{parts['hour']}"
        for unit in ("minute", "second"):
            if parts[unit] is None:
                break
            rewritten += f":{parts[unit]}"
        rewritten += _fraction(parts["fraction"]) + _offset(parts["offset"])
    return rewritten


def _fromisoformat_310(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        rewritten = as_isoformat(text)
        if rewritten is None:
            raise
    return dt.datetime.fromisoformat(rewritten)


fromisoformat: Callable[[str], dt.datetime] = (
    dt.datetime.fromisoformat if sys.version_info >= (3, 11) else _fromisoformat_310
)
