"""A record's values as the client-side test reads them: times, text, numbers.

Glance writes times as ISO 8601 text and custom properties as text; an
exported catalog may hold JSON numbers or booleans. These readers are bound
into every compiled predicate's namespace and used by the sort keys.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from ..isotime import fromisoformat

__all__ = [
    "MISSING",
    "NUMBERS_READ",
    "as_text",
    "compare_property",
    "number_of",
    "parse_time",
    "read_number",
    "read_time",
]


def parse_time(text: str) -> dt.datetime | None:
    """A record's timestamp as an aware datetime; None when unreadable."""
    try:
        value = fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


_fromisoformat = fromisoformat
_UTC = dt.timezone.utc


def read_time(value: Any) -> dt.datetime | None:
    # Not cached: a listing's timestamps are nearly all distinct, and a
    # bounded cache missing every time costs more than parsing (C code).
    if value.__class__ is not str:
        return None
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)


def as_text(value: Any) -> str | None:
    """A custom property's value as text (Glance stores them as strings;
    an exported catalog may hold JSON numbers or booleans)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


# What reads as a number, as for a literal in a query (imgql.lang.literals.parse_number):
# not float()'s wider idea, which takes "nan", "infinity" and "1_000".
_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def read_number(value: str | None) -> float | None:
    if value is None or not _NUMERIC.match(value):
        return None
    number = float(value)
    return number if number == number else None  # NaN compares with nothing


# Property values repeat (a few versions, distributions, buses): their
# numeric reading is remembered, up to a bound, so that most records cost a
# dict lookup instead of a regular expression and a float().
_NUMBERS_KEPT = 4096
NUMBERS_READ: dict[str, float | None] = {}
MISSING = object()


def number_of(text: str) -> float | None:
    number = read_number(text)
    if len(NUMBERS_READ) < _NUMBERS_KEPT:
        NUMBERS_READ[text] = number
    return number


def compare_property(value: Any, op: str, literal: str, literal_number: float | None) -> bool:
    """Custom properties compare as numbers when both sides read as numbers,
    as text otherwise."""
    text = as_text(value)
    if text is None:
        return False
    if literal_number is not None:
        number = read_number(text)
        if number is not None:
            return _ORDER_FUNCS[op](number, literal_number)
    return _ORDER_FUNCS[op](text, literal)


_ORDER_FUNCS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
