"""Every construct of the language, parsed into the AST it stands for."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import attrs
import pytest

import imgql
from imgql.lang.ast import (
    MAX_DEPTH,
    And,
    Compare,
    Exists,
    InList,
    Match,
    Not,
    Or,
    Param,
    Query,
    RelativeTime,
    SortKey,
    depth_of,
)

UTC = dt.timezone.utc


def where(text: str) -> object:
    query = imgql.parse("images where " + text)
    return query.where


# --- query shape ----------------------------------------------------------


def test_images_alone() -> None:
    assert imgql.parse("images") == Query()


def test_all_images() -> None:
    assert imgql.parse("all images") == Query(all_images=True)
    assert imgql.parse("all images where x = 1").all_images


@pytest.mark.parametrize(
    "text", ["IMAGES", "Images", "ALL IMAGES", "All Images Where x = 1 Order By name Desc Limit 1"]
)
def test_keywords_are_case_insensitive(text: str) -> None:
    query = imgql.parse(text)
    assert query == imgql.parse(text.lower())
    assert str(query) == str(imgql.parse(text.lower()))
    assert query.all_images == text.lower().startswith("all")
    if "where" in text.lower():
        assert query == Query(where=Compare("x", "=", "1"), order_by=(SortKey("name", True),), limit=1, all_images=True)


def test_full_query() -> None:
    query = imgql.parse("images where tag = lts and size < 5GB order by created_at desc limit 1")
    assert query == Query(
        where=And((Compare("tags", "=", "lts"), Compare("size", "<", 5_000_000_000))),
        order_by=(SortKey("created_at", True),),
        limit=1,
    )


def test_clauses_without_where() -> None:
    assert imgql.parse("images order by name") == Query(order_by=(SortKey("name"),))
    assert imgql.parse("images limit 3") == Query(limit=3)
    assert imgql.parse("images order by name limit 0") == Query(order_by=(SortKey("name"),), limit=0)


def test_order_by_several_keys_and_directions() -> None:
    query = imgql.parse("images order by os_distro, size desc, created_at asc, name")
    assert query.order_by == (
        SortKey("os_distro"),
        SortKey("size", True),
        SortKey("created_at", False),
        SortKey("name", False),
    )


def test_order_by_alias_is_canonical() -> None:
    assert imgql.parse("images order by created desc").order_by == (SortKey("created_at", True),)


def test_limit_leading_zeros() -> None:
    assert imgql.parse("images limit 007").limit == 7
    assert imgql.parse("images limit 0000000000000000000000000001").limit == 1
    assert imgql.parse("images limit 999999999999999999").limit == 10**18 - 1


# --- comparisons ------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "canonical"),
    [("=", "="), ("==", "="), ("!=", "!="), ("<>", "!="), ("<", "<"), ("<=", "<="), (">", ">"), (">=", ">=")],
)
def test_comparison_operators(op: str, canonical: str) -> None:
    assert where(f"name {op} x") == Compare("name", canonical, "x")


def test_operators_need_no_spaces() -> None:
    assert where("name='x'") == Compare("name", "=", "x")
    assert where("size>=1GiB") == Compare("size", ">=", 1024**3)
    assert where("x<>1") == Compare("x", "!=", "1")


def test_in_and_not_in() -> None:
    assert where("status in (active, queued)") == InList("status", ("active", "queued"))
    assert where("status not in (active)") == InList("status", ("active",), negated=True)


def test_in_list_drops_duplicates_and_allows_trailing_comma() -> None:
    assert where("x in (a, b, a,)") == InList("x", ("a", "b"))
    # Duplicates by value, after reading by type: 1KiB is 1024 bytes.
    assert where("size in (1024, 1KiB, 1K)") == InList("size", (1024,))


def test_like_contains_regex() -> None:
    assert where("name like 'ubuntu-*'") == Match("name", "like", "ubuntu-*")
    assert where("name not like 'ubuntu-*'") == Match("name", "like", "ubuntu-*", negated=True)
    assert where("name contains lts") == Match("name", "contains", "lts")
    assert where("name not contains lts") == Match("name", "contains", "lts", negated=True)
    assert where("name ~ '^ubuntu-[0-9]+'") == Match("name", "regex", "^ubuntu-[0-9]+")
    assert where("name !~ '(?i)beta'") == Match("name", "regex", "(?i)beta", negated=True)


def test_text_operators_on_tags_enums_and_properties() -> None:
    assert where("tag like 'lts*'") == Match("tags", "like", "lts*")
    assert where("status contains act") == Match("status", "contains", "act")
    assert where("os_version ~ '^22'") == Match("os_version", "regex", "^22")


def test_regex_escapes_read_naturally() -> None:
    assert where(r"name ~ '\d+\.\d+'") == Match("name", "regex", r"\d+\.\d+")


def test_exists_and_missing() -> None:
    assert where("os_distro exists") == Exists("os_distro", True)
    assert where("os_distro missing") == Exists("os_distro", False)


@pytest.mark.parametrize(
    ("text", "present"),
    [("x = null", False), ("x == NULL", False), ("x != null", True), ("x <> Null", True)],
)
def test_null_comparisons_mean_exists_or_missing(text: str, present: bool) -> None:
    assert where(text) == Exists("x", present)


def test_boolean_field_alone() -> None:
    assert where("protected") == Compare("protected", "=", True)
    assert where("hidden") == Compare("os_hidden", "=", True)
    assert where("not hidden") == Not(Compare("os_hidden", "=", True))
    assert where("protected = false") == Compare("protected", "=", False)
    assert where("os_hidden != TRUE") == Compare("os_hidden", "!=", True)


# --- boolean structure -------------------------------------------------------


def test_precedence_not_and_or() -> None:
    a, b, c = (Compare(n, "=", "1") for n in "abc")
    assert where("a = 1 or b = 1 and c = 1") == Or((a, And((b, c))))
    assert where("a = 1 and b = 1 or c = 1") == Or((And((a, b)), c))
    assert where("not a = 1 and b = 1") == And((Not(a), b))
    assert where("not (a = 1 and b = 1)") == Not(And((a, b)))
    assert where("(a = 1 or b = 1) and c = 1") == And((Or((a, b)), c))


def test_and_or_are_flattened() -> None:
    a, b, c, d = (Compare(n, "=", "1") for n in "abcd")
    assert where("a = 1 and (b = 1 and (c = 1 and d = 1))") == And((a, b, c, d))
    assert where("((a = 1 or b = 1) or c = 1) or d = 1") == Or((a, b, c, d))


def test_double_negation_folds() -> None:
    assert where("not not protected") == Compare("protected", "=", True)
    assert where("not (not (not protected))") == Not(Compare("protected", "=", True))


def test_redundant_parentheses() -> None:
    assert where("((((x = 1))))") == Compare("x", "=", "1")


def test_keywords_work_as_field_names_where_a_field_stands() -> None:
    assert where("order = 1") == Compare("order", "=", "1")
    assert where("a = 1 and and = 2") == And((Compare("a", "=", "1"), Compare("and", "=", "2")))
    assert where("in in (in)") == InList("in", ("in",))
    assert where("exists exists") == Exists("exists")
    assert imgql.parse("images order by limit desc").order_by == (SortKey("limit", True),)


def test_keywords_work_as_values() -> None:
    assert where("name = order") == Compare("name", "=", "order")
    assert where("name in (and, or, not, limit)") == InList("name", ("and", "or", "not", "limit"))


def test_words_starting_with_not_are_names() -> None:
    assert where("notes exists") == Exists("notes")
    assert where("not_x = 1") == Compare("not_x", "=", "1")


# --- fields ---------------------------------------------------------------


def test_known_field_names_are_not_case_sensitive() -> None:
    # `Name` is `name`; the canonical text writes it in lower case.
    assert where("Name = x") == Compare("name", "=", "x")
    assert str(imgql.parse("IMAGES WHERE OS_DISTRO = ubuntu")) == "images where os_distro = ubuntu"
    assert str(imgql.parse("IMAGES ORDER BY NAME LIMIT 3")) == "images order by name asc limit 3"
    assert where("TAG = lts") == Compare("tags", "=", "lts")
    assert where("OS_VERSION = 24.04") == Compare("os_version", "=", "24.04")


def test_custom_property_names_keep_their_case_and_the_prefix_names_any() -> None:
    assert where("MyProp = x") == Compare("MyProp", "=", "x")
    # `property.NAME` is the custom property NAME, even when NAME is a field's name.
    query = imgql.parse("images where property.Name = x")
    assert query.where == Compare("Name", "=", "x")
    assert query.fields == frozenset({"Name"})
    assert str(query) == "images where property.Name = x"
    assert imgql.parse(str(query)) == query


def test_aliases() -> None:
    assert where("tag = lts") == Compare("tags", "=", "lts")
    assert where("tags = lts") == Compare("tags", "=", "lts")
    assert where("created > 2025-01-01").field == "created_at"  # type: ignore[attr-defined]
    assert where("updated > 2025-01-01").field == "updated_at"  # type: ignore[attr-defined]
    assert where("hidden = false") == Compare("os_hidden", "=", False)


def test_tags() -> None:
    assert where("tag != beta") == Compare("tags", "!=", "beta")
    assert where("tag in (lts, gpu)") == InList("tags", ("lts", "gpu"))
    assert where("tag missing") == Exists("tags", False)


def test_custom_property_names() -> None:
    for name in ("hw_disk_bus", "x-y", "a.b.c", "_private", "build-id2", "a--b"):
        assert where(f"{name} = v") == Compare(name, "=", "v")


def test_query_fields() -> None:
    query = imgql.parse("images where tag = a and (hidden or size > 1) and x ~ y order by created desc, name")
    assert query.fields == frozenset({"tags", "os_hidden", "size", "x", "created_at", "name"})
    assert imgql.parse("images").fields == frozenset()


def test_member_status_as_top_level_conjunct() -> None:
    assert where("member_status = pending") == Compare("member_status", "=", "pending")
    assert where("member_status in (pending, rejected) and tag = x") == And(
        (InList("member_status", ("pending", "rejected")), Compare("tags", "=", "x"))
    )
    assert where("member_status = ALL") == Compare("member_status", "=", "all")


# --- literals read by the field's type ----------------------------------------


def test_quotes_only_matter_for_lexing() -> None:
    assert where("size < '5GB'") == where("size < 5GB")
    assert where("name = '5GB'") == where("name = 5GB") == Compare("name", "=", "5GB")
    assert where("protected = 'true'") == Compare("protected", "=", True)
    assert where("created_at > '2025-10-02'") == where("created_at > 2025-10-02")


def test_numbers_stay_text_for_text_fields() -> None:
    assert where("os_version = 007") == Compare("os_version", "=", "007")
    assert where("x = 1.50") == Compare("x", "=", "1.50")
    assert where("x = 1e400") == Compare("x", "=", "1e400")


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (r"'a\\b'", "a\\b"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'a\nb'", "a\nb"),
        (r"'a\tb'", "a\tb"),
        (r"'\u00e9t\u00C9'", "étÉ"),
        (r"'\U0001F600'", "\U0001f600"),
        (r"'\q'", "\\q"),  # unknown escapes are kept as written
        ('"it\'s"', "it's"),
        ("'multi\nline'", "multi\nline"),
        ("''", ""),
        ("é", "é"),
        ("ubuntu-22.04", "ubuntu-22.04"),
        ("a:b/c+d*e?f@g%h&i", "a:b/c+d*e?f@g%h&i"),
    ],
)
def test_string_literals(literal: str, expected: str) -> None:
    assert where(f"name = {literal}") == Compare("name", "=", expected)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("0", 0),
        ("512", 512),
        ("1KB", 1000),
        ("1MB", 1000**2),
        ("5GB", 5 * 1000**3),
        ("2TB", 2 * 1000**4),
        ("1KiB", 1024),
        ("512MiB", 512 * 1024**2),
        ("1.5GiB", 1536 * 1024**2),
        ("1TiB", 1024**4),
        ("1K", 1024),
        ("1M", 1024**2),
        ("1G", 1024**3),
        ("1T", 1024**4),
        ("5gb", 5 * 1000**3),
        ("5gib", 5 * 1024**3),
        ("1g", 1024**3),
        ("1e3", 1000),
        ("1E3KB", 1000**2),
        ("3B", 3),
        ("1PB", 1000**5),
        ("1PiB", 1024**5),
    ],
)
def test_sizes_in_bytes(literal: str, expected: int) -> None:
    assert where(f"size = {literal}") == Compare("size", "=", expected)
    assert where(f"virtual_size = {literal}") == Compare("virtual_size", "=", expected)


def test_min_ram_is_in_mib_and_min_disk_in_gib() -> None:
    assert where("min_ram >= 2GiB") == Compare("min_ram", ">=", 2048)
    assert where("min_ram >= 2048") == Compare("min_ram", ">=", 2048)
    assert where("min_ram = 512MiB") == Compare("min_ram", "=", 512)
    assert where("min_disk >= 20") == Compare("min_disk", ">=", 20)
    assert where("min_disk >= 1TiB") == Compare("min_disk", ">=", 1024)
    assert where("min_disk < 2048MiB") == Compare("min_disk", "<", 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 1GB is 953.67 MiB: the whole bound that selects the same values.
        ("min_ram >= 1GB", Compare("min_ram", ">=", 954)),
        ("min_ram > 1GB", Compare("min_ram", ">", 953)),
        ("min_ram < 1GB", Compare("min_ram", "<", 954)),
        ("min_ram <= 1GB", Compare("min_ram", "<=", 953)),
        ("min_disk < 1.5", Compare("min_disk", "<", 2)),
        ("min_disk >= 1.5", Compare("min_disk", ">=", 2)),
        ("min_disk > 1.5", Compare("min_disk", ">", 1)),
        ("min_disk <= 1.5", Compare("min_disk", "<=", 1)),
        ("size > 0.5", Compare("size", ">", 0)),
        ("size <= 1e-400", Compare("size", "<=", 0)),
        ("size = 2.0", Compare("size", "=", 2)),
    ],
)
def test_fractional_bounds_become_whole(text: str, expected: Compare) -> None:
    assert where(text) == expected


def test_dates_and_datetimes() -> None:
    assert where("created_at > 2025-10-02") == Compare("created_at", ">", dt.datetime(2025, 10, 2, tzinfo=UTC))
    assert where("created_at > 2025-10-02T08:30:39Z") == Compare(
        "created_at", ">", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)
    )
    assert where("created_at > 2025-10-02T08:30:39") == Compare(
        "created_at", ">", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)
    )
    # Offsets are honoured and the time is kept in UTC.
    value = where("updated_at <= 2025-10-02T08:30:39.250000+02:00").value  # type: ignore[attr-defined]
    assert value == dt.datetime(2025, 10, 2, 6, 30, 39, 250000, tzinfo=UTC)
    assert value.tzinfo == UTC
    value = where("created_at > '2025-10-02 08:30:39-05:30'").value  # type: ignore[attr-defined]
    assert value == dt.datetime(2025, 10, 2, 14, 0, 39, tzinfo=UTC)


def test_same_instant_same_query() -> None:
    a = imgql.parse("images where created_at > 2025-10-02T10:00:00+02:00")
    b = imgql.parse("images where created_at > 2025-10-02T08:00:00Z")
    assert a == b and str(a) == str(b) == "images where created_at > 2025-10-02T08:00:00Z"


@pytest.mark.parametrize(
    ("literal", "amount", "unit"),
    [
        ("7d ago", "7", "d"),
        ("12h ago", "12", "h"),
        ("2w ago", "2", "w"),
        ("30m ago", "30", "m"),
        ("45s ago", "45", "s"),
        ("1.5d ago", "1.5", "d"),
        ("7 days ago", "7", "d"),
        ("1 week ago", "1", "w"),
        ("3 HOURS AGO", "3", "h"),
        ("10 min ago", "10", "m"),
        ("7d\nago", "7", "d"),
        ("'7d ago'", "7", "d"),
    ],
)
def test_relative_times(literal: str, amount: str, unit: str) -> None:
    assert where(f"created_at > {literal}") == Compare("created_at", ">", RelativeTime(Decimal(amount), unit))


def test_relative_time_is_text_for_text_fields() -> None:
    assert where("name = 7d ago") == Compare("name", "=", "7d ago")


def test_relative_time_does_not_swallow_following_keywords() -> None:
    # `5 and ago` could read as a relative time with unit `and`.
    assert where("x = 5 and ago = 1") == And((Compare("x", "=", "5"), Compare("ago", "=", "1")))
    assert where("x = 5 or ago exists") == Or((Compare("x", "=", "5"), Exists("ago")))


def test_enums_are_case_insensitive() -> None:
    assert where("status = ACTIVE") == Compare("status", "=", "active")
    assert where("visibility in (Public, COMMUNITY)") == InList("visibility", ("public", "community"))


def test_booleans() -> None:
    assert where("protected = TRUE") == Compare("protected", "=", True)
    assert where("protected in (true, false)") == InList("protected", (True, False))


def test_parameters() -> None:
    assert where("name = $name") == Compare("name", "=", Param("name"))
    assert where("size < $max") == Compare("size", "<", Param("max"))
    assert where("tag in ($a, lts, $b)") == InList("tags", (Param("a"), "lts", Param("b")))
    assert where("name like $p") == Match("name", "like", Param("p"))
    assert where("name ~ $p") == Match("name", "regex", Param("p"))
    assert imgql.parse("images where a = $x and b in ($y, $x)").params == frozenset({"x", "y"})


# --- comments and whitespace -------------------------------------------------


def test_comments() -> None:
    text = """-- newest Ubuntu LTS
    images where os_distro = ubuntu  -- the distribution
      and tag = lts                  -- only long-term support
    order by created_at desc limit 1 --"""
    assert imgql.parse(text) == imgql.parse(
        "images where os_distro = ubuntu and tag = lts order by created_at desc limit 1"
    )


def test_comment_where_a_value_stands() -> None:
    assert where("x in (a, -- first\n b)") == InList("x", ("a", "b"))
    assert where("x = a--b") == Compare("x", "=", "a--b")
    assert where("x = '-- not a comment'") == Compare("x", "=", "-- not a comment")


def test_whitespace_of_any_kind() -> None:
    assert imgql.parse("\n\timages\r\n  where\tx\n=\n1  ") == imgql.parse("images where x = 1")


# --- the Query value -----------------------------------------------------------


def test_query_is_immutable_and_hashable() -> None:
    query = imgql.parse("images where tag = a and size > 1GB order by name limit 2")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        query.limit = 3  # type: ignore[misc]
    other = imgql.parse("IMAGES  WHERE tag == a AND size > 1000000000 ORDER BY name ASC LIMIT 2")
    assert query == other
    assert hash(query) == hash(other)
    assert len({query, other}) == 1


def test_positions_take_no_part_in_equality() -> None:
    assert imgql.parse("images where x = 1") == imgql.parse("images   where   x   =   1")


def test_parse_is_cached_but_errors_are_raised_every_time() -> None:
    assert imgql.parse("images where x = 1") is imgql.parse("images where x = 1")
    for _ in range(3):
        with pytest.raises(imgql.QuerySyntaxError):
            imgql.parse("images where x =")


# --- quality bar ------------------------------------------------------------------


def _nested(levels: int) -> str:
    """A condition whose tree is ``levels`` + 1 deep: or/and alternating."""
    text = "z = 1"
    for i in range(levels):
        text = f"(a{i} = 1 {'or' if i % 2 else 'and'} {text})"
    return text


def test_nesting_up_to_the_limit_is_accepted() -> None:
    query = imgql.parse("images where " + _nested(MAX_DEPTH - 1))
    assert query.where is not None
    assert depth_of(query.where) == MAX_DEPTH
    assert imgql.parse(str(query)) == query


def test_nesting_beyond_the_limit_is_refused() -> None:
    with pytest.raises(imgql.TooComplexError) as info:
        imgql.parse("images where " + _nested(MAX_DEPTH))
    assert "128" in str(info.value)
    assert info.value.line == 1 and info.value.column is not None


def test_deep_not_chains_are_refused_cleanly() -> None:
    text = "images where " + "not (a = 1 and " * 300 + "b = 1" + ")" * 300
    with pytest.raises(imgql.TooComplexError):
        imgql.parse(text)


def test_five_thousand_parentheses() -> None:
    assert where("(" * 5000 + "x = 1" + ")" * 5000) == Compare("x", "=", "1")


def test_five_thousand_nested_conditions_raise_too_complex() -> None:
    text = "images where " + "(x = 1 and not " * 5000 + "y = 1" + ")" * 5000
    with pytest.raises(imgql.TooComplexError):
        imgql.parse(text)


def test_unbalanced_parentheses_deeply() -> None:
    with pytest.raises(imgql.QuerySyntaxError):
        imgql.parse("images where " + "(" * 5000 + "x = 1")
    with pytest.raises(imgql.QuerySyntaxError):
        imgql.parse("images where " + "(" * 5000)


def test_many_not_keywords_fold() -> None:
    assert where("not " * 5000 + "protected") == Compare("protected", "=", True)
    assert where("not " * 5001 + "protected") == Not(Compare("protected", "=", True))


def test_ten_thousand_conjuncts() -> None:
    text = "images where " + " and ".join(f"p{i} = {i}" for i in range(10_000))
    query = imgql.parse(text)
    assert isinstance(query.where, And)
    assert len(query.where.operands) == 10_000
    assert imgql.parse(str(query)) == query


def test_ten_thousand_disjuncts_and_list_items() -> None:
    query = imgql.parse("images where " + " or ".join(f"x = {i}" for i in range(10_000)))
    assert isinstance(query.where, Or) and len(query.where.operands) == 10_000
    query = imgql.parse("images where x in (" + ", ".join(str(i) for i in range(10_000)) + ")")
    assert isinstance(query.where, InList) and len(query.where.values) == 10_000


def test_recursion_limit_is_not_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Parsing and formatting at the depth limit work even with a small stack.
    text = "images where " + _nested(MAX_DEPTH - 1)
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(200)
        query = imgql.parse(text + " ")  # a new text, not a cached one
        assert str(query)
    finally:
        sys.setrecursionlimit(limit)


def test_format_of_a_very_deep_built_tree() -> None:
    expr: object = Compare("a", "=", "1")
    for i in range(3000):
        expr = Not(expr) if i % 2 else And((Compare("b", "=", "2"), expr))  # type: ignore[arg-type]
    text = str(Query(where=expr))  # type: ignore[arg-type]
    assert text.startswith("images where not (b = 2 and not (b = 2 and not")
    assert text.endswith("a = 1" + ")" * 1500)
