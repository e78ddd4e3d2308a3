"""The query as immutable values.

Nodes are frozen attrs classes holding tuples, so they hash and compare by
content. Source positions (``span``) are kept for error messages but take no
part in equality: two queries that mean the same thing are equal however they
were written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Union

import attrs

if TYPE_CHECKING:
    from ..plan.plan import Plan

__all__ = [
    "FALSE",
    "MATCH_KINDS",
    "MAX_DEPTH",
    "NODES",
    "PREDICATES",
    "TRUE",
    "And",
    "Compare",
    "Connective",
    "Const",
    "Exists",
    "Expr",
    "InList",
    "Literal",
    "Match",
    "Node",
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
    "values",
]

class Node:
    """What every expression node declares about itself, as class data; the
    generic traversals (:func:`values`, :func:`imgql.lang.visitor.children`,
    :func:`imgql.lang.visitor.rebuild`) read it, so that a new node class
    says here what it holds and no traversal names it.

    - ``CHILDREN``: the attributes holding sub-expressions, each one
      expression or a tuple of them, in the order they are written;
    - ``VALUES``: the attributes holding values (:data:`Value` leaves, a
      :class:`Param` among them), each one value or a tuple of them;
    - ``NAMES_FIELD``: whether the node is a condition on one field, named
      by its ``field`` attribute.
    """

    __slots__ = ()

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    VALUES: ClassVar[tuple[str, ...]] = ()
    NAMES_FIELD: ClassVar[bool] = False


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
class Compare(Node):
    """``field op value``; op is one of = != < <= > >=."""

    VALUES = ("value",)
    NAMES_FIELD = True

    field: str
    op: str
    value: Value
    span: Span | None = _span
    # Where the operator stands, for errors about it.
    op_span: Span | None = _span


@attrs.frozen(cache_hash=True)
class InList(Node):
    """``field [not] in (v1, v2, ...)``."""

    VALUES = ("values",)
    NAMES_FIELD = True

    field: str
    values: tuple[Value, ...]
    negated: bool = False
    span: Span | None = _span


# Each text-matching operator (``Match.op``) and the kind of match it is; the
# predicate compiler compiles by kind, so an operator of a known kind needs no
# code of its own there, and one missing here fails by name.
MATCH_KINDS: dict[str, str] = {"like": "glob", "contains": "substring", "regex": "regex"}


@attrs.frozen(cache_hash=True)
class Match(Node):
    """Text matching: ``like`` (glob), ``contains`` (substring) or ``~`` (regex)."""

    VALUES = ("pattern",)
    NAMES_FIELD = True

    field: str
    op: str  # like | contains | regex
    pattern: str | Param | Literal
    negated: bool = False
    span: Span | None = _span


@attrs.frozen(cache_hash=True)
class Exists(Node):
    """``field exists`` (present and not null) or ``field missing``."""

    NAMES_FIELD = True

    field: str
    present: bool = True
    span: Span | None = _span


@attrs.frozen(cache_hash=True)
class Not(Node):
    """``not operand``."""

    CHILDREN = ("operand",)

    operand: Expr
    span: Span | None = _span
    depth: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "depth", depth_of(self.operand) + 1)


@attrs.frozen(cache_hash=True)
class Connective(Node):
    """What :class:`And` and :class:`Or` share: operands, in the order they
    are written. Never built itself; an And and an Or with the same operands
    differ (attrs compares the class)."""

    CHILDREN = ("operands",)

    operands: tuple[Expr, ...]
    span: Span | None = _span
    depth: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "depth", max(map(depth_of, self.operands), default=0) + 1)


@attrs.frozen(cache_hash=True)
class And(Connective):
    """Every operand holds."""


@attrs.frozen(cache_hash=True)
class Or(Connective):
    """Some operand holds."""


@attrs.frozen
class Const(Node):
    """Always true or always false; produced by normalization, never parsed."""

    value: bool


Predicate = Union[Compare, InList, Match, Exists]
Expr = Union[Compare, InList, Match, Exists, Not, And, Or, Const]
PREDICATES = (Compare, InList, Match, Exists)
# Every node class of the language: what a pass must handle or name as its default.
NODES: tuple[type[Node], ...] = (Compare, InList, Match, Exists, Not, And, Or, Const)

TRUE = Const(True)
FALSE = Const(False)


def depth_of(expr: Expr) -> int:
    """How deep the expression nests: 1 for a node without children (a node
    with children keeps its depth, computed once when it is built)."""
    if type(expr).CHILDREN:
        depth: int = getattr(expr, "depth")  # noqa: B009 - every node with children has one
        return depth
    return 1


def values(node: Expr) -> tuple[Value, ...]:
    """The values a node holds itself (not its children's), in the order
    they are written: a :class:`Param` among them is a parameter it needs."""
    found: list[Value] = []
    for name in type(node).VALUES:
        held = getattr(node, name)
        if isinstance(held, tuple):
            found.extend(held)
        else:
            found.append(held)
    return tuple(found)


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
            if type(node).NAMES_FIELD:
                names.add(getattr(node, "field"))  # noqa: B009 - declared by NAMES_FIELD
        for tier in self.fallbacks:
            names.update(tier.fields)
        return frozenset(names)

    @property
    def params(self) -> frozenset[str]:
        """Names of the bound parameters (``$name``) the query needs."""
        from .visitor import walk

        found: set[str] = set()
        for node in walk(self.where):
            for value in values(node):
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

