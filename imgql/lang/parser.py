"""Text to :class:`~imgql.ast.Query`.

Lark parses with LALR and calls :class:`_Builder` as it reduces, so the AST
is built during the parse: no parse tree is made and walked afterwards.
Literals are read by their field's type as soon as the predicate is reduced,
which is what lets ``5GB`` be a size for ``size`` and text for ``name``.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import lark
from lark import Token

from ..errors import (
    IncompleteQueryError,
    InvalidPatternError,
    InvalidValueError,
    QueryError,
    QuerySyntaxError,
    TooComplexError,
    UnknownFieldError,
)
from . import fields as F
from .ast import (
    MAX_DEPTH,
    And,
    Compare,
    Exists,
    Expr,
    InList,
    Match,
    Not,
    Or,
    Param,
    Query,
    SortKey,
    Span,
    Value,
    depth_of,
)
from .grammar import grammar_text
from .literals import (
    LiteralError,
    parse_boolean,
    parse_datetime,
    parse_relative,
    parse_size,
)

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)

_OPS = {"==": "=", "<>": "!="}

# A limit has at most this many digits: far more than any listing, and short
# enough to be read as a Python int.
_MAX_LIMIT_DIGITS = 18


def unquote(text: str) -> str:
    """The value of a quoted string. Unknown escapes are kept as written,
    so regular expressions such as ``'\\d+'`` read naturally."""
    body = text[1:-1]
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16)) if int(code[1:], 16) <= 0x10FFFF else match.group(0)
        return match.group(0)

    return _ESCAPE.sub(replace, body)


def _span(first: Token, last: Token | None = None) -> Span:
    last = last or first
    return Span(first.start_pos or 0, last.end_pos or 0)


def _field(token: Token) -> F.Field:
    return F.lookup(str(token))


def _error(cls: type[QueryError], message: str, token: Token) -> QueryError:
    return cls(message, offset=token.start_pos, end_offset=token.end_pos)


def _text(token: Token) -> str:
    if token.type == "STRING":
        return unquote(str(token))
    return str(token)


def read_value(field: F.Field, token: Token) -> Value:
    """The literal ``token`` read as a value of ``field``."""
    if token.type == "PARAM":
        return Param(str(token)[1:], span=_span(token))
    text = _text(token)
    kind = field.kind
    try:
        if kind in (F.Kind.STRING, F.Kind.PROPERTY, F.Kind.TAGS):
            return text
        if kind in (F.Kind.ENUM, F.Kind.SCOPE):
            lowered = text.lower()
            if lowered not in field.values:
                raise LiteralError(f"{text!r} is not a {field.name}; expected one of: {', '.join(field.values)}")
            return lowered
        if kind is F.Kind.BOOLEAN:
            return parse_boolean(text)
        if kind is F.Kind.DATETIME:
            relative = parse_relative(text)
            if relative is not None:
                return relative
            return parse_datetime(text)
        if kind is F.Kind.BYTES:
            # A whole-number check happens in the caller, which knows the operator.
            return parse_size(text, field.unit)  # type: ignore[return-value]
    except LiteralError as exc:
        raise _error(InvalidValueError, f"{field.name}: {exc}", token) from None
    raise AssertionError(kind)  # pragma: no cover


def _whole(field: F.Field, op: str, value: Value, token: Token) -> Value:
    """Sizes are whole numbers of the field's unit. A fractional bound is
    replaced by the whole bound that selects the same values, so that
    ``min_ram >= 1GB`` (953.67 MiB) means ``min_ram >= 954``."""
    if not isinstance(value, Decimal):
        return value
    if value < 0:
        raise _error(InvalidValueError, f"{field.name}: a size cannot be negative", token)
    if value == value.to_integral_value():
        return int(value)
    if op in ("<", ">="):
        return int(value.to_integral_value(ROUND_CEILING))
    if op in ("<=", ">"):
        return int(value.to_integral_value(ROUND_FLOOR))
    raise _error(
        InvalidValueError,
        f"{field.name} is a whole number of {field.unit_name}; {_text(token)} is {value:.2f} {field.unit_name}",
        token,
    )


def _check_depth(node: Expr, token_or_none: Token | None = None) -> Expr:
    if depth_of(node) > MAX_DEPTH:
        raise TooComplexError(
            f"the query is nested more than {MAX_DEPTH} levels deep",
            offset=token_or_none.start_pos if token_or_none is not None else None,
        )
    return node


def _first_token(items: tuple[Any, ...]) -> Token | None:
    """The first operator keyword among a rule's children, to point at."""
    return next((item for item in items if isinstance(item, Token)), None)


def _compile_regex(pattern: str, token: Token) -> None:
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise _error(InvalidPatternError, f"invalid regular expression {pattern!r}: {exc}", token) from None


@lark.v_args(inline=True)
class _Builder(lark.Transformer[Token, Any]):
    """Lark callbacks, one per grammar rule, building AST nodes as the parser
    reduces. Holds no state: one instance serves every parse and thread."""

    def start(self, *children: Any) -> Query:
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
        if where is not None:
            _check_scope(where)
        return Query(where=where, order_by=order, limit=limit, all_images=all_images)

    def where(self, _kw: Token, expr: Expr) -> tuple[str, Expr]:
        return ("where", expr)

    def order(self, _order: Token, _by: Token, *keys: SortKey) -> tuple[str, tuple[SortKey, ...]]:
        return ("order", keys)

    def sort_key(self, name: Token, direction: Token | None = None) -> SortKey:
        field = _field(name)
        if field.kind is F.Kind.SCOPE:
            raise _error(UnknownFieldError, f"cannot order by {field.name}: it is not a field of the image", name)
        if not field.orderable:
            raise _error(
                UnknownFieldError, f"cannot order by {field.name}: {field.kind.value} values have no order", name
            )
        descending = direction is not None and direction.type == "DESC"
        return SortKey(field.name, descending)

    def limit(self, _kw: Token, number: Token) -> int:
        digits = str(number).lstrip("0")
        if len(digits) > _MAX_LIMIT_DIGITS:
            raise _error(InvalidValueError, f"limit {_text(number)[:30]} is too large", number)
        return int(digits or "0")

    def or_expr(self, *items: Any) -> Expr:
        operands: list[Expr] = []
        for item in items:
            if isinstance(item, Token):
                continue
            operands.extend(item.operands if isinstance(item, Or) else (item,))
        return _check_depth(Or(tuple(operands)), _first_token(items))

    def and_expr(self, *items: Any) -> Expr:
        operands: list[Expr] = []
        for item in items:
            if isinstance(item, Token):
                continue
            operands.extend(item.operands if isinstance(item, And) else (item,))
        return _check_depth(And(tuple(operands)), _first_token(items))

    def negate(self, token: Token, operand: Expr) -> Expr:
        # `not not x` is x: folding it here keeps negation chains flat.
        if isinstance(operand, Not):
            return operand.operand
        return _check_depth(Not(operand), token)

    def compare(self, name: Token, op_token: Token, value_token: Token) -> Expr:
        field = _field(name)
        op = _OPS.get(str(op_token), str(op_token))
        span = _span(name, value_token)
        if value_token.type == "NULL":
            if op not in ("=", "!="):
                raise _error(InvalidValueError, f"null can only be compared with = or != (found {op})", op_token)
            if field.kind is F.Kind.SCOPE:
                raise _error(
                    InvalidValueError,
                    f"{field.name} is one of {', '.join(field.values)}, never null",
                    value_token,
                )
            # `x = null` reads as `x missing`; comparisons never match null.
            return Exists(field.name, present=(op == "!="), span=span)
        if field.kind is F.Kind.SCOPE:
            if op != "=":
                raise _error(UnknownFieldError, f"{field.name} can only be compared with = or in (...)", op_token)
        elif field.kind is F.Kind.TAGS and op not in ("=", "!="):
            raise _error(
                InvalidValueError,
                f"tags can only be compared with = (has the tag) or != (lacks it), not {op}",
                op_token,
            )
        elif field.kind is F.Kind.BOOLEAN and op not in ("=", "!="):
            raise _error(InvalidValueError, f"{field.name} is true or false; compare it with = or !=", op_token)
        value = _whole(field, op, read_value(field, value_token), value_token)
        return Compare(field.name, op, value, span=span)

    def in_list(self, name: Token, *rest: Any) -> Expr:
        field = _field(name)
        negated = any(isinstance(t, Token) and t.type == "NOT" for t in rest[:-1])
        tokens: list[Token] = rest[-1]
        if field.kind is F.Kind.SCOPE and negated:
            raise _error(UnknownFieldError, f"{field.name} can only be compared with = or in (...)", name)
        values: list[Value] = []
        for token in tokens:
            if token.type == "NULL":
                raise _error(InvalidValueError, "null cannot be in a list; use `missing` or `exists`", token)
            value = _whole(field, "=", read_value(field, token), token)
            if value not in values:
                values.append(value)
        return InList(field.name, tuple(values), negated, span=_span(name, tokens[-1]))

    def values(self, *tokens: Token) -> list[Token]:
        return list(tokens)

    def _match(self, op: str, name: Token, rest: tuple[Any, ...]) -> Expr:
        field = _field(name)
        value_token: Token = rest[-1]
        negated = any(isinstance(t, Token) and t.type == "NOT" for t in rest[:-1])
        if isinstance(rest[0], Token) and rest[0].type == "MATCH" and str(rest[0]) == "!~":
            negated = True
        if field.kind not in (F.Kind.STRING, F.Kind.ENUM, F.Kind.PROPERTY, F.Kind.TAGS):
            raise _error(
                InvalidValueError,
                f"{field.name} is a {field.kind.value} field; {op} works on text fields",
                name,
            )
        if value_token.type == "NULL":
            raise _error(InvalidValueError, f"{op} needs text, not null", value_token)
        if value_token.type == "PARAM":
            pattern: str | Param = Param(str(value_token)[1:], span=_span(value_token))
        else:
            pattern = _text(value_token)
            if op == "regex":
                _compile_regex(pattern, value_token)
        return Match(field.name, op, pattern, negated, span=_span(name, value_token))

    def like(self, name: Token, *rest: Any) -> Expr:
        return self._match("like", name, rest)

    def contains(self, name: Token, *rest: Any) -> Expr:
        return self._match("contains", name, rest)

    def regex(self, name: Token, *rest: Any) -> Expr:
        return self._match("regex", name, rest)

    def exists(self, name: Token, keyword: Token) -> Expr:
        field = _field(name)
        if field.kind is F.Kind.SCOPE:
            raise _error(UnknownFieldError, f"{field.name} is not a field of the image", name)
        return Exists(field.name, present=keyword.type == "EXISTS", span=_span(name, keyword))

    def truth(self, name: Token) -> Expr:
        field = _field(name)
        if str(name).lower() in _KEYWORDS:
            raise _error(QuerySyntaxError, f"expected a condition, found the keyword {str(name)!r}", name)
        if field.kind is not F.Kind.BOOLEAN:
            known = "protected, hidden"
            raise _error(
                QuerySyntaxError,
                f"{name} alone is a condition only for true/false fields ({known}); "
                f"write `{name} exists`, or compare it with a value",
                name,
            )
        return Compare(field.name, "=", True, span=_span(name))


def _check_scope(where: Expr) -> None:
    """``member_status`` narrows the whole listing, so it may only stand as a
    top-level conjunct: `images where member_status = pending and tag = x`."""
    top = where.operands if isinstance(where, And) else (where,)
    allowed = {id(node) for node in top}
    stack: list[Expr] = [where]
    while stack:
        node = stack.pop()
        if isinstance(node, (And, Or)):
            stack.extend(node.operands)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, (Compare, InList)) and node.field == "member_status" and id(node) not in allowed:
            start = node.span.start if node.span else None
            end = node.span.end if node.span else None
            raise UnknownFieldError(
                "member_status narrows the whole listing; it can only be joined to the rest with `and` "
                "at the top level, not inside `or` or `not`",
                offset=start,
                end_offset=end,
            )


_KEYWORDS = frozenset(
    [
        "all",
        "images",
        "where",
        "order",
        "by",
        "asc",
        "desc",
        "limit",
        "or",
        "and",
        "in",
        "like",
        "contains",
        "exists",
        "missing",
        "null",
    ]
)


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=_Builder(),
        cache=True,
        maybe_placeholders=True,
    )


def parse(text: str) -> Query:
    """Parse query text into an immutable :class:`Query`.

    Raises :class:`~imgql.errors.QuerySyntaxError` for text that does not
    follow the grammar and other :class:`~imgql.errors.QueryError` subclasses
    for values that do not fit their fields; nothing else escapes.
    """
    # The type is checked before the cache is consulted: an unhashable
    # argument would otherwise raise TypeError from the cache itself.
    if not isinstance(text, str):
        raise QuerySyntaxError(f"a query is text, not {type(text).__name__}")
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        # Undecodable bytes (a terminal's surrogateescape) cannot be sent
        # to the API as UTF-8: say so here rather than fail when planning.
        raise InvalidValueError(
            "the query holds a character that is not valid Unicode (undecodable bytes?)",
            text=text,
            offset=surrogate.start(),
        )
    return _parse(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lark_parse(text: str, lark_obj: lark.Lark) -> Any:
    return lark_obj.parse(text)


try:
    # The lean driver reads Lark's tables through internal names; should a
    # Lark release move them, parsing goes through Lark's own driver.
    from .fastparse import parse as _fast_parse
except ImportError:  # pragma: no cover - depends on the installed Lark
    _fast_parse = _lark_parse


# Failed parses are not cached (lru_cache keeps only results), so an error is
# raised again on every call with the same text.
@functools.lru_cache(maxsize=512)
def _parse(text: str) -> Query:
    try:
        result = _fast_parse(text, _lark())
    except QueryError as exc:
        raise _with_text(exc, text) from None
    except lark.exceptions.UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    except lark.exceptions.VisitError as exc:  # pragma: no cover - callbacks raise QueryError only
        if isinstance(exc.orig_exc, QueryError):
            raise _with_text(exc.orig_exc, text) from None
        raise QuerySyntaxError(f"cannot read the query: {exc.orig_exc}") from None
    except RecursionError:  # pragma: no cover - depth is bounded in the callbacks
        raise TooComplexError(f"the query is nested more than {MAX_DEPTH} levels deep") from None
    assert isinstance(result, Query)
    return result


def _with_text(exc: QueryError, text: str) -> QueryError:
    return type(exc)(exc.message, text=text, offset=exc.offset, end_offset=exc.end_offset)


# What a person calls each terminal, for "expected ..." messages.
_TERMINAL_WORDS = {
    "ALL": "'all'",
    "IMAGES": "'images'",
    "WHERE": "'where'",
    "ORDER": "'order by'",
    "BY": "'by'",
    "ASC": "'asc'",
    "DESC": "'desc'",
    "LIMIT": "'limit'",
    "OR": "'or'",
    "AND": "'and'",
    "NOT": "'not'",
    "IN": "'in'",
    "LIKE": "'like'",
    "CONTAINS": "'contains'",
    "EXISTS": "'exists'",
    "MISSING": "'missing'",
    "NULL": "a value",
    "COMPARE": "a comparison (=, !=, <, <=, >, >=)",
    "MATCH": "'~'",
    "FIELD": "a field name",
    "INT": "a whole number",
    "BARE": "a value",
    "RELTIME": "a value",
    "STRING": "a value",
    "PARAM": "a value",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "end of query",
    "<END-OF-FILE>": "end of query",
}

_ORDER = list(_TERMINAL_WORDS)


# After a field name: every way to go on is an operator, named as one.
_OPERATOR_TERMINALS = frozenset(["COMPARE", "MATCH", "IN", "LIKE", "CONTAINS", "EXISTS", "MISSING", "NOT"])
_OPERATORS = "an operator (=, !=, <, <=, >, >=, in, like, contains, ~, exists, missing)"


def _describe_expected(expected: set[str]) -> str:
    words: list[str] = []
    if "COMPARE" in expected:
        words.append(_OPERATORS)
        expected = expected - _OPERATOR_TERMINALS
    for name in sorted(expected, key=lambda n: _ORDER.index(n) if n in _ORDER else len(_ORDER)):
        word = _TERMINAL_WORDS.get(name, name.lower())
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
    match = re.match(r"'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|[\w.:/+\-*?@%&$]+|\S", rest)
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
    if text[offset : offset + 1] in ("'", '"') and not re.match(
        r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", text[offset:], re.DOTALL
    ):
        return QuerySyntaxError("this quoted text is never closed", text=text, offset=offset)
    if not text.strip():
        return IncompleteQueryError(
            "the query is empty; a query starts with 'images', e.g. images where tag = lts", text=text, offset=0
        )
    if "\0" in text[offset : offset + 1]:
        return QuerySyntaxError("a query cannot contain a NUL character", text=text, offset=offset)
    want = _describe_expected(expected) if expected else "something else"
    previous = _previous_token(text, offset)
    after = f" after {previous!r}" if previous else ""
    cls = IncompleteQueryError if found == "end of query" else QuerySyntaxError
    if not previous and "IMAGES" in expected:
        message = f"a query starts with 'images' (or 'all images'), found {found}"
    else:
        message = f"expected {want}{after}, found {found}"
    return cls(message, text=text, offset=offset, end_offset=offset + max(1, found_length))
