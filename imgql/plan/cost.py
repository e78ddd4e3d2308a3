"""What a request is expected to cost, before any request is made.

The planner weighs a union of requests against one wider request by the
share of a listing each is expected to keep, from the figures in
capabilities.py (a public cloud's shape). The figures only rank plans; the
executor's probe (the wider request's first page) decides on the catalog
itself whether a union is sent at all.
"""

from __future__ import annotations

import datetime as dt

from ..lang import fields as F
from ..lang.ast import And, Compare, Expr, InList, Or, Value
from ..lang.literals import format_datetime
from .capabilities import EXACT_SHARE, FIELD_SHARES, OTHER_SHARE, RANGE_SHARE, VALUE_SHARES

__all__ = ["expected_share"]


def expected_share(expr: Expr) -> float:
    """The share of a listing that ``expr`` is expected to keep, from the
    capability tables' figures for a public cloud (independent conditions
    multiply, alternatives add up to at most all)."""
    if isinstance(expr, And):
        share = 1.0
        for part in expr.operands:
            share *= expected_share(part)
        return share
    if isinstance(expr, Or):
        return min(1.0, sum(expected_share(part) for part in expr.operands))
    if isinstance(expr, InList) and not expr.negated:
        return min(1.0, sum(_equal_share(expr.field, v) for v in expr.values))
    if isinstance(expr, Compare):
        if expr.op == "=":
            return _equal_share(expr.field, expr.value)
        if expr.op == "!=":
            return 1.0 - _equal_share(expr.field, expr.value)
        return RANGE_SHARE
    return 1.0


def _equal_share(field: str, value: Value) -> float:
    known = VALUE_SHARES.get((field, _text(value)))
    if known is not None:
        return known
    share = FIELD_SHARES.get(field)
    if share is not None:
        return share
    return EXACT_SHARE if F.lookup(field).kind in (F.Kind.BYTES, F.Kind.DATETIME) else OTHER_SHARE


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    return str(value)
