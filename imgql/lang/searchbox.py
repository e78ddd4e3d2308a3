"""What a person types into a search box, read as a safe :class:`~imgql.lang.ast.Query`.

The syntax is the one people know from GitHub and mail search:

- bare words match the default field (``name``) case-insensitively, as
  substrings; every word must match, in any order; ``"quoted phrases"`` match
  as a whole;
- ``field:value`` (equality, or a glob when the value holds ``*`` or ``?``),
  ``field:a,b`` (any of), ``field:>5GB``, ``field:<=2025-01-01``, ranges
  ``size:1GB..5GB`` and ``created:2025-01-01..*``; ``size<5g`` and
  ``size < 5g`` read the same as ``size:<5g``;
- a leading ``-`` negates a word or a filter: ``-beta``, ``-tag:eol``;
- ``sort:created`` or ``sort:size-desc`` orders the results (see :func:`search_box`).
A visitor's case never matters: enum values are read in any case; the
values of fields Glance keeps in lower case (``os_distro``, ``disk_format``,
``container_format``, ``os_type``, ``architecture``, ids and checksums) are
lower-cased, so the server still filters them; tags, names and other text
match the whole value in any case (``tag:LTS`` is ``tag like 'LTS'``).

:func:`search_box` never raises on text up to :data:`MAX_LENGTH` characters.
A term it cannot read as a filter (a known field that is not allowed, a
value that does not fit its field, an unknown sort key, a lone operator or
dash, an unpaired quote) is left out of the query and listed, with the
reason, in the returned query's ``ignored``. A name that is not a field
(``http://x``, ``c++``) is searched for as words. Only the fields in
``allow`` ever become filters, so a person can never widen the scope of a
listing (``visibility:community``, ``owner:...``, ``member_status:all``,
``hidden:true``) unless the application allows those fields. The query is
built as values, never as text, ends in the same check pass as a parsed
query, and ``str(query)`` shows how the search was understood. The work is
linear in the length of the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import attrs

from ..errors import Error, SearchBoxError
from . import fields as F
from .ast import And, Compare, Expr, InList, Match, Not, Or, Query, SortKey, Value
from .check import check
from .literals import LiteralError, read_text
from .searchtokens import FILTER, Segment, Token, join_spaced_filters, tokenize

__all__ = ["DEFAULT_ALLOW", "FIELD_ALIASES", "MAX_LENGTH", "SearchQuery", "describe_allow", "search_box"]

#: The longest text :func:`search_box` reads, in characters (far above what
#: a person types; a form's URL is refused by most servers long before).
MAX_LENGTH = 20_000

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

# Fields whose values Glance documents (or generates) in lower case: a
# visitor's value is lower-cased and compared with `=`, which the server filters.
_LOWER_CASE_FIELDS = frozenset(
    {
        "id",
        "owner",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "disk_format",
        "container_format",
        "os_type",
        "os_distro",
        "architecture",
    }
)

Ignored = tuple[tuple[str, str], ...]


@attrs.frozen(eq=False)
class SearchQuery(Query):
    """The query a search box text became, with the terms it left out.

    ``ignored`` holds ``(term, reason)`` for every term that was not
    understood, in the order typed, so that a page can say "ignored:
    size<5xb (unknown size unit 'xb')". It is not part of the query: a
    SearchQuery equals the :class:`Query` of the same conditions, and
    ``imgql.parse(str(q)) == q``.
    """

    ignored: Ignored = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Query):
            return NotImplemented
        return (self.where, self.order_by, self.limit, self.all_images) == (
            other.where,
            other.order_by,
            other.limit,
            other.all_images,
        )

    def __hash__(self) -> int:
        return hash(Query(self.where, self.order_by, self.limit, self.all_images))


_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_\-]*(\.[a-z0-9_\-]+)*", re.IGNORECASE)
_LEADING_OP = re.compile(r"(<=|>=|!=|<|>|=)(.*)\Z", re.DOTALL)
_ONLY_OPERATORS = re.compile(r"[<>=!:\-]+\Z")
_RELATIVE = re.compile(r"[0-9]+(?:\.[0-9]+)?[a-z]+\Z", re.IGNORECASE)
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TEXT_KINDS = (F.Kind.STRING, F.Kind.ENUM, F.Kind.PROPERTY, F.Kind.TAGS)
_ORDERED_KINDS = (F.Kind.BYTES, F.Kind.DATETIME, F.Kind.PROPERTY)
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


class _Unread(Exception):
    """A term that cannot be a filter, and why (in plain words)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def search_box(
    text: str,
    allow: Iterable[str] | None = None,
    default_field: str = "name",
    *,
    max_length: int = MAX_LENGTH,
) -> SearchQuery:
    """Read what a person typed into a search box as a :class:`SearchQuery`.

    ``allow`` names the fields that may become filters (canonical names,
    aliases, well-known properties, or ``property.NAME`` for a custom
    property; :data:`DEFAULT_ALLOW` when None). Bare words and phrases match
    ``default_field``, which must be a text field. Never raises on ``text``
    up to ``max_length`` characters; raises :class:`imgql.SearchBoxError`
    for longer text, for ``text`` that is not a ``str`` (bytes must be
    decoded first), and for an ``allow`` or ``default_field`` that is itself
    wrong (an unknown or misspelt field name).

    >>> from imgql import search_box
    >>> str(search_box("ubuntu -beta sort:created-desc"))
    "images where name contains 'ubuntu' and name not contains 'beta' order by created_at desc"
    >>> search_box("visibility:community ubuntu").ignored
    (('visibility:community', 'visibility is not a field this search filters on'),)
    """
    if not isinstance(text, str):
        raise SearchBoxError(f"the search text must be a str, not {type(text).__name__}")
    if len(text) > max_length:
        raise SearchBoxError(f"the search text is {len(text)} characters long; a search box reads at most {max_length}")
    allowed = _allowed_fields(DEFAULT_ALLOW if allow is None else allow)
    default = _default_field(default_field)
    reader = _Reader(allowed, default.name)
    terms: dict[Expr, None] = {}  # ordered, and a repeated term costs one look-up
    order: dict[str, SortKey] = {}
    ignored: list[tuple[str, str]] = []
    tokens, unpaired = tokenize(text)
    if unpaired:
        ignored.append(('"', "a quote without its pair; the rest is read as words"))
    for token in join_spaced_filters(tokens, allowed):
        try:
            sort_key = reader.sort_key(token)
            if sort_key is not None:
                order.setdefault(sort_key.field, sort_key)
                continue
            for term in reader.term(token):
                for operand in term.operands if isinstance(term, And) else (term,):
                    terms.setdefault(operand, None)
        except _Unread as unread:
            ignored.append((token.typed, unread.reason))
    where: Expr | None
    if not terms:
        where = None
    elif len(terms) == 1:
        where = next(iter(terms))
    else:
        where = And(tuple(terms))
    return _checked(SearchQuery(where=where, order_by=tuple(order.values()), ignored=tuple(ignored)))


def _checked(query: SearchQuery) -> SearchQuery:
    """The query through the check pass every tree goes through. Each term
    was built to pass it; a failure here is a fault of this module."""
    result = check(query)
    if result.errors:  # pragma: no cover - the reader builds only valid terms
        raise SearchBoxError(f"the search box built a query the check pass refuses: {result.errors[0]}")
    checked = result.query
    assert isinstance(checked, SearchQuery)
    return checked


def _default_field(name: object) -> F.Field:
    if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
        raise SearchBoxError(f"default_field must be a text field, not {name!r}")
    field = _allowed_field(name, "default_field")
    if field.kind not in _TEXT_KINDS:
        raise SearchBoxError(f"default_field must be a text field, not {name!r}")
    return field


def _allowed_field(name: str, what: str) -> F.Field:
    alias = FIELD_ALIASES.get(name.lower())
    if alias is not None:
        return F.lookup(alias)
    found = F.resolve(name)
    if found.suggestion is not None:
        raise SearchBoxError(
            f"{what}: {name!r} is not a field; did you mean {found.suggestion!r}? "
            f"(a custom property of that name is written property.{name})"
        )
    return found.field


def _allowed_fields(names: Iterable[str]) -> dict[str, str]:
    """Lower-cased name a person may type -> canonical field name."""
    if isinstance(names, str):
        names = (names,)
    try:
        entries = list(names)
    except TypeError:
        raise SearchBoxError(f"allow must be a list of field names, not {type(names).__name__}") from None
    allowed: dict[str, str] = {}
    for name in entries:
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise SearchBoxError(f"allow: not a field name: {name!r}")
        canonical = _allowed_field(name, "allow").name
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

    def words(self, token: Token, negated: bool) -> list[Expr]:
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

    def sort_key(self, token: Token) -> SortKey | None:
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
            raise _Unread(f"not a field this search can sort by ({describe_sortable(self.allowed)})")
        return SortKey(canonical, descending)

    # Terms -------------------------------------------------------------

    def term(self, token: Token) -> list[Expr]:
        negated = False
        segments = token.segments
        first = segments[0]
        if len(segments) == 1 and not first.quoted and _ONLY_OPERATORS.fullmatch(first.text):
            if first.text.strip("-"):
                raise _Unread("an operator with no field before it")
            raise _Unread("a dash with nothing after it")
        if not first.quoted and first.text.startswith("-"):
            negated = True
            rest = first.text[1:]
            segments = ((Segment(rest, False),) if rest else ()) + segments[1:]
            token = Token(segments)
        expr = self.filter(token, negated)
        if expr is not None:
            return [expr]
        return self.words(token, negated)

    def filter(self, token: Token, negated: bool) -> Expr | None:
        """The filter the token is, None when it is words (no field name),
        or _Unread when it names a field but cannot be read."""
        match = FILTER.match(token.head)
        if match is None:
            return None
        name, op, rest = match.groups()
        canonical = self.allowed.get(name.lower())
        if canonical is None:
            if name.lower() in FIELD_ALIASES or F.is_known(F.resolve(name).field.name):
                raise _Unread(f"{name} is not a field this search filters on")
            return None
        field = F.lookup(canonical)
        value_segments = ((Segment(rest, False),) if rest else ()) + token.segments[1:]
        if op == ":" and value_segments and not value_segments[0].quoted:
            leading = _LEADING_OP.match(value_segments[0].text)
            if leading is not None:
                op = leading.group(1)
                rest = leading.group(2)
                value_segments = ((Segment(rest, False),) if rest else ()) + value_segments[1:]
        quoted = any(s.quoted for s in value_segments)
        value = _Value("".join(s.text for s in value_segments), quoted)
        if not value.text.strip():
            raise _Unread(f"no value after {name}{op}")
        expr = self.condition(field, op, value)
        if negated:
            if field.kind in F.NOT_IN_RECORD:
                raise _Unread(f"{field.name} can only narrow a search, not exclude")
            return Not(expr)
        return expr

    def condition(self, field: F.Field, op: str, value: _Value) -> Expr:
        if op in (":", "="):
            if not value.quoted and ".." in value.text:
                return self.range(field, value.text)
            if not value.quoted and "," in value.text:
                return self.any_of(field, value.text)
            return self.equals(field, value)
        if field.kind in F.NOT_IN_RECORD:
            raise _Unread(f"{field.name} takes : only (with one value or several, a,b)")
        if op == "!=":
            inner = self.equals(field, value)
            if isinstance(inner, Compare) and inner.op == "=":
                return Compare(inner.field, "!=", inner.value)
            if isinstance(inner, Match) and not inner.negated:
                return attrs.evolve(inner, negated=True)
            raise _Unread(f"{field.name} cannot be compared with !=")
        if field.kind not in _ORDERED_KINDS:
            raise _Unread(f"{field.name} has no order; write {field.name}:value")
        return self.compare(field, op, value.text)

    def equals(self, field: F.Field, value: _Value) -> Expr:
        text = value.text
        if field.kind in _TEXT_KINDS and not value.quoted and ("*" in text or "?" in text):
            return Match(field.name, "like", text)
        if field.kind is F.Kind.DATETIME:
            day = _day(text)
            if day is not None:
                return And((Compare(field.name, ">=", day), Compare(field.name, "<", day + dt.timedelta(days=1))))
        if field.kind in (F.Kind.STRING, F.Kind.PROPERTY, F.Kind.TAGS) and text.lower() != text.upper():
            # Letters: the visitor's case must not matter.
            if field.name in _LOWER_CASE_FIELDS:
                text = text.lower()
            else:
                return Match(field.name, "like", _literal_glob(text.strip()))
        return Compare(field.name, "=", _read(field, text, "="))

    def any_of(self, field: F.Field, text: str) -> Expr:
        items = [item for item in (part.strip() for part in text.split(",")) if item]
        if not items:
            raise _Unread("no value between the commas")
        if field.kind is F.Kind.BOOLEAN:
            raise _Unread(f"{field.name} is true or false, not a list")
        branches = list(dict.fromkeys(self.equals(field, _Value(item, False)) for item in items))
        if len(branches) == 1:
            return branches[0]
        values = [b.value for b in branches if isinstance(b, Compare) and b.op == "="]
        if len(values) == len(branches):
            return InList(field.name, tuple(values))
        return Or(tuple(branches))

    def range(self, field: F.Field, text: str) -> Expr:
        if field.kind not in _ORDERED_KINDS:
            raise _Unread(f"{field.name} has no order, so no range")
        if text.count("..") != 1:
            raise _Unread("a range is low..high, with one ..")
        low, high = (part.strip() for part in text.split(".."))
        bounds: list[Expr] = []
        if low not in ("", "*"):
            bounds.append(self.compare(field, ">=", low))
        if high not in ("", "*"):
            bounds.append(self.compare(field, "<=", high))
        if not bounds:
            raise _Unread("a range needs at least one end")
        return bounds[0] if len(bounds) == 1 else And(tuple(bounds))

    def compare(self, field: F.Field, op: str, text: str) -> Expr:
        if field.kind is F.Kind.DATETIME:
            day = _day(text)
            if day is not None:
                # A day is the whole day: `<= 2025-01-01` includes it, `> 2025-01-01` starts after it.
                if op == "<=":
                    return Compare(field.name, "<", day + dt.timedelta(days=1))
                if op == ">":
                    return Compare(field.name, ">=", day + dt.timedelta(days=1))
                return Compare(field.name, op, day)
        return Compare(field.name, op, _read(field, text, op))


def _literal_glob(text: str) -> str:
    """A ``like`` pattern that matches ``text`` itself, in any case."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


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


def _read(field: F.Field, text: str, op: str) -> Value:
    """``text`` as a value of ``field``, read as in a query; _Unread with the
    reason when it is not one. A search box also takes yes/no/on/off/1/0 for
    booleans and ``7d`` for ``7d ago``."""
    text = text.strip()
    if not text:
        raise _Unread(f"no value for {field.name}")
    if field.kind is F.Kind.BOOLEAN:
        lowered = text.lower()
        text = "true" if lowered in _TRUE else "false" if lowered in _FALSE else text
    elif field.kind is F.Kind.DATETIME and _RELATIVE.match(text):
        text += " ago"
    try:
        return read_text(field, text, op)
    except LiteralError as exc:
        raise _Unread(str(exc)) from None
    except (ValueError, OverflowError, ArithmeticError, Error):
        raise _Unread(f"not a value of {field.name}") from None


def describe_sortable(allowed: dict[str, str]) -> str:
    from .format import field_name

    names = sorted({field_name(c) for c in allowed.values() if F.lookup(c).orderable})
    return "sortable: " + ", ".join(names) if names else "none is sortable here"


def describe_allow(allow: Iterable[str] | None = None) -> str:
    """The filterable fields, for a search box's help text."""
    from .format import field_name

    names = sorted(set(_allowed_fields(DEFAULT_ALLOW if allow is None else allow).values()))
    return ", ".join(sorted({field_name(n) for n in names}))
