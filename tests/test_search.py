"""The search box: example-based tests of each syntax, and properties that
hold for any text a person can type."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang import fields as F
from imgql.lang.ast import And, Compare, InList, Match, Not, Query
from imgql.lang.searchbox import DEFAULT_ALLOW, search_box

UTC = dt.timezone.utc


def where(text: str, **kwargs: object) -> object:
    return search_box(text, **kwargs).where  # type: ignore[arg-type]


def canonical(allow: object) -> set[str]:
    return {F.lookup(name).name for name in allow}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "images"),
        ("   ", "images"),
        ("ubuntu", "images where name contains 'ubuntu'"),
        ("Ubuntu LTS", "images where name contains 'Ubuntu' and name contains 'LTS'"),
        ('"jammy jellyfish"', "images where name contains 'jammy jellyfish'"),
        ("tag:lts", "images where tag = lts"),
        ("tag: lts", "images where tag = lts"),
        ("size<5g", "images where size < 5GiB"),
        ("size < 5g", "images where size < 5GiB"),
        ("size:>5GB", "images where size > 5GB"),
        ("size:1GB..5GB", "images where size >= 1GB and size <= 5GB"),
        ("size:*..2GB", "images where size <= 2GB"),
        ("created:2025-01-01..*", "images where created_at >= 2025-01-01T00:00:00Z"),
        ("created:<=2025-01-01", "images where created_at < 2025-01-02T00:00:00Z"),
        ("created:>7d", "images where created_at > 7d ago"),
        ("status:active,queued", "images where status in (active, queued)"),
        ("-beta", "images where name not contains 'beta'"),
        ("-tag:eol", "images where not tag = eol"),
        ("name:ubuntu*", "images where name like 'ubuntu*'"),
        ("distro:debian", "images where os_distro = debian"),
        ("min_ram:>=2GiB", "images where min_ram >= 2048"),
        ("sort:created-desc ubuntu", "images where name contains 'ubuntu' order by created_at desc"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    query = search_box(text)
    assert str(query) == expected
    assert imgql.parse(str(query)) == query


def test_the_readme_search() -> None:
    query = search_box("ubuntu 22.04 tag:lts size<5g")
    assert query.where == And(
        (
            Match("name", "contains", "ubuntu"),
            Match("name", "contains", "22.04"),
            Compare("tags", "=", "lts"),
            Compare("size", "<", 5 * 1024**3),
        )
    )


def test_a_date_is_the_whole_day() -> None:
    day = dt.datetime(2025, 3, 1, tzinfo=UTC)
    assert where("created:2025-03-01") == And(
        (Compare("created_at", ">=", day), Compare("created_at", "<", day + dt.timedelta(days=1)))
    )


@pytest.mark.parametrize(
    "text",
    [
        "visibility:community",
        "visibility:all",
        "owner:abc",
        "member_status:all",
        "hidden:true",
        "os_hidden:true",
        "-visibility:private",
        "id:123",
    ],
)
def test_fields_outside_allow_are_words(text: str) -> None:
    query = search_box(text)
    assert query.fields == {"name"}
    assert isinstance(query.where, Match)


def test_an_application_may_allow_more() -> None:
    query = search_box("visibility:community owner:abc", allow=[*DEFAULT_ALLOW, "visibility", "owner"])
    assert query.fields == {"visibility", "owner"}
    assert str(query) == "images where visibility = community and owner = abc"


def test_membership_scope_only_narrows() -> None:
    allow = ["name", "member_status"]
    assert str(search_box("member_status:pending", allow=allow)) == "images where member_status = pending"
    # A negated or compared scope cannot be a filter: it becomes words.
    assert search_box("-member_status:pending", allow=allow).fields == {"name"}
    assert search_box("member_status:>a", allow=allow).fields == {"name"}


@pytest.mark.parametrize(
    "text",
    ["status:bogus", "size:lots", "size:1.5..x", "created:yesterday", "tag:>3", 'unbalanced "quote', "< > = :", "-"],
)
def test_what_cannot_be_read_becomes_words(text: str) -> None:
    query = search_box(text)
    assert query.fields <= {"name"}
    assert imgql.parse(str(query)) == query


def test_quoted_values_are_literal() -> None:
    assert where('name:"Ubuntu 22.04*"') == Compare("name", "=", "Ubuntu 22.04*")
    assert where('tag:"a,b"') == Compare("tags", "=", "a,b")
    assert where('-"golden image"') == Match("name", "contains", "golden image", negated=True)


def test_any_of_and_negated_range() -> None:
    assert where("tag:lts,gpu") == InList("tags", ("lts", "gpu"))
    assert where("-size:1GB..5GB") == Not(And((Compare("size", ">=", 10**9), Compare("size", "<=", 5 * 10**9))))


def test_default_field_and_allow_are_checked() -> None:
    assert where("x", default_field="os_distro") == Match("os_distro", "contains", "x")
    with pytest.raises(ValueError):
        search_box("x", default_field="size")
    with pytest.raises(ValueError):
        search_box("x", allow=["not a field"])


def test_control_characters_and_long_text() -> None:
    query = search_box("a\x00b\x1b[31mc\u200b " * 2000)
    assert imgql.parse(str(query)) == query
    assert query.fields == {"name"}


ALLOWS = st.sampled_from(
    [
        None,
        ["name"],
        ["name", "tag", "size"],
        ["status", "created", "min_ram", "architecture"],
        [*DEFAULT_ALLOW, "visibility", "member_status", "hidden", "owner"],
    ]
)

# Text biased towards the search syntax, so that the interesting paths are reached.
PIECES = st.sampled_from(
    [
        "tag:",
        "size",
        "size:",
        "<",
        "<=",
        ">",
        "..",
        ",",
        "-",
        '"',
        ":",
        "5g",
        "1.5GB",
        "2025-01-01",
        "*",
        "7d",
        "status:",
        "active",
        "visibility:",
        "owner:",
        "member_status:",
        "hidden",
        "sort:",
        "created",
        " ",
        "\x00",
        "\n",
        "lts",
        "'",
        "\\",
        "null",
        "--",
    ]
)
SEARCH_TEXT = st.one_of(st.text(), st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=30).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=SEARCH_TEXT, allow=ALLOWS)
def test_never_raises_never_widens_and_round_trips(text: str, allow: list[str] | None) -> None:
    query = search_box(text, allow=allow)
    assert isinstance(query, Query)
    permitted = canonical(DEFAULT_ALLOW if allow is None else allow) | {"name"}
    assert query.fields <= permitted
    assert not query.all_images
    assert query.limit is None
    assert imgql.parse(str(query)) == query


@settings(max_examples=20, deadline=None)
@given(piece=SEARCH_TEXT.filter(bool))
def test_ten_kilobytes(piece: str) -> None:
    text = (piece * (10_000 // len(piece) + 1))[:10_000]
    query = search_box(text)
    assert query.fields <= canonical(DEFAULT_ALLOW) | {"name"}
    assert imgql.parse(str(query)) == query
