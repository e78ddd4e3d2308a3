"""What a person types into a search box, read as a safe :class:`~imgql.lang.ast.Query`.

    >>> import imgql
    >>> str(imgql.search_box("ubuntu 22.04 tag:lts size<5g"))
    "images where name contains 'ubuntu' and name contains '22.04' and tag = lts and size < 5GiB"

The syntax is the one people know from GitHub and mail search:

- bare words match the default field (``name``) case-insensitively, as
  substrings; every word must match, in any order; ``"quoted phrases"`` match
  as a whole;
- ``field:value`` (equality, or a glob when the value holds ``*`` or ``?``),
  ``field:a,b`` (any of), ``field:>5GB``, ``field:<=2025-01-01``, ranges
  ``size:1GB..5GB`` and ``created:2025-01-01..*``; ``size<5g`` and
  ``size < 5g`` read the same as ``size:<5g``;
- a leading ``-`` negates a word or a filter: ``-beta``, ``-tag:eol``;
- ``sort:created`` or ``sort:size-desc`` orders the results.

:func:`search_box` never raises on text: whatever cannot be read as a filter
(an unknown or disallowed field, a value that does not fit its field, an
unbalanced quote, a lone operator) is searched for as plain words. Only the
fields in ``allow`` ever become filters, so a person can never widen the scope
of a listing (``visibility:community``, ``owner:...``, ``member_status:all``,
``hidden:true``) unless the application allows those fields. The query is
built as values, never as text, and ``str(query)`` shows how the search was
understood.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import attrs

from . import fields as F
from .ast import And, Compare, Expr, InList, Match, Not, Or, Query, SortKey, Value
from .literals import LiteralError, read_text

__all__ = ["DEFAULT_ALLOW", "FIELD_ALIASES", "describe_allow", "search_box"]

#: The fields a search box may filter on unless the application says otherwise:
#: every one of them only narrows the default listing.
DEFAULT_ALLOW: frozenset[str] = frozenset(
    {
        "name",
        "tags",
        "os_distro",
        "os_version",
        "os_type",
        "status",
        "size",
        "disk_format",
        "created_at",
        "updated_at",
        "min_ram",
        "min_disk",
        "architecture",
    }
)

#: Short names a person may type for a field (besides the language's own
#: aliases such as ``tag``, ``created`` and ``updated``).
FIELD_ALIASES: dict[str, str] = {
    "tag": "tags",
    "created": "created_at",
    "updated": "updated_at",
    "distro": "os_distro",
    "version": "os_version",
    "arch": "architecture",
    "format": "disk_format",
    "ram": "min_ram",
    "disk": "min_disk",
}

_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_\-]*(\.[a-z0-9_\-]+)*", re.IGNORECASE)
# `field` followed by `:`, or by a comparison written straight after it (`size<5g`).
_FILTER = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*?)(:|<=|>=|!=|<|>|=)(.*)\Z", re.DOTALL)
_LEADING_OP = re.compile(r"(<=|>=|!=|<|>|=)(.*)\Z", re.DOTALL)
_OPS = ("<=", ">=", "!=", "<", ">", "=")
_RELATIVE = re.compile(r"[0-9]+(?:\.[0-9]+)?[a-z]+\Z", re.IGNORECASE)
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TEXT_KINDS = (F.Kind.STRING, F.Kind.ENUM, F.Kind.PROPERTY, F.Kind.TAGS)
_ORDERED_KINDS = (F.Kind.BYTES, F.Kind.DATETIME, F.Kind.PROPERTY)
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@attrs.frozen
class _Segment:
    text: str
    quoted: bool


@attrs.frozen
class _Token:
    segments: tuple[_Segment, ...]

    @property
    def plain(self) -> str:
        """The text as typed, without the quotes."""
        return "".join(s.text for s in self.segments)

    @property
    def head(self) -> str:
        """The unquoted text the token starts with."""
        first = self.segments[0]
        return "" if first.quoted else first.text


def search_box(
    text: str,
    allow: Iterable[str] | None = None,
    default_field: str = "name",
) -> Query:
    """Read what a person typed into a search box as a :class:`~imgql.lang.ast.Query`.

    ``allow`` names the fields that may become filters (canonical names,
    aliases or custom property names; :data:`DEFAULT_ALLOW` when None).
    Bare words and phrases match ``default_field``, which must be a text
    field. Never raises on ``text``; raises :class:`ValueError` only for an
    ``allow`` or ``default_field`` that is itself wrong (a programming error).
    """
    allowed = _allowed_fields(DEFAULT_ALLOW if allow is None else allow)
    default = F.lookup(default_field)
    if not _FIELD_NAME.fullmatch(default_field) or default.kind not in _TEXT_KINDS:
        raise ValueError(f"default_field must be a text field, not {default_field!r}")
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    reader = _Reader(allowed, default.name)
    terms: list[Expr] = []
    order: list[SortKey] = []
    for token in _join_spaced_filters(_tokenize(text), allowed):
        sort_key = reader.sort_key(token)
        if sort_key is not None:
            if sort_key.field not in {k.field for k in order}:
                order.append(sort_key)
            continue
        for term in reader.term(token):
            for operand in term.operands if isinstance(term, And) else (term,):
                if operand not in terms:
                    terms.append(operand)
    where: Expr | None
    if not terms:
        where = None
    elif len(terms) == 1:
        where = terms[0]
    else:
        where = And(tuple(terms))
    return Query(where=where, order_by=tuple(order))


def _allowed_fields(names: Iterable[str]) -> dict[str, str]:
    """Lower-cased name a person may type -> canonical field name."""
    if isinstance(names, str):
        names = (names,)
    allowed: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"not a field name: {name!r}")
        canonical = F.lookup(name).name
        allowed[name.lower()] = canonical
        allowed[canonical.lower()] = canonical
    for field in F.FIELDS:
        if field.name in allowed.values():
            for alias in field.aliases:
                allowed.setdefault(alias.lower(), field.name)
    for alias, canonical in FIELD_ALIASES.items():
        target = F.lookup(canonical).name
        if target in allowed.values():
            allowed.setdefault(alias, target)
    return allowed


# --------------------------------------------------------------------------- tokens


def _clean(text: str) -> str:
    # Control and format characters (NUL, escapes, zero-width joiners) separate words.
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)


def _tokenize(text: str) -> list[_Token]:
    """Words and "phrases"; a quote without its pair is ignored."""
    text = _clean(text)
    tokens: list[_Token] = []
    segments: list[_Segment] = []
    current: list[str] = []
    i, n = 0, len(text)

    def flush_text() -> None:
        if current:
            segments.append(_Segment("".join(current), False))
            current.clear()

    def flush_token() -> None:
        flush_text()
        if segments:
            tokens.append(_Token(tuple(segments)))
            segments.clear()

    while i < n:
        ch = text[i]
        if ch.isspace():
            flush_token()
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                i += 1  # an unbalanced quote: the rest reads as plain words
                continue
            flush_text()
            segments.append(_Segment(" ".join(text[i + 1 : end].split()), True))
            i = end + 1
        else:
            current.append(ch)
            i += 1
    flush_token()
    return tokens


def _join_spaced_filters(tokens: list[_Token], allowed: dict[str, str]) -> list[_Token]:
    """``size < 5g`` and ``tag: lts`` read as ``size<5g`` and ``tag:lts``."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        head = token.head
        if len(token.segments) == 1 and head:
            name = head.lstrip("-")
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            if (
                name.lower() in allowed
                and nxt is not None
                and after is not None
                and nxt.head in _OPS
                and len(nxt.segments) == 1
            ):
                out.append(_Token((_Segment(head + nxt.head, False), *after.segments)))
                i += 3
                continue
            if (
                name.endswith(":")
                and name[:-1].lower() in allowed
                and nxt is not None
                and not (nxt.head.startswith("-") or _FILTER.match(nxt.head))
            ):
                out.append(_Token((token.segments[0], *nxt.segments)))
                i += 2
                continue
        out.append(token)
        i += 1
    return out


# --------------------------------------------------------------------------- reading


@attrs.frozen
class _Value:
    text: str
    quoted: bool


class _Reader:
    def __init__(self, allowed: dict[str, str], default_field: str) -> None:
        self.allowed = allowed
        self.default_field = default_field

    # Words -------------------------------------------------------------

    def words(self, token: _Token, negated: bool) -> list[Expr]:
        out: list[Expr] = []
        for segment in token.segments:
            parts = [segment.text] if segment.quoted else segment.text.split()
            for part in parts:
                if part:
                    out.append(Match(self.default_field, "contains", part, negated))
        if not out:
            return []
        # A token is one word even when quotes split it: `ab"c d"` is `abc d`.
        if len(out) > 1 and not any(s.quoted and " " in s.text for s in token.segments):
            return [Match(self.default_field, "contains", token.plain, negated)]
        return out

    # Sorting -----------------------------------------------------------

    def sort_key(self, token: _Token) -> SortKey | None:
        if len(token.segments) != 1 or token.segments[0].quoted:
            return None
        head = token.head
        if not head.lower().startswith("sort:"):
            return None
        spec = head[5:]
        descending = False
        lowered = spec.lower()
        for suffix, desc in (("-desc", True), ("-asc", False), (":desc", True), (":asc", False)):
            if lowered.endswith(suffix):
                spec, descending = spec[: -len(suffix)], desc
                break
        canonical = self.allowed.get(spec.lower())
        if canonical is None or not F.lookup(canonical).orderable:
            return None
        return SortKey(canonical, descending)

    # Terms -------------------------------------------------------------

    def term(self, token: _Token) -> list[Expr]:
        negated = False
        segments = token.segments
        first = segments[0]
        if not first.quoted and first.text.startswith("-") and token.plain != "-":
            negated = True
            rest = first.text[1:]
            segments = ((_Segment(rest, False),) if rest else ()) + segments[1:]
            if not segments:
                return []
            token = _Token(segments)
        expr = self.filter(token, negated)
        if expr is not None:
            return [expr]
        return self.words(token, negated)

    def filter(self, token: _Token, negated: bool) -> Expr | None:
        match = _FILTER.match(token.head)
        if match is None:
            return None
        name, op, rest = match.groups()
        canonical = self.allowed.get(name.lower())
        if canonical is None:
            return None
        field = F.lookup(canonical)
        value_segments = ((_Segment(rest, False),) if rest else ()) + token.segments[1:]
        if op == ":" and value_segments and not value_segments[0].quoted:
            leading = _LEADING_OP.match(value_segments[0].text)
            if leading is not None:
                op = leading.group(1)
                rest = leading.group(2)
                value_segments = ((_Segment(rest, False),) if rest else ()) + value_segments[1:]
        if not value_segments:
            return None
        quoted = any(s.quoted for s in value_segments)
        value = _Value("".join(s.text for s in value_segments), quoted)
        if not value.text:
            return None
        expr = self.condition(field, op, value)
        if expr is None:
            return None
        if negated:
            if field.kind in F.NOT_IN_RECORD:
                return None  # membership scope and location can only narrow, never be negated
            return Not(expr)
        return expr

    def condition(self, field: F.Field, op: str, value: _Value) -> Expr | None:
        if op in (":", "="):
            if not value.quoted and ".." in value.text:
                return self.range(field, value.text)
            if not value.quoted and "," in value.text:
                return self.any_of(field, value.text)
            return self.equals(field, value)
        if field.kind in F.NOT_IN_RECORD:
            return None
        if op == "!=":
            inner = self.equals(field, value)
            if isinstance(inner, Compare) and inner.op == "=":
                return Compare(inner.field, "!=", inner.value)
            return None
        if field.kind not in _ORDERED_KINDS:
            return None
        return self.compare(field, op, value.text)

    def equals(self, field: F.Field, value: _Value) -> Expr | None:
        text = value.text
        if field.kind in _TEXT_KINDS and not value.quoted and ("*" in text or "?" in text):
            return Match(field.name, "like", text)
        if field.kind is F.Kind.DATETIME:
            day = _day(text)
            if day is not None:
                return And((Compare(field.name, ">=", day), Compare(field.name, "<", day + dt.timedelta(days=1))))
        read = _read(field, text, "=")
        if read is None:
            return None
        return Compare(field.name, "=", read)

    def any_of(self, field: F.Field, text: str) -> Expr | None:
        items = [item for item in (part.strip() for part in text.split(",")) if item]
        if not items:
            return None
        if field.kind is F.Kind.DATETIME:
            branches: list[Expr] = []
            for item in items:
                branch = self.equals(field, _Value(item, False))
                if branch is None:
                    return None
                if branch not in branches:
                    branches.append(branch)
            return branches[0] if len(branches) == 1 else Or(tuple(branches))
        if field.kind is F.Kind.BOOLEAN:
            return None
        values: list[Value] = []
        for item in items:
            read = _read(field, item, "=")
            if read is None:
                return None
            if read not in values:
                values.append(read)
        if len(values) == 1:
            return Compare(field.name, "=", values[0])
        return InList(field.name, tuple(values))

    def range(self, field: F.Field, text: str) -> Expr | None:
        if field.kind not in _ORDERED_KINDS or text.count("..") != 1:
            return None
        low, high = (part.strip() for part in text.split(".."))
        bounds: list[Expr] = []
        if low not in ("", "*"):
            lower = self.compare(field, ">=", low)
            if lower is None:
                return None
            bounds.append(lower)
        if high not in ("", "*"):
            upper = self.compare(field, "<=", high)
            if upper is None:
                return None
            bounds.append(upper)
        if not bounds:
            return None
        return bounds[0] if len(bounds) == 1 else And(tuple(bounds))

    def compare(self, field: F.Field, op: str, text: str) -> Expr | None:
        if field.kind is F.Kind.DATETIME:
            day = _day(text)
            if day is not None:
                # A day is the whole day: `<= 2025-01-01` includes it, `> 2025-01-01` starts after it.
                if op == "<=":
                    return Compare(field.name, "<", day + dt.timedelta(days=1))
                if op == ">":
                    return Compare(field.name, ">=", day + dt.timedelta(days=1))
                return Compare(field.name, op, day)
        read = _read(field, text, op)
        if read is None:
            return None
        return Compare(field.name, op, read)


def _day(text: str) -> dt.datetime | None:
    if not _DATE_ONLY.match(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if day >= dt.date.max:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


def _read(field: F.Field, text: str, op: str) -> Value | None:
    """``text`` as a value of ``field``, read as in a query, or None when it
    is not one. A search box also takes yes/no/on/off/1/0 for booleans and
    ``7d`` for ``7d ago``."""
    text = text.strip()
    if not text:
        return None
    if field.kind is F.Kind.BOOLEAN:
        lowered = text.lower()
        text = "true" if lowered in _TRUE else "false" if lowered in _FALSE else text
    elif field.kind is F.Kind.DATETIME and _RELATIVE.match(text):
        text += " ago"
    try:
        return read_text(field, text, op)
    except (LiteralError, ValueError, OverflowError, ArithmeticError):
        return None


def describe_allow(allow: Iterable[str] | None = None) -> str:
    """The filterable fields, for a search box's help text."""
    from .format import field_name

    return ", ".join(sorted({field_name(F.lookup(n).name) for n in (DEFAULT_ALLOW if allow is None else allow)}))
