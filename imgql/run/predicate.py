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
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..errors import ParameterError
from ..isotime import fromisoformat
from ..lang import fields as F
from ..lang.ast import (
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
    SortKey,
    Value,
)
from ..lang.visitor import Fold
from .versions import version_key

__all__ = [
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
Predicate = Callable[[Image], bool]


class Guard(Protocol):
    """A condition checked with the expression (an offline listing's scope)."""

    def source(self, bind: Callable[[Any], str]) -> str:
        """A Python expression over ``img``; constants go through ``bind``,
        which returns the name they are bound to; "" for no condition."""
        ...


_PY_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def parse_time(text: str) -> dt.datetime | None:
    """A record's timestamp as an aware datetime; None when unreadable."""
    try:
        value = fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


_fromisoformat = fromisoformat
_UTC = dt.timezone.utc


def _time(value: Any) -> dt.datetime | None:
    # Not cached: a listing's timestamps are nearly all distinct, and a
    # bounded cache missing every time costs more than parsing (C code).
    if value.__class__ is not str:
        return None
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)


def _text(value: Any) -> str | None:
    """A custom property's value as text (Glance stores them as strings;
    an exported catalog may hold JSON numbers or booleans)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


# What reads as a number, as for a literal in a query (imgql.lang.literals.parse_number):
# not float()'s wider idea, which takes "nan", "infinity" and "1_000".
_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def _number(value: str | None) -> float | None:
    if value is None or not _NUMERIC.match(value):
        return None
    number = float(value)
    return number if number == number else None  # NaN compares with nothing


# Property values repeat (a few versions, distributions, buses): their
# numeric reading is remembered, up to a bound, so that most records cost a
# dict lookup instead of a regular expression and a float().
_NUMBERS_KEPT = 4096
_numbers: dict[str, float | None] = {}
_MISSING = object()


def _number_of(text: str) -> float | None:
    number = _number(text)
    if len(_numbers) < _NUMBERS_KEPT:
        _numbers[text] = number
    return number


def _compare_property(value: Any, op: str, literal: str, literal_number: float | None) -> bool:
    """Custom properties compare as numbers when both sides read as numbers,
    as text otherwise."""
    text = _text(value)
    if text is None:
        return False
    if literal_number is not None:
        number = _number(text)
        if number is not None:
            return _ORDER_FUNCS[op](number, literal_number)
    return _ORDER_FUNCS[op](text, literal)


_ORDER_FUNCS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _glob_parts(pattern: str) -> list[list[str | None]]:
    """The pattern cut at each unescaped ``*``: runs of case-folded literal
    text (str) and single-character wildcards (None)."""
    parts: list[list[str | None]] = [[]]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            parts[-1].append(pattern[i + 1].casefold())
            i += 2
            continue
        if ch == "*":
            parts.append([])
        elif ch == "?":
            parts[-1].append(None)
        else:
            # A backslash before any other character, or at the end, is itself.
            parts[-1].append(ch.casefold())
        i += 1
    return parts


def _segment_regex(segment: list[str | None]) -> str:
    return "".join("." if token is None else re.escape(token) for token in segment)


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """The glob as a regular expression over case-folded text (``str.casefold``):
    ``*`` any run, ``?`` one character, ``\\*``/``\\?``/``\\\\`` literal;
    whole value. Unlike fnmatch, brackets are literal. A reference for tests:
    :func:`glob_matcher` is what queries use."""
    return re.compile(".*".join(_segment_regex(part) for part in _glob_parts(pattern)), re.DOTALL)


def glob_matcher(pattern: str) -> Callable[[str], object | None]:
    """A test of whether a text matches the glob (not None: it does), in
    time linear in the text for a given pattern: both sides are case-folded,
    the pieces between stars hold no repetition, and each is searched once,
    leftmost first (a leftmost match of a piece never loses a match)."""
    parts = _glob_parts(pattern)
    pieces = [re.compile(_segment_regex(part), re.DOTALL) for part in parts]
    if len(pieces) == 1:
        whole = pieces[0]

        def fullmatch(text: str) -> object | None:
            return whole.fullmatch(text.casefold())

        return fullmatch
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    # The last piece has a fixed width: it must end where the text ends.
    last_width = sum(1 if token is None else len(token) for token in parts[-1])

    def match(text: str) -> object | None:
        folded = text.casefold()
        found = first.match(folded)
        if found is None:
            return None
        at = found.end()
        for piece in middle:
            found = piece.search(folded, at)
            if found is None:
                return None
            at = found.end()
        start = len(folded) - last_width
        if start < at or last.match(folded, start) is None:
            return None
        return True

    return match


class _Compiler(Fold[str]):
    DEFAULT_FOR = ()  # every node class has its own code
    def __init__(self, now: dt.datetime | None, *, fast: bool = False) -> None:
        super().__init__()
        # A fast body may raise TypeError on a malformed record (an
        # unhashable value); the compiled function then asks the safe body.
        self.fast = fast
        self.namespace: dict[str, Any] = {
            "_time": _time,
            "_text": _text,
            "_cmp_prop": _compare_property,
            "_numbers_get": _numbers.get,
            "_number_of": _number_of,
            "_missing": _MISSING,
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
        op = node.op
        if kind is F.Kind.TAGS:
            c = self.const(value)
            return f"({c} {'in' if op == '=' else 'not in'} ({self.get(node.field)} or ()))"
        v = self.var()
        if kind is F.Kind.BOOLEAN:
            want = value if op == "=" else not value
            return f"({self.get(node.field)} is {bool(want)!r})"
        if kind is F.Kind.DATETIME:
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
        if kind is F.Kind.BYTES:
            return (
                f"(({v} := {self.get(node.field)}) is not None and {v}.__class__ is not bool "
                f"and {v} {_PY_OPS[op]} {int(value)!r})"
            )
        if kind is F.Kind.PROPERTY:
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
        c = self.const(value)
        if op == "=" and isinstance(value, str):
            # Only a str equals a str constant: no type check needed for =.
            return f"({self.get(node.field)} == {c})"
        return f"(({v} := {self.get(node.field)}).__class__ is str and {v} {_PY_OPS[op]} {c})"

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
        infix = _ascii_infix(pattern) if node.op == "like" else None
        if infix is not None:
            # `*word*` with an ASCII word: on ASCII text, case-insensitive
            # matching is plain lower-casing, far cheaper than a regex search.
            return self.ascii_infix(node, kind, infix, glob_matcher(pattern))
        prefix = _ascii_prefix(pattern) if node.op == "like" and kind is not F.Kind.TAGS else None
        if prefix is not None:
            return self.ascii_prefix(node, kind, prefix, glob_matcher(pattern))
        if node.op == "like":
            test = self.const(glob_matcher(pattern))
        elif node.op == "regex":
            return self.regex(node, kind, pattern)
        else:
            test = None
            needle = self.const(pattern.casefold())
        v = self.var()

        def check(text: str) -> str:
            # re's match/search return a Match or None, never a bool: test it against None.
            return f"({needle} in {text}.casefold())" if test is None else f"({test}({text}) is not None)"

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


_INFIX = re.compile(r"\*([^*?\\]+)\*")


_PREFIX = re.compile(r"([^*?\\]+)\*")


def _ascii_prefix(pattern: str) -> str | None:
    """The word of a `word*` glob, lower-cased, when it is plain ASCII."""
    found = _PREFIX.fullmatch(pattern)
    if found is None or not found.group(1).isascii():
        return None
    return found.group(1).lower()


def _ascii_infix(pattern: str) -> str | None:
    """The word of a `*word*` glob, lower-cased, when it is plain ASCII."""
    found = _INFIX.fullmatch(pattern)
    if found is None or not found.group(1).isascii():
        return None
    return found.group(1).lower()


def compile_predicate(expr: Expr | None, *, now: dt.datetime | None = None, guard: Guard | None = None) -> Predicate:
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


def _define(body: str, namespace: dict[str, Any]) -> Predicate:
    source = f"def _matches(img):\n{body}\n"
    exec(compile(source, "<imgql predicate>", "exec"), namespace)
    function: Predicate = namespace["_matches"]
    function.__doc__ = source
    return function


def _always(image: Image) -> bool:
    return True


def sort_images(images: list[Image], keys: tuple[SortKey, ...]) -> list[Image]:
    """Sort in place by ``keys``: nulls first ascending and last descending,
    stable, so ties keep the order they came in."""
    for key in reversed(keys):
        images.sort(key=sort_key_function(key.field, key.version), reverse=key.descending)
    return images


def sort_key_function(name: str, version: bool = False) -> Callable[[Image], tuple[Any, ...]]:
    field = F.record_key(name)
    if version:
        return lambda img: _null_first(version_key(_text(img.get(field))))
    kind = F.lookup(name).kind
    if kind is F.Kind.DATETIME:
        return lambda img: _null_first(_time(img.get(field)))
    if kind is F.Kind.BYTES:
        return lambda img: _null_first(img.get(field) if isinstance(img.get(field), int) else None)
    if kind is F.Kind.PROPERTY:
        return lambda img: _property_sort_key(img.get(field))
    return lambda img: _null_first(_text(img.get(field)))


def _null_first(value: Any) -> tuple[Any, ...]:
    return (0,) if value is None else (1, value)


def _property_sort_key(value: Any) -> tuple[Any, ...]:
    """Numbers before text, numbers by value, text by code point. Equal
    numbers written differently (`5` and `5.0`, `10` and `010`) are equal
    keys, so the order's last key, id, decides between them."""
    text = _text(value)
    if text is None:
        return (0,)
    number = _number(text)
    if number is not None:
        return (1, number)
    return (2, text)
