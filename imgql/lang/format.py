"""Canonical text of a query: ``parse(format_query(q)) == q`` for every query.

Keywords are lower case, operators spaced, parentheses only where precedence
needs them, sizes in the largest exact unit, times in UTC with ``Z``, and
text bare where it would read back the same, single-quoted otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import fields as F
from .ast import (
    PREDICATES,
    And,
    Compare,
    Const,
    Exists,
    Expr,
    InList,
    Literal,
    Match,
    Not,
    Or,
    Param,
    Query,
    RelativeTime,
    SortKey,
    Value,
)
from .grammar import bare_word
from .literals import format_datetime
from .visitor import Fold, UnhandledNodeError

__all__ = [
    "bare_or_quoted",
    "field_name",
    "format_expr",
    "format_predicate",
    "format_query",
    "format_sort_key",
    "format_value",
    "lookup_kind",
    "quote",
]
_QUOTE = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}

_SIZE_UNITS = (
    (1024**5, "PiB"),
    (1000**5, "PB"),
    (1024**4, "TiB"),
    (1000**4, "TB"),
    (1024**3, "GiB"),
    (1000**3, "GB"),
    (1024**2, "MiB"),
    (1000**2, "MB"),
    (1024, "KiB"),
    (1000, "KB"),
)


def format_query(query: Query) -> str:
    parts = ["all images" if query.all_images else "images"]
    if query.where is not None:
        parts.append("where " + format_expr(query.where))
    if query.order_by:
        parts.append("order by " + ", ".join(format_sort_key(k) for k in query.order_by))
    if query.limit is not None:
        parts.append(f"limit {query.limit}")
    parts.extend(f"else {format_query(tier)}" for tier in query.fallbacks)
    return " ".join(parts)


def format_sort_key(key: SortKey) -> str:
    name = field_name(key.field)
    return f"{f'version({name})' if key.version else name} {'desc' if key.descending else 'asc'}"


def field_name(name: str) -> str:
    """A field's name as a query writes it: the field catalog's ``shown_as``
    (`tag`, `hidden`), and
    `property.NAME` for a custom property that would otherwise read as a
    known field or a typo of one."""
    return F.lookup(name).shown_as or F.written_name(name)


_OR, _AND, _NOT, _ATOM = range(4)

# A node's text as a tree of pieces, joined once at the end, so that a deep
# tree costs time in proportion to its text, not to its text times its depth.
_Pieces = tuple[Any, ...]


class _Format(Fold[tuple[int, _Pieces]]):
    """Each node's text and precedence, children first; a child is put in
    parentheses when its precedence is lower than its place needs."""

    DEFAULT_FOR = PREDICATES  # each one condition: format_predicate

    def _join(self, parts: tuple[tuple[int, _Pieces], ...], joiner: str, inner: int) -> _Pieces:
        out: list[Any] = []
        for index, (precedence, pieces) in enumerate(parts):
            if index:
                out.append(joiner)
            out.append(("(", pieces, ")") if precedence < inner else pieces)
        return tuple(out)

    def visit_Or(self, node: Or, *operands: tuple[int, _Pieces]) -> tuple[int, _Pieces]:
        return _OR, self._join(operands, " or ", _AND)

    def visit_And(self, node: And, *operands: tuple[int, _Pieces]) -> tuple[int, _Pieces]:
        return _AND, self._join(operands, " and ", _NOT)

    def visit_Not(self, node: Not, operand: tuple[int, _Pieces]) -> tuple[int, _Pieces]:
        return _NOT, ("not ", self._join((operand,), "", _NOT))

    def visit_Const(self, node: Const) -> tuple[int, _Pieces]:
        return _ATOM, ("true" if node.value else "false",)

    def generic_visit(self, node: Expr, *operands: tuple[int, _Pieces]) -> tuple[int, _Pieces]:
        return _ATOM, (format_predicate(node),)  # type: ignore[arg-type]


def format_expr(expr: Expr) -> str:
    """The text of an expression; no tree, however deep, reaches the recursion limit."""
    _, pieces = _Format().fold(expr)
    out: list[str] = []
    stack: list[Any] = [pieces]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            stack.extend(reversed(item))
    return "".join(out)


def format_predicate(expr: Compare | InList | Match | Exists) -> str:
    name = field_name(expr.field)
    if isinstance(expr, Compare):
        if expr.value is True and expr.op == "=" and lookup_kind(expr.field) is F.Kind.BOOLEAN:
            return name
        return f"{name} {expr.op} {format_value(expr.field, expr.value)}"
    if isinstance(expr, InList):
        values = ", ".join(format_value(expr.field, v) for v in expr.values)
        return f"{name} {'not in' if expr.negated else 'in'} ({values})"
    if isinstance(expr, Match):
        pattern = format_value(expr.field, expr.pattern) if not isinstance(expr.pattern, str) else quote(expr.pattern)
        if expr.op == "regex":
            return f"{name} {'!~' if expr.negated else '~'} {pattern}"
        return f"{name} {'not ' if expr.negated else ''}{expr.op} {pattern}"
    if isinstance(expr, Exists):
        return f"{name} {'exists' if expr.present else 'missing'}"
    raise UnhandledNodeError("imgql.lang.format.format_predicate", type(expr))


def lookup_kind(name: str) -> F.Kind:
    return F.lookup(name).kind


def format_value(field: str, value: Value) -> str:
    if isinstance(value, Param):
        return f"${value.name}"
    if isinstance(value, Literal):
        # An unchecked query's literal, as it was written.
        return _as_written(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _format_int(field, value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, RelativeTime):
        return f"{format(value.amount, 'f')}{value.unit} ago"
    return bare_or_quoted(value)


def _as_written(value: Literal) -> str:
    if value.form == "quoted":
        return quote(value.text)
    if value.form == "implied":
        return "true"
    return value.text


def _format_int(field: str, value: int) -> str:
    if F.lookup(field).unit == 1 and value:
        for factor, unit in _SIZE_UNITS:
            if value % factor == 0:
                return f"{value // factor}{unit}"
    return str(value)


def bare_or_quoted(text: str) -> str:
    # Bare when the lexer reads it back as one bare word (never `--`, which
    # starts a comment), and not the keyword null.
    if bare_word().fullmatch(text) and text.lower() != "null":
        return text
    return quote(text)


# What a backslash may stand before and still be read as written: not an
# escape of its own, nor a character quote() itself escapes.
_NOT_ESCAPES = frozenset("\\'\"ntr0")
_HEX = frozenset("0123456789abcdefABCDEF")


def _kept_as_written(after: str) -> bool:
    """Whether a backslash followed by ``after`` reads back as a backslash."""
    if not after:
        return False
    nxt = after[0]
    if nxt in _NOT_ESCAPES or nxt in _QUOTE or not nxt.isprintable():
        return False
    digits = {"u": 4, "U": 8}.get(nxt)
    return digits is None or not (len(after) > digits and set(after[1 : digits + 1]) <= _HEX)


def quote(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        escaped = _QUOTE.get(ch)
        if ch == "\\" and _kept_as_written(text[i + 1 : i + 10]):
            # `\.` reads back as itself: a pattern is shown as it was typed (`'^a\.b'`).
            out.append(ch)
        elif escaped is not None:
            out.append(escaped)
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"
