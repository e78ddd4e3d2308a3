"""The operators of a condition, in one place: how each is written, the
grammar terminal it is read as, and the other spellings that mean it.

The grammar (``grammar/imgql.lark``) is what reads them; the parser reads
its synonyms here, and the syntax errors name and recognise operators from
this table, so an operator added to the grammar is added here once.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["OPERATORS", "SYNONYMS", "Operator", "described", "symbols_regex", "terminals", "value_operators_regex"]


@attrs.frozen
class Operator:
    """One operator of a condition."""

    written: str  # as canonical text writes it
    terminal: str  # the grammar's terminal
    # Other ways to write it with the same meaning (``==`` for ``=``).
    synonyms: tuple[str, ...] = ()
    # Spellings of its negation read by the same terminal (``!~`` for ``~``).
    negations: tuple[str, ...] = ()
    # Whether a value follows it (``size < 5GB``; not ``name exists``, nor
    # ``in``, which takes a list).
    takes_value: bool = True


OPERATORS: tuple[Operator, ...] = (
    Operator("=", "COMPARE", synonyms=("==",)),
    Operator("!=", "COMPARE", synonyms=("<>",)),
    Operator("<", "COMPARE"),
    Operator("<=", "COMPARE"),
    Operator(">", "COMPARE"),
    Operator(">=", "COMPARE"),
    Operator("in", "IN", takes_value=False),
    Operator("like", "LIKE"),
    Operator("contains", "CONTAINS"),
    Operator("~", "MATCH", negations=("!~",)),
    Operator("exists", "EXISTS", takes_value=False),
    Operator("missing", "MISSING", takes_value=False),
)

# Each other spelling -> the operator it means.
SYNONYMS: dict[str, str] = {synonym: op.written for op in OPERATORS for synonym in op.synonyms}


def described() -> str:
    """Every operator, for a message: ``an operator (=, !=, ...)``."""
    return f"an operator ({', '.join(op.written for op in OPERATORS)})"


def terminals() -> frozenset[str]:
    """The grammar terminals that begin an operator after a field name."""
    return frozenset(op.terminal for op in OPERATORS)


def _spellings(only_with_value: bool) -> list[str]:
    found: list[str] = []
    for op in OPERATORS:
        if op.takes_value or not only_with_value:
            found.extend((op.written, *op.synonyms, *op.negations))
    return found


def value_operators_regex() -> str:
    """A regular expression alternation of every spelling of an operator a
    value follows: symbols longest first, words as whole words."""
    spellings = _spellings(only_with_value=True)
    symbols = sorted((s for s in spellings if not s.isalpha()), key=len, reverse=True)
    words = [rf"\b{re.escape(s)}\b" for s in spellings if s.isalpha()]
    return "|".join([*map(re.escape, symbols), *words])


def symbols_regex() -> str:
    """An alternation of every operator written with symbols, longest first."""
    symbols = sorted((s for s in _spellings(only_with_value=False) if not s.isalpha()), key=len, reverse=True)
    return "|".join(map(re.escape, symbols))
