"""Normalization: a short list of named rewrites, each returning new values.

    resolve_times     `7d ago` becomes an instant, once, when the query is planned
    push_negations    `not` moves inward until it wraps a single predicate
    simplify          and/or flattened; a one-value list is an equality; per
                      field, equalities intersected, ranges merged, lists merged; contradictions become false and
                      tautologies true; duplicates dropped

Every rewrite keeps the meaning under the null rule (a comparison on a
missing value is false): `not size < 1KB` stays a negation, since a queued
image with no size satisfies it, while `size >= 1KB` would not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from ..lang import fields as F
from ..lang.ast import (
    FALSE,
    PREDICATES,
    TRUE,
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
    RelativeTime,
    Value,
    values,
)
from ..lang.visitor import Transformer, Visitor, walk

__all__ = ["RULES", "negate_predicate", "normalize", "push_negations", "resolve_times", "simplify"]


def normalize(expr: Expr | None, now: dt.datetime | None = None) -> Expr:
    """The normalized form of ``expr`` (``TRUE`` for no predicate)."""
    if expr is None:
        return TRUE
    for rewrite in RULES:
        expr = rewrite(expr, now)
    return expr


def resolve_times(expr: Expr, now: dt.datetime | None) -> Expr:
    if now is None or not any(_is_relative(node) for node in walk(expr)):
        # A scan is a fraction of a rebuild; most queries name no `ago`.
        return expr
    return _ResolveTimes(now).transform(expr)


def _is_relative(node: Expr) -> bool:
    return any(isinstance(v, RelativeTime) for v in values(node))


class _ResolveTimes(Transformer):
    DEFAULT_FOR = (Match, Exists, Not, And, Or, Const)  # no time to resolve: a pattern is text
    def __init__(self, now: dt.datetime) -> None:
        super().__init__()
        self.now = now

    def visit_Compare(self, node: Compare) -> Expr:
        if isinstance(node.value, RelativeTime):
            return attrs.evolve(node, value=node.value.resolve(self.now))
        return node

    def visit_InList(self, node: InList) -> Expr:
        if any(isinstance(v, RelativeTime) for v in node.values):
            values = tuple(v.resolve(self.now) if isinstance(v, RelativeTime) else v for v in node.values)
            return attrs.evolve(node, values=values)
        return node


def push_negations(expr: Expr, now: dt.datetime | None = None) -> Expr:
    if not any(isinstance(node, (Not, Const)) for node in walk(expr)):
        return expr  # nothing to move or fold: the pass would rebuild the same tree
    return _PushNegations().visit(expr, False)


class _PushNegations(Visitor[Expr]):
    """Top-down, carrying whether the node stands under an odd number of `not`s."""

    DEFAULT_FOR = PREDICATES  # each negated by negate_predicate

    def visit_Not(self, node: Not, negate: bool) -> Expr:
        return self.visit(node.operand, not negate)

    def visit_And(self, node: And, negate: bool) -> Expr:
        parts = tuple(self.visit(e, negate) for e in node.operands)
        return Or(parts) if negate else And(parts)

    def visit_Or(self, node: Or, negate: bool) -> Expr:
        parts = tuple(self.visit(e, negate) for e in node.operands)
        return And(parts) if negate else Or(parts)

    def visit_Const(self, node: Const, negate: bool) -> Expr:
        return Const(not node.value) if negate else node

    def generic_visit(self, node: Expr, negate: bool) -> Expr:
        return negate_predicate(node) if negate else node  # type: ignore[arg-type]


def negate_predicate(pred: Compare | InList | Match | Exists) -> Expr:
    """The exact negation of one predicate: a predicate where one exists,
    else the predicate wrapped in ``Not``."""
    if isinstance(pred, Exists):
        return Exists(pred.field, not pred.present, span=pred.span)
    kind = F.lookup(pred.field).kind
    if kind is F.Kind.TAGS:
        # Tags are never null (no tags is the empty list), so these are exact.
        if isinstance(pred, Compare):
            return Compare(pred.field, "!=" if pred.op == "=" else "=", pred.value, span=pred.span)
        if isinstance(pred, InList):
            return InList(pred.field, pred.values, not pred.negated, span=pred.span)
        if isinstance(pred, Match):
            return Match(pred.field, pred.op, pred.pattern, not pred.negated, span=pred.span)
    return Not(pred)


def simplify(expr: Expr, now: dt.datetime | None = None) -> Expr:
    return _Simplify().transform(expr)


class _Simplify(Transformer):
    DEFAULT_FOR = (Compare, Match, Exists, Const)  # each already as simple as it gets
    def visit_And(self, node: And) -> Expr:
        return _combine(And, list(node.operands))

    def visit_Or(self, node: Or) -> Expr:
        return _combine(Or, list(node.operands))

    def visit_Not(self, node: Not) -> Expr:
        if isinstance(node.operand, Const):
            return Const(not node.operand.value)
        return node

    def visit_InList(self, node: InList) -> Expr:
        if len(node.values) == 1 and node.field not in _SCOPE_FIELDS:
            # A one-value list is an equality (the null rule treats `in` and
            # `=`, `not in` and `!=` alike), which the API can often filter
            # where it has no list form: `protected in (false)`.
            return Compare(node.field, "!=" if node.negated else "=", node.values[0], span=node.span)
        if node.values:
            return node
        # `x in ()` holds for nothing; `x not in ()` for every present x.
        if F.lookup(node.field).kind is F.Kind.TAGS:
            return TRUE if node.negated else FALSE
        return Exists(node.field, True, span=node.span) if node.negated else FALSE


# Scope, not a property of an image: kept as written for the planner to read.
_SCOPE_FIELDS = frozenset({"member_status", "region", "cloud"})

RULES: tuple[Callable[[Expr, dt.datetime | None], Expr], ...] = (resolve_times, push_negations, simplify)


def _combine(cls: type[And] | type[Or], operands: list[Expr]) -> Expr:
    absorbing = cls is Or  # true absorbs an `or`, false absorbs an `and`
    flat: list[Expr] = []
    for operand in operands:
        if isinstance(operand, cls):
            flat.extend(operand.operands)
        elif isinstance(operand, Const):
            if operand.value is absorbing:
                return operand
        else:
            flat.append(operand)
    flat = _unique(flat)
    if _has_complement(flat):
        return Const(absorbing)
    merged = _merge_conjuncts(flat) if cls is And else _merge_disjuncts(flat)
    if isinstance(merged, Const):
        return merged
    if _has_complement(merged):
        # Merging may have rewritten `x in (v)` as `x = v`, next to `not x = v`.
        return Const(absorbing)
    if not merged:
        return Const(not absorbing)
    if len(merged) == 1:
        return merged[0]
    return cls(tuple(merged))


def _unique(items: list[Expr]) -> list[Expr]:
    seen: set[Expr] = set()
    out: list[Expr] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _has_complement(items: list[Expr]) -> bool:
    """Whether some operand's exact negation is also an operand: `x` and
    `not x`, or `tag = a` and `tag != a` (tags are never null)."""
    if not any(isinstance(item, (Not, Compare, InList, Match)) for item in items):
        return False
    present = set(items)
    for item in items:
        if isinstance(item, Not) and item.operand in present:
            return True
        if (
            isinstance(item, (Compare, InList, Match))
            and F.lookup(item.field).kind is F.Kind.TAGS
            and negate_predicate(item) in present
        ):
            return True
    return False


# -- conjunctions -----------------------------------------------------------------


class _FieldFacts:
    """What a conjunction says about one field."""

    def __init__(self) -> None:
        self.allowed: list[Value] | None = None  # from = and in: one of these
        self.excluded: list[Value] = []  # from != and not in
        self.lower: tuple[Any, bool] | None = None  # (value, inclusive)
        self.upper: tuple[Any, bool] | None = None
        self.exists = False
        self.missing = False
        self.required_tags: list[Value] = []
        self.any_of_tags: list[tuple[Value, ...]] = []

    def restrict(self, values: list[Value]) -> None:
        if self.allowed is None:
            self.allowed = _unique_values(values)
        else:
            wanted = set(values)
            self.allowed = [v for v in self.allowed if v in wanted]


_RANGED = (F.Kind.BYTES, F.Kind.DATETIME)


def _merge_conjuncts(items: list[Expr]) -> list[Expr] | Const:
    facts: dict[str, _FieldFacts] = {}
    order: list[str | Expr] = []  # field names where their group goes, or other operands
    for item in items:
        field = _mergeable_field(item)
        if field is None:
            order.append(item)
            continue
        if field not in facts:
            facts[field] = _FieldFacts()
            order.append(field)
        if not _absorb(facts[field], item, F.lookup(field).kind):
            return FALSE
    out: list[Expr] = []
    for entry in order:
        if isinstance(entry, str):
            group = _emit(entry, facts[entry])
            if group is None:
                return FALSE
            out.extend(group)
        else:
            out.append(entry)
    return out


def _mergeable_field(item: Expr) -> str | None:
    if isinstance(item, (Compare, InList, Exists)) and item.field != "member_status":
        if any(isinstance(v, (RelativeTime, Param)) for v in values(item)):
            return None  # not known yet, so not comparable with other bounds
        kind = F.lookup(item.field).kind
        if isinstance(item, Compare) and item.op not in ("=", "!=") and kind not in _RANGED:
            return None  # ordering on text and custom properties is left as written
        return item.field
    return None


def _absorb(facts: _FieldFacts, item: Expr, kind: F.Kind) -> bool:
    """Record what ``item`` says; False when it contradicts what was known."""
    if isinstance(item, Exists):
        if item.present:
            facts.exists = True
        else:
            facts.missing = True
        return True
    if kind is F.Kind.TAGS:
        if isinstance(item, Compare):
            if item.op == "=":
                facts.required_tags.append(item.value)
            else:
                facts.excluded.append(item.value)
        elif isinstance(item, InList):
            if item.negated:
                facts.excluded.extend(item.values)
            else:
                facts.any_of_tags.append(item.values)
        return True
    if isinstance(item, InList):
        if item.negated:
            facts.excluded.extend(item.values)
        else:
            facts.restrict(list(item.values))
        return True
    assert isinstance(item, Compare)
    if item.op == "=":
        facts.restrict([item.value])
    elif item.op == "!=":
        facts.excluded.append(item.value)
    elif item.op in (">", ">="):
        bound = (item.value, item.op == ">=")
        if facts.lower is None or _tighter_lower(bound, facts.lower):
            facts.lower = bound
    else:
        bound = (item.value, item.op == "<=")
        if facts.upper is None or _tighter_upper(bound, facts.upper):
            facts.upper = bound
    return True


def _tighter_lower(new: tuple[Any, bool], old: tuple[Any, bool]) -> bool:
    return bool(new[0] > old[0] or (new[0] == old[0] and not new[1]))


def _tighter_upper(new: tuple[Any, bool], old: tuple[Any, bool]) -> bool:
    return bool(new[0] < old[0] or (new[0] == old[0] and not new[1]))


def _within(value: Any, facts: _FieldFacts) -> bool:
    try:
        if facts.lower is not None:
            low, inclusive = facts.lower
            if value < low or (value == low and not inclusive):
                return False
        if facts.upper is not None:
            high, inclusive = facts.upper
            if value > high or (value == high and not inclusive):
                return False
    except TypeError:
        return True
    return True


def _emit(field: str, facts: _FieldFacts) -> list[Expr] | None:
    """The simplest conjunction equal to ``facts``; None when unsatisfiable."""
    kind = F.lookup(field).kind
    if kind is F.Kind.TAGS:
        return _emit_tags(field, facts)
    constrained = facts.allowed is not None or facts.excluded or facts.lower or facts.upper
    if facts.missing:
        return None if (constrained or facts.exists) else [Exists(field, False)]
    excluded_set = set(facts.excluded)
    if facts.allowed is not None:
        allowed = [v for v in facts.allowed if v not in excluded_set and _within(v, facts)]
        if not allowed:
            return None
        if len(allowed) == 1:
            return [Compare(field, "=", allowed[0])]
        return [InList(field, tuple(allowed))]
    out: list[Expr] = []
    if facts.lower is not None and facts.upper is not None:
        (low, low_in), (high, high_in) = facts.lower, facts.upper
        if low > high or (low == high and not (low_in and high_in)):
            return None
        if low == high:
            return None if low in excluded_set else [Compare(field, "=", low)]
    if facts.lower is not None:
        out.append(Compare(field, ">=" if facts.lower[1] else ">", facts.lower[0]))
    if facts.upper is not None:
        out.append(Compare(field, "<=" if facts.upper[1] else "<", facts.upper[0]))
    excluded = [v for v in _unique_values(facts.excluded) if _within(v, facts)]
    if len(excluded) == 1:
        out.append(Compare(field, "!=", excluded[0]))
    elif excluded:
        out.append(InList(field, tuple(excluded), negated=True))
    if not out and facts.exists:
        out.append(Exists(field, True))
    return out


def _emit_tags(field: str, facts: _FieldFacts) -> list[Expr] | None:
    required = _unique_values(facts.required_tags)
    excluded = _unique_values(facts.excluded)
    required_set, excluded_set = set(required), set(excluded)
    if any(tag in excluded_set for tag in required):
        return None
    if facts.missing and (required or facts.any_of_tags or facts.exists):
        return None
    out: list[Expr] = [Compare(field, "=", tag) for tag in required]
    for options in facts.any_of_tags:
        if any(tag in required_set for tag in options):
            continue  # implied by a required tag
        remaining = tuple(tag for tag in options if tag not in excluded_set)
        if not remaining:
            return None
        out.append(Compare(field, "=", remaining[0]) if len(remaining) == 1 else InList(field, remaining))
    if len(excluded) == 1:
        out.append(Compare(field, "!=", excluded[0]))
    elif excluded:
        out.append(InList(field, tuple(excluded), negated=True))
    if facts.missing:
        out.append(Exists(field, False))
    elif facts.exists and not required and not facts.any_of_tags:
        out.append(Exists(field, True))
    return out


def _unique_values(values: list[Value]) -> list[Value]:
    return list(dict.fromkeys(values))


# -- disjunctions -----------------------------------------------------------------


def _merge_disjuncts(items: list[Expr]) -> list[Expr] | Const:
    """`f = a or f = b or f in (c)` becomes `f in (a, b, c)`; `f exists or
    f missing` is true."""
    lists: dict[str, dict[Value, None]] = {}
    presence: dict[str, set[bool]] = {}
    order: list[str | Expr] = []
    for item in items:
        if isinstance(item, Exists):
            presence.setdefault(item.field, set()).add(item.present)
            if len(presence[item.field]) == 2:
                return TRUE
            order.append(item)
            continue
        field = _equality_field(item)
        if field is None:
            order.append(item)
            continue
        if field not in lists:
            lists[field] = {}
            order.append(field)
        values = item.values if isinstance(item, InList) else (item.value,)  # type: ignore[union-attr]
        lists[field].update(dict.fromkeys(values))
    out: list[Expr] = []
    for entry in order:
        if isinstance(entry, str):
            found = list(lists[entry])
            out.append(Compare(entry, "=", found[0]) if len(found) == 1 else InList(entry, tuple(found)))
        else:
            out.append(entry)
    return out


def _equality_field(item: Expr) -> str | None:
    if isinstance(item, Compare) and item.op == "=" and item.field != "member_status":
        return item.field
    if isinstance(item, InList) and not item.negated and item.field != "member_status":
        return item.field
    return None
