"""Bound parameters: ``images where name = $name`` with ``name="x"``.

Values are placed into the AST, never spliced into query text, so nothing a
parameter holds can change the shape of the query. A Python value is checked
against its field the same way a literal would be.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from ..errors import InvalidPatternError, InvalidValueError, ParameterError
from . import fields as F
from .ast import And, Compare, Exists, Expr, InList, Match, Not, Or, Param, Query, Value
from .literals import (
    LiteralError,
    check_size,
    parse_boolean,
    parse_datetime,
    parse_relative,
    parse_size,
    relative_from_timedelta,
    to_utc,
)


def bind(query: Query, params: Mapping[str, object]) -> Query:
    needed = query.params
    missing = sorted(needed - set(params))
    if missing:
        names = ", ".join(f"${name}" for name in missing)
        raise ParameterError(f"no value given for {names}")
    unused = sorted(set(params) - needed)
    if unused:
        raise ParameterError(f"the query has no parameter named {', '.join('$' + n for n in unused)}")
    if not needed:
        return query
    return attrs.evolve(query, where=_bind_expr(query.where, params) if query.where is not None else None)


def _bind_expr(expr: Expr, params: Mapping[str, object]) -> Expr:
    if isinstance(expr, And):
        return And(tuple(_bind_expr(e, params) for e in expr.operands))
    if isinstance(expr, Or):
        return Or(tuple(_bind_expr(e, params) for e in expr.operands))
    if isinstance(expr, Not):
        return Not(_bind_expr(expr.operand, params))
    if isinstance(expr, Compare) and isinstance(expr.value, Param):
        name = expr.value.name
        raw = params[name]
        if raw is None:
            # As the literal: `x = null` is `x missing`, `x != null` is `x exists`.
            if expr.op not in ("=", "!=") or F.lookup(expr.field).kind is F.Kind.SCOPE:
                raise ParameterError(f"${name} is None, and {expr.field} {expr.op} null is not a condition")
            return Exists(expr.field, present=(expr.op == "!="), span=expr.span)
        if isinstance(raw, _LISTS) and expr.op in ("=", "!="):
            values = tuple(_value(expr.field, expr.op, item, name) for item in _items(raw, name))
            return InList(expr.field, _unique(values), negated=(expr.op == "!="), span=expr.span)
        return attrs.evolve(expr, value=_value(expr.field, expr.op, raw, name))
    if isinstance(expr, InList) and any(isinstance(v, Param) for v in expr.values):
        bound: list[Value] = []
        for value in expr.values:
            if isinstance(value, Param):
                raw = params[value.name]
                items = _items(raw, value.name) if isinstance(raw, _LISTS) else _items((raw,), value.name)
                bound.extend(_value(expr.field, "=", item, value.name) for item in items)
            else:
                bound.append(value)
        return attrs.evolve(expr, values=_unique(tuple(bound)))
    if isinstance(expr, Match) and isinstance(expr.pattern, Param):
        raw = params[expr.pattern.name]
        if not isinstance(raw, str):
            raise ParameterError(f"${expr.pattern.name} must be text for {expr.op}, not {type(raw).__name__}")
        if expr.op == "regex":
            try:
                re.compile(raw)
            except (re.error, OverflowError, RecursionError) as exc:
                raise InvalidPatternError(f"${expr.pattern.name} is not a valid regular expression: {exc}") from None
        return attrs.evolve(expr, pattern=raw)
    return expr


_LISTS = (list, tuple, set, frozenset)


def _items(raw: Iterable[object], name: str) -> tuple[object, ...]:
    """The members of a list parameter: at least one, none of them None."""
    items = tuple(raw)
    if not items:
        raise ParameterError(f"${name} is an empty list; a list of values needs at least one")
    if any(item is None for item in items):
        raise ParameterError(f"${name}: None cannot be in a list of values; use `missing` or `exists`")
    return items


def _unique(values: tuple[Value, ...]) -> tuple[Value, ...]:
    out: list[Value] = []
    for value in values:
        if value not in out:
            out.append(value)
    return tuple(out)


def _value(field_name: str, op: str, raw: object, name: str) -> Value:
    """A Python value as a value of the field, or a ParameterError naming it."""
    field = F.lookup(field_name)
    kind = field.kind
    try:
        if kind is F.Kind.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str):
                return parse_boolean(raw)
        elif kind is F.Kind.BYTES:
            if isinstance(raw, bool):
                raise LiteralError("a size cannot be true or false")
            if isinstance(raw, int):
                return check_size(raw)
            if isinstance(raw, (str, float, Decimal)):
                amount = parse_size(str(raw), field.unit)
                if amount != amount.to_integral_value():
                    raise LiteralError(f"{field.name} is a whole number of {field.unit_name}")
                return check_size(int(amount))
        elif kind is F.Kind.DATETIME:
            if isinstance(raw, dt.datetime):
                return to_utc(raw)
            if isinstance(raw, dt.date):
                return dt.datetime.combine(raw, dt.time(), tzinfo=dt.timezone.utc)
            if isinstance(raw, dt.timedelta):
                return relative_from_timedelta(raw)
            if isinstance(raw, str):
                return parse_relative(raw) or parse_datetime(raw)
        elif kind in (F.Kind.ENUM, F.Kind.SCOPE):
            if isinstance(raw, str) and raw.lower() in field.values:
                return raw.lower()
            raise LiteralError(f"expected one of: {', '.join(field.values)}")
        else:
            if isinstance(raw, bool):
                return "true" if raw else "false"
            if isinstance(raw, (str, int, float, Decimal)):
                try:
                    return str(raw)
                except ValueError:  # an int too long to print
                    raise LiteralError("the number is too large") from None
    except LiteralError as exc:
        raise InvalidValueError(f"${name} does not fit {field.name}: {exc}") from None
    raise ParameterError(f"${name}: a {type(raw).__name__} cannot be a value of {field.name} ({kind.value})")
