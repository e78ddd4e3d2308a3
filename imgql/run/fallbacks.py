"""Fallbacks in order (``A else B else C``): the first query that answers wins.

A plan with fallbacks is the plan of its first query and the plans of the
others (``Plan.fallbacks``). :func:`first_answering` runs them one after the
other and streams the images of the first that yields any; the later ones
are never sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import attrs

from ..plan.plan import Plan

__all__ = ["first_answering", "tier_plans"]

T = TypeVar("T")
_NOTHING = object()


def tier_plans(plan: Plan) -> tuple[Plan, ...]:
    """The plans tried in order: the first query's own, then each fallback's."""
    if not plan.fallbacks:
        return (plan,)
    return (attrs.evolve(plan, query=plan.query.tiers[0], fallbacks=()), *plan.fallbacks)


def first_answering(plans: tuple[Plan, ...], run: Callable[[Plan], Iterator[T]]) -> Iterator[T]:
    """The answer of the first plan that yields anything (nothing when none does)."""
    for plan in plans:
        stream = run(plan)
        first = next(stream, _NOTHING)
        if first is _NOTHING:
            continue
        yield first  # type: ignore[misc]
        yield from stream
        return
