"""One traversal of expressions, shared by every pass over them.

A pass is a subclass with one method per node class it cares about,
``visit_<ClassName>``; the class decides how a node is reached:

- :class:`Visitor` dispatches top-down, once per call to :meth:`Visitor.visit`,
  and passes extra arguments along (``push_negations`` carries the polarity).
  Recursion is the pass's own, so it suits passes over planned expressions,
  whose depth the parser bounds.
- :class:`Fold` computes one result per node, children first, with an explicit
  stack: ``visit_And(node, *operand_results)``, ``visit_Compare(node)``. No
  tree, however deep or wide, reaches Python's recursion limit.
- :class:`Transformer` is the fold whose results are expressions: each node is
  rebuilt from its transformed children (a new value, never a mutation; an
  unchanged subtree is returned as it is), then handed to ``visit_<ClassName>``
  when the pass defines one.

A new node class needs an entry in :func:`children` and :func:`rebuild` (when it
has children) and one method in each pass that treats it specially.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from .ast import And, Expr, Not, Or

__all__ = ["Fold", "Transformer", "Visitor", "children", "rebuild", "walk"]

R = TypeVar("R")


def children(node: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of ``node``, in the order they are written."""
    if isinstance(node, (And, Or)):
        return node.operands
    if isinstance(node, Not):
        return (node.operand,)
    return ()


def rebuild(node: Expr, new_children: tuple[Expr, ...]) -> Expr:
    """``node`` with ``new_children``; ``node`` itself when none changed."""
    old = children(node)
    if len(old) == len(new_children) and all(a is b for a, b in zip(old, new_children, strict=True)):
        return node
    if isinstance(node, (And, Or)):
        return type(node)(new_children, span=node.span)
    if isinstance(node, Not):
        return Not(new_children[0], span=node.span)
    raise TypeError(f"{type(node).__name__} has no children to replace")  # pragma: no cover


def walk(expr: Expr | None) -> Iterator[Expr]:
    """Every node of an expression, parents before children, without recursion."""
    if expr is None:
        return
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


class _Dispatch:
    """Finds ``visit_<ClassName>`` once per class and remembers it."""

    def __init__(self) -> None:
        self._methods: dict[type, Callable[..., Any] | None] = {}

    def _method(self, cls: type) -> Callable[..., Any] | None:
        try:
            return self._methods[cls]
        except KeyError:
            found = getattr(self, "visit_" + cls.__name__, None)
            self._methods[cls] = found
            return found

    def _dispatch(self, node: Expr, *args: Any) -> Any:
        """``visit_<ClassName>(node, *args)``, or ``generic_visit`` without one."""
        method = self._method(type(node)) or self.generic_visit
        return method(node, *args)

    def generic_visit(self, node: Expr, *args: Any) -> Any:
        raise TypeError(f"{type(self).__name__} cannot visit a {type(node).__name__}")


class Visitor(_Dispatch, Generic[R]):
    """Top-down dispatch: ``visit(node, *args)`` calls ``visit_<ClassName>(node, *args)``,
    or :meth:`generic_visit` for a class the pass does not name."""

    def visit(self, node: Expr, *args: Any) -> R:
        result: R = self._dispatch(node, *args)
        return result


class Fold(_Dispatch, Generic[R]):
    """Bottom-up: one result per node, computed from the results of its children.

    ``visit_<ClassName>(node, *child_results)`` gives a node's result;
    :meth:`generic_visit` serves the classes a pass does not name.
    """

    def fold(self, expr: Expr) -> R:
        # Each frame is a node and the results of its children so far; a node
        # is finished when every child has given its result.
        results: list[R] = []
        stack: list[tuple[Expr, tuple[Expr, ...], int]] = [(expr, children(expr), len(results))]
        while stack:
            node, kids, base = stack[-1]
            done = len(results) - base
            if done < len(kids):
                kid = kids[done]
                stack.append((kid, children(kid), len(results)))
                continue
            stack.pop()
            child_results = results[base:]
            del results[base:]
            results.append(self._finish(node, child_results))
        return results[0]

    def _finish(self, node: Expr, child_results: list[R]) -> R:
        result: R = self._dispatch(node, *child_results)
        return result


class Transformer(Fold[Expr]):
    """A fold whose results are expressions: each node is rebuilt from its
    transformed children, then given to ``visit_<ClassName>(node)`` if the
    pass defines it. Without a method a node stays as rebuilt."""

    def transform(self, expr: Expr) -> Expr:
        return self.fold(expr)

    def _finish(self, node: Expr, child_results: list[Expr]) -> Expr:
        if child_results:
            node = rebuild(node, tuple(child_results))
        method = self._method(type(node))
        if method is None:
            return node
        result: Expr = method(node)
        return result
