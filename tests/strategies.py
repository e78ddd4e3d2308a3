"""Hypothesis strategies for imgql queries and Glance-shaped image records.

``queries()`` and ``exprs()`` build ASTs directly, in the form the parser
produces (``and``/``or`` flattened, no ``not not``, lists without duplicates),
so that ``parse(str(q)) == q`` can be asserted for every generated query.
``image_records()`` builds dicts shaped like the records of ``GET /v2/images``,
using the same custom property names and a small pool of values, so that
generated queries and records actually meet.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import string
from decimal import Decimal

from hypothesis import strategies as st

from imgql.lang import fields as F
from imgql.lang.ast import (
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
    RelativeTime,
    SortKey,
    Value,
)

# Property tests run this many times their usual number of examples:
# IMGQL_FUZZ_SCALE=20 for a longer hunt than the everyday suite.
SCALE = max(1, int(os.environ.get("IMGQL_FUZZ_SCALE", "1")))

FIELD_RE = re.compile(r"[a-z_][a-z0-9_\-]*(\.[a-z0-9_\-]+)*", re.IGNORECASE)
PARAM_RE = re.compile(r"[a-z_][a-z0-9_]*", re.IGNORECASE)

# Every name the parser maps to a known field (canonical names and aliases).
KNOWN_NAMES = frozenset(name for field in F.FIELDS for name in (field.name, *field.aliases))

# Custom properties commonly seen on images, plus names that are keywords of
# the language elsewhere (they are valid field names where a field stands).
PROPERTY_NAMES = (
    "os_version",
    "hw_disk_bus",
    "hw_vif_model",
    "hw_firmware_type",
    "architecture",
    "image_type",
    "build",
    "release.date",
    "x-custom",
    "ago",
    "order",
    "limit",
    "in",
    "like",
    "exists",
    "images",
)

# Scope and location (member_status, region, cloud) stand only as top-level conjuncts; not generated here.
KNOWN_FIELDS = tuple(f for f in F.FIELDS if f.kind not in F.NOT_IN_RECORD)
TEXT_FIELDS = tuple(f.name for f in F.FIELDS if f.kind in (F.Kind.STRING, F.Kind.ENUM, F.Kind.TAGS))

# Values that show up in records and queries alike.
VALUE_POOL = (
    "ubuntu",
    "Ubuntu",
    "debian",
    "22.04",
    "24.04",
    "10",
    "9",
    "2",
    "1.5",
    "x86_64",
    "aarch64",
    "scsi",
    "virtio",
    "lts",
    "gpu",
    "",
    "a b",
    "it's",
)


def property_names() -> st.SearchStrategy[str]:
    """Custom property names: common ones and random names the grammar accepts."""
    head = st.sampled_from(string.ascii_letters + "_")
    tail = st.text(string.ascii_letters + string.digits + "_-", max_size=8)
    segment = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=5)
    generated = st.builds(
        lambda h, t, segs: h + t + "".join("." + s for s in segs),
        head,
        tail,
        st.lists(segment, max_size=2),
    ).filter(lambda name: name not in KNOWN_NAMES and name.lower() != "not")
    # Words that are keywords or units elsewhere stress the lexer most.
    keywordish = st.sampled_from(["ago", "and", "or", "order", "limit", "asc", "desc", "by", "d", "w", "s", "null"])
    return st.one_of(st.sampled_from(PROPERTY_NAMES), keywordish, generated)


def texts() -> st.SearchStrategy[str]:
    """Strings that stress quoting: quotes, backslashes, unicode, control
    characters, commas, colons, keywords, comment markers, things that look
    like numbers, sizes, dates, relative times and parameters."""
    tricky = st.sampled_from(
        [
            "",
            "null",
            "NULL",
            "true",
            "and",
            "or",
            "not",
            "in",
            "--",
            "-- x",
            "a--b",
            "$name",
            "7d ago",
            "5 and ago",
            "5GB",
            "2025-10-02T08:30:39Z",
            "in:a,b",
            'a"b',
            "a'b",
            "a\\b",
            "\\",
            "\\u0041",
            "x\ny",
            "tab\there",
            "\x00",
            "\x7f",
            "é",
            "日本語",
            "😀",
            "a,b:c",
            "(x)",
            " lead",
            "trail ",
            "*",
            "ubuntu-*",
            "?",
        ]
    )
    alphabet = st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(list("'\"\\,:$-*?()= \t\n"))
    numbers = st.one_of(st.integers(0, 10**6).map(str), st.decimals(0, 1000, places=2).map(str))
    return st.one_of(tricky, st.sampled_from(VALUE_POOL), numbers, st.text(alphabet, max_size=20))


def param_names() -> st.SearchStrategy[str]:
    generated = st.builds(
        str.__add__,
        st.sampled_from(string.ascii_letters + "_"),
        st.text(string.ascii_letters + string.digits + "_", max_size=6),
    )
    return st.one_of(st.sampled_from(["name", "size", "when", "p", "_x1"]), generated)


def params() -> st.SearchStrategy[Param]:
    return param_names().map(Param)


def sizes() -> st.SearchStrategy[int]:
    """Whole sizes, including round multiples of every unit."""
    factors = [1, 1000, 1024, 1000**2, 1024**2, 1000**3, 1024**3, 1000**4, 1024**4]
    multiple = st.builds(lambda n, f: n * f, st.integers(0, 5000), st.sampled_from(factors))
    return st.one_of(st.integers(0, 10**15), multiple, st.integers(0, 10**30 - 1))


def timezones() -> st.SearchStrategy[dt.tzinfo]:
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
    return st.one_of(st.just(dt.timezone.utc), offsets)


def datetimes() -> st.SearchStrategy[dt.datetime]:
    """Aware datetimes, with offsets and microseconds (kept away from the
    ends of the calendar, where an offset would leave it)."""
    return st.builds(
        lambda naive, tz: naive.replace(tzinfo=tz),
        st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(9998, 12, 30)),
        timezones(),
    )


def relative_times() -> st.SearchStrategy[RelativeTime]:
    amounts = st.one_of(
        # 50000 weeks is still under the 1000-year bound of a relative time.
        st.integers(0, 50_000).map(Decimal),
        st.decimals(min_value=0, max_value=50_000, places=3, allow_nan=False, allow_infinity=False),
    )
    return st.builds(RelativeTime, amounts.map(lambda d: d.normalize()), st.sampled_from("smhdw"))


def values_for(field: F.Field, *, allow_params: bool = True) -> st.SearchStrategy[Value]:
    """Literals of the right type for ``field``, as the parser stores them."""
    kind = field.kind
    base: st.SearchStrategy[Value]
    if kind in (F.Kind.STRING, F.Kind.PROPERTY, F.Kind.TAGS):
        base = texts()
    elif kind in (F.Kind.ENUM, F.Kind.SCOPE):
        base = st.sampled_from(field.values)
    elif kind is F.Kind.BOOLEAN:
        base = st.booleans()
    elif kind is F.Kind.BYTES:
        base = sizes()
    elif kind is F.Kind.DATETIME:
        base = st.one_of(datetimes(), relative_times())
    else:  # pragma: no cover
        raise AssertionError(kind)
    if allow_params:
        return st.one_of(base, base, base, params())
    return base


def fields() -> st.SearchStrategy[F.Field]:
    """Any field a predicate may name, member_status excepted."""
    return st.one_of(st.sampled_from(KNOWN_FIELDS), property_names().map(F.lookup))


_ORDERED_OPS = ("=", "!=", "<", "<=", ">", ">=")


@st.composite
def compares(draw: st.DrawFn, field: F.Field | None = None) -> Compare:
    field = field or draw(fields())
    if field.kind in (F.Kind.BOOLEAN, F.Kind.TAGS):
        op = draw(st.sampled_from(("=", "!=")))
    else:
        op = draw(st.sampled_from(_ORDERED_OPS))
    return Compare(field.name, op, draw(values_for(field)))


@st.composite
def in_lists(draw: st.DrawFn, field: F.Field | None = None) -> InList:
    field = field or draw(fields())
    items = draw(st.lists(values_for(field), min_size=1, max_size=4))
    unique: list[Value] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return InList(field.name, tuple(unique), draw(st.booleans()))


_REGEXES = ("^ubuntu", "(?i)LTS$", r"\d+\.\d+", "a|b", "[a-z]+-[0-9]*", ".*", r"\\", "é+", "")


@st.composite
def matches(draw: st.DrawFn) -> Match:
    name = draw(st.one_of(st.sampled_from(TEXT_FIELDS), property_names()))
    op = draw(st.sampled_from(("like", "contains", "regex")))
    pattern: str | Param
    if draw(st.integers(0, 5)) == 0:
        pattern = draw(params())
    elif op == "regex":
        pattern = draw(st.one_of(st.sampled_from(_REGEXES), texts().map(re.escape)))
    else:
        pattern = draw(texts())
    return Match(F.lookup(name).name, op, pattern, draw(st.booleans()))


def existses() -> st.SearchStrategy[Exists]:
    return st.builds(Exists, fields().map(lambda f: f.name), st.booleans())


def predicates() -> st.SearchStrategy[Expr]:
    return st.one_of(compares(), in_lists(), matches(), existses())


def _and(operands: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for op in operands:
        flat.extend(op.operands if isinstance(op, And) else (op,))
    return And(tuple(flat))


def _or(operands: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for op in operands:
        flat.extend(op.operands if isinstance(op, Or) else (op,))
    return Or(tuple(flat))


def _not(operand: Expr) -> Expr:
    return operand.operand if isinstance(operand, Not) else Not(operand)


def _combine(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=4).map(_and),
        st.lists(children, min_size=2, max_size=4).map(_or),
        children.map(_not),
    )


@functools.cache
def exprs(max_leaves: int = 12) -> st.SearchStrategy[Expr]:
    """Expressions as the parser builds them: nested and/or/not over predicates."""
    return st.recursive(predicates(), _combine, max_leaves=max_leaves)


def member_status_predicates() -> st.SearchStrategy[Expr]:
    field = F.lookup("member_status")
    single = st.sampled_from(field.values).map(lambda v: Compare(field.name, "=", v))
    several = st.lists(st.sampled_from(field.values), min_size=1, max_size=3, unique=True).map(
        lambda vs: InList(field.name, tuple(vs))
    )
    return st.one_of(single, several)


def orderable_names() -> st.SearchStrategy[str]:
    known = [f.name for f in F.FIELDS if f.orderable]
    return st.one_of(st.sampled_from(known), property_names())


def sort_keys() -> st.SearchStrategy[SortKey]:
    """`field [asc|desc]`, and `version(field) [asc|desc]` over text fields."""
    texts = [f.name for f in F.FIELDS if f.orderable and f.kind in (F.Kind.STRING, F.Kind.PROPERTY)]
    versions = st.builds(
        SortKey, st.one_of(st.sampled_from(texts), property_names()), st.booleans(), version=st.just(True)
    )
    return st.one_of(st.builds(SortKey, orderable_names(), st.booleans()), versions)


@st.composite
def queries(draw: st.DrawFn, max_leaves: int = 12) -> Query:
    """Whole queries: scope, where (with member_status only as a top-level
    conjunct), order by orderable keys, limit."""
    where: Expr | None = draw(st.one_of(st.none(), exprs(max_leaves)))
    if draw(st.integers(0, 7)) == 0:
        scope = draw(member_status_predicates())
        where = scope if where is None else _and([scope, where])
    order = draw(st.lists(sort_keys(), max_size=3).map(tuple))
    limit = draw(st.one_of(st.none(), st.integers(0, 10**6)))
    return Query(where=where, order_by=order, limit=limit, all_images=draw(st.booleans()))


# --- image records -------------------------------------------------------

_HEX = "0123456789abcdef"


def _uuids() -> st.SearchStrategy[str]:
    return st.uuids().map(str)


def _timestamps() -> st.SearchStrategy[str]:
    return st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
        lambda d: d.replace(microsecond=0).isoformat() + "Z"
    )


_PROJECTS = ("p-alpha", "p-beta", "p-gamma")


@st.composite
def image_records(draw: st.DrawFn) -> dict[str, object]:
    """One image as ``GET /v2/images`` returns it: every core field present,
    sizes and checksums null until data is uploaded, custom properties
    absent unless set and always strings."""
    image_id = draw(_uuids())
    uploaded = draw(st.booleans())
    status = "active" if uploaded else draw(st.sampled_from(["queued", "saving", "importing", "deactivated"]))
    created = draw(_timestamps())
    updated = draw(st.one_of(st.just(created), _timestamps()))
    size = draw(st.integers(0, 20 * 1024**3)) if uploaded else None
    record: dict[str, object] = {
        "id": image_id,
        "name": draw(
            st.one_of(st.none(), st.sampled_from(["ubuntu-22.04", "ubuntu-24.04", "debian-12", "Win 2022"]), texts())
        ),
        "status": status,
        "visibility": draw(st.sampled_from(F.VISIBILITIES)),
        "owner": draw(st.sampled_from(_PROJECTS)),
        "size": size,
        "virtual_size": draw(st.one_of(st.none(), st.integers(0, 100 * 1024**3))) if uploaded else None,
        "min_ram": draw(st.sampled_from([0, 512, 1024, 2048, 4096])),
        "min_disk": draw(st.sampled_from([0, 1, 10, 20, 40])),
        "created_at": created,
        "updated_at": updated,
        "protected": draw(st.booleans()),
        "os_hidden": draw(st.booleans()),
        "tags": draw(st.lists(st.sampled_from(["lts", "gpu", "beta", "Lts", "a b", "x,y"]), max_size=3, unique=True)),
        "checksum": draw(st.text(_HEX, min_size=32, max_size=32)) if uploaded else None,
        "os_hash_algo": "sha512" if uploaded else None,
        "os_hash_value": draw(st.text(_HEX, min_size=128, max_size=128)) if uploaded else None,
        "disk_format": draw(st.sampled_from(F.DISK_FORMATS)) if uploaded or draw(st.booleans()) else None,
        "container_format": draw(st.sampled_from(F.CONTAINER_FORMATS)) if uploaded or draw(st.booleans()) else None,
        "file": f"/v2/images/{image_id}/file",
        "self": f"/v2/images/{image_id}",
        "schema": "/v2/schemas/image",
    }
    # Custom properties: absent when unset, strings when set.
    for name in ("os_distro", "os_type", *PROPERTY_NAMES[:8]):
        if draw(st.booleans()):
            record[name] = draw(st.sampled_from(VALUE_POOL) | st.text(string.printable, max_size=8))
    return record


def image_catalogs(max_size: int = 12) -> st.SearchStrategy[list[dict[str, object]]]:
    """A list of image records with distinct ids."""
    return st.lists(image_records(), max_size=max_size, unique_by=lambda r: r["id"])


# Words, operators, literals and broken pieces that fuzz tests string together.
QUERY_PIECES: tuple[str, ...] = (
    "images",
    "all",
    "where",
    "and",
    "or",
    "not",
    "in",
    "like",
    "contains",
    "exists",
    "missing",
    "null",
    "order",
    "by",
    "asc",
    "desc",
    "limit",
    "true",
    "false",
    "ago",
    "7d ago",
    "12 hours ago",
    "size",
    "min_ram",
    "min_disk",
    "created_at",
    "status",
    "visibility",
    "member_status",
    "tag",
    "hidden",
    "protected",
    "name",
    "os_distro",
    "x.y",
    "5GB",
    "1.5GiB",
    "1e400GB",
    "512",
    "0.5",
    "2025-10-02",
    "2025-10-02T08:30:39+02:00",
    "$p",
    "$",
    "=",
    "==",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "~",
    "!~",
    "(",
    ")",
    ",",
    "'",
    '"',
    "'a b'",
    "'\\''",
    "'\\u00e9'",
    "\\",
    "--",
    "\n",
    " ",
    "\t",
    "\x00",
    "é",
    "x.y-z",
    '"q\\"x"',
    "-- note\n",
    "ubuntu-*",
    "0",
    "99",
    "IMAGES",
    "Where",
    "ſ",
    "K",
    "İ",
)
