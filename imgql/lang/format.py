"""Canonical text of a query: ``parse(format_query(q)) == q`` for every query.

Keywords are lower case, operators spaced, parentheses only where precedence
needs them, sizes in the largest exact unit, times in UTC with ``Z``, and
text bare where it would read back the same, single-quoted otherwise.
"""

from __future__ import annotations

import datetime as dt
import re

from . import fields as F
from .ast import (
    And,
    Compare,
    Const,
    Exists,
    Expr,
    InList,
    Match,
    Not,
    Or,
    Param,
    Query,
    RelativeTime,
    Value,
)
from .literals import format_datetime

_BARE = re.compile(r"[\w.:/+\-*?@%&]+")
_QUOTE = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}

# Printed names: the singular `tag` and `hidden` read better in a query.
_DISPLAY = {"tags": "tag", "os_hidden": "hidden"}

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
        keys = ", ".join(f"{field_name(k.field)} {'desc' if k.descending else 'asc'}" for k in query.order_by)
        parts.append("order by " + keys)
    if query.limit is not None:
        parts.append(f"limit {query.limit}")
    return " ".join(parts)


def field_name(name: str) -> str:
    return _DISPLAY.get(name, name)


_OR, _AND, _NOT, _ATOM = range(4)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Or):
        return _OR
    if isinstance(expr, And):
        return _AND
    if isinstance(expr, Not):
        return _NOT
    return _ATOM


def format_expr(expr: Expr) -> str:
    """The text of an expression. Written with an explicit stack rather than
    recursion, so that no tree, however deep, reaches the recursion limit."""
    out: list[str] = []
    # Work items: text to emit, or a node with the least precedence it may
    # have without parentheses.
    stack: list[str | tuple[Expr, int]] = [(expr, _OR)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, minimum = item
        parts: list[str | tuple[Expr, int]] = []
        if isinstance(node, (Or, And)):
            joiner, inner = (" or ", _AND) if isinstance(node, Or) else (" and ", _NOT)
            for index, operand in enumerate(node.operands):
                if index:
                    parts.append(joiner)
                parts.append((operand, inner))
        elif isinstance(node, Not):
            parts = ["not ", (node.operand, _NOT)]
        elif isinstance(node, Const):
            parts = ["true" if node.value else "false"]
        else:
            parts = [format_predicate(node)]
        if _precedence(node) < minimum:
            parts = ["(", *parts, ")"]
        stack.extend(reversed(parts))
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
        pattern = format_value(expr.field, expr.pattern) if isinstance(expr.pattern, Param) else quote(expr.pattern)
        if expr.op == "regex":
            return f"{name} {'!~' if expr.negated else '~'} {pattern}"
        return f"{name} {'not ' if expr.negated else ''}{expr.op} {pattern}"
    return f"{name} {'exists' if expr.present else 'missing'}"


def lookup_kind(name: str) -> F.Kind:
    return F.lookup(name).kind


def format_value(field: str, value: Value) -> str:
    if isinstance(value, Param):
        return f"${value.name}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _format_int(field, value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, RelativeTime):
        return f"{format(value.amount, 'f')}{value.unit} ago"
    return bare_or_quoted(value)


def _format_int(field: str, value: int) -> str:
    if F.lookup(field).unit == 1 and value:
        for factor, unit in _SIZE_UNITS:
            if value % factor == 0:
                return f"{value // factor}{unit}"
    return str(value)


def bare_or_quoted(text: str) -> str:
    if _BARE.fullmatch(text) and text.lower() != "null" and not text.startswith("--"):
        return text
    return quote(text)


def quote(text: str) -> str:
    out = []
    for ch in text:
        escaped = _QUOTE.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"
