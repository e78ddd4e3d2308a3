"""The search box: example-based tests of each syntax, and properties that
hold for any text a person can type."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang import fields as F
from imgql.lang.ast import And, Compare, InList, Match, Not, Or, Query
from imgql.lang.searchbox import DEFAULT_ALLOW, MAX_LENGTH, SearchQuery, search_box

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
        ("tag:lts", "images where tag like 'lts'"),
        ("tag: lts", "images where tag like 'lts'"),
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
        ("-tag:eol", "images where not tag like 'eol'"),
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
            Match("tags", "like", "lts"),
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
def test_fields_outside_allow_are_ignored_and_said_so(text: str) -> None:
    query = search_box(text)
    assert query.where is None
    assert query.fields == frozenset()
    [(term, reason)] = query.ignored
    assert term == text
    assert "not a field this search filters on" in reason


def test_a_name_that_is_not_a_field_is_words() -> None:
    query = search_box("http://mirror c++:x")
    assert str(query) == "images where name contains 'http://mirror' and name contains 'c++:x'"
    assert query.ignored == ()


def test_an_application_may_allow_more() -> None:
    query = search_box("visibility:community owner:abc", allow=[*DEFAULT_ALLOW, "visibility", "owner"])
    assert query.fields == {"visibility", "owner"}
    # Ids are lower case in Glance: the server filters them.
    assert str(query) == "images where visibility = community and owner = abc"


def test_membership_scope_only_narrows() -> None:
    allow = ["name", "member_status"]
    assert str(search_box("member_status:pending", allow=allow)) == "images where member_status = pending"
    # A negated or compared scope cannot be a filter: it is left out, and said so.
    for text in ("-member_status:pending", "member_status:>a"):
        query = search_box(text, allow=allow)
        assert query.where is None
        assert [term for term, _ in query.ignored] == [text]


@pytest.mark.parametrize(
    "text",
    ["status:bogus", "size:lots", "size:1.5..x", "created:yesterday", "tag:>3", 'unbalanced "quote', "< > = :", "-"],
)
def test_what_cannot_be_read_is_ignored_with_a_reason(text: str) -> None:
    query = search_box(text)
    assert query.fields <= {"name"}
    assert query.ignored
    assert all(term and reason for term, reason in query.ignored)
    assert imgql.parse(str(query)) == query


def test_quoted_values_are_literal() -> None:
    # Quoted: no glob, no list; the case still does not matter.
    assert where('name:"Ubuntu 22.04*"') == Match("name", "like", "Ubuntu 22.04\\*")
    assert where('tag:"a,b"') == Match("tags", "like", "a,b")
    assert where('-"golden image"') == Match("name", "contains", "golden image", negated=True)


def test_any_of_and_negated_range() -> None:
    assert where("tag:lts,gpu") == Or((Match("tags", "like", "lts"), Match("tags", "like", "gpu")))
    assert where("format:QCOW2,raw") == InList("disk_format", ("qcow2", "raw"))
    assert where("-size:1GB..5GB") == Not(And((Compare("size", ">=", 10**9), Compare("size", "<=", 5 * 10**9))))


def test_default_field_and_allow_are_checked() -> None:
    assert where("x", default_field="os_distro") == Match("os_distro", "contains", "x")
    with pytest.raises(imgql.SearchBoxError):
        search_box("x", default_field="size")
    with pytest.raises(imgql.SearchBoxError):
        search_box("x", allow=["not a field"])


def test_control_characters_and_long_text() -> None:
    query = search_box("a\x00b\x1b[31mc\u200b " * 1800)
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
    # What was left out is said, each term with a reason in words.
    assert all(isinstance(t, str) and t and isinstance(r, str) and r for t, r in query.ignored)


@settings(max_examples=20, deadline=None)
@given(piece=SEARCH_TEXT.filter(bool))
def test_ten_kilobytes(piece: str) -> None:
    text = (piece * (10_000 // len(piece) + 1))[:10_000]
    query = search_box(text)
    assert query.fields <= canonical(DEFAULT_ALLOW) | {"name"}
    assert imgql.parse(str(query)) == query


# --- a visitor's case (the example catalog: tags and distros are lower case there)


@pytest.mark.parametrize(
    ("lower", "other"),
    [
        ("tag:lts", "tag:LTS"),
        ("distro:ubuntu", "distro:Ubuntu"),
        ("format:qcow2", "format:QCOW2"),
        ("status:active", "status:ACTIVE"),
        ("name:ubuntu*", "name:UBUNTU*"),
        ("ubuntu", "UBUNTU"),
    ],
)
def test_case_does_not_matter(lower: str, other: str) -> None:
    catalog = imgql.Catalog("examples/catalog.json")
    expected = [image.id for image in catalog.query(search_box(lower))]
    assert expected
    assert [image.id for image in catalog.query(search_box(other))] == expected


def test_lower_case_fields_stay_filters_the_server_applies() -> None:
    plan = search_box("distro:Ubuntu format:QCOW2").plan()
    assert dict(plan.requests[0].params) == {"os_distro": "ubuntu", "disk_format": "qcow2"}


# --- what is not understood is said, not searched for


@pytest.mark.parametrize(
    ("text", "term", "reason"),
    [
        ("size<5xb", "size<5xb", "unknown size unit 'xb'"),
        ("sort:bogus ubuntu", "sort:bogus", "not a field this search can sort by"),
        ("-- ubuntu", "--", "a dash with nothing after it"),
        ("status:actve", "status:actve", "'actve' is not a status"),
        ("created:yesterday", "created:yesterday", "not a date or time"),
        ("tag:>3", "tag:>3", "tags has no order"),
        ("size:", "size:", "no value after size:"),
    ],
)
def test_ignored_terms_and_why(text: str, term: str, reason: str) -> None:
    query = search_box(text)
    assert query.fields <= {"name"}
    assert "'-'" not in str(query)  # `--` never hides every hyphenated name
    [(ignored_term, why)] = query.ignored
    assert ignored_term == term
    assert reason in why


def test_ignored_is_not_part_of_the_query() -> None:
    query = search_box("ubuntu size<5xb")
    assert query == imgql.parse("images where name contains ubuntu")
    assert hash(query) == hash(imgql.parse("images where name contains ubuntu"))
    assert query.ignored == (("size<5xb", query.ignored[0][1]),)


@pytest.mark.parametrize("text", [b"ubuntu", None, 5, ["ubuntu"]])
def test_text_must_be_text(text: object) -> None:
    with pytest.raises(imgql.SearchBoxError, match="must be a str"):
        search_box(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("allow", "message"),
    [
        (["visibilty"], "did you mean 'visibility'"),
        (["name", 3], "not a field name"),
        (["not a field"], "not a field name"),
        (5, "allow must be a list"),
    ],
)
def test_bad_allow_entries(allow: object, message: str) -> None:
    with pytest.raises(imgql.SearchBoxError, match=message):
        search_box("x", allow=allow)  # type: ignore[arg-type]


def test_a_custom_property_is_allowed_by_its_prefixed_name() -> None:
    assert str(search_box("visibilty:x", allow=["property.visibilty"])) == ("images where property.visibilty like 'x'")


def test_the_input_limit() -> None:
    assert search_box("x" * MAX_LENGTH).where == Match("name", "contains", "x" * MAX_LENGTH)
    with pytest.raises(imgql.SearchBoxError, match=f"at most {MAX_LENGTH}"):
        search_box("x" * (MAX_LENGTH + 1))
    assert search_box("abc", max_length=3).where is not None


@pytest.mark.parametrize(
    "text",
    [
        " ".join(f"w{i}" for i in range(MAX_LENGTH // 8)),  # many distinct words
        "ubuntu " * (MAX_LENGTH // 7),  # the same word again and again
        'a"' * (MAX_LENGTH // 2),  # quotes without pairs
        "tag:a,b " * (MAX_LENGTH // 8),
    ],
)
def test_the_longest_text_is_read_in_one_pass(text: str) -> None:
    # Quadratic work would take minutes here; the suite's time shows it.
    query = search_box(text[:MAX_LENGTH])
    assert query.fields <= {"name", "tags"}


def test_the_tree_ends_in_the_check_pass() -> None:
    from imgql.lang.check import check

    query = search_box("ubuntu tag:lts size<5g created:>7d status:active,queued sort:size-desc")
    result = check(query)
    assert result.ok and not result.warnings
    assert result.query == query
    assert isinstance(query, SearchQuery)
