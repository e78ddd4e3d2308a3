"""Bound parameters: ``images where name = $name`` with ``name="x"``.

Values are placed into the AST, never spliced into query text, so nothing a
parameter holds can change the shape of the query. A Python value is checked
against its field the same way a literal would be, and the bound tree goes
through the check pass, as a parsed one does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from ..errors import InvalidPatternError, InvalidValueError, ParameterError
from . import fields as F
from .ast import And, Compare, Const, Exists, Expr, InList, Match, Not, Or, Param, Query, Value
from .check import checked, null_problem
from .literals import LiteralError, check_size, read_text, relative_from_timedelta, to_utc
from .visitor import Transformer

__all__ = ["bind"]


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
    if query.fallbacks:
        tiers = [bind(tier, {k: v for k, v in params.items() if k in tier.params}) for tier in query.tiers]
        return attrs.evolve(tiers[0], fallbacks=tuple(tiers[1:]))
    bound = attrs.evolve(query, where=_bind_expr(query.where, params) if query.where is not None else None)
    # The values are in the tree now: the rules a literal meets, they meet
    # (`region in ($r)` with "*", `cloud = $c` with "*" are refused alike).
    return checked(bound)


def _bind_expr(expr: Expr, params: Mapping[str, object]) -> Expr:
    return _Bind(params).transform(expr)


class _Bind(Transformer):
    """Every ``$name`` replaced by its value, read as its field's type."""

    DEFAULT_FOR = (Exists, Not, And, Or, Const)  # they hold no value

    def __init__(self, params: Mapping[str, object]) -> None:
        super().__init__()
        self.params = params

    def visit_Compare(self, node: Compare) -> Expr:
        if not isinstance(node.value, Param):
            return node
        name = node.value.name
        raw = self.params[name]
        field = F.lookup(node.field)
        if raw is None:
            # As the literal: `x = null` is `x missing`, `x != null` is `x exists`.
            problem = null_problem(field, node.op)
            if problem is not None:
                raise ParameterError(f"${name} is None, and {problem[1]}")
            return Exists(node.field, present=(node.op == "!="), span=node.span)
        if isinstance(raw, _LISTS) and node.op in ("=", "!="):
            values = tuple(_value(field, node.op, item, name) for item in _items(raw, name))
            return InList(node.field, _unique(values), negated=(node.op == "!="), span=node.span)
        return attrs.evolve(node, value=_value(field, node.op, raw, name))

    def visit_InList(self, node: InList) -> Expr:
        if not any(isinstance(v, Param) for v in node.values):
            return node
        field = F.lookup(node.field)
        bound: list[Value] = []
        for value in node.values:
            if isinstance(value, Param):
                raw = self.params[value.name]
                items = _items(raw, value.name) if isinstance(raw, _LISTS) else _items((raw,), value.name)
                bound.extend(_value(field, "=", item, value.name) for item in items)
            else:
                bound.append(value)
        return attrs.evolve(node, values=_unique(tuple(bound)))

    def visit_Match(self, node: Match) -> Expr:
        if not isinstance(node.pattern, Param):
            return node
        raw = self.params[node.pattern.name]
        if not isinstance(raw, str):
            raise ParameterError(f"${node.pattern.name} must be text for {node.op}, not {type(raw).__name__}")
        if node.op == "regex":
            from .regex import regex_problem  # loaded only for a `~` (RE2 is slow to import)

            problem = regex_problem(raw)
            if problem is not None:
                raise InvalidPatternError(f"${node.pattern.name} is not a valid regular expression: {problem.message}")
        return attrs.evolve(node, pattern=raw)


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


def _value(field: F.Field, op: str, raw: object, name: str) -> Value:
    """A Python value as a value of the field, or a ParameterError naming it.
    Text is read as the same literal in a query would be (:func:`read_text`)."""
    kind = field.kind
    try:
        if isinstance(raw, str):
            return read_text(field, raw, op)
        if kind is F.Kind.BOOLEAN:
            if isinstance(raw, bool):
                return raw
        elif kind is F.Kind.BYTES:
            if isinstance(raw, bool):
                raise LiteralError("a size cannot be true or false")
            if isinstance(raw, int):
                return check_size(raw)
            if isinstance(raw, (float, Decimal)):
                return read_text(field, str(raw), op)
        elif kind is F.Kind.DATETIME:
            if isinstance(raw, dt.datetime):
                return to_utc(raw)
            if isinstance(raw, dt.date):
                return dt.datetime.combine(raw, dt.time(), tzinfo=dt.timezone.utc)
            if isinstance(raw, dt.timedelta):
                return relative_from_timedelta(raw)
        elif kind in (F.Kind.ENUM, F.Kind.SCOPE):
            raise LiteralError(f"expected one of: {', '.join(field.values)}")
        else:
            if isinstance(raw, bool):
                return "true" if raw else "false"
            if isinstance(raw, (int, float, Decimal)):
                try:
                    return str(raw)
                except ValueError:  # an int too long to print
                    raise LiteralError("the number is too large") from None
    except LiteralError as exc:
        raise InvalidValueError(f"${name} does not fit {field.name}: {exc}") from None
    if isinstance(raw, _VALUE_TYPES):
        # A value of a type the table of bound values names (an int for a
        # boolean, a datetime for a size) is a value that does not fit, as
        # its text would be; only a type with no literal form is misuse.
        raise InvalidValueError(
            f"${name} does not fit {field.name}: a {type(raw).__name__} is not a {kind.value} value"
            f"{_WANTED.get(kind, '')}"
        )
    raise ParameterError(f"${name}: a {type(raw).__name__} cannot be a value of {field.name} ({kind.value})")


# The Python types that have a literal form (docs/language.md, Bound parameters).
_VALUE_TYPES = (str, int, float, Decimal, bool, dt.datetime, dt.date, dt.timedelta)
_WANTED = {
    F.Kind.BOOLEAN: " (pass True, False, or the text 'true' or 'false')",
    F.Kind.DATETIME: " (pass a datetime, a date, a timedelta, or a text such as '2025-10-02' or '7d ago')",
    F.Kind.BYTES: " (pass an int, a float, a Decimal, or a text such as '5GB')",
}
