"""Client-side evaluation: an expression compiled once into a Python function.

The function is generated as Python source and compiled with ``compile()``,
so filtering an image costs about what a hand-written lambda costs: no tree
is walked per image. Constants (sets, compiled patterns, datetimes) are bound
into the function's namespace rather than printed into the source, so no
value from a query ever becomes code.

Semantics (docs/language.md): a comparison on a missing or null value is
false for every operator; ``tags`` is never null (no tags is the empty list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..errors import ParameterError
from ..lang import fields as F
from ..lang.ast import (
    MATCH_KINDS,
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
    Param,
    RelativeTime,
    Value,
)
from ..lang.visitor import Fold, UnhandledNodeError, pass_name
from .glob import ascii_infix, ascii_prefix, glob_matcher, glob_to_regex
from .record_values import MISSING, NUMBERS_READ, as_text, compare_property, number_of, parse_time, read_time
from .sorting import sort_images, sort_key_function

__all__ = [
    "CompiledPredicate",
    "Guard",
    "Image",
    "Predicate",
    "compile_predicate",
    "glob_matcher",
    "glob_to_regex",
    "parse_time",
    "sort_images",
    "sort_key_function",
]

Image = Mapping[str, Any]
# What compile_predicate returns: a test of one image record. Not the
# language's Predicate (imgql.lang.ast), a condition in the query.
CompiledPredicate = Callable[[Image], bool]
Predicate = CompiledPredicate  # the name this had before; kept for callers


class Guard(Protocol):
    """A condition checked with the expression (an offline listing's scope)."""

    def source(self, bind: Callable[[Any], str]) -> str:
        """A Python expression over ``img``; constants go through ``bind``,
        which returns the name they are bound to; "" for no condition."""
        ...


_PY_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class _Compiler(Fold[str]):
    DEFAULT_FOR = ()  # every node class has its own code

    def __init__(self, now: dt.datetime | None, *, fast: bool = False) -> None:
        super().__init__()
        # A fast body may raise TypeError on a malformed record (an
        # unhashable value); the compiled function then asks the safe body.
        self.fast = fast
        self.namespace: dict[str, Any] = {
            "_time": read_time,
            "_text": as_text,
            "_cmp_prop": compare_property,
            "_numbers_get": NUMBERS_READ.get,
            "_number_of": number_of,
            "_missing": MISSING,
        }
        self.now = now
        self.counter = 0

    def const(self, value: Any) -> str:
        name = f"_c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def var(self) -> str:
        self.counter += 1
        return f"_v{self.counter}"

    def expr(self, node: Expr) -> str:
        return self.fold(node)

    def visit_And(self, node: And, *operands: str) -> str:
        return "(" + " and ".join(operands) + ")" if operands else "True"

    def visit_Or(self, node: Or, *operands: str) -> str:
        return "(" + " or ".join(operands) + ")" if operands else "False"

    def visit_Not(self, node: Not, operand: str) -> str:
        return f"(not {operand})"

    def visit_Const(self, node: Const) -> str:
        return "True" if node.value else "False"

    def visit_Exists(self, node: Exists) -> str:
        return self._predicate(node) or self.exists(node, F.lookup(node.field).kind)

    def visit_Compare(self, node: Compare) -> str:
        return self._predicate(node) or self.compare(node, F.lookup(node.field).kind)

    def visit_InList(self, node: InList) -> str:
        return self._predicate(node) or self.in_list(node, F.lookup(node.field).kind)

    def visit_Match(self, node: Match) -> str:
        return self._predicate(node) or self.match(node, F.lookup(node.field).kind)

    def _predicate(self, node: Compare | InList | Match | Exists) -> str:
        # Scope, not a record field: the requests already applied it.
        return "True" if node.field == "member_status" else ""

    def get(self, field: str) -> str:
        return f"img.get({F.record_key(field)!r})"

    def exists(self, node: Exists, kind: F.Kind) -> str:
        if kind is F.Kind.TAGS:
            return f"bool({self.get(node.field)})" if node.present else f"(not {self.get(node.field)})"
        return f"({self.get(node.field)} {'is not' if node.present else 'is'} None)"

    def literal(self, value: Value) -> Any:
        if isinstance(value, Param):
            raise ParameterError(f"${value.name} has no value; bind it before running the query")
        if isinstance(value, Literal):
            raise TypeError("the query was not checked: parse it with imgql.parse")
        if isinstance(value, RelativeTime):
            if self.now is None:
                raise ParameterError("a relative time needs the current time to be evaluated")
            return value.resolve(self.now)
        return value

    def compare(self, node: Compare, kind: F.Kind) -> str:
        value = self.literal(node.value)
        if kind is F.Kind.TAGS:
            c = self.const(value)
            return f"({c} {'in' if node.op == '=' else 'not in'} ({self.get(node.field)} or ()))"
        v = self.var()
        by_kind = {
            F.Kind.BOOLEAN: self._compare_boolean,
            F.Kind.DATETIME: self._compare_time,
            F.Kind.BYTES: self._compare_size,
            F.Kind.PROPERTY: self._compare_property,
        }.get(kind, self._compare_text)
        return by_kind(node, value, v)

    def _compare_boolean(self, node: Compare, value: Any, v: str) -> str:
        want = value if node.op == "=" else not value
        return f"({self.get(node.field)} is {bool(want)!r})"

    def _compare_time(self, node: Compare, value: Any, v: str) -> str:
        op = node.op
        c = self.const(value)
        slow = f"((_t := _time({v})) is not None and _t {_PY_OPS[op]} {c})"
        shown = _shown_bound(value, op)
        if shown is None:
            return f"(({v} := {self.get(node.field)}).__class__ is str and {slow})"
        fast = repr(shown) if isinstance(shown, bool) else f"{v} {_PY_OPS[op]} {self.const(shown)}"
        # Glance writes times as 2025-10-02T08:30:39Z, whose text sorts
        # as the instants do: compare the text, parse anything else.
        return (
            f"(({v} := {self.get(node.field)}).__class__ is str and "
            f"({fast} if len({v}) == 20 and {v}[19] == 'Z' and {v}[10] == 'T' else {slow}))"
        )

    def _compare_size(self, node: Compare, value: Any, v: str) -> str:
        return (
            f"(({v} := {self.get(node.field)}) is not None and {v}.__class__ is not bool "
            f"and {v} {_PY_OPS[node.op]} {int(value)!r})"
        )

    def _compare_property(self, node: Compare, value: Any, v: str) -> str:
        op = node.op
        c = self.const(value)
        if op == "=":
            # Glance's properties are text (or absent): compare directly,
            # converting only other types.
            return (
                f"(({v} := {self.get(node.field)}) == {c} "
                f"or ({v}.__class__ is not str and {v} is not None and _text({v}) == {c}))"
            )
        if op == "!=":
            return f"(({v} := _text({self.get(node.field)})) is not None and {v} != {c})"
        from ..lang.literals import parse_number

        number = parse_number(str(value))
        n = self.const(float(number) if number is not None else None)
        py = _PY_OPS[op]
        # Glance's properties are text: compare it here (as a number when
        # both sides read as one), and leave other types to _cmp_prop.
        text = f"{v} {py} {c}"
        if number is not None:
            # The text's number (remembered, or read and remembered), or
            # None when it reads as none; `and False` only moves on.
            m = self.var()
            read = f"(({m} := _numbers_get({v}, _missing)) is _missing and ({m} := _number_of({v})) and False)"
            text = f"{read} or ({m} {py} {n} if {m} is not None else {text})"
        return (
            f"((({v} := {self.get(node.field)}).__class__ is str and ({text})) "
            f"or ({v}.__class__ is not str and {v} is not None and _cmp_prop({v}, {op!r}, {c}, {n})))"
        )

    def _compare_text(self, node: Compare, value: Any, v: str) -> str:
        c = self.const(value)
        if node.op == "=" and isinstance(value, str):
            # Only a str equals a str constant: no type check needed for =.
            return f"({self.get(node.field)} == {c})"
        return f"(({v} := {self.get(node.field)}).__class__ is str and {v} {_PY_OPS[node.op]} {c})"

    def in_list(self, node: InList, kind: F.Kind) -> str:
        values = [self.literal(v) for v in node.values]
        if kind is F.Kind.TAGS:
            c = self.const(frozenset(values))
            return f"({'' if node.negated else 'not '}{c}.isdisjoint({self.get(node.field)} or ()))"
        if kind is F.Kind.DATETIME:
            c = self.const(frozenset(values))
            v = self.var()
            return (
                f"(({v} := _time({self.get(node.field)})) is not None and {v} {'not in' if node.negated else 'in'} {c})"
            )
        if kind is F.Kind.BOOLEAN:
            c = self.const(frozenset(bool(x) for x in values))
            v = self.var()
            return (
                f"(({v} := {self.get(node.field)}).__class__ is bool and {v} {'not in' if node.negated else 'in'} {c})"
            )
        if kind is F.Kind.PROPERTY:
            c = self.const(frozenset(str(x) for x in values))
            v = self.var()
            return (
                f"(({v} := _text({self.get(node.field)})) is not None and {v} {'not in' if node.negated else 'in'} {c})"
            )
        c = self.const(frozenset(values))
        v = self.var()
        check = "is not None and" if kind is F.Kind.BYTES else ".__class__ is str and"
        if self.fast and not node.negated and kind is not F.Kind.BYTES:
            # Only a str can be in a set of str: no type check needed.
            return f"({self.get(node.field)} in {c})"
        if kind is F.Kind.BYTES:
            return f"(({v} := {self.get(node.field)}) {check} {v} {'not in' if node.negated else 'in'} {c})"
        return f"(({v} := {self.get(node.field)}){check} {v} {'not in' if node.negated else 'in'} {c})"

    def match(self, node: Match, kind: F.Kind) -> str:
        pattern = self.literal(node.pattern)
        assert isinstance(pattern, str)
        # By the kind of match the operator declares: an operator of a known
        # kind needs no code here, and one of no known kind fails by name.
        how = MATCH_KINDS.get(node.op)
        if how == "glob":
            return self.glob(node, kind, pattern)
        if how == "substring":
            needle = self.const(pattern.casefold())
            return self.text_test(node, kind, lambda text: f"({needle} in {text}.casefold())")
        if how == "regex":
            return self.regex(node, kind, pattern)
        raise UnhandledNodeError(pass_name(type(self)), Match, f"the match operator {node.op!r} (kind {how!r})")

    def glob(self, node: Match, kind: F.Kind, pattern: str) -> str:
        infix = ascii_infix(pattern)
        if infix is not None:
            # `*word*` with an ASCII word: on ASCII text, case-insensitive
            # matching is plain lower-casing, far cheaper than a regex search.
            return self.ascii_infix(node, kind, infix, glob_matcher(pattern))
        prefix = ascii_prefix(pattern) if kind is not F.Kind.TAGS else None
        if prefix is not None:
            return self.ascii_prefix(node, kind, prefix, glob_matcher(pattern))
        test = self.const(glob_matcher(pattern))
        # A matcher returns a match or None, never a bool: test it against None.
        return self.text_test(node, kind, lambda text: f"({test}({text}) is not None)")

    def text_test(self, node: Match, kind: F.Kind, check: Callable[[str], str]) -> str:
        """``check`` on the field's text: on any tag for tags, on the text of
        a custom property; false for a value that is not text."""
        v = self.var()
        if kind is F.Kind.TAGS:
            t = self.var()
            body = f"any({check(t)} for {t} in ({self.get(node.field)} or ()))"
            return f"({'not ' if node.negated else ''}{body})"
        getter = f"_text({self.get(node.field)})" if kind is F.Kind.PROPERTY else self.get(node.field)
        sense = "not " if node.negated else ""
        return f"(({v} := {getter}).__class__ is str and {sense}{check(v)})"

    def regex(self, node: Match, kind: F.Kind, pattern: str) -> str:
        from ..lang.regex import regex_engines  # loaded only for a `~` (RE2 is slow to import)

        engines = regex_engines(pattern)
        search = self.const(engines.search)
        fast = None if engines.plain_search is None else self.const(engines.plain_search)

        def check(text: str) -> str:
            if fast is None:
                return f"({search}({text}) is not None)"
            if engines.plain_on_any_text:
                return f"({fast}({text}) is not None)"
            # Under (?i) Python's re answers as RE2 does on ASCII text only (it
            # folds `İ` and `ı` to `i`); any other text goes to RE2.
            return f"(({fast} if {text}.isascii() else {search})({text}) is not None)"

        sense = "not " if node.negated else ""
        if kind is F.Kind.TAGS:
            t = self.var()
            return f"({sense}any({check(t)} for {t} in ({self.get(node.field)} or ())))"
        v = self.var()
        getter = f"_text({self.get(node.field)})" if kind is F.Kind.PROPERTY else self.get(node.field)
        return f"(({v} := {getter}).__class__ is str and {sense}{check(v)})"

    def ascii_prefix(self, node: Match, kind: F.Kind, prefix: str, match: Any) -> str:
        # `word*` with an ASCII word: on ASCII text, case folding is plain
        # lower-casing of the start of the text; other text goes to the
        # matcher (`ﬁle` folds to `file`, `ſ` to `s`).
        p = self.const(prefix)
        f = self.const(match)
        v = self.var()
        sense = "not " if node.negated else ""
        getter = f"_text({self.get(node.field)})" if kind is F.Kind.PROPERTY else self.get(node.field)
        test = f"({v}[:{len(prefix)}].lower() == {p} if {v}.isascii() else {f}({v}) is not None)"
        return f"(({v} := {getter}).__class__ is str and {sense}{test})"

    def ascii_infix(self, node: Match, kind: F.Kind, needle: str, search: Any) -> str:
        n = self.const(needle)
        f = self.const(search)
        sense = "not " if node.negated else ""
        if kind is F.Kind.TAGS:
            t = self.var()
            test = f"({n} in {t}.lower() if {t}.isascii() else {f}({t}) is not None)"
            return f"({sense}any({test} for {t} in ({self.get(node.field)} or ())))"
        v = self.var()
        getter = f"_text({self.get(node.field)})" if kind is F.Kind.PROPERTY else self.get(node.field)
        test = f"({n} in {v}.lower() if {v}.isascii() else {f}({v}) is not None)"
        return f"(({v} := {getter}).__class__ is str and {sense}{test})"


def _shown_bound(value: Any, op: str) -> str | bool | None:
    """The literal as a record's whole-second UTC text, moved to the whole
    second that selects the same shown times (`>= 08:30:39.5` is `>= 08:30:40`);
    True or False when no shown time can differ; None when not expressible."""
    if not isinstance(value, dt.datetime):
        return None
    moment = value.astimezone(dt.timezone.utc)
    if not 1000 <= moment.year <= 9998:
        return None
    floor = moment.replace(microsecond=0)
    whole = moment == floor
    if op in ("=", "!="):
        if not whole:
            return op == "!="
        target = floor
    elif op in (">=", "<"):
        target = floor if whole else floor + dt.timedelta(seconds=1)
    else:
        target = floor
    return target.strftime("%Y-%m-%dT%H:%M:%SZ")


def compile_predicate(
    expr: Expr | None, *, now: dt.datetime | None = None, guard: Guard | None = None
) -> CompiledPredicate:
    """A function telling whether an image record satisfies ``expr`` (and
    ``guard``, when given: one compiled function checks both)."""
    if expr is None and guard is None:
        return _always
    safe_body, safe_namespace = _body(expr, now, guard, fast=False)
    safe = _define(f"    return {safe_body}", safe_namespace)
    fast_body, fast_namespace = _body(expr, now, guard, fast=True)
    if fast_body == safe_body:
        return safe
    fast_namespace["_safe"] = safe
    # A malformed record (an unhashable value) makes the fast body raise
    # TypeError; the safe body, with its type checks, answers then.
    return _define(
        f"    try:\n        return {fast_body}\n    except TypeError:\n        return _safe(img)", fast_namespace
    )


def _body(expr: Expr | None, now: dt.datetime | None, guard: Guard | None, *, fast: bool) -> tuple[str, dict[str, Any]]:
    compiler = _Compiler(now, fast=fast)
    # Every generated test is a bool already (comparisons, `is`, `in`, `not`,
    # and/or of those), so no bool() call is needed around it.
    parts = [compiler.expr(expr)] if expr is not None else []
    condition = guard.source(compiler.const) if guard is not None else ""
    if condition:
        # After the query's own test: the scope rarely decides alone.
        parts.append(condition)
    return " and ".join(parts) or "True", compiler.namespace


def _define(body: str, namespace: dict[str, Any]) -> CompiledPredicate:
    source = f"def _matches(img):\n{body}\n"
    exec(compile(source, "<imgql predicate>", "exec"), namespace)
    function: CompiledPredicate = namespace["_matches"]
    function.__doc__ = source
    return function


def _always(image: Image) -> bool:
    return True
