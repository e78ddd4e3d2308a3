"""Queries the command line composes from a checked query and conditions of
its own (the places its options name, a pinned image's id): written as
query text and parsed, so that they pass the same check as any query."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import attrs

from ..errors import QueryError, QueryWarning
from ..lang.ast import Query, Value
from ..lang.format import format_expr, format_query, format_value
from ..lang.parser import parse

__all__ = ["condition", "joined", "own_conditions", "parse_composed"]


def condition(field: str, value: Value) -> str:
    """``field = value`` as a query writes it."""
    return f"{field} = {format_value(field, value)}"


def joined(query: Query, conditions: Sequence[str]) -> str:
    """The text of ``query`` (one tier, without fallbacks) with ``conditions``
    joined to its own with `and`."""
    head, _, tail = format_query(attrs.evolve(query, where=None, fallbacks=())).partition("images")
    return f"{head}images where {' and '.join([*own_conditions(query), *conditions])}{tail}"


def own_conditions(query: Query) -> list[str]:
    """The query's condition as one operand of an `and` (none when it has none)."""
    return [f"({format_expr(query.where)})"] if query.where is not None else []


def parse_composed(text: str) -> Query:
    """Parse text the command line composed. Its problems are reported
    without a position (the text is not the one the person wrote) and
    without the warnings its checked parts gave already."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QueryWarning)
            return parse(text)
    except QueryError as exc:
        raise type(exc)(exc.message) from None
