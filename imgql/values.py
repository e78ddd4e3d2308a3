"""Reading literals by the type of the field they are compared with.

The lexer only tells quoted text from bare words; what a literal means is
decided here, from the field: ``5GB`` is a size for ``size``, text for
``name``. Errors carry the literal's offsets so the parser can point at it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .ast import RelativeTime
from .errors import InvalidValueError

# Decimal units are powers of 1000 and binary units powers of 1024, as in the
# IEC standard. A bare K, M, G, T or P means the binary unit, as qemu-img and
# ls -h read it. Unit letters are not case-sensitive: 5gb is 5GB.
SIZE_UNITS: dict[str, int] = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "pb": 1000**5,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
    "pib": 1024**5,
    "k": 1024,
    "m": 1024**2,
    "g": 1024**3,
    "t": 1024**4,
    "p": 1024**5,
}

_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*\Z")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_RELATIVE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s+ago\Z", re.IGNORECASE)
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

RELATIVE_UNITS: dict[str, str] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "w"),
}

# Beyond this a size is surely a mistake, and exponents this large would make
# exact arithmetic slow.
_MAX_EXPONENT = 30


class LiteralError(Exception):
    """A literal that does not fit; the parser adds the position."""


def fail(message: str, start: int | None = None, end: int | None = None) -> InvalidValueError:
    return InvalidValueError(message, offset=start, end_offset=end)


def parse_size(text: str, unit: int = 1) -> Decimal:
    """A size literal as a (possibly fractional) count of ``unit`` bytes.
    A number without a unit is already in the field's own unit (MiB for
    min_ram, GiB for min_disk, bytes for size)."""
    match = _SIZE.match(text)
    if match is None:
        raise LiteralError(f"{text!r} is not a size (write a number with an optional unit: 512MiB, 5GB, 1.5G)")
    number_text, unit_text = match.groups()
    factor = SIZE_UNITS.get(unit_text.lower())
    if factor is None:
        raise LiteralError(
            f"unknown size unit {unit_text!r} in {text!r} (units: KB MB GB TB PB, KiB MiB GiB TiB PiB, or K M G T P)"
        )
    number = Decimal(number_text)
    if number.adjusted() > _MAX_EXPONENT:
        raise LiteralError(f"{text!r} is too large to be a size")
    if not unit_text:
        return number
    return number * factor / unit


def parse_number(text: str) -> Decimal | None:
    """A number when ``text`` reads as one, else None (for custom properties)."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    if number.adjusted() > 300 or number.adjusted() < -300:
        return None
    return number


def parse_relative(text: str) -> RelativeTime | None:
    match = _RELATIVE.match(text.strip())
    if match is None:
        return None
    amount_text, unit_text = match.groups()
    unit = RELATIVE_UNITS.get(unit_text.lower())
    if unit is None:
        raise LiteralError(
            f"unknown time unit {unit_text!r} in {text!r} (use s, m, h, d or w: 30m ago, 12h ago, 7d ago, 2w ago)"
        )
    amount = Decimal(amount_text)
    if amount.adjusted() > 6:
        raise LiteralError(f"{text!r} is too far in the past")
    return RelativeTime(amount.normalize(), unit)


def parse_datetime(text: str) -> dt.datetime:
    """An ISO 8601 date or datetime; UTC when it has no offset."""
    stripped = text.strip()
    try:
        if _DATE_ONLY.match(stripped):
            value = dt.datetime.combine(dt.date.fromisoformat(stripped), dt.time())
        else:
            if len(stripped) < 11 or stripped[10] not in "Tt ":
                raise ValueError(stripped)
            value = dt.datetime.fromisoformat(stripped.replace("z", "Z"))
    except ValueError:
        raise LiteralError(
            f"{text!r} is not a date or time (write 2025-10-02, 2025-10-02T08:30:39Z, "
            "2025-10-02T08:30:39+02:00 or 7d ago)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


def parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise LiteralError(f"{text!r} is not a boolean (write true or false)")


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 with ``Z`` for UTC, as the Images API writes times."""
    if value.utcoffset() == dt.timedelta(0):
        text = value.replace(tzinfo=None).isoformat()
        return text + "Z"
    return value.isoformat()
