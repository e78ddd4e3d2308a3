"""One traversal of expressions, shared by every pass over them.

A pass is a subclass with one method per node class it handles,
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

A pass handles every node class or says what it does with it: the classes in
its ``DEFAULT_FOR`` go to :meth:`generic_visit` (for a transformer: kept as
rebuilt). A node of any other class raises :class:`UnhandledNodeError`, naming
the pass and the class, so that a new node class no pass was taught about is
a failure where it is met, never a silent skip.

Which attributes of a node are its children is the node's own class data
(:class:`imgql.lang.ast.Node`): :func:`children` and :func:`rebuild` name no
node class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from .ast import NODES, Expr

__all__ = ["Fold", "Transformer", "UnhandledNodeError", "Visitor", "children", "pass_name", "rebuild", "walk"]

R = TypeVar("R")


class UnhandledNodeError(TypeError):
    """A pass met a node class it neither handles nor names as a default: a
    programming error (a new node class some pass was not taught), never a
    problem of the query."""

    def __init__(self, pass_name: str, node_class: type, what: str | None = None) -> None:
        if what is None:
            message = (
                f"the pass {pass_name} does not handle {node_class.__name__}: give it "
                f"visit_{node_class.__name__}, or name {node_class.__name__} in its DEFAULT_FOR"
            )
        else:
            message = f"the pass {pass_name} does not handle {what} of {node_class.__name__}"
        super().__init__(message)
        self.pass_name = pass_name
        self.node_class = node_class


def pass_name(cls: type) -> str:
    """A pass as errors name it: its module and class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def children(node: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of ``node``, in the order they are written."""
    names = type(node).CHILDREN
    if not names:
        return ()
    if len(names) == 1:
        held = getattr(node, names[0])
        return held if isinstance(held, tuple) else (held,)
    found: list[Expr] = []
    for name in names:
        held = getattr(node, name)
        found.extend(held if isinstance(held, tuple) else (held,))
    return tuple(found)


def rebuild(node: Expr, new_children: tuple[Expr, ...]) -> Expr:
    """``node`` with ``new_children``; ``node`` itself when none changed."""
    old = children(node)
    if len(old) == len(new_children) and all(a is b for a, b in zip(old, new_children, strict=True)):
        return node
    if len(old) != len(new_children):
        raise TypeError(f"{type(node).__name__} holds {len(old)} children, not {len(new_children)}")
    changes: dict[str, Any] = {}
    at = 0
    for name in type(node).CHILDREN:
        held = getattr(node, name)
        if isinstance(held, tuple):
            changes[name] = new_children[at : at + len(held)]
            at += len(held)
        else:
            changes[name] = new_children[at]
            at += 1
    rebuilt: Expr = attrs.evolve(node, **changes)
    return rebuilt


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

    # The node classes this pass serves with its default (generic_visit; for
    # a transformer: the node kept as rebuilt). Each pass names its own.
    DEFAULT_FOR: ClassVar[tuple[type, ...]] = ()

    def __init__(self) -> None:
        self._methods: dict[type, Callable[..., Any] | None] = {}

    @classmethod
    def handles(cls, node_class: type) -> bool:
        """Whether the pass has a method for ``node_class`` or names it as a default."""
        return hasattr(cls, "visit_" + node_class.__name__) or node_class in cls.DEFAULT_FOR

    def _method(self, cls: type) -> Callable[..., Any] | None:
        """The pass's method for a class; None for a declared default."""
        try:
            return self._methods[cls]
        except KeyError:
            found = getattr(self, "visit_" + cls.__name__, None)
            if found is None and cls not in self.DEFAULT_FOR:
                raise UnhandledNodeError(pass_name(type(self)), cls) from None
            self._methods[cls] = found
            return found

    def _dispatch(self, node: Expr, *args: Any) -> Any:
        """``visit_<ClassName>(node, *args)``, or ``generic_visit`` for a declared default."""
        method = self._method(type(node)) or self.generic_visit
        return method(node, *args)

    def generic_visit(self, node: Expr, *args: Any) -> Any:
        """The default for the classes in ``DEFAULT_FOR``; a pass that names any defines it."""
        raise UnhandledNodeError(pass_name(type(self)), type(node))


class Visitor(_Dispatch, Generic[R]):
    """Top-down dispatch: ``visit(node, *args)`` calls ``visit_<ClassName>(node, *args)``,
    or :meth:`generic_visit` for a class in ``DEFAULT_FOR``."""

    def visit(self, node: Expr, *args: Any) -> R:
        result: R = self._dispatch(node, *args)
        return result


class Fold(_Dispatch, Generic[R]):
    """Bottom-up: one result per node, computed from the results of its children.

    ``visit_<ClassName>(node, *child_results)`` gives a node's result;
    :meth:`generic_visit` serves the classes in ``DEFAULT_FOR``.
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
    pass defines it; a node of a class in ``DEFAULT_FOR`` stays as rebuilt.

    A transformer that names no ``DEFAULT_FOR`` of its own keeps every node
    class of the language (:data:`imgql.lang.ast.NODES`) it has no method
    for; a node class outside them still raises :class:`UnhandledNodeError`.
    """

    DEFAULT_FOR: ClassVar[tuple[type, ...]] = NODES

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
