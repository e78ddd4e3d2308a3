"""Normalization: each rewrite on its own, then properties over random
expressions and records (meaning kept under the null rule, idempotence),
then size and depth limits."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang import fields as F
from imgql.lang.ast import MAX_DEPTH, And, Compare, Const, Exists, Expr, InList, Match, Not, Or, Param, RelativeTime
from imgql.lang.format import format_expr
from imgql.plan.explain import explain
from imgql.plan.normalize import normalize, push_negations, resolve_times, simplify
from imgql.plan.planner import plan
from imgql.run.answer import plan_predicate
from imgql.run.predicate import compile_predicate
from tests import strategies as S

NOW = dt.datetime(2025, 10, 2, 12, 0, 0, tzinfo=dt.timezone.utc)


def where(text: str) -> Expr:
    query = imgql.parse(f"images where {text}")
    assert query.where is not None
    return query.where


def norm(text: str) -> str:
    return format_expr(normalize(where(text), NOW))


# -- the rewrites one by one ------------------------------------------------------------


def test_resolve_times_turns_relative_times_into_instants_once() -> None:
    resolved = resolve_times(where("created_at > 7d ago or updated in (1h ago)"), NOW)
    assert format_expr(resolved) == "created_at > 2025-09-25T12:00:00Z or updated_at in (2025-10-02T11:00:00Z)"
    unresolved = where("created_at > 7d ago")
    assert resolve_times(unresolved, None) is unresolved


def test_push_negations_moves_not_to_single_predicates() -> None:
    pushed = push_negations(where("not (name = a and (size > 1 or not tag = x))"))
    assert format_expr(pushed) == "not name = a or not size > 1 and tag = x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The null rule: a queued image (size null) satisfies `not size < 1KB`
        # but not `size >= 1KB`, so the negation stays.
        ("not size < 1KB", "not size < 1KB"),
        ("not name = a", "not name = a"),
        ("not name in (a, b)", "not name in (a, b)"),
        ("not name like 'u*'", "not name like 'u*'"),
        # Exact negations: presence, and tags (never null: no tags is []).
        ("not size exists", "size missing"),
        ("not os_distro missing", "os_distro exists"),
        ("not tag = a", "tag != a"),
        ("not tag in (a, b)", "tag not in (a, b)"),
        ("not tag like 'a*'", "tag not like 'a*'"),
        ("not (size < 1KB or tag = a)", "not size < 1KB and tag != a"),
        ("not (tag = a and tag in (b, c))", "tag != a or tag not in (b, c)"),
        ("not not name = x", "name = x"),
    ],
)
def test_negations(text: str, expected: str) -> None:
    assert norm(text) == expected


def test_the_null_rule_is_why_negations_stay() -> None:
    queued = {"id": "q", "size": None}
    assert compile_predicate(normalize(where("not size < 1KB")))(queued)
    assert not compile_predicate(where("size >= 1KB"))(queued)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # flattening
        ("(a = 1 and b = 2) and (c = 3 and (d = 4))", "a = 1 and b = 2 and c = 3 and d = 4"),
        ("a = 1 or (b = 2 or (c = 3 or d = 4))", "a = 1 or b = 2 or c = 3 or d = 4"),
        # ranges on one field merged
        ("size > 1 and size > 2 and size <= 10", "size > 2 and size <= 10"),
        ("size >= 2 and size > 2", "size > 2"),
        ("size <= 2 and size < 2", "size < 2"),
        ("size >= 5 and size <= 5", "size = 5"),
        ("size != 3 and size > 5", "size > 5"),
        ("size != 7 and size > 5", "size > 5 and size != 7"),
        ("size in (1, 5, 9) and size > 3", "size in (5, 9)"),
        ("size > 3 and size exists", "size > 3"),
        ("created_at > 7d ago and created_at > 30d ago", "created_at > 2025-09-25T12:00:00Z"),
        # in lists merged
        ("name in (a, b, c) and name in (b, c, d)", "name in (b, c)"),
        ("name in (a, b) and name = b", "name = b"),
        ("name = a or name = b or name in (c, a)", "name in (a, b, c)"),
        ("tag = a or tag = b", "tag in (a, b)"),
        ("name = a and name != b", "name = a"),
        ("tag = a and tag in (a, b)", "tag = a"),
        ("tag in (a, b) and tag != a", "tag = b and tag != a"),
        # duplicates
        ("name = a and name = a", "name = a"),
        ("name like 'x*' or name like 'x*'", "name like 'x*'"),
        # tautologies dropped
        ("size exists or size missing", "true"),
        ("size < 3 or not size < 3", "true"),
        ("tag = a or not tag = a", "true"),
        ("tag in (a, b) or tag not in (a, b) or name = x", "true"),
        ("name = x and (size < 3 or not size < 3)", "name = x"),
        # ordering on text is left as written
        ("name > a and name > b", "name > a and name > b"),
        # member_status is scope, never merged
        (
            "member_status = pending and member_status = rejected",
            "member_status = pending and member_status = rejected",
        ),
    ],
)
def test_simplify(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "size > 5GB and size < 1GB",
        "size > 5 and size < 5",
        "size >= 5 and size < 5",
        "size = 5 and size != 5",
        "size in (1, 2) and size > 2",
        "tag = a and tag != a",
        "tag in (a, b) and tag not in (a, b)",
        "tag missing and tag = a",
        "status = active and status = queued",
        "name in (a, b) and name in (c, d)",
        "hidden and not hidden",
        "protected = true and protected != true",
        "size missing and size > 3",
        "size missing and size exists",
        "created_at > 2025-01-02 and created_at < 2025-01-01",
        "not size = 5 and size in (5)",
        "name = a and (tag = x and not name = a)",
    ],
)
def test_contradictions_become_false_and_make_no_request(text: str) -> None:
    assert normalize(where(text), NOW) == Const(False)
    for profile in ("glance", "documented", "none"):
        planned = plan(imgql.parse(f"images where {text} order by name limit 3"), profile, now=NOW)
        assert planned.requests == ()
        assert "no request" in explain(planned)


def test_empty_lists() -> None:
    assert simplify(InList("name", ())) == Const(False)
    assert simplify(InList("name", (), negated=True)) == Exists("name", True)
    assert simplify(InList("tags", ())) == Const(False)
    assert simplify(InList("tags", (), negated=True)) == Const(True)


def test_no_predicate_is_true() -> None:
    assert normalize(None) == Const(True)


def test_unresolved_times_and_params_are_left_alone() -> None:
    # Without `now`, relative times cannot be compared with one another.
    expr = where("created_at > 7d ago and created_at > 30d ago and created_at > 2025-01-01")
    assert normalize(expr) == expr
    bounds = And((Compare("size", ">", Param("a")), Compare("size", ">", 3)))
    assert normalize(bounds) == bounds


def test_normalize_returns_new_values_and_keeps_the_input() -> None:
    expr = where("not (name = a and tag = b)")
    before = format_expr(expr)
    normalize(expr, NOW)
    assert format_expr(expr) == before


# -- properties --------------------------------------------------------------------------


def without_params(expr: Expr) -> Expr:
    """``expr`` with every bound parameter replaced by a literal of its field."""
    if isinstance(expr, (And, Or)):
        return type(expr)(tuple(without_params(e) for e in expr.operands))
    if isinstance(expr, Not):
        return Not(without_params(expr.operand))
    if isinstance(expr, Compare) and isinstance(expr.value, Param):
        return Compare(expr.field, expr.op, _stand_in(expr.field))
    if isinstance(expr, InList) and any(isinstance(v, Param) for v in expr.values):
        values = tuple(dict.fromkeys(_stand_in(expr.field) if isinstance(v, Param) else v for v in expr.values))
        return InList(expr.field, values, expr.negated)
    if isinstance(expr, Match) and isinstance(expr.pattern, Param):
        return Match(expr.field, expr.op, "lts", expr.negated)
    return expr


def _stand_in(field: str) -> object:  # type: ignore[return]
    kind = F.lookup(field).kind
    return {
        F.Kind.BOOLEAN: True,
        F.Kind.BYTES: 1024,
        F.Kind.DATETIME: RelativeTime(__import__("decimal").Decimal(3), "d"),
        F.Kind.ENUM: (F.lookup(field).values or ("x",))[0],
    }.get(kind, "lts")


# Records that meet the random expressions: the strategies' own records, and
# records made of the very values the expressions use.
_PROPERTY_VALUES = st.one_of(st.sampled_from(S.VALUE_POOL), S.texts())


@st.composite
def related_records(draw: st.DrawFn, expr: Expr) -> dict[str, object]:
    record: dict[str, object] = draw(S.image_records())
    from imgql.lang.literals import format_datetime
    from imgql.lang.visitor import walk

    for node in walk(expr):
        if not isinstance(node, (Compare, InList, Exists, Match)) or not draw(st.booleans()):
            continue
        kind = F.lookup(node.field).kind
        if kind is F.Kind.SCOPE:
            continue
        candidates: list[object] = []
        if isinstance(node, Compare):
            candidates.append(node.value)
        elif isinstance(node, InList):
            candidates.extend(node.values)
        elif isinstance(node, Match) and isinstance(node.pattern, str):
            candidates.append(node.pattern)
        candidates = [c for c in candidates if not isinstance(c, Param)]
        value: object = draw(st.sampled_from(candidates)) if candidates else None
        if isinstance(value, RelativeTime):
            value = value.resolve(NOW)
        if isinstance(value, dt.datetime):
            value = format_datetime(value.astimezone(dt.timezone.utc).replace(microsecond=0))
        if kind is F.Kind.TAGS:
            record["tags"] = [*(record.get("tags") or []), value] if isinstance(value, str) else []
        elif draw(st.integers(0, 4)) == 0:
            record.pop(node.field, None)
        else:
            record[node.field] = value
    return record


PROPERTY_SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@PROPERTY_SETTINGS
@given(st.data())
def test_normalize_keeps_the_meaning(data: st.DataObject) -> None:
    expr = without_params(data.draw(S.exprs(max_leaves=10), label="expr"))
    normalized = normalize(expr, NOW)
    before = compile_predicate(expr, now=NOW)
    after = compile_predicate(normalized, now=NOW)
    records = data.draw(st.lists(related_records(expr), min_size=1, max_size=6), label="records")
    for record in records:
        assert after(record) == before(record), (format_expr(expr), format_expr(normalized), record)


@PROPERTY_SETTINGS
@given(S.exprs(max_leaves=10))
def test_normalize_is_idempotent_and_in_normal_form(expr: Expr) -> None:
    """Normalizing twice changes nothing; `not` wraps only predicates; no
    `and` directly inside an `and`, no `or` inside an `or`; constants only
    stand alone."""
    from imgql.lang.ast import PREDICATES
    from imgql.lang.visitor import walk

    normalized = normalize(without_params(expr), NOW)
    assert normalize(normalized, NOW) == normalized
    for node in walk(normalized):
        if isinstance(node, Not):
            assert isinstance(node.operand, PREDICATES)
        if isinstance(node, (And, Or)):
            assert len(node.operands) >= 2
            assert not any(isinstance(o, (type(node), Const)) for o in node.operands)
    if not isinstance(normalized, Const):
        assert not any(isinstance(n, Const) for n in walk(normalized))


# -- size and depth ------------------------------------------------------------------------

_KINDS = (
    "tag != t{i}",
    "name != n{i}",
    "size > {i}",
    "(tag = a{i} or name like 'b{i}*')",
    "(tag = c{i} or name = d{i})",
)
LARGE = [
    " and ".join(_KINDS[i % len(_KINDS)].format(i=i) for i in range(10_000)),
    " and ".join(f"(created_at < 2025-01-0{i % 9 + 1} or tag = b{i})" for i in range(10_000))
    + " and created_at > 2024-01-01",
    " or ".join(f"name = n{i}" for i in range(10_000)),
]


@pytest.mark.parametrize("body", LARGE, ids=["mixed", "unions-clash", "or"])
def test_ten_thousand_conjuncts_plan_quickly(body: str) -> None:
    query = imgql.parse(f"images where {body}")
    start = time.perf_counter()
    planned = plan(query, "glance", now=NOW)
    planned.explain()
    assert planned.requests
    # A bound against blow-up (quadratic or worse), not a speed claim: the
    # figures live in benchmarks/, and shared machines are noisy.
    assert time.perf_counter() - start < 60.0


def _nested(depth: int, start: int) -> str:
    """A query nested ``depth`` levels deep, alternating and / or / not."""
    text = "name = x"
    for level in range(depth - 1):
        kind = (start + level) % 3
        if kind == 0:
            text = f"(tag = t{level} and {text})"
        elif kind == 1:
            text = f"(size > {level} or {text})"
        else:
            text = f"not ({text})"
    return f"images where {text} order by name limit 5"


@pytest.mark.parametrize("start", [0, 1, 2])
@pytest.mark.parametrize("profile", ["glance", "documented", "none"])
def test_max_depth_queries_go_through_every_stage(start: int, profile: str) -> None:
    query = imgql.parse(_nested(MAX_DEPTH - 1, start))
    assert query.where is not None and query.where.depth >= MAX_DEPTH - 2
    with pytest.raises(imgql.TooComplexError):
        imgql.parse(_nested(MAX_DEPTH + 2, start))
    normalized = normalize(query.where, NOW)
    planned = plan(query, profile, now=NOW)
    assert planned.explain()
    record = {"id": "1", "name": "x", "tags": ["t1"], "size": 5}
    assert compile_predicate(query.where, now=NOW)(record) == compile_predicate(normalized, now=NOW)(record)
    assert plan_predicate(planned)(record) in (True, False)
    assert imgql.parse(str(query)) == query


def test_max_depth_negation_chains_compile() -> None:
    expr: Expr = Compare("name", "=", "x")
    for _ in range(MAX_DEPTH):
        expr = Not(expr)
    assert normalize(expr) == Compare("name", "=", "x")
    assert compile_predicate(expr)({"name": "x"}) is True
