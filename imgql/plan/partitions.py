"""The listings the API can only make apart, and what the predicate is in each.

``member_status`` chooses which shared images a listing holds, and
``os_hidden`` whether it holds hidden images or the others; neither is a
filter. :func:`member_status_scope` takes the member-status conjuncts out of
the predicate as the statuses to list; :func:`partition` gives the predicate
in the listing where ``os_hidden`` is known (docs/planning.md, section 2).
"""

from __future__ import annotations

from ..lang.ast import FALSE, TRUE, And, Compare, Const, Exists, Expr, InList, Query
from ..lang.visitor import Transformer, walk
from .normalize import simplify

__all__ = ["assume_hidden", "member_status_scope", "partition"]


def member_status_scope(expr: Expr, query: Query) -> tuple[Expr, tuple[str | None, ...]]:
    """Take the top-level member_status conjuncts out of the predicate: they
    choose which listings to make, they are not a property of an image."""
    wanted: set[str] | None = None
    kept: list[Expr] = []
    parts = expr.operands if isinstance(expr, And) else (expr,)
    for part in parts:
        if isinstance(part, (Compare, InList)) and part.field == "member_status":
            values = {str(v) for v in ((part.value,) if isinstance(part, Compare) else part.values)}
            if "all" in values:
                values = {"accepted", "pending", "rejected", "all"}
            wanted = values if wanted is None else _intersect_statuses(wanted, values)
        else:
            kept.append(part)
    rest: Expr = (
        expr if len(kept) == len(parts) else (And(tuple(kept)) if len(kept) > 1 else (kept[0] if kept else TRUE))
    )
    if wanted is None:
        return rest, (("all",) if query.all_images else (None,))
    if not wanted:
        return FALSE, (None,)
    if {"accepted", "pending", "rejected"} <= wanted:
        return rest, ("all",)
    return rest, tuple(s for s in ("accepted", "pending", "rejected") if s in wanted)


def _intersect_statuses(a: set[str], b: set[str]) -> set[str]:
    full = {"accepted", "pending", "rejected", "all"}
    a = full if "all" in a else a
    b = full if "all" in b else b
    return a & b


def partition(expr: Expr, hidden: bool) -> Expr:
    """The normalized predicate for the partition where os_hidden is
    ``hidden``. When os_hidden appears only as top-level conjuncts (``all
    images where hidden and ...``), those are decided and dropped: the other
    conjuncts, normalized together and never merged with a condition on
    another field, stay normalized, so nothing is simplified again."""
    conjuncts = expr.operands if isinstance(expr, And) else (expr,)
    kept: list[Expr] = []
    for conjunct in conjuncts:
        if isinstance(conjunct, (Compare, InList, Exists)) and conjunct.field == "os_hidden":
            decided = _substitute(conjunct, hidden)
            if isinstance(decided, Const) and not decided.value:
                return FALSE
            if not isinstance(decided, Const):  # pragma: no cover - a condition on os_hidden is decided
                return simplify(_substitute(expr, hidden))
        elif any(isinstance(n, (Compare, InList, Exists)) and n.field == "os_hidden" for n in walk(conjunct)):
            # Nested under or/not: substitute and simplify the whole.
            part = assume_hidden(expr, hidden)
            return part if part is expr else simplify(part)
        else:
            kept.append(conjunct)
    if len(kept) == len(conjuncts):
        return expr
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def assume_hidden(expr: Expr, hidden: bool) -> Expr:
    """The predicate for the partition where os_hidden is ``hidden``."""
    if not any(isinstance(n, (Compare, InList, Exists)) and n.field == "os_hidden" for n in walk(expr)):
        return expr
    return _substitute(expr, hidden)


def _substitute(expr: Expr, hidden: bool) -> Expr:
    return _HiddenKnown(hidden).transform(expr)


class _HiddenKnown(Transformer):
    """Every condition on os_hidden replaced by what it is, the listing's
    os_hidden being known."""

    def __init__(self, hidden: bool) -> None:
        super().__init__()
        self.hidden = hidden

    def visit_Exists(self, node: Exists) -> Expr:
        return Const(node.present) if node.field == "os_hidden" else node  # Glance always sets os_hidden

    def visit_Compare(self, node: Compare) -> Expr:
        if node.field != "os_hidden":
            return node
        return Const((node.value == self.hidden) == (node.op == "="))

    def visit_InList(self, node: InList) -> Expr:
        if node.field != "os_hidden":
            return node
        return Const((self.hidden in node.values) != node.negated)
