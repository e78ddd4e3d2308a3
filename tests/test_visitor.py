"""imgql.lang.visitor: one traversal for every pass over expressions."""

from __future__ import annotations

import sys

from imgql.lang.ast import And, Compare, Const, Exists, Expr, InList, Match, Not, Or
from imgql.lang.visitor import Fold, Transformer, Visitor, walk


class _Count(Fold[int]):
    DEFAULT_FOR = (Compare, InList, Match, Exists, Const)  # each one node

    def visit_And(self, node: And, *operands: int) -> int:
        return 1 + sum(operands)

    def visit_Or(self, node: Or, *operands: int) -> int:
        return 1 + sum(operands)

    def visit_Not(self, node: Not, operand: int) -> int:
        return 1 + operand

    def generic_visit(self, node: Expr, *children: int) -> int:
        return 1


class _Rename(Transformer):
    def visit_Compare(self, node: Compare) -> Expr:
        return Compare("y", node.op, node.value) if node.field == "x" else node


def test_walk_is_parents_first_in_written_order() -> None:
    a, b, c = Compare("a", "=", "1"), Compare("b", "=", "2"), Exists("c")
    expr = And((a, Or((b, Not(c)))))
    assert list(walk(expr)) == [expr, a, expr.operands[1], b, Not(c), c]
    assert list(walk(None)) == []


def test_fold_counts_children_first() -> None:
    expr = And((Compare("a", "=", "1"), Or((Compare("b", "=", "2"), Not(Exists("c"))))))
    assert _Count().fold(expr) == 6


def test_transformer_returns_new_values_and_keeps_unchanged_subtrees() -> None:
    untouched = Or((Compare("a", "=", "1"), Exists("b")))
    expr = And((untouched, Not(Compare("x", "=", "1"))))
    out = _Rename().transform(expr)
    assert out == And((untouched, Not(Compare("y", "=", "1"))))
    assert out.operands[0] is untouched  # type: ignore[union-attr]
    assert expr.operands[1] == Not(Compare("x", "=", "1"))  # the input is not changed
    assert _Rename().transform(untouched) is untouched


def test_fold_and_transform_need_no_recursion() -> None:
    expr: Expr = Compare("x", "=", "1")
    for i in range(20_000):
        expr = Not(expr) if i % 2 else And((Exists("a"), expr))
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(100)
        assert _Count().fold(expr) == 20_000 + 1 + 10_000
        renamed = _Rename().transform(expr)
    finally:
        sys.setrecursionlimit(limit)
    assert isinstance(renamed, Not) and renamed is not expr


def test_wide_trees() -> None:
    expr = And(tuple(Compare(f"p{i}", "=", str(i)) for i in range(10_000)))
    assert _Count().fold(expr) == 10_001
    assert _Rename().transform(expr) is expr


def test_visitor_dispatches_by_class_with_arguments() -> None:
    class Polarity(Visitor[str]):
        def visit_Not(self, node: Not, negate: bool) -> str:
            return self.visit(node.operand, not negate)

        def visit_Const(self, node: Const, negate: bool) -> str:
            return str(node.value != negate)

    assert Polarity().visit(Not(Not(Not(Const(True)))), False) == "False"
    try:
        Polarity().visit(Exists("x"), False)
    except TypeError as exc:
        assert "Exists" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a class without a method must not pass silently")
