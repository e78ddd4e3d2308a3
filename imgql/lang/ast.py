"""The query as immutable values.

Nodes are frozen attrs classes holding tuples, so they hash and compare by
content. Source positions (``span``) are kept for error messages but take no
part in equality: two queries that mean the same thing are equal however they
were written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Union

import attrs

if TYPE_CHECKING:
    from ..plan.plan import Plan

__all__ = [
    "FALSE",
    "MAX_DEPTH",
    "PREDICATES",
    "TRUE",
    "And",
    "Compare",
    "Const",
    "Exists",
    "Expr",
    "InList",
    "Literal",
    "Match",
    "Not",
    "Or",
    "Param",
    "Predicate",
    "Query",
    "RelativeTime",
    "SortKey",
    "Span",
    "Value",
    "depth_of",
]

# Expression nodes cache their hash (computed on first use): normalization
# and planning put the same nodes in sets and dicts many times over.

# Nesting deeper than this is refused at parse time, so that no later stage
# (normalize, format, plan, compile) can reach Python's recursion limit.
MAX_DEPTH = 128


@attrs.frozen
class Span:
    """Where a node came from in the query text: 0-based offsets, end exclusive."""

    start: int
    end: int


_span = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Param:
    """A bound parameter, ``$name``; replaced by a value before planning."""

    name: str
    span: Span | None = _span


@attrs.frozen
class RelativeTime:
    """A time relative to when the query is planned: ``7d ago``."""

    amount: Decimal
    unit: str  # one of s, m, h, d, w

    def delta(self) -> dt.timedelta:
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[self.unit]
        return dt.timedelta(seconds=float(self.amount * seconds))

    def resolve(self, now: dt.datetime) -> dt.datetime:
        return now - self.delta()


@attrs.frozen
class Literal:
    """A literal as the parser read it, before the check pass gives it its
    field's type: ``text`` is unquoted; ``form`` says how it was written
    (``bare``, ``quoted``, ``reltime``, ``null``, or ``implied`` for the
    ``true`` a boolean field alone stands for). Only the parser's raw
    queries hold these; a checked query never does."""

    text: str
    form: str
    span: Span | None = _span


# A literal after it has been read by its field's type. Strings stay strings
# for string fields and custom properties; sizes become whole numbers in the
# field's own unit; datetimes are timezone-aware.
Value = Union[str, int, bool, dt.datetime, RelativeTime, Param, Literal]


@attrs.frozen(cache_hash=True)
class Compare:
    """``field op value``; op is one of = != < <= > >=."""

    field: str
    op: str
    value: Value
    span: Span | None = _span
    # Where the operator stands, for errors about it.
    op_span: Span | None = _span


@attrs.frozen(cache_hash=True)
class InList:
    """``field [not] in (v1, v2, ...)``."""

    field: str
    values: tuple[Value, ...]
    negated: bool = False
    span: Span | None = _span


@attrs.frozen(cache_hash=True)
class Match:
    """Text matching: ``like`` (glob), ``contains`` (substring) or ``~`` (regex)."""

    field: str
    op: str  # like | contains | regex
    pattern: str | Param | Literal
    negated: bool = False
    span: Span | None = _span


@attrs.frozen(cache_hash=True)
class Exists:
    """``field exists`` (present and not null) or ``field missing``."""

    field: str
    present: bool = True
    span: Span | None = _span


@attrs.frozen(cache_hash=True)
class Not:
    operand: Expr
    span: Span | None = _span
    depth: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "depth", depth_of(self.operand) + 1)


@attrs.frozen(cache_hash=True)
class And:
    operands: tuple[Expr, ...]
    span: Span | None = _span
    depth: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "depth", max(map(depth_of, self.operands), default=0) + 1)


@attrs.frozen(cache_hash=True)
class Or:
    operands: tuple[Expr, ...]
    span: Span | None = _span
    depth: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "depth", max(map(depth_of, self.operands), default=0) + 1)


@attrs.frozen
class Const:
    """Always true or always false; produced by normalization, never parsed."""

    value: bool


Predicate = Union[Compare, InList, Match, Exists]
Expr = Union[Compare, InList, Match, Exists, Not, And, Or, Const]
PREDICATES = (Compare, InList, Match, Exists)

TRUE = Const(True)
FALSE = Const(False)


def depth_of(expr: Expr) -> int:
    if isinstance(expr, (Not, And, Or)):
        return expr.depth
    return 1


@attrs.frozen
class SortKey:
    """``field [asc|desc]``; with ``version``, ``version(field)``: ordered by
    the version the text holds (``22.04.9 < 22.04.10``), always on the client."""

    field: str
    descending: bool = False
    span: Span | None = _span
    version: bool = False


@attrs.frozen
class Query:
    """A parsed query. ``str(query)`` is its canonical text."""

    where: Expr | None = None
    order_by: tuple[SortKey, ...] = ()
    limit: int | None = None
    all_images: bool = False
    # `A else B else C`: the queries tried after this one, in order, when it
    # answers no image (each a whole query without fallbacks of its own).
    fallbacks: tuple[Query, ...] = ()

    @property
    def tiers(self) -> tuple[Query, ...]:
        """This query without its fallbacks, then each fallback: the order they are tried in."""
        if not self.fallbacks:
            return (self,)
        return (attrs.evolve(self, fallbacks=()), *self.fallbacks)

    def __str__(self) -> str:
        from .format import format_query

        return format_query(self)

    @property
    def fields(self) -> frozenset[str]:
        """Names of every field the query references (canonical names)."""
        from .visitor import walk

        names = {key.field for key in self.order_by}
        for node in walk(self.where):
            if isinstance(node, PREDICATES):
                names.add(node.field)
        for tier in self.fallbacks:
            names.update(tier.fields)
        return frozenset(names)

    @property
    def params(self) -> frozenset[str]:
        """Names of the bound parameters (``$name``) the query needs."""
        from .visitor import walk

        found: set[str] = set()
        for node in walk(self.where):
            for value in _values(node):
                if isinstance(value, Param):
                    found.add(value.name)
        for tier in self.fallbacks:
            found.update(tier.params)
        return frozenset(found)

    def bind(self, **params: object) -> Query:
        """The same query with every ``$name`` replaced by its value."""
        from .params import bind

        return bind(self, params)

    def plan(self, profile: str = "glance", **params: object) -> Plan:
        """The plan that answers this query under a capability profile."""
        from ..plan.planner import plan

        return plan(self.bind(**params) if params or self.params else self, profile)

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(f"<imgql.Query {self}>")  # type: ignore[attr-defined]


def _values(node: Expr) -> tuple[object, ...]:
    if isinstance(node, Compare):
        return (node.value,)
    if isinstance(node, InList):
        return node.values
    if isinstance(node, Match):
        return (node.pattern,)
    return ()
