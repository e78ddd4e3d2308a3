"""Text to :class:`~imgql.lang.ast.Query`.

Lark parses with LALR and calls :class:`_Builder` as it reduces, so the AST
is built during the parse: no parse tree is made and walked afterwards. The
callbacks build syntax only: field names and literals as written, with their
positions. The check pass (:mod:`imgql.lang.check`) then reads each literal by
its field's type, which is what lets ``5GB`` be a size for ``size`` and text
for ``name``, and refuses what may not stand where it is.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import Any

import attrs
import lark
from lark import Token

from ..errors import (
    InvalidValueError,
    LikePatternWarning,
    QueryError,
    QuerySyntaxError,
    TooComplexError,
    UnknownFieldError,
    UnknownFieldWarning,
)
from .ast import (
    MAX_DEPTH,
    And,
    Compare,
    Exists,
    Expr,
    InList,
    Literal,
    Match,
    Not,
    Or,
    Param,
    Query,
    SortKey,
    Span,
    Value,
)
from .check import Checked, check
from .diagnostics import syntax_error
from .grammar import build, keywords
from .literals import unquote
from .operators import SYNONYMS

__all__ = ["parse", "parse_unchecked"]


# A limit has at most this many digits: far more than any listing, and short
# enough to be read as a Python int.
_MAX_LIMIT_DIGITS = 18

# How each kind of value token was written, for the check pass.
_FORMS = {"STRING": "quoted", "NULL": "null", "RELTIME": "reltime", "BARE": "bare", "SPACED_SIZE": "spaced"}


def _span(first: Token, last: Token | None = None) -> Span:
    last = last or first
    return Span(first.start_pos or 0, last.end_pos or 0)


def _cover(first: Expr, last: Expr) -> Span | None:
    """The span from the start of one node to the end of another."""
    start = getattr(first, "span", None)
    end = getattr(last, "span", None)
    if start is None or end is None:
        return None
    return Span(start.start, end.end)


def _error(cls: type[QueryError], message: str, token: Token) -> QueryError:
    return cls(message, offset=token.start_pos, end_offset=token.end_pos)


def _literal(token: Token) -> Value:
    """A value token as written: a parameter, or a literal the check pass will read."""
    if token.type == "PARAM":
        return Param(str(token)[1:], span=_span(token))
    text = unquote(str(token)) if token.type == "STRING" else str(token)
    return Literal(text, _FORMS.get(token.type, "bare"), span=_span(token))


def _negated(rest: tuple[Any, ...]) -> bool:
    return any(isinstance(t, Token) and t.type == "NOT" for t in rest[:-1])


@lark.v_args(inline=True)
class _Builder(lark.Transformer[Token, Any]):
    """Lark callbacks, one per grammar rule, building raw AST nodes as the
    parser reduces. Holds no state: one instance serves every parse and thread."""

    def start(self, first: Query, *rest: Any) -> Query:
        tiers = tuple(child for child in rest if isinstance(child, Query))
        return attrs.evolve(first, fallbacks=tiers) if tiers else first

    def query(self, *children: Any) -> Query:
        all_images = False
        where: Expr | None = None
        order: tuple[SortKey, ...] = ()
        limit: int | None = None
        for child in children:
            if isinstance(child, Token):
                if child.type == "ALL":
                    all_images = True
            elif isinstance(child, tuple) and child and child[0] == "where":
                where = child[1]
            elif isinstance(child, tuple) and child and child[0] == "order":
                order = child[1]
            elif isinstance(child, int):
                limit = child
        return Query(where=where, order_by=order, limit=limit, all_images=all_images)

    def where(self, _kw: Token, expr: Expr) -> tuple[str, Expr]:
        return ("where", expr)

    def order(self, _order: Token, _by: Token, *keys: SortKey) -> tuple[str, tuple[SortKey, ...]]:
        return ("order", keys)

    def sort_key(self, name: Token, direction: Token | None = None) -> SortKey:
        descending = direction is not None and direction.type == "DESC"
        return SortKey(str(name), descending, span=_span(name))

    def version_key(self, _kw: Token, name: Token, direction: Token | None = None) -> SortKey:
        descending = direction is not None and direction.type == "DESC"
        return SortKey(str(name), descending, span=_span(name), version=True)

    def limit(self, _kw: Token, number: Token) -> int:
        digits = str(number).lstrip("0")
        if len(digits) > _MAX_LIMIT_DIGITS:
            raise _error(InvalidValueError, f"limit {str(number)[:30]} is too large", number)
        return int(digits or "0")

    def or_expr(self, *items: Any) -> Expr:
        operands: list[Expr] = []
        for item in items:
            if not isinstance(item, Token):
                operands.extend(item.operands if isinstance(item, Or) else (item,))
        return Or(tuple(operands), span=_cover(operands[0], operands[-1]))

    def and_expr(self, *items: Any) -> Expr:
        operands: list[Expr] = []
        for item in items:
            if not isinstance(item, Token):
                operands.extend(item.operands if isinstance(item, And) else (item,))
        return And(tuple(operands), span=_cover(operands[0], operands[-1]))

    def negate(self, token: Token, operand: Expr) -> Expr:
        # `not not x` is x: folding it here keeps negation chains flat.
        if isinstance(operand, Not):
            return operand.operand
        end = getattr(operand, "span", None)
        return Not(operand, span=Span(token.start_pos or 0, end.end if end else token.end_pos or 0))

    def compare(self, name: Token, op_token: Token, value_token: Token) -> Expr:
        op = SYNONYMS.get(str(op_token), str(op_token))
        return Compare(str(name), op, _literal(value_token), span=_span(name, value_token), op_span=_span(op_token))

    def in_list(self, name: Token, *rest: Any) -> Expr:
        tokens: list[Token] = rest[-1]
        values = tuple(_literal(token) for token in tokens)
        return InList(str(name), values, _negated(rest), span=_span(name, tokens[-1]))

    def values(self, *tokens: Token) -> list[Token]:
        return list(tokens)

    def _match(self, op: str, name: Token, rest: tuple[Any, ...]) -> Expr:
        value_token: Token = rest[-1]
        negated = _negated(rest)
        if isinstance(rest[0], Token) and rest[0].type == "MATCH" and str(rest[0]) == "!~":
            negated = True
        pattern = _literal(value_token)
        assert isinstance(pattern, (Literal, Param))
        return Match(str(name), op, pattern, negated, span=_span(name, value_token))

    def like(self, name: Token, *rest: Any) -> Expr:
        return self._match("like", name, rest)

    def contains(self, name: Token, *rest: Any) -> Expr:
        return self._match("contains", name, rest)

    def regex(self, name: Token, *rest: Any) -> Expr:
        return self._match("regex", name, rest)

    def exists(self, name: Token, keyword: Token) -> Expr:
        return Exists(str(name), present=keyword.type == "EXISTS", span=_span(name, keyword))

    def truth(self, name: Token) -> Expr:
        if str(name).lower() in keywords():
            raise _error(QuerySyntaxError, f"expected a condition, found the keyword {str(name)!r}", name)
        implied = Literal("true", "implied", span=_span(name))
        return Compare(str(name), "=", implied, span=_span(name), op_span=_span(name))


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return build(_Builder())


def parse(text: str, strict: bool = False) -> Query:
    """Parse query text into an immutable :class:`Query`.

    Raises :class:`~imgql.errors.QuerySyntaxError` for text that does not
    follow the grammar and other :class:`~imgql.errors.QueryError` subclasses
    for values that do not fit their fields; nothing else escapes.

    What is allowed but probably a mistake (``nmae = x``, read as a custom
    property though ``name`` was likely meant; ``like '%x%'``) is a
    :class:`~imgql.errors.QueryWarning`, or with ``strict=True`` the error it
    stands for (:class:`~imgql.errors.UnknownFieldError`,
    :class:`~imgql.errors.InvalidPatternError`).

    >>> from imgql import parse
    >>> query = parse("IMAGES where tag = lts and size < 5GB order by created_at desc limit 1")
    >>> str(query)
    'images where tag = lts and size < 5GB order by created_at desc limit 1'
    >>> query.limit, sorted(query.fields)
    (1, ['created_at', 'size', 'tags'])
    >>> sorted(parse("images where name like 'ubuntu*' and size < $max").params)
    ['max']
    >>> parse("images where size < 5XB")
    Traceback (most recent call last):
    ...
    imgql.errors.InvalidValueError: size: unknown size unit 'XB' in '5XB' ...
    """
    # The type is checked before the cache is consulted: an unhashable
    # argument would otherwise raise TypeError from the cache itself.
    if not isinstance(text, str):
        raise QuerySyntaxError(f"a query is text, not {type(text).__name__}")
    checked = _parse(text)
    for doubt in checked.warnings:
        if strict:
            raise _with_text(doubt, text)
        category = UnknownFieldWarning if isinstance(doubt, UnknownFieldError) else LikePatternWarning
        warnings.warn(category(doubt), stacklevel=2)
    return checked.query


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_unchecked(text: str) -> Query:
    """The query as written, before the check pass: field names as written
    and literals untyped. For tools that report every problem
    (:func:`imgql.lang.check.check`); raises syntax errors only."""
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        # Undecodable bytes (a terminal's surrogateescape) cannot be sent
        # to the API as UTF-8: say so here rather than fail when planning.
        raise InvalidValueError(
            "the query holds a character that is not valid Unicode (undecodable bytes?)",
            text=text,
            offset=surrogate.start(),
        )
    try:
        result = _lark().parse(text)
    except QueryError as exc:
        raise _with_text(exc, text) from None
    except lark.exceptions.UnexpectedInput as exc:
        raise syntax_error(exc, text) from None
    except lark.exceptions.VisitError as exc:  # pragma: no cover - callbacks raise QueryError only
        if isinstance(exc.orig_exc, QueryError):
            raise _with_text(exc.orig_exc, text) from None
        raise QuerySyntaxError(f"cannot read the query: {exc.orig_exc}") from None
    except RecursionError:  # pragma: no cover - the parser and its callbacks do not recurse
        raise TooComplexError(f"the query is nested more than {MAX_DEPTH} levels deep") from None
    assert isinstance(result, Query)
    return result


# Failed parses are not cached (lru_cache keeps only results), so an error is
# raised again on every call with the same text.
@functools.lru_cache(maxsize=512)
def _parse(text: str) -> Checked:
    checked = check(parse_unchecked(text), text)
    if checked.errors:
        raise checked.errors[0]
    return checked


def _with_text(exc: QueryError, text: str) -> QueryError:
    return type(exc)(exc.message, text=text, offset=exc.offset, end_offset=exc.end_offset)
