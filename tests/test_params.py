"""Bound parameters: Python values placed into the AST, never into text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang.ast import And, Compare, Exists, InList, Match, Param, RelativeTime

UTC = dt.timezone.utc


def bound(text: str, **params: object) -> imgql.Query:
    query = imgql.parse(text).bind(**params)
    # A bound query is a query like any other: its text reads back.
    assert imgql.parse(str(query)) == query
    assert not query.params
    return query


def test_params_are_listed() -> None:
    query = imgql.parse("images where name = $name and (size < $max or tag in ($t, lts)) and x like $p")
    assert query.params == frozenset({"name", "max", "t", "p"})


def test_strings() -> None:
    assert bound("images where name = $n", n="ubuntu").where == Compare("name", "=", "ubuntu")
    assert bound("images where os_version = $v", v="22.04").where == Compare("os_version", "=", "22.04")


def test_numbers_for_text_fields_become_text() -> None:
    assert bound("images where os_version = $v", v=22).where == Compare("os_version", "=", "22")
    assert bound("images where os_version = $v", v=1.5).where == Compare("os_version", "=", "1.5")
    assert bound("images where os_version = $v", v=Decimal("1.50")).where == Compare("os_version", "=", "1.50")
    assert bound("images where x = $v", v=True).where == Compare("x", "=", "true")


def test_sizes() -> None:
    assert bound("images where size < $s", s=5 * 10**9).where == Compare("size", "<", 5 * 10**9)
    assert bound("images where size < $s", s="5GB").where == Compare("size", "<", 5 * 10**9)
    assert bound("images where size < $s", s=1024.0).where == Compare("size", "<", 1024)
    assert bound("images where min_ram >= $r", r="2GiB").where == Compare("min_ram", ">=", 2048)
    assert bound("images where min_ram >= $r", r=2048).where == Compare("min_ram", ">=", 2048)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "a size cannot be true or false"),
        (-1, "a size cannot be negative"),
        (10**40, "too large"),
        (float("nan"), "not a size"),
        (float("inf"), "not a size"),
        ("5QB", "unknown size unit"),
    ],
)
def test_bad_sizes(value: object, words: str) -> None:
    with pytest.raises(imgql.InvalidValueError, match=words) as info:
        imgql.parse("images where size < $s").bind(s=value)
    assert "$s" in str(info.value)


def test_sizes_round_as_the_same_literal_would() -> None:
    # A bound value means what the same text in the query means: a fractional
    # bound becomes the whole bound selecting the same sizes; a fractional
    # equality is refused.
    assert bound("images where size < $s", s=1.5).where == imgql.parse("images where size < 1.5").where
    assert bound("images where size < $s", s=1.5).where == Compare("size", "<", 2)
    assert bound("images where min_ram >= $r", r="1GB").where == Compare("min_ram", ">=", 954)
    assert bound("images where min_ram <= $r", r="1GB").where == Compare("min_ram", "<=", 953)
    with pytest.raises(imgql.InvalidValueError, match=r"\$s .*whole number"):
        imgql.parse("images where size = $s").bind(s=1.5)


def test_booleans() -> None:
    assert bound("images where protected = $p", p=False).where == Compare("protected", "=", False)
    assert bound("images where hidden = $p", p="TRUE").where == Compare("os_hidden", "=", True)
    with pytest.raises(imgql.InvalidValueError, match=r"\$p does not fit protected: a int is not a boolean"):
        imgql.parse("images where protected = $p").bind(p=1)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("images where protected = $v", 1),
        ("images where protected = $v", 0.0),
        ("images where hidden = $v", dt.datetime(2025, 1, 1)),
        ("images where created_at > $v", 5),
        ("images where created_at > $v", True),
        ("images where created_at > $v", Decimal("1.5")),
        ("images where size > $v", dt.date(2025, 1, 1)),
        ("images where size > $v", dt.timedelta(days=1)),
    ],
)
def test_a_value_of_the_wrong_kind_does_not_fit(text: str, value: object) -> None:
    # A type the table of bound values names, given where it cannot be read,
    # is a value that does not fit (as its text would be), not misuse.
    with pytest.raises(imgql.InvalidValueError, match=r"\$v does not fit"):
        imgql.parse(text).bind(v=value)


def test_datetimes() -> None:
    query = bound("images where created_at > $t", t=dt.datetime(2025, 1, 1, 12))
    assert query.where == Compare("created_at", ">", dt.datetime(2025, 1, 1, 12, tzinfo=UTC))
    plus_two = dt.timezone(dt.timedelta(hours=2))
    query = bound("images where created_at > $t", t=dt.datetime(2025, 1, 1, 12, tzinfo=plus_two))
    assert query.where == Compare("created_at", ">", dt.datetime(2025, 1, 1, 10, tzinfo=UTC))
    assert str(query) == "images where created_at > 2025-01-01T10:00:00Z"
    query = bound("images where created_at > $t", t=dt.date(2025, 1, 1))
    assert query.where == Compare("created_at", ">", dt.datetime(2025, 1, 1, tzinfo=UTC))
    query = bound("images where created_at > $t", t="2025-01-01T00:00:00+01:00")
    assert query.where == Compare("created_at", ">", dt.datetime(2024, 12, 31, 23, tzinfo=UTC))


def test_relative_times() -> None:
    assert bound("images where created_at > $t", t="7d ago").where == Compare(
        "created_at", ">", RelativeTime(Decimal(7), "d")
    )
    assert bound("images where created_at > $t", t=dt.timedelta(days=14)).where == Compare(
        "created_at", ">", RelativeTime(Decimal(2), "w")
    )
    assert bound("images where created_at > $t", t=dt.timedelta(hours=36)).where == Compare(
        "created_at", ">", RelativeTime(Decimal(36), "h")
    )
    query = bound("images where created_at > $t", t=dt.timedelta(seconds=1, microseconds=500))
    assert query.where.value.delta() == dt.timedelta(seconds=1, microseconds=500)  # type: ignore[union-attr]
    with pytest.raises(imgql.InvalidValueError, match="future"):
        imgql.parse("images where created_at > $t").bind(t=dt.timedelta(days=-1))
    with pytest.raises(imgql.InvalidValueError, match="too far in the past"):
        imgql.parse("images where created_at > $t").bind(t=dt.timedelta(days=999_999))


def test_enums() -> None:
    assert bound("images where status = $s", s="ACTIVE").where == Compare("status", "=", "active")
    assert bound("images where member_status = $m", m="pending").where == Compare("member_status", "=", "pending")
    with pytest.raises(imgql.InvalidValueError, match="expected one of"):
        imgql.parse("images where status = $s").bind(s="nope")


def test_lists_for_in() -> None:
    query = bound("images where tag in ($tags)", tags=["lts", "gpu"])
    assert query.where == InList("tags", ("lts", "gpu"))
    query = bound("images where x in ($a, z, $b)", a=("a", "z"), b="b")
    assert query.where == InList("x", ("a", "z", "b"))
    query = bound("images where size not in ($s)", s=[1024, "1KiB", "1MiB"])
    assert query.where == InList("size", (1024, 1024**2), negated=True)


def test_lists_for_equality_become_in() -> None:
    assert bound("images where status = $s", s=["active", "queued"]).where == InList("status", ("active", "queued"))
    assert bound("images where x != $s", s=("a", "b")).where == InList("x", ("a", "b"), negated=True)
    assert bound("images where member_status = $m", m=["pending", "all"]).where == InList(
        "member_status", ("pending", "all")
    )


def test_lists_where_a_single_value_is_needed() -> None:
    with pytest.raises(imgql.ParameterError, match="list"):
        imgql.parse("images where x < $s").bind(s=["a"])


def test_empty_lists_are_refused() -> None:
    for text in ("images where x in ($s)", "images where x = $s", "images where x != $s"):
        with pytest.raises(imgql.ParameterError, match=r"\$s is an empty list"):
            imgql.parse(text).bind(s=[])


def test_none() -> None:
    assert bound("images where x = $v", v=None).where == Exists("x", False)
    assert bound("images where x != $v", v=None).where == Exists("x", True)
    for text in ("images where x < $v", "images where member_status = $v", "images where x in ($v)"):
        with pytest.raises(imgql.ParameterError, match=r"\$v"):
            imgql.parse(text).bind(v=None)
    with pytest.raises(imgql.ParameterError, match="None cannot be in a list"):
        imgql.parse("images where x in ($v)").bind(v=["a", None])


def test_patterns() -> None:
    assert bound("images where name like $p", p="ubuntu-*").where == Match("name", "like", "ubuntu-*")
    assert bound("images where name contains $p", p="it's").where == Match("name", "contains", "it's")
    assert bound("images where name !~ $p", p="(?i)beta").where == Match("name", "regex", "(?i)beta", True)
    with pytest.raises(imgql.ParameterError, match="must be text"):
        imgql.parse("images where name like $p").bind(p=5)
    with pytest.raises(imgql.InvalidPatternError, match=r"\$p"):
        imgql.parse("images where name ~ $p").bind(p="(")


def test_a_parameter_used_twice() -> None:
    query = bound("images where x = $v or y in ($v)", v="a")
    assert str(query) == "images where x = a or y in (a)"


def test_missing_parameter_is_named() -> None:
    with pytest.raises(imgql.ParameterError, match=r"no value given for \$name"):
        imgql.parse("images where name = $name").bind()
    with pytest.raises(imgql.ParameterError, match=r"\$a, \$b"):
        imgql.parse("images where x = $b and y = $a").bind()


def test_unused_parameter_is_an_error() -> None:
    with pytest.raises(imgql.ParameterError, match=r"no parameter named \$extra"):
        imgql.parse("images where name = $name").bind(name="x", extra=1)
    with pytest.raises(imgql.ParameterError, match=r"\$extra"):
        imgql.parse("images").bind(extra=1)


@pytest.mark.parametrize("value", [object(), {"a": 1}, b"bytes", 1j])
def test_unsupported_types(value: object) -> None:
    with pytest.raises(imgql.ParameterError, match=r"\$v"):
        imgql.parse("images where x = $v").bind(v=value)


def test_huge_int_for_text_field() -> None:
    with pytest.raises(imgql.InvalidValueError, match="too large"):
        imgql.parse("images where x = $v").bind(v=10**5000)


def test_no_params_binds_to_itself() -> None:
    query = imgql.parse("images where x = 1")
    assert query.bind() is query


def test_parameter_errors_are_imgql_errors() -> None:
    assert issubclass(imgql.ParameterError, imgql.Error)


INJECTIONS = [
    "x' or name != '",
    'x" or name != "',
    "x') or (name != 'y",
    "a\\' or 1=1 --",
    "$other",
    "-- comment",
    "x\n or name exists",
    "' or '' = '",
    "null",
    "7d ago",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_quotes_in_a_value_never_change_the_query_shape(value: str) -> None:
    query = bound("images where name = $n and tag = lts", n=value)
    assert query.where == And((Compare("name", "=", value), Compare("tags", "=", "lts")))
    assert query.fields == frozenset({"name", "tags"})


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_value_stays_one_value(value: str) -> None:
    query = imgql.parse("images where name = $n or x in ($n, z)").bind(n=value)
    assert imgql.parse(str(query)) == query
    assert query.fields == frozenset({"name", "x"})


def test_param_node() -> None:
    assert imgql.parse("images where x = $Abc_1").where == Compare("x", "=", Param("Abc_1"))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("images where region in ($r) and tag = a", {"r": ["*", "RegionOne"]}),
        ("images where cloud = $c", {"c": "*"}),
        ("images where cloud in ($c)", {"c": ["prod", "*"]}),
        ("images where cloud = $c", {"c": ["prod", "*"]}),
    ],
)
def test_bound_values_are_refused_where_the_literal_is(text: str, values: dict[str, object]) -> None:
    with pytest.raises(imgql.InvalidValueError):
        imgql.parse(text).bind(**values)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("images where region = $r", {"r": "*"}),
        ("images where region in ($r)", {"r": ["RegionOne", "RegionTwo"]}),
        ("images where cloud = $c and name = $n", {"c": ["a", "b"], "n": "x' or name != '"}),
        ("images where size < $s and tag in ($t)", {"s": 1.5, "t": ["lts", "gpu"]}),
        ("images where name like $p and created_at > $d", {"p": "a*\\?", "d": "7d ago"}),
    ],
)
def test_a_bound_query_reads_back_from_its_text(text: str, values: dict[str, object]) -> None:
    query = imgql.parse(text).bind(**values)
    assert imgql.parse(str(query)) == query


def test_the_command_lines_own_conditions_go_through_the_check_pass() -> None:
    import argparse

    from imgql.cli.commands import placed

    args = argparse.Namespace(all_regions=False, clouds=["prod", "*"])
    with pytest.raises(imgql.InvalidValueError, match="name the clouds"):
        placed("images", args)
    fine = placed("images", argparse.Namespace(all_regions=True, clouds=["a", "b"]))
    assert imgql.parse(str(fine)) == fine
