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
    IncompleteQueryError,
    InvalidValueError,
    LikePatternWarning,
    QueryError,
    QuerySyntaxError,
    TooComplexError,
    UnknownFieldError,
    UnknownFieldWarning,
)
from . import fields as F
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
from .format import quote
from .grammar import bare_word, build, keyword_names, keywords, shown_word
from .literals import SIZE_UNIT_NAMES, unquote

__all__ = ["parse", "parse_unchecked"]

_OPS = {"==": "=", "<>": "!="}

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
        op = _OPS.get(str(op_token), str(op_token))
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
        raise _syntax_error(exc, text) from None
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


# What a person calls each terminal that is not a keyword, for "expected ..."
# messages; keywords are named by their words, taken from the grammar.
_DESCRIPTIONS = {
    "NULL": "a value",
    "COMPARE": "a comparison (=, !=, <, <=, >, >=)",
    "MATCH": "'~'",
    "FIELD": "a field name",
    "INT": "a whole number",
    "BARE": "a value",
    "RELTIME": "a value",
    "SPACED_SIZE": "a value",
    "STRING": "a value",
    "PARAM": "a value",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "end of query",
    "<END-OF-FILE>": "end of query",
}


@functools.lru_cache(maxsize=1)
def _terminal_words() -> dict[str, str]:
    # A keyword always written with another is named with it: 'order by'.
    words = {name: f"'{written}'" for name, written in keyword_names().items()}
    return {**words, **_DESCRIPTIONS}


# After a field name: every way to go on is an operator, named as one.
_OPERATOR_TERMINALS = frozenset(["COMPARE", "MATCH", "IN", "LIKE", "CONTAINS", "EXISTS", "MISSING", "NOT"])
_OPERATORS = "an operator (=, !=, <, <=, >, >=, in, like, contains, ~, exists, missing)"


def _describe_expected(expected: set[str]) -> str:
    words: list[str] = []
    table = _terminal_words()
    order = list(table)
    if "COMPARE" in expected:
        words.append(_OPERATORS)
        expected = expected - _OPERATOR_TERMINALS
    for name in sorted(expected, key=lambda n: order.index(n) if n in order else len(order)):
        word = table.get(name, name.lower())
        if word not in words:
            words.append(word)
    if len(words) > 6:
        words = [*words[:5], "…"]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(text: str, offset: int) -> tuple[str, int]:
    """What stands at ``offset``, for the message, and its length in the text."""
    rest = text[offset:]
    if not rest.strip():
        return "end of query", 0
    match = shown_word().match(rest)
    word = match.group(0) if match else rest[:1]
    length = len(word)
    if len(word) > 30:
        word = word[:27] + "..."
    return repr(word), length


_COMMENT_OR_STRING = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?<![\w.:/+*?@%&\-])--[^\n]*", re.DOTALL)


def _previous_token(text: str, offset: int) -> str | None:
    # Comments are skipped: the word before a comment is what the reader means.
    before = _COMMENT_OR_STRING.sub(lambda m: m.group(1) or "", text[:offset]).rstrip()
    if not before:
        return None
    match = re.search(r"(==|!=|<>|<=|>=|!~|[=<>~(,]|[\w.:/+\-*?@%&$]+|'[^']*'|\"[^\"]*\")\Z", before)
    return match.group(0) if match else None


def _end(text: str) -> int:
    """Where a query that stopped too early is reported: just after its last
    character, not on a blank line that follows it."""
    return len(text.rstrip())


def _syntax_error(exc: lark.exceptions.UnexpectedInput, text: str) -> QuerySyntaxError:
    offset = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    expected: set[str] = set()
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        expected = set(exc.expected)
        token = exc.token
        if token.type == "$END":
            offset = _end(text)
    elif isinstance(exc, lark.exceptions.UnexpectedCharacters):
        expected = set(exc.allowed or ())
    elif isinstance(exc, lark.exceptions.UnexpectedEOF):
        expected = set(exc.expected)
        offset = _end(text)
    found, found_length = _found(text, offset)
    closer = _QUOTES.get(text[offset : offset + 1])
    if closer is not None and not re.match(
        f"{re.escape(text[offset])}(?:[^{re.escape(closer)}\\\\]|\\\\.)*{re.escape(closer)}", text[offset:], re.DOTALL
    ):
        # More text may still close it: the query is incomplete, not wrong.
        return IncompleteQueryError("this quoted text is never closed", text=text, offset=offset)
    if not text.strip():
        return IncompleteQueryError(
            "the query is empty; a query starts with 'images', e.g. images where tag = lts", text=text, offset=0
        )
    if "\0" in text[offset : offset + 1]:
        return QuerySyntaxError("a query cannot contain a NUL character", text=text, offset=offset)
    if _open_parentheses(text[:offset]) <= 0:
        # Never offer `)` with no `(` open, nor `,` outside a list or `order by`
        # (the parser's tables merge states that a person tells apart).
        expected.discard("RPAR")
        if not _ORDER_BY.search(_COMMENT_OR_STRING.sub("", text[:offset])):
            expected.discard("COMMA")
    if "ELSE" in expected:
        # Any finished query may go on with `else`; naming it everywhere would
        # hide what is missing. Where only `else` may come, the query is over.
        expected.discard("ELSE")
        expected = expected or {"$END"}
    if "FIELD" in expected:
        expected.discard("VERSION")  # `version(` is a way to write a sort key, named with the field
    want = _describe_expected(expected) if expected else "something else"
    previous = _previous_token(text, offset)
    after = f" after {previous!r}" if previous else ""
    cls = IncompleteQueryError if found == "end of query" else QuerySyntaxError
    hint = _hint(text, offset, previous, text[offset : offset + found_length]) if found_length else None
    if not previous and "IMAGES" in expected:
        message = f"a query starts with 'images' (or 'all images'), found {found}"
    else:
        message = f"expected {want}{after}, found {found}"
    if hint is not None:
        # A hint that is only likely comes after what the grammar expects.
        message = f"{message}; {hint[2:]}" if hint.startswith("+ ") else hint
        if text.startswith(("&&", "||"), offset):
            found_length = 2
    return cls(message, text=text, offset=offset, end_offset=offset + max(1, found_length))


# Opening quote -> closing quote; curly quotes pasted from documents quote too.
_QUOTES = {"'": "'", '"': '"', "\u2018": "\u2019", "\u201c": "\u201d"}


def _open_parentheses(before: str) -> int:
    """How many parentheses are open at the end of ``before`` (strings and
    comments aside)."""
    bare = _COMMENT_OR_STRING.sub("", before)
    return bare.count("(") - bare.count(")")


_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)

# `field op value` just before the spot: a value that went on past a space.
_VALUE_BEFORE = re.compile(
    r"([A-Za-z_][\w.\-]*)\s*(==|!=|<>|<=|>=|<|>|=|!~|~|\blike\b|\bcontains\b)\s*([\w.:/+\-*?@%&]+)[ \t]+\Z",
    re.IGNORECASE,
)
# Where an unquoted value that runs on would end: at a keyword that may follow it.
_VALUE_END = re.compile(r"[ \t]+(?:and|or|order|limit)\b|[ \t]*(?:\)|,|--|\n|\Z)", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_QUOTABLE = (F.Kind.STRING, F.Kind.ENUM, F.Kind.PROPERTY, F.Kind.TAGS)


def _hint(text: str, offset: int, previous: str | None, word: str) -> str | None:
    """A message naming the fix, for mistakes people often make; None for others."""
    rest = text[offset:]
    if rest.startswith("&&"):
        return "write `and` to join conditions, not &&"
    if rest.startswith("||"):
        return "write `or` to join conditions, not ||"
    lowered = word.lower()
    null_test = re.match(r"is(\s+not)?\s+null\b", rest, re.IGNORECASE)
    if null_test is not None and previous is not None:
        if null_test.group(1):
            return f"there is no IS NOT NULL; write `{previous} exists`"
        return f"there is no IS NULL; write `{previous} missing`"
    before = text[:offset]
    limit = re.search(r"\blimit\s+([0-9]+)\s*\Z", before, re.IGNORECASE)
    if lowered == "order" and limit is not None:
        return f"`order by` comes before `limit`: write ... order by ... limit {limit.group(1)}"
    if lowered in keywords() or not bare_word().fullmatch(word):
        return None
    value = _VALUE_BEFORE.search(before)
    if value is None:
        return None
    name, op, first = value.groups()
    field = F.resolve(name).field
    if field.kind is F.Kind.BYTES and _NUMBER.match(first) and word.isalpha():
        return (
            f"{word!r} is not a size unit; sizes are written like 5GB, 512MiB or 1.5TiB "
            f"(units: {', '.join(SIZE_UNIT_NAMES)})"
        )
    if field.kind not in _QUOTABLE:
        return None
    start = value.start(3)
    end = _VALUE_END.search(text, offset)
    phrase = text[start : end.start() if end else len(text)].strip()
    # `x = 1 y` may also be a missing `and`: the hint is added to the message.
    return f"+ a value with spaces must be quoted: {name} {op} {quote(phrase)}"
