"""Client-side evaluation: the null rule, tags, text matching, custom
properties, times, and sorting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang.ast import Compare, Expr, Match, Param, SortKey
from imgql.run.predicate import compile_predicate, glob_to_regex, sort_images

NOW = dt.datetime(2025, 10, 2, 12, 0, 0, tzinfo=dt.timezone.utc)


def where(text: str) -> Expr:
    query = imgql.parse(f"images where {text}")
    assert query.where is not None
    return query.where


def holds(text: str, record: dict[str, Any]) -> bool:
    return compile_predicate(where(text), now=NOW)(record)


# -- the null rule -------------------------------------------------------------------------------

# One predicate per field kind and operator; each is false on a missing or
# null value, whatever the operator, and its negation true.
NULL_CASES = [
    *(f"size {op} 1KB" for op in ("=", "!=", "<", "<=", ">", ">=")),
    "size in (1, 2)",
    "size not in (1, 2)",
    *(f"name {op} a" for op in ("=", "!=", "<", "<=", ">", ">=")),
    "name in (a, b)",
    "name not in (a, b)",
    "name like 'a*'",
    "name not like 'a*'",
    "name contains a",
    "name not contains a",
    "name ~ a",
    "name !~ a",
    *(f"created_at {op} 2025-01-01" for op in ("=", "!=", "<", "<=", ">", ">=")),
    "created_at in (2025-01-01)",
    "created_at not in (2025-01-01)",
    *(f"os_version {op} 10" for op in ("=", "!=", "<", "<=", ">", ">=")),
    "os_version in ('10')",
    "os_version not in ('10')",
    "os_version like '1*'",
    "os_version not like '1*'",
    "protected",
    "protected = false",
    "protected != true",
    "protected in (true, false)",
    "protected not in (true)",
    "status = active",
    "status != active",
]


@pytest.mark.parametrize("text", NULL_CASES)
@pytest.mark.parametrize("record", [{}, {"size": None, "name": None, "created_at": None, "protected": None}])
def test_null_rule(text: str, record: dict[str, Any]) -> None:
    full = {**record, "os_version": None} if record else record
    assert holds(text, full) is False
    assert holds(f"not ({text})", full) is True


def test_exists_and_missing() -> None:
    assert holds("size exists", {"size": 0})
    assert not holds("size exists", {"size": None})
    assert holds("size missing", {})
    assert holds("os_distro missing", {"name": "x"})
    assert holds("name = null", {"name": None})
    assert holds("name != null", {"name": ""})


# -- tags -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags", "expected"),
    [
        ("tag = lts", ["lts", "gpu"], True),
        ("tag = lts", ["LTS"], False),
        ("tag != lts", [], True),
        ("tag != lts", None, True),  # no tags is the empty list, never null
        ("tag != lts", ["lts"], False),
        ("tag in (a, lts)", ["lts"], True),
        ("tag in (a, b)", ["lts"], False),
        ("tag not in (a, b)", ["lts"], True),
        ("tag not in (a, b)", ["a"], False),
        ("tag = a and tag = b", ["a", "b"], True),
        ("tag = a and tag = b", ["a"], False),
        ("tag like 'l*'", ["gpu", "lts"], True),
        ("tag not like 'l*'", ["lts"], False),
        ("tag not like 'l*'", [], True),
        ("tag contains T", ["lts"], True),
        ("tag ~ '^g'", ["gpu"], True),
        ("tag exists", [], False),
        ("tag exists", ["a"], True),
        ("tag missing", None, True),
    ],
)
def test_tags(text: str, tags: list[str] | None, expected: bool) -> None:
    assert holds(text, {"tags": tags}) is expected


# -- text matching -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("ubuntu*", "Ubuntu-22.04", True),  # case-insensitive
        ("ubuntu*", "my-ubuntu", False),  # whole value
        ("*ubuntu*", "my-ubuntu-x", True),
        ("ubuntu-??.04", "ubuntu-22.04", True),
        ("ubuntu-?.04", "ubuntu-22.04", False),
        ("[ab]", "a", False),  # brackets are literal
        ("[ab]", "[AB]", True),
        ("a\\*", "a*", True),
        ("a\\*", "ab", False),
        ("a.b", "axb", False),
        ("*", "", True),
        ("*", "line\nbreak", True),
    ],
)
def test_like(pattern: str, name: str, expected: bool) -> None:
    assert compile_predicate(where(f"name like {pattern!r}"))({"name": name}) is expected
    assert glob_to_regex(pattern).fullmatch(name.casefold()) is not None if expected else True


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("name contains Bunt", "ubuntu", True),  # case-insensitive substring
        ("name contains x", "ubuntu", False),
        ("name contains ''", "", True),
        ("name ~ 'bun'", "ubuntu", True),  # search, not match
        ("name ~ '^bun'", "ubuntu", False),
        ("name ~ 'UBU'", "ubuntu", False),  # case-sensitive
        ("name ~ '(?i)UBU'", "ubuntu", True),
        ("name !~ 'x'", "ubuntu", True),
        ("name ~ '\\d+\\.\\d+'", "ubuntu-22.04", True),
    ],
)
def test_contains_and_regex(text: str, name: str, expected: bool) -> None:
    assert holds(text, {"name": name}) is expected


def test_matching_ignores_non_text_values() -> None:
    assert not holds("name like '*'", {"name": 5})
    assert holds("os_version like '1*'", {"os_version": 10})  # catalogs may hold numbers


# -- custom properties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("os_version > 9", "10", True),  # both numbers: numeric
        ("os_version > 9", "9.5", True),
        ("os_version < 10", "9", True),
        ("os_version > '9'", "10", True),  # a quoted number is still a number
        ("os_version > 9", "abc", True),  # text: "abc" > "9"
        ("os_version < 9", "10a", True),  # text: "10a" < "9"
        ("os_version >= 2", "2.0", True),
        ("os_version = 2", "2.0", False),  # equality is exact text
        ("os_version = 10", 10, True),  # a JSON number in a catalog
        ("os_version > 9", "nan", False),  # text: "nan" < "9"? no, "n" > "9"
        ("os_version > 9", "1_000", False),  # not a number in the language: text
        ("os_version > 9", " 12 ", False),  # surrounding spaces: text, and " " sorts before "9"
        ("os_version = true", True, True),
    ],
)
def test_custom_properties_compare_as_numbers_when_both_are(text: str, value: Any, expected: bool) -> None:
    if value == "nan":
        expected = "nan" > "9"
    assert holds(text, {"os_version": value}) is expected


# -- times ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "created", "expected"),
    [
        ("created_at > '2025-01-01T02:00:00+02:00'", "2025-01-01T00:00:01Z", True),
        ("created_at = '2025-01-01T02:00:00+02:00'", "2025-01-01T00:00:00Z", True),
        ("created_at = 2025-01-01", "2025-01-01T00:00:00+00:00", True),
        ("created_at < 2025-01-01", "2025-01-01T01:00:00+02:00", True),  # 2024-12-31T23:00Z
        ("created_at > 7d ago", "2025-09-30T00:00:00Z", True),
        ("created_at > 7d ago", "2025-09-20T00:00:00Z", False),
        ("created_at > 2025-01-01", "not a time", False),
        ("created_at < 2025-01-01", "2024-12-31T23:59:59", True),  # no offset reads as UTC
    ],
)
def test_times_with_offsets(text: str, created: str, expected: bool) -> None:
    assert holds(text, {"created_at": created}) is expected


def test_parameters_must_be_bound() -> None:
    with pytest.raises(imgql.ParameterError):
        compile_predicate(Compare("name", "=", Param("x")))
    with pytest.raises(imgql.ParameterError):
        compile_predicate(where("created_at > 1d ago"))({})


def test_values_never_become_code() -> None:
    sneaky = "'); import os; ('"
    assert holds(f"name = {sneaky!r}".replace("\\", ""), {"name": sneaky}) in (True, False)
    assert compile_predicate(Compare("name", "=", sneaky))({"name": sneaky})


# -- sorting ------------------------------------------------------------------------------------------------------


def test_sort_nulls_first_ascending_last_descending() -> None:
    images = [{"id": "a", "size": 5}, {"id": "b", "size": None}, {"id": "c", "size": 1}, {"id": "d"}]
    up = sort_images(list(images), (SortKey("size"),))
    assert [i["id"] for i in up] == ["b", "d", "c", "a"]
    down = sort_images(list(images), (SortKey("size", descending=True),))
    assert [i["id"] for i in down] == ["a", "c", "b", "d"]


def test_sort_is_stable_and_multi_key() -> None:
    images = [
        {"id": "1", "name": "b", "size": 1},
        {"id": "2", "name": "a", "size": 1},
        {"id": "3", "name": "b", "size": 2},
        {"id": "4", "name": "a", "size": 1},
    ]
    ordered = sort_images(list(images), (SortKey("size", descending=True), SortKey("name")))
    assert [i["id"] for i in ordered] == ["3", "2", "4", "1"]
    ties = sort_images(list(images), (SortKey("size", descending=True),))
    assert [i["id"] for i in ties] == ["3", "1", "2", "4"]  # ties keep their order


def test_sort_by_time_and_property() -> None:
    images = [
        {"id": "1", "created_at": "2025-01-01T02:00:00+02:00", "os_version": "10"},
        {"id": "2", "created_at": "2025-01-01T00:30:00Z", "os_version": "9"},
        {"id": "3", "created_at": None, "os_version": "abc"},
        {"id": "4", "created_at": "2024-12-31T23:00:00Z"},
    ]
    assert [i["id"] for i in sort_images(list(images), (SortKey("created_at"),))] == ["3", "4", "1", "2"]
    # numbers by value before text; missing first
    assert [i["id"] for i in sort_images(list(images), (SortKey("os_version"),))] == ["4", "2", "1", "3"]


@given(
    word=st.text(alphabet=st.characters(max_codepoint=127, exclude_characters="*?\\"), min_size=1, max_size=4),
    text=st.text(max_size=12),
    upper=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_the_ascii_infix_shortcut_agrees_with_the_glob(word: str, text: str, upper: bool) -> None:
    pattern = f"*{word.upper() if upper else word}*"
    predicate = compile_predicate(Match("name", "like", pattern))
    expected = glob_to_regex(pattern).fullmatch(text.casefold()) is not None
    assert predicate({"name": text}) is expected
    kelvin = text + "\u212a"
    assert predicate({"name": kelvin}) is (glob_to_regex(pattern).fullmatch(kelvin.casefold()) is not None)


def test_a_malformed_record_falls_back_to_the_checked_predicate() -> None:
    predicate = compile_predicate(where("disk_format in (raw, qcow2)"))
    assert "except TypeError" in (predicate.__doc__ or "")
    assert predicate({"disk_format": "raw"}) is True
    assert predicate({"disk_format": ["raw"]}) is False
    assert predicate({"disk_format": None}) is False
    assert predicate({}) is False


def test_a_server_order_by_stored_fractions_is_re_sorted_by_id_within_each_shown_second() -> None:
    from imgql.plan.plan import total_order
    from imgql.run.answer import ties_sorted

    # As a server sorting `created_at:asc,id:asc` sends them: by the stored
    # fraction first, so ids within one shown second are out of order.
    records = [
        {"id": "c", "created_at": "2026-01-01T00:00:01Z"},
        {"id": "a", "created_at": "2026-01-01T00:00:01Z"},
        {"id": "b", "created_at": "2026-01-01T00:00:01Z"},
        {"id": "a2", "created_at": "2026-01-01T00:00:02Z"},
    ]
    order = (SortKey("created_at", False),)
    assert total_order(order) == (*order, SortKey("id", False))
    assert [r["id"] for r in ties_sorted(iter(records), order)] == ["a", "b", "c", "a2"]
    assert total_order((SortKey("status", True),))[-1] == SortKey("id", True)
    assert total_order((SortKey("id", True), SortKey("name", False))) == (SortKey("id", True), SortKey("name", False))


_GLOB_TEXT = st.text(st.sampled_from("abAB*?\\\u00df\ufb01\u0130\u212a-"), max_size=10)


@given(pattern=_GLOB_TEXT, text=_GLOB_TEXT)
@settings(max_examples=500, deadline=None)
def test_the_linear_glob_matcher_agrees_with_the_regular_expression(pattern: str, text: str) -> None:
    from imgql.run.predicate import glob_matcher

    expected = glob_to_regex(pattern).fullmatch(text.casefold()) is not None
    assert (glob_matcher(pattern)(text) is not None) is expected
    assert compile_predicate(Match("name", "like", pattern))({"name": text}) is expected


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("STRASSE", "Stra\u00dfe", True),  # one rule with contains: full case folding
        ("file", "\ufb01le", True),
        ("istanbul", "\u0130stanbul", False),  # İ folds to i and a combining dot
        ("i?stanbul", "\u0130stanbul", True),
        ("a\\b", "a\\b", True),  # a backslash before another character is itself
        ("a\\", "a\\", True),  # and so is one at the end
    ],
)
def test_like_and_contains_fold_case_alike(pattern: str, name: str, expected: bool) -> None:
    assert compile_predicate(Match("name", "like", pattern))({"name": name}) is expected
    if "?" not in pattern and "\\" not in pattern:
        assert compile_predicate(Match("name", "contains", pattern))({"name": name}) is expected


def test_like_takes_time_linear_in_the_text() -> None:
    # Backtracking took seconds and more on these; the bounded wait is generous.
    import threading

    from imgql.run.predicate import glob_matcher

    texts = [("*?" * 12 + "!", "x" * 43), ("*a*a*a*b", "a" * 255), ("*a" * 40 + "*b", "a" * 5000)]
    done = threading.Event()

    def run() -> None:
        for pattern, text in texts:
            assert glob_matcher(pattern)(text) is None
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(30), "a like pattern backtracked"
    catalog = imgql.Catalog(images=[{"id": "1", "name": "x" * 43}])
    assert list(catalog.query("images where name like '*?*?*?*?*?*?*?*?*?!'")) == []
