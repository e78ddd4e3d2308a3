"""The check pass: a query as the parser read it, made into a typed query.

The parser builds syntax only: field names as written, literals as written
(:class:`~imgql.lang.ast.Literal`) with their positions. This pass decides
what they mean and whether they may stand where they are:

- literals are read by their field's type (``5GB`` is a size for ``size``);
- operators must suit the field (``tag < a``, ``size like 'x*'`` are refused);
- ``null`` only with ``=`` and ``!=``, and never for ``member_status``;
- ``member_status`` narrows the whole listing, and ``region`` and ``cloud``
  say where the query runs, so they stand only as top-level conjuncts, with
  ``=`` or ``in``; ``*`` (every region) only as ``region = *``;
- sort keys must be fields with an order;
- nesting is at most :data:`~imgql.lang.ast.MAX_DEPTH` deep.

It returns every problem it finds, each a :class:`~imgql.errors.QueryError`
with its position, so that a checker (``imgql check``) can list them all;
:func:`~imgql.lang.parser.parse` raises the first. It also returns what is
allowed but probably a mistake (a field name one typo away from a known one,
``%`` in a ``like`` pattern) as warnings: the errors they become under
``imgql.parse(text, strict=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs

from ..errors import (
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
    Const,
    Exists,
    Expr,
    InList,
    Literal,
    Match,
    Not,
    Or,
    Query,
    SortKey,
    Span,
    Value,
    depth_of,
)
from .literals import LiteralError, read_text
from .visitor import Transformer, children, walk

__all__ = ["Checked", "check", "checked", "null_problem"]

N = TypeVar("N", Compare, InList, Match, Exists)

# The kinds `like`, `contains` and `~` work on.
_TEXT_KINDS = (F.Kind.STRING, F.Kind.ENUM, F.Kind.PROPERTY, F.Kind.TAGS)


@attrs.frozen
class Checked:
    """The outcome of the check pass: the typed query (as far as it could be
    read: a node with a problem is left as written) and the problems, in the
    order they stand in the text."""

    query: Query
    errors: tuple[QueryError, ...] = ()
    # Allowed, but probably not meant; each the error it is when strict.
    warnings: tuple[QueryError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def check(raw: Query, text: str = "") -> Checked:
    """Check and type a query as the parser built it (each of its fallbacks too)."""
    if raw.fallbacks:
        tiers = [check(tier, text) for tier in raw.tiers]
        errors = sorted((e for t in tiers for e in t.errors), key=_position)
        warned = sorted((w for t in tiers for w in t.warnings), key=_position)
        query = attrs.evolve(tiers[0].query, fallbacks=tuple(t.query for t in tiers[1:]))
        return Checked(query, tuple(errors), tuple(warned))
    problems: list[QueryError] = []
    doubts: list[QueryError] = []
    where = raw.where
    if where is not None:
        too_deep = _too_deep(where, text)
        if too_deep is not None:
            # Nothing deeper is looked at: the tree is not one any later stage accepts.
            return Checked(raw, (too_deep,))
        where = _Typing(text, problems, doubts).transform(where)
        problems.extend(_scope_problems(where, text))
    order = tuple(_sort_key(key, text, problems, doubts) for key in raw.order_by)
    problems.sort(key=_position)
    doubts.sort(key=_position)
    return Checked(attrs.evolve(raw, where=where, order_by=order), tuple(problems), tuple(doubts))


def checked(query: Query) -> Query:
    """The check pass over a tree built in code (bound parameters, the
    command line's own conditions): the same rules as for parsed text, the
    first problem raised (without a position: the values were not written
    in the text). Warnings are not repeated: the text was checked already."""
    result = check(query)
    if result.errors:
        first = result.errors[0]
        raise type(first)(first.message)
    return result.query


def _position(problem: QueryError) -> int:
    return problem.offset if problem.offset is not None else -1


def null_problem(field: F.Field, op: str) -> tuple[str, str] | None:
    """Why ``field op null`` is not a condition, and whether the operator
    (``"op"``) or the null (``"value"``) is at fault; None when it is one."""
    if op not in ("=", "!="):
        return "op", f"null can only be compared with = or != (found {op})"
    if field.kind is F.Kind.SCOPE:
        return "value", f"{field.name} is one of {', '.join(field.values)}, never null"
    if field.kind is F.Kind.LOCATION:
        return "value", f"{field.name} is a name, never null"
    return None


# -- helpers ----------------------------------------------------------------------


def _inside(text: str, literal: Literal, index: int) -> Span | None:
    """The span of character ``index`` of a quoted literal's value, when the
    value stands in the text as written (no escapes); else the whole literal."""
    span = literal.span
    if span is None or text[span.start + 1 : span.end - 1] != literal.text or span.end - span.start < 2:
        return span
    start = span.start + 1 + min(index, max(len(literal.text) - 1, 0))
    return Span(start, start + 1)


def _error(cls: type[QueryError], message: str, text: str, span: Span | None) -> QueryError:
    if span is None:
        return cls(message, text=text)
    return cls(message, text=text, offset=span.start, end_offset=span.end)


def _name_span(node: Compare | InList | Match | Exists | SortKey, written: str) -> Span | None:
    """Where a node's field name stands: the start of the node."""
    if node.span is None:
        return None
    return Span(node.span.start, node.span.start + len(written))


def _too_deep(where: Expr, text: str) -> QueryError | None:
    if depth_of(where) <= MAX_DEPTH:
        return None
    # Follow the deepest branch down to the outermost node that is itself
    # too deep by one level: the innermost place the limit is passed.
    node = where
    while depth_of(node) > MAX_DEPTH + 1:
        node = max(children(node), key=depth_of)
    span = node.span if hasattr(node, "span") else None
    return TooComplexError(
        f"the query is nested more than {MAX_DEPTH} levels deep",
        text=text,
        offset=span.start if span is not None else None,
    )


def _scope_problems(where: Expr, text: str) -> list[QueryError]:
    """``member_status`` narrows the whole listing and ``region``/``cloud`` say
    where the query runs, so they may only stand as top-level conjuncts:
    `images where member_status = pending and tag = x`."""
    top = {id(node) for node in (where.operands if isinstance(where, And) else (where,))}
    problems = []
    for node in walk(where):
        if not isinstance(node, (Compare, InList)):
            continue
        kind = F.lookup(node.field).kind
        if kind not in F.NOT_IN_RECORD:
            continue
        if id(node) not in top:
            what = "narrows the whole listing" if kind is F.Kind.SCOPE else "says where the query runs"
            problems.append(
                _error(
                    UnknownFieldError,
                    f"{node.field} {what}; it can only be joined to the rest with `and` "
                    "at the top level, not inside `or` or `not`",
                    text,
                    node.span,
                )
            )
        elif isinstance(node, InList) and node.field == "cloud" and F.EVERY_REGION in node.values:
            problems.append(_error(InvalidValueError, _NO_EVERY_CLOUD, text, node.span))
        elif isinstance(node, InList) and kind is F.Kind.LOCATION and F.EVERY_REGION in node.values:
            problems.append(
                _error(
                    InvalidValueError,
                    f"{F.EVERY_REGION} (every region) stands alone: write `region = {F.EVERY_REGION}`",
                    text,
                    node.span,
                )
            )
    return problems


_NO_EVERY_CLOUD = "name the clouds: `cloud in (a, b)`; * (every region) is for regions only"


def _resolve(written: str, span: Span | None, text: str, doubts: list[QueryError]) -> F.Field:
    """The field a name stands for; a name that looks like a typo of a known
    one is read as a custom property, with a warning naming the known one."""
    resolved = F.resolve(written)
    if resolved.refused is not None:
        raise _Problem(_error(UnknownFieldError, resolved.refused, text, span))
    if resolved.suggestion is not None:
        doubts.append(
            _error(
                UnknownFieldError,
                f"unknown field {written!r}, read as a custom property; did you mean {resolved.suggestion!r}? "
                f"(write {F.PROPERTY_PREFIX}{written} if the custom property is meant)",
                text,
                span,
            )
        )
    return resolved.field


def _sort_key(key: SortKey, text: str, problems: list[QueryError], doubts: list[QueryError]) -> SortKey:
    span = _name_span(key, key.field)
    try:
        field = _resolve(key.field, span, text, doubts)
    except _Problem as problem:
        problems.append(problem.error)
        return key
    if field.kind is F.Kind.SCOPE:
        problems.append(
            _error(UnknownFieldError, f"cannot order by {field.name}: it is not a field of the image", text, span)
        )
    elif key.version and field.kind not in (F.Kind.STRING, F.Kind.PROPERTY):
        problems.append(
            _error(
                UnknownFieldError,
                f"version() reads a version out of text; {field.name} is {field.kind.value}: "
                f"order by {field.name} itself",
                text,
                span,
            )
        )
    elif not field.orderable:
        problems.append(
            _error(
                UnknownFieldError,
                f"cannot order by {field.name}: {field.kind.value} values have no order",
                text,
                span,
            )
        )
    return attrs.evolve(key, field=field.name)


class _Problem(Exception):
    """Raised inside the typing pass to leave a node as written."""

    def __init__(self, error: QueryError) -> None:
        self.error = error


class _Typing(Transformer):
    """Each predicate typed, or left as written with its problem recorded."""

    DEFAULT_FOR = (Not, And, Or, Const)  # rebuilt from their typed operands

    def __init__(self, text: str, problems: list[QueryError], doubts: list[QueryError]) -> None:
        super().__init__()
        self.text = text
        self.problems = problems
        self.doubts = doubts

    def field(self, node: Compare | InList | Match | Exists) -> F.Field:
        return _resolve(node.field, _name_span(node, node.field), self.text, self.doubts)

    def _guarded(self, typer: Callable[[N], Expr], node: N) -> Expr:
        try:
            return typer(node)
        except _Problem as problem:
            self.problems.append(problem.error)
            return node

    def fail(self, cls: type[QueryError], message: str, span: Span | None) -> _Problem:
        return _Problem(_error(cls, message, self.text, span))

    def value(self, field: F.Field, op: str, value: Value) -> Value:
        if not isinstance(value, Literal):
            return value  # a parameter, or a value already typed
        if value.form == "spaced" and field.kind is not F.Kind.BYTES:
            raise self.fail(
                QuerySyntaxError,
                f"a value with spaces must be quoted: {value.text!r}",
                value.span,
            )
        try:
            return read_text(field, value.text, op)
        except LiteralError as exc:
            raise self.fail(InvalidValueError, exc.described(), value.span) from None

    # Predicates ---------------------------------------------------------------

    def visit_Compare(self, node: Compare) -> Expr:
        return self._guarded(self._compare, node)

    def visit_InList(self, node: InList) -> Expr:
        return self._guarded(self._in_list, node)

    def visit_Match(self, node: Match) -> Expr:
        return self._guarded(self._match, node)

    def visit_Exists(self, node: Exists) -> Expr:
        return self._guarded(self._exists, node)

    def _compare(self, node: Compare) -> Expr:
        value = node.value
        if isinstance(value, Literal) and value.form == "implied" and node.field.lower() in F.SHORTHANDS:
            name, meant = F.SHORTHANDS[node.field.lower()]
            return Compare(name, "=", meant, span=node.span, op_span=node.op_span)
        field = self.field(node)
        op = node.op
        if isinstance(value, Literal) and value.form == "implied":
            if field.kind is not F.Kind.BOOLEAN:
                name = node.field
                raise self.fail(
                    QuerySyntaxError,
                    f"{name} alone is a condition only for true/false fields (protected, hidden); "
                    f"write `{name} exists`, or compare it with a value",
                    _name_span(node, node.field),
                )
            return Compare(field.name, "=", True, span=node.span, op_span=node.op_span)
        if isinstance(value, Literal) and value.form == "null":
            problem = null_problem(field, op)
            if problem is not None:
                where, message = problem
                raise self.fail(InvalidValueError, message, node.op_span if where == "op" else value.span)
            # `x = null` reads as `x missing`; comparisons never match null.
            return Exists(field.name, present=(op == "!="), span=node.span)
        if field.kind in F.NOT_IN_RECORD:
            if op != "=":
                raise self.fail(
                    UnknownFieldError, f"{field.name} can only be compared with = or in (...)", node.op_span
                )
            # A literal as written, or a value bound to a parameter.
            star = value.text if isinstance(value, Literal) else value
            if field.name == "cloud" and star == F.EVERY_REGION:
                raise self.fail(InvalidValueError, _NO_EVERY_CLOUD, getattr(value, "span", node.span))
        elif field.kind is F.Kind.TAGS and op not in ("=", "!="):
            raise self.fail(
                InvalidValueError,
                f"tags can only be compared with = (has the tag) or != (lacks it), not {op}",
                node.op_span,
            )
        elif field.kind is F.Kind.BOOLEAN and op not in ("=", "!="):
            raise self.fail(InvalidValueError, f"{field.name} is true or false; compare it with = or !=", node.op_span)
        return Compare(field.name, op, self.value(field, op, value), span=node.span, op_span=node.op_span)

    def _in_list(self, node: InList) -> Expr:
        field = self.field(node)
        if field.kind in F.NOT_IN_RECORD and node.negated:
            raise self.fail(
                UnknownFieldError,
                f"{field.name} can only be compared with = or in (...)",
                _name_span(node, node.field),
            )
        values: list[Value] = []
        for item in node.values:
            if isinstance(item, Literal) and item.form == "null":
                raise self.fail(InvalidValueError, "null cannot be in a list; use `missing` or `exists`", item.span)
            value = self.value(field, "=", item)
            if value not in values:
                values.append(value)
        return InList(field.name, tuple(values), node.negated, span=node.span)

    def _match(self, node: Match) -> Expr:
        field = self.field(node)
        if field.kind is F.Kind.LOCATION:
            raise self.fail(
                UnknownFieldError,
                f"{field.name} can only be compared with = or in (...)",
                _name_span(node, node.field),
            )
        if field.kind not in _TEXT_KINDS:
            raise self.fail(
                InvalidValueError,
                f"{field.name} is a {field.kind.value} field; {node.op} works on text fields",
                _name_span(node, node.field),
            )
        pattern = node.pattern
        if isinstance(pattern, Literal):
            if pattern.form == "null":
                raise self.fail(InvalidValueError, f"{node.op} needs text, not null", pattern.span)
            if node.op == "regex":
                self._compile(pattern)
            if node.op == "like" and "%" in pattern.text:
                self.doubts.append(
                    _error(
                        InvalidPatternError,
                        "like uses * (any run of characters) and ? (one character), not SQL's %; "
                        f"did you mean {pattern.text.replace('%', '*')!r}?",
                        self.text,
                        pattern.span,
                    )
                )
            return Match(field.name, node.op, pattern.text, node.negated, span=node.span)
        return Match(field.name, node.op, pattern, node.negated, span=node.span)

    def _compile(self, pattern: Literal) -> None:
        # Imported here: RE2 costs milliseconds to load, and most queries have no `~`.
        from .regex import regex_problem

        problem = regex_problem(pattern.text)
        if problem is not None:
            raise self.fail(
                InvalidPatternError,
                f"invalid regular expression {pattern.text!r}: {problem.message}",
                _inside(self.text, pattern, problem.index),
            )

    def _exists(self, node: Exists) -> Expr:
        field = self.field(node)
        if field.kind in F.NOT_IN_RECORD:
            raise self.fail(
                UnknownFieldError, f"{field.name} is not a field of the image", _name_span(node, node.field)
            )
        return Exists(field.name, node.present, span=node.span)
