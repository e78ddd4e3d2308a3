"""The planner: every row of tests/planner_cases.py, then the rules that a
table does not show (encoding, notes, sort fallback, page size, scope)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imgql
from imgql.errors import ParameterError
from imgql.lang.ast import Const, Expr, Query, SortKey
from imgql.lang.format import format_expr
from imgql.plan.capabilities import DOCUMENTED, GLANCE, NONE, PROFILES, get_profile
from imgql.plan.plan import Plan
from imgql.plan.planner import plan
from imgql.run.answer import plan_predicate
from tests.planner_cases import CASES, NOW, Case
from tests.strategies import exprs

PROFILE_NAMES = ("glance", "documented", "none")


def rendered(planned: Plan) -> list[str] | str:
    """A plan in the table's notation."""
    if not planned.requests:
        return "no request"
    out = []
    for request in planned.requests:
        params = list(request.params)
        if planned.page_size is not None:
            params.append(("limit", str(planned.page_size)))
        line = "&".join(f"{k}={v}" for k, v in params) or "-"
        if not request.fully_pushed:
            line += " | " + format_expr(request.residual)
        out.append(line)
    return out


def make(text: str, profile: str = "glance") -> Plan:
    return plan(imgql.parse(text), profile, now=NOW)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
@pytest.mark.parametrize("case", CASES, ids=[c.query for c in CASES])
def test_table(case: Case, profile: str) -> None:
    assert rendered(make(case.query, profile)) == getattr(case, profile)


@pytest.mark.parametrize("case", CASES, ids=[c.query for c in CASES])
def test_every_plan_explains_itself(case: Case) -> None:
    for profile in PROFILE_NAMES:
        planned = make(case.query, profile)
        text = planned.explain()
        assert text.startswith(f"query:   {imgql.parse(case.query)}\nprofile: {profile}")
        for request in planned.requests:
            assert f"GET {request.url(planned.page_size)}" in text
        assert str(planned) == text


def test_urls_are_percent_encoded_but_keep_operators_readable() -> None:
    (request,) = make("images where name in ('a,b', c) and created_at > '2025-01-01T00:00:00+02:00'").requests
    assert request.url() == "/v2/images?name=in:%22a,b%22,%22c%22&created_at=gte:2024-12-31T22:00:01Z"
    (request,) = make("images where name = 'a b+c&d'").requests
    assert request.url(5) == "/v2/images?name=a%20b%2Bc%26d&limit=5"
    assert make("images").requests[0].url() == "/v2/images"


def test_the_whole_predicate_is_rechecked_on_the_client() -> None:
    planned = make("images where tag = lts and name = 'a:b'")
    assert planned.requests[0].fully_pushed
    assert format_expr(planned.predicate) == "tag = lts and name = a:b"
    assert plan_predicate(planned)({"tags": ["lts"], "name": "a:b"})
    # A server comparing case-insensitively would return this one; the client drops it.
    assert not plan_predicate(planned)({"tags": ["lts"], "name": "A:B"})


# -- sort and limit ------------------------------------------------------------------------


def test_sort_falls_back_to_the_client_and_says_so() -> None:
    planned = make("images where tag = lts order by os_distro, name desc limit 3")
    assert not planned.server_sorts
    assert planned.client_sort == (*planned.order_by, SortKey("id", descending=True))  # ties by id
    assert planned.page_size is None
    assert all(("sort", "name:desc") not in r.params for r in planned.requests)
    assert any("cannot sort by os_distro" in n for n in planned.notes)
    assert "sorted on the client" in planned.explain()


def test_documented_profile_cannot_sort_by_size() -> None:
    planned = make("images order by size desc", "documented")
    assert not planned.server_sorts
    assert any("cannot sort by size" in n for n in planned.notes)
    assert not make("images order by size desc", "glance").server_sorts  # nulls break Glance's paging
    assert make("images where size >= 0 order by size desc", "glance").server_sorts


@pytest.mark.parametrize(
    ("text", "page_size"),
    [
        ("images where tag = lts limit 3", 3),
        ("images where tag = lts order by id limit 3", 3),
        # ties in the last second are read to the end of their run
        ("images where tag = lts order by created_at limit 3", None),
        ("images where tag = lts order by name limit 3", None),  # nulls in name: sorted on the client
        ("images where tag = lts limit 5000", 1000),
        # client filtering, a union, or client sorting: paging stops on the client
        ("images where name like 'u*' limit 3", None),
        ("images where tag in (a, b) limit 3", None),
        ("images where tag = lts order by os_distro limit 3", None),
        ("all images limit 3", None),
        ("images where tag = lts", None),
    ],
)
def test_limit_is_the_page_size_only_when_one_request_answers_exactly(text: str, page_size: int | None) -> None:
    planned = make(text)
    assert planned.page_size == page_size
    assert make(text, "none").page_size is None


def test_explain_of_a_limit_larger_than_a_page() -> None:
    assert "no further page" not in make("images where tag = lts limit 5000").explain()
    assert "no further page is fetched" in make("images where tag = lts limit 5").explain()


def test_limit_zero_makes_no_request() -> None:
    planned = make("images where tag = lts limit 0")
    assert planned.requests == ()
    assert "limit 0" in planned.explain()


# -- unions ------------------------------------------------------------------------------------


def test_union_is_noted_and_bounded_by_max_union() -> None:
    planned = make("images where tag in (a, b, c, d)")
    assert len(planned.requests) == GLANCE.max_union == 4
    assert "one request per branch (4)" in planned.explain()
    wider = make("images where tag in (a, b, c, d, e)")
    assert len(wider.requests) == 1
    assert format_expr(wider.requests[0].residual) == "tag in (a, b, c, d, e)"


def test_union_prefers_the_disjunction_expected_to_list_fewest_images() -> None:
    # Three names select far fewer images than two tags, one request more.
    planned = make("images where (name = a or name = b or name = c) and (tag = x or tag = y)", "documented")
    assert [dict(r.params) for r in planned.requests] == [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    assert all(format_expr(r.residual) == "tag in (x, y)" for r in planned.requests)
    # Between equal expectations, the one with fewer branches.
    planned = make("images where (tag = a or tag = b or tag = c) and (tag = x or tag = y)", "documented")
    assert len(planned.requests) == 2


def test_union_needs_every_branch_exact() -> None:
    # `created_at < X` cannot join `created_at > Y` in one request.
    planned = make("images where created_at > 2025-01-01 and (created_at < 2025-02-01 or tag = b)")
    assert len(planned.requests) == 1


def test_partitions_multiply_requests() -> None:
    planned = make("images where member_status in (pending, rejected) and (hidden or tag in (a, b))")
    assert [r.url() for r in planned.requests] == [
        "/v2/images?member_status=pending&tag=a",
        "/v2/images?member_status=pending&tag=b",
        "/v2/images?member_status=pending&os_hidden=true",
        "/v2/images?member_status=rejected&tag=a",
        "/v2/images?member_status=rejected&tag=b",
        "/v2/images?member_status=rejected&os_hidden=true",
    ]


# -- scope ---------------------------------------------------------------------------------------


def test_hidden_partitions() -> None:
    assert make("images where tag = x").hidden == (False,)
    assert make("images where hidden or tag = x").hidden == (False, True)
    assert make("all images").hidden == (False, True)
    assert any("no non-hidden image can match" in n for n in make("images where hidden").notes)


def test_member_status_is_taken_out_of_the_predicate() -> None:
    planned = make("images where member_status = pending and tag = x")
    assert format_expr(planned.predicate) == "tag = x"
    assert plan_predicate(planned)({"tags": ["x"]})


# -- profiles ---------------------------------------------------------------------------------------


def test_profiles_are_data() -> None:
    assert set(PROFILES) == set(PROFILE_NAMES)
    assert get_profile("glance") is GLANCE
    assert get_profile(DOCUMENTED) is DOCUMENTED
    assert NONE.rules == {} and not NONE.server_limit
    with pytest.raises(imgql.PlanError, match="unknown profile 'swift'"):
        get_profile("swift")


def test_plans_need_bound_parameters() -> None:
    with pytest.raises(imgql.ParameterError, match=r"bind \$who"):
        plan(imgql.parse("images where owner = $who"), "glance", now=NOW)
    assert imgql.parse("images where owner = $who").plan("glance", who="p1").requests[0].params == (("owner", "p1"),)


def test_relative_times_resolve_at_plan_time() -> None:
    later = NOW + dt.timedelta(hours=1)
    first = plan(imgql.parse("images where created_at > 1h ago"), "glance", now=NOW)
    second = plan(imgql.parse("images where created_at > 1h ago"), "glance", now=later)
    assert first.requests[0].params == (("created_at", "gte:2025-10-02T11:00:01Z"),)
    assert second.requests[0].params == (("created_at", "gte:2025-10-02T12:00:01Z"),)


def test_no_predicate_is_one_plain_request() -> None:
    planned = plan(Query(), "glance", now=NOW)
    assert [r.params for r in planned.requests] == [()]
    assert planned.predicate == Const(True)


def test_reasons_are_worded_only_when_read() -> None:
    from imgql.lang.ast import Expr

    plan = imgql.parse("images where name ~ '^a' and status = active").plan("glance")
    (request,) = plan.requests
    # The plan keeps the conditions themselves; the words come with explain().
    assert all(isinstance(expr, Expr) and isinstance(why, str) for expr, why in request.kept)
    assert request.reasons == tuple(f"{format_expr(expr)}: {why}" for expr, why in request.kept)
    assert all(f"on the client: {reason}" in plan.explain() for reason in request.reasons)


@settings(max_examples=300, deadline=None)
@given(exprs(max_leaves=6), st.booleans())
def test_hidden_partitions_decided_without_simplifying_again(where: Expr, hidden: bool) -> None:
    from imgql.plan.normalize import normalize, simplify
    from imgql.plan.partitions import assume_hidden, partition

    try:
        expr = normalize(where, dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    except ParameterError:
        return
    substituted = assume_hidden(expr, hidden)
    assert partition(expr, hidden) == (expr if substituted is expr else simplify(substituted))


def test_explain_says_why_a_union_is_made_or_not() -> None:
    small = make("images where visibility in (private, shared)").explain()
    assert "one request per branch (2)" in small and "about 10%" in small
    large = make("images where visibility in (public, community)").explain()
    assert "not a union of 2: the branches are expected to list about 90%" in large
    ranged = make("images where size in (1, 2)")
    assert [r.url() for r in ranged.wider] == ["/v2/images?size_min=1&size_max=2"]
    limited = make("images where tag in (a, b) order by created_at desc limit 3").explain()
    assert "stops once the limit is met" in limited


def test_a_profile_may_weigh_unions_otherwise() -> None:
    import attrs

    query = imgql.parse("images where visibility in (public, community)")
    always = plan(query, attrs.evolve(GLANCE, union_share=float("inf")), now=NOW)
    assert [dict(r.params)["visibility"] for r in always.requests] == ["public", "community"]
    never = plan(imgql.parse("images where tag in (a, b)"), attrs.evolve(GLANCE, union_share=-1.0), now=NOW)
    assert len(never.requests) == 1
