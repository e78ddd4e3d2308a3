"""Reading literals by the type of the field they are compared with.

The lexer only tells quoted text from bare words; what a literal means is
decided here, from the field: ``5GB`` is a size for ``size``, text for
``name``. One reading serves the query text (the check pass), bound
parameters and the search box: :func:`read_text` and its rounding of sizes,
:func:`whole_size`. Errors are :class:`LiteralError`; the caller adds where.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from . import fields as F
from .ast import RelativeTime, Value

__all__ = [
    "MAX_RELATIVE_DAYS",
    "RELATIVE_UNITS",
    "SIZE_UNITS",
    "SIZE_UNIT_NAMES",
    "LiteralError",
    "check_size",
    "format_datetime",
    "parse_boolean",
    "parse_datetime",
    "parse_number",
    "parse_relative",
    "parse_size",
    "read_text",
    "relative_from_timedelta",
    "relative_time",
    "to_utc",
    "unquote",
    "whole_size",
]

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

# The units as a person writes them, for messages.
SIZE_UNIT_NAMES = ("B", "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB", "K", "M", "G", "T", "P")

# One number syntax for sizes and custom properties: ASCII digits with an
# optional fraction (`5.` and `.5` too) and exponent; sizes take no sign.
_SIZE = re.compile(r"\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*\Z")
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
    """A literal that does not fit; the caller adds the position.

    ``field`` names the field when the message reads as a sentence about the
    literal alone, to be prefixed with it (``size: '5QB' is not a size``)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def described(self) -> str:
        """The message, with the field's name in front when it needs one."""
        return f"{self.field}: {self}" if self.field else str(self)


_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def unquote(text: str) -> str:
    """The value of a quoted string. Unknown escapes are kept as written,
    so regular expressions such as ``'\\d+'`` read naturally."""
    body = text[1:-1]
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16)) if int(code[1:], 16) <= 0x10FFFF else match.group(0)
        return match.group(0)

    return _ESCAPE.sub(replace, body)


def read_text(field: F.Field, text: str, op: str = "=") -> Value:
    """``text`` read as a value of ``field`` compared with ``op``: text stays
    text, enumerations are lower-cased, sizes become whole numbers of the
    field's unit (see :func:`whole_size`), times become UTC datetimes or
    relative times. Raises :class:`LiteralError` when it is not one."""
    kind = field.kind
    try:
        if kind in (F.Kind.STRING, F.Kind.PROPERTY, F.Kind.TAGS, F.Kind.LOCATION):
            return text
        if kind in (F.Kind.ENUM, F.Kind.SCOPE):
            lowered = text.lower()
            if lowered not in field.values:
                raise LiteralError(f"{text!r} is not a {field.name}; expected one of: {', '.join(field.values)}")
            return lowered
        if kind is F.Kind.BOOLEAN:
            return parse_boolean(text)
        if kind is F.Kind.DATETIME:
            relative = parse_relative(text)
            return relative if relative is not None else parse_datetime(text)
        if kind is F.Kind.BYTES:
            amount = parse_size(text, field.unit)
    except LiteralError as exc:
        raise LiteralError(str(exc), field.name) from None
    if kind is F.Kind.BYTES:
        return whole_size(field, op, amount, text)
    raise AssertionError(kind)  # pragma: no cover


def whole_size(field: F.Field, op: str, amount: Decimal, text: str) -> int:
    """Sizes are whole numbers of the field's unit. A fractional bound is
    replaced by the whole bound that selects the same values, so that
    ``min_ram >= 1GB`` (953.67 MiB) means ``min_ram >= 954``; a fractional
    equality selects nothing and is refused."""
    if amount < 0:
        raise LiteralError("a size cannot be negative", field.name)
    if amount == amount.to_integral_value():
        return int(amount)
    if op in ("<", ">="):
        return int(amount.to_integral_value(ROUND_CEILING))
    if op in ("<=", ">"):
        return int(amount.to_integral_value(ROUND_FLOOR))
    raise LiteralError(f"{field.name} is a whole number of {field.unit_name}; {text} is {amount:.2f} {field.unit_name}")


def parse_size(text: str, unit: int = 1) -> Decimal:
    """A size literal as a (possibly fractional) count of ``unit`` bytes.
    A number without a unit is already in the field's own unit (MiB for
    min_ram, GiB for min_disk, bytes for size)."""
    match = _SIZE.match(text)
    if match is None:
        digits = " with the digits 0-9" if any(c.isdigit() and not c.isascii() for c in text) else ""
        raise LiteralError(f"{text!r} is not a size (write a number{digits} with an optional unit: 512MiB, 5GB, 1.5G)")
    number_text, unit_text = match.groups()
    factor = SIZE_UNITS.get(unit_text.lower())
    if factor is None:
        raise LiteralError(
            f"unknown size unit {unit_text!r} in {text!r} (units: KB MB GB TB PB, KiB MiB GiB TiB PiB, or K M G T P)"
        )
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        # An exponent beyond what Decimal can hold (1e999999999999999999999).
        raise LiteralError(f"{text!r} is too large or too small to be a size") from None
    if number.adjusted() > _MAX_EXPONENT:
        raise LiteralError(f"{text!r} is too large to be a size")
    amount = number * factor / unit if unit_text else number
    # The bound applies to the result too, in the field's own unit, so that
    # every accepted size can be written back as a plain number and read again
    # (1e30PiB of min_ram would otherwise be a 40-digit count of MiB).
    if amount.adjusted() > _MAX_EXPONENT:
        raise LiteralError(f"{text!r} is too large to be a size")
    return amount


def check_size(amount: int) -> int:
    """A whole size as given by a program (a bound parameter), checked
    against the same bounds as a size literal."""
    if amount < 0:
        raise LiteralError("a size cannot be negative")
    if amount >= 10 ** (_MAX_EXPONENT + 1):
        raise LiteralError(f"{amount} is too large to be a size")
    return amount


def parse_number(text: str) -> Decimal | None:
    """A number when ``text`` reads as one, else None (for custom properties).
    Spaces are not trimmed: a stored value is compared as it is stored, and
    the literal follows the same rule, so `'9 '` is text on either side."""
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
    return relative_time(amount, unit, text)


# The furthest a relative time may reach back. Beyond it the time could not
# be resolved into a date (year 1 is the earliest Python knows), and no image
# is that old anyway.
MAX_RELATIVE_DAYS = 365_250  # 1000 years
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def relative_time(amount: Decimal, unit: str, text: str) -> RelativeTime:
    """``amount`` ``unit`` ago, checked against the bounds of a literal."""
    if amount < 0:
        raise LiteralError(f"{text!r} is in the future; a relative time counts back from now")
    if amount * _UNIT_SECONDS[unit] > MAX_RELATIVE_DAYS * 86400:
        raise LiteralError(f"{text!r} is too far in the past (at most {MAX_RELATIVE_DAYS} days, about 1000 years)")
    return RelativeTime(amount.normalize(), unit)


def relative_from_timedelta(delta: dt.timedelta) -> RelativeTime:
    """A ``timedelta`` (a bound parameter) as a relative time, in the largest
    unit that holds it exactly, so that it prints as a literal that reads back."""
    micro = delta // dt.timedelta(microseconds=1)
    for unit in ("w", "d", "h", "m", "s"):
        per = _UNIT_SECONDS[unit] * 1_000_000
        if micro % per == 0:
            return relative_time(Decimal(micro // per), unit, str(delta))
    return relative_time(Decimal(micro).scaleb(-6), "s", str(delta))


# The ISO 8601 forms a datetime literal takes: the extended calendar date,
# then optionally a time (hours and minutes, seconds, a fraction after `.`
# or `,`) and an offset. ASCII digits only; see docs/language.md.
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?\Z"
)
# Python keeps times to the microsecond: a fraction is read to six digits.
_FRACTION_DIGITS = 6


def parse_datetime(text: str) -> dt.datetime:
    """An ISO 8601 date or datetime in the extended calendar form; UTC when
    it has no offset. A fraction of a second finer than a microsecond is
    refused: it could not be kept, and dropping it would change answers
    (``= 21:12:06.0000001`` matches no shown time, ``= 21:12:06`` does)."""
    stripped = text.strip()
    found = _DATETIME.match(stripped)
    if found is None:
        raise LiteralError(_not_a_datetime(text, stripped))
    fraction = found["fraction"] or ""
    if fraction[_FRACTION_DIGITS:].strip("0"):
        raise LiteralError(
            f"{text!r} has a fraction of a second finer than a microsecond ({len(fraction)} digits); "
            f"times are kept to the microsecond: write at most {_FRACTION_DIGITS} digits after the point"
        )
    try:
        day = dt.date.fromisoformat(found["date"])
        if found["hour"] is None:
            return to_utc(dt.datetime.combine(day, dt.time()), text)
        micro = int(fraction[:_FRACTION_DIGITS].ljust(_FRACTION_DIGITS, "0"))
        moment = dt.time(int(found["hour"]), int(found["minute"]), int(found["second"] or 0), micro)
        offset = found["offset"]
        if offset and offset not in "Zz":
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            moment = moment.replace(tzinfo=dt.timezone(sign * delta))
    except ValueError:
        raise LiteralError(_not_a_datetime(text, stripped)) from None
    return to_utc(dt.datetime.combine(day, moment), text)


def _not_a_datetime(text: str, stripped: str) -> str:
    """Why ``text`` is no datetime literal, naming the forms that are."""
    forms = "write 2025-10-02, 2025-10-02T08:30:39Z, 2025-10-02T08:30:39+02:00 or 7d ago"
    if re.search(r"T24:00|[Tt ]24:00", stripped):
        return f"{text!r} is not a date or time: 24:00 is written as 00:00 of the next day ({forms})"
    if re.match(r"[0-9]{8}(?:[Tt]|\Z)|[0-9]{4}-?W[0-9]|[0-9]{4}-[0-9]{3}(?:[Tt ]|\Z)", stripped):
        return (
            f"{text!r} is not a date or time: dates are written year-month-day with dashes "
            f"(week dates, ordinal dates and the basic format without dashes are not read; {forms})"
        )
    return f"{text!r} is not a date or time ({forms})"


def to_utc(value: dt.datetime, text: str = "") -> dt.datetime:
    """An aware datetime in UTC; a naive one is taken to be UTC already.
    Every time in a query is kept in UTC, so that two literals naming the same
    instant give equal queries with the same canonical text."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:
        raise LiteralError(f"{text or value.isoformat()!r} is out of range once converted to UTC") from None


def parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise LiteralError(f"{text!r} is not a boolean (write true or false)")


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC with ``Z``, as the Images API writes times."""
    if value.tzinfo is not None and value.utcoffset() != dt.timedelta(0):
        try:
            value = value.astimezone(dt.timezone.utc)
        except OverflowError:  # only at the very ends of the calendar
            return value.isoformat()
    if value.utcoffset() in (dt.timedelta(0), None):
        text = value.replace(tzinfo=None).isoformat()
        return text + "Z"
    return value.isoformat()
