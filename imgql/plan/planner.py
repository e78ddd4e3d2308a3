"""Query + profile -> Plan.

1. Normalize the predicate (normalize.py).
2. Split the listing into the partitions the API can only list apart:
   hidden and non-hidden images (``os_hidden``), and each membership scope.
   A predicate on ``hidden`` is decided per partition.
3. In each partition, push every conjunct the profile can express as a
   parameter; keep the rest as that request's residual.
4. A residual disjunction whose branches the API could each answer exactly
   becomes a union of requests (run concurrently, de-duplicated by id) when
   that is at most ``max_union`` requests; otherwise one wider request is
   filtered on the client.
5. Sort on the server when it can sort by every key; else fetch every match
   and sort on the client. Send the limit as the page size only when one
   request answers exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from ..errors import ParameterError
from ..lang import fields as F
from ..lang.ast import (
    FALSE,
    TRUE,
    And,
    Compare,
    Const,
    Exists,
    Expr,
    InList,
    Match,
    Not,
    Or,
    Param,
    Query,
    Value,
)
from ..lang.format import format_sort_key
from ..lang.literals import format_datetime
from ..lang.visitor import Transformer, walk
from .capabilities import (
    NOT_PROPERTY_PARAMS,
    NULL_CONFLATED_SORT_KEYS,
    RANGE_SUFFIXES,
    RESERVED_PARAMS,
    STORED_MAX,
    Form,
    Profile,
    Rule,
    get_profile,
)
from .cost import expected_share
from .locations import split_places
from .normalize import normalize, simplify
from .plan import Plan, Request, UnionChoice, total_order

__all__ = ["plan"]

_SECOND = dt.timedelta(seconds=1)
# A bound moved past this second would leave the calendar.
_LAST_SECOND = dt.datetime.max.replace(microsecond=0, tzinfo=dt.timezone.utc) - _SECOND


def plan(query: Query, profile: str | Profile = "glance", *, now: dt.datetime | None = None) -> Plan:
    prof = get_profile(profile)
    if query.fallbacks:
        now = now or dt.datetime.now(dt.timezone.utc)
        tiers = tuple(plan(tier, prof, now=now) for tier in query.tiers)
        return attrs.evolve(tiers[0], query=query, fallbacks=tiers[1:])
    fields, unbound = _names(query)
    if unbound:
        names = ", ".join(f"${p}" for p in sorted(unbound))
        raise ParameterError(f"bind {names} before planning: query.plan(profile, name=value)")
    now = now or dt.datetime.now(dt.timezone.utc)
    places, here = split_places(query)
    if places.named or here is not query:
        # Every endpoint runs the same plan; where it runs is not sent (see locations.py).
        each = plan(here, prof, now=now)
        if places.empty:
            each = attrs.evolve(each, requests=(), wider=(), notes=("no request: no endpoint is left",), unions=())
        return attrs.evolve(each, query=query, places=places)
    expr = normalize(query.where, now)
    notes: list[str] = []
    expr, member_statuses = _member_status_scope(expr, query)
    hidden_parts = (False, True) if (query.all_images or "os_hidden" in fields) else (False,)
    widen_visibility = query.all_images or "visibility" in fields

    requests: list[Request] = []
    wider: list[Request] = []
    unions = _Unions()
    choices: tuple[UnionChoice, ...] = ()
    if query.limit == 0:
        notes.append("limit 0: no request is needed")
    elif isinstance(expr, Const) and not expr.value:
        notes.append("no request: the predicate is unsatisfiable")
    else:
        for status in member_statuses:
            for hidden in hidden_parts:
                part = _partition(expr, hidden) if "os_hidden" in fields else expr
                if isinstance(part, Const) and not part.value:
                    if len(hidden_parts) > 1:
                        notes.append(f"no {'hidden' if hidden else 'non-hidden'} image can match")
                    continue
                scope: list[tuple[str, str]] = []
                if status is not None:
                    scope.append(("member_status", status))
                if hidden:
                    scope.append(("os_hidden", "true"))
                parts, wide = _requests_for(part, prof, scope, widen_visibility, unions)
                requests.extend(parts)
                wider.append(wide)
        requests = _unique_requests(requests)
        wider = _unique_requests(wider)
        if wider == requests:
            requests, wider = wider, []
            choices = unions.choices("union")
        elif query.limit is not None and _server_sort(query, prof, wider)[0]:
            # With a limit and the server's order, one wider request stops as
            # soon as the limit is met, as listing everything would, never
            # later: a union, which starts every branch, can only cost more.
            requests, wider = wider, []
            choices = unions.choices("limit")
        else:
            choices = unions.choices("union")
        if not requests and "no request: the predicate is unsatisfiable" not in notes:
            notes.append("no request: the predicate is unsatisfiable")

    server_sorts, sort_note = _server_sort(query, prof, requests)
    if server_sorts:
        sort_value = ",".join(f"{k.field}:{'desc' if k.descending else 'asc'}" for k in total_order(query.order_by))
        requests = [Request((*r.params, ("sort", sort_value)), r.residual, r.kept) for r in requests]
        wider = [Request((*r.params, ("sort", sort_value)), r.residual, r.kept) for r in wider]
    elif sort_note:
        notes.append(sort_note)

    page_size: int | None = None
    if (
        query.limit is not None
        and prof.server_limit
        and len(requests) == 1
        and requests[0].fully_pushed
        and (server_sorts or not query.order_by)
        # After a time, the client sorts ties by id within each shown second
        # (see `ties_sorted`) and must read to the end of the last second's
        # run, however long: a page of `limit` images, or of one more, would
        # take another request whenever the run crosses it. The client's page
        # is kept, so the run costs no request that listing everything would
        # not make.
        and not (server_sorts and _time_last(query))
    ):
        page_size = min(query.limit, prof.max_page_size)

    return Plan(
        query=query,
        profile=prof.name,
        requests=tuple(requests),
        wider=tuple(wider),
        predicate=expr,
        order_by=query.order_by,
        server_sorts=server_sorts or not query.order_by,
        limit=query.limit,
        page_size=page_size,
        hidden=hidden_parts,
        now=now,
        notes=tuple(notes),
        unions=choices,
    )


def _names(query: Query) -> tuple[frozenset[str], frozenset[str]]:
    """The fields the query references and its unbound parameters, in one
    walk (``Query.fields`` and ``Query.params`` each walk the tree)."""
    fields = {key.field for key in query.order_by}
    unbound: set[str] = set()
    for node in walk(query.where):
        if isinstance(node, (Compare, InList, Exists, Match)):
            fields.add(node.field)
            if isinstance(node, Compare):
                values: tuple[object, ...] = (node.value,)
            elif isinstance(node, InList):
                values = node.values
            elif isinstance(node, Match):
                values = (node.pattern,)
            else:
                values = ()
            unbound.update(v.name for v in values if isinstance(v, Param))
    return frozenset(fields), frozenset(unbound)


def _time_last(query: Query) -> bool:
    return bool(query.order_by) and F.lookup(query.order_by[-1].field).kind is F.Kind.DATETIME


def _server_sort(query: Query, prof: Profile, requests: list[Request]) -> tuple[bool, str | None]:
    """Whether the server can return every request's images in the query's
    order, and if not, why (for the plan's notes)."""
    if not query.order_by:
        return False, None
    versions = [format_sort_key(k) for k in query.order_by if k.version]
    if versions:
        return False, f"{versions[0]} is a version order, evaluated on the client: every match is fetched and sorted"
    cannot = [k.field for k in query.order_by if k.field not in prof.sort_keys]
    if cannot:
        return False, f"the API cannot sort by {', '.join(cannot)}: every match is fetched and sorted on the client"
    # The server orders times by what it stores, fractions of a second
    # included, while records show whole seconds: a key after a time would
    # not break the ties a reader sees, so such an order is kept client-side.
    fractional = [k.field for k in query.order_by[:-1] if F.lookup(k.field).kind is F.Kind.DATETIME]
    if fractional:
        return False, (
            f"the API sorts {fractional[0]} by fractions of a second that records do not show, so ties on "
            "the shown time would not be broken by the next key: every match is fetched and sorted on the client"
        )
    # Glance pages past a marker by comparing the marker's sort values with
    # null read as 0 or '', values real images have too: a page boundary on
    # an image with a null name or size loses or repeats images. Sorting by
    # such a key is safe only when a pushed filter already excludes nulls.
    for key in query.order_by:
        guards = NULL_CONFLATED_SORT_KEYS.get(key.field)
        if guards and not all(any(p in guards for p, _ in r.params) for r in requests):
            return False, (
                f"Glance cannot page reliably when sorting by {key.field}, which may be null: "
                "every match is fetched and sorted on the client"
            )
    return True, None


# -- scope ------------------------------------------------------------------------


def _member_status_scope(expr: Expr, query: Query) -> tuple[Expr, tuple[str | None, ...]]:
    """Take the top-level member_status conjuncts out of the predicate: they
    choose which listings to make, they are not a property of an image."""
    wanted: set[str] | None = None
    kept: list[Expr] = []
    parts = expr.operands if isinstance(expr, And) else (expr,)
    for part in parts:
        if isinstance(part, (Compare, InList)) and part.field == "member_status":
            values = {str(v) for v in ((part.value,) if isinstance(part, Compare) else part.values)}
            if "all" in values:
                values = {"accepted", "pending", "rejected", "all"}
            wanted = values if wanted is None else _intersect_statuses(wanted, values)
        else:
            kept.append(part)
    rest: Expr = (
        expr if len(kept) == len(parts) else (And(tuple(kept)) if len(kept) > 1 else (kept[0] if kept else TRUE))
    )
    if wanted is None:
        return rest, (("all",) if query.all_images else (None,))
    if not wanted:
        return FALSE, (None,)
    if {"accepted", "pending", "rejected"} <= wanted:
        return rest, ("all",)
    return rest, tuple(s for s in ("accepted", "pending", "rejected") if s in wanted)


def _intersect_statuses(a: set[str], b: set[str]) -> set[str]:
    full = {"accepted", "pending", "rejected", "all"}
    a = full if "all" in a else a
    b = full if "all" in b else b
    return a & b


class _Unions:
    """The disjunctions a plan made unions of, and those it filtered on the
    client over one wider request, each with its branch count and expected
    share of the wider listing."""

    def __init__(self) -> None:
        self.kept: list[tuple[Expr, int, float]] = []
        self.refused: list[tuple[Expr, int, float]] = []

    def choices(self, kept: str) -> tuple[UnionChoice, ...]:
        """Every choice, the kept unions' outcome being ``kept`` ("union" or "limit")."""
        made = [UnionChoice(split, count, share, kept) for split, count, share in self.kept]
        made += [UnionChoice(split, count, share, "wider") for split, count, share in self.refused]
        return tuple(dict.fromkeys(made))


def _partition(expr: Expr, hidden: bool) -> Expr:
    """The normalized predicate for the partition where os_hidden is
    ``hidden``. When os_hidden appears only as top-level conjuncts (``all
    images where hidden and ...``), those are decided and dropped: the other
    conjuncts, normalized together and never merged with a condition on
    another field, stay normalized, so nothing is simplified again."""
    conjuncts = expr.operands if isinstance(expr, And) else (expr,)
    kept: list[Expr] = []
    for conjunct in conjuncts:
        if isinstance(conjunct, (Compare, InList, Exists)) and conjunct.field == "os_hidden":
            decided = _substitute(conjunct, hidden)
            if isinstance(decided, Const) and not decided.value:
                return FALSE
            if not isinstance(decided, Const):  # pragma: no cover - a condition on os_hidden is decided
                return simplify(_substitute(expr, hidden))
        elif any(isinstance(n, (Compare, InList, Exists)) and n.field == "os_hidden" for n in walk(conjunct)):
            # Nested under or/not: substitute and simplify the whole.
            part = _assume_hidden(expr, hidden)
            return part if part is expr else simplify(part)
        else:
            kept.append(conjunct)
    if len(kept) == len(conjuncts):
        return expr
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def _assume_hidden(expr: Expr, hidden: bool) -> Expr:
    """The predicate for the partition where os_hidden is ``hidden``."""
    if not any(isinstance(n, (Compare, InList, Exists)) and n.field == "os_hidden" for n in walk(expr)):
        return expr
    return _substitute(expr, hidden)


def _substitute(expr: Expr, hidden: bool) -> Expr:
    return _HiddenKnown(hidden).transform(expr)


class _HiddenKnown(Transformer):
    """Every condition on os_hidden replaced by what it is, the listing's
    os_hidden being known."""

    def __init__(self, hidden: bool) -> None:
        super().__init__()
        self.hidden = hidden

    def visit_Exists(self, node: Exists) -> Expr:
        return Const(node.present) if node.field == "os_hidden" else node  # Glance always sets os_hidden

    def visit_Compare(self, node: Compare) -> Expr:
        if node.field != "os_hidden":
            return node
        return Const((node.value == self.hidden) == (node.op == "="))

    def visit_InList(self, node: InList) -> Expr:
        if node.field != "os_hidden":
            return node
        return Const((self.hidden in node.values) != node.negated)


# -- requests ---------------------------------------------------------------------


def _requests_for(
    part: Expr,
    prof: Profile,
    scope: list[tuple[str, str]],
    widen_visibility: bool,
    unions: _Unions,
) -> tuple[list[Request], Request]:
    """The partition's requests, and the one wider request that would answer
    it alone (the same when no union is made)."""
    conjuncts: list[Expr] = list(part.operands) if isinstance(part, And) else ([] if part == TRUE else [part])
    pushed = _push(conjuncts, prof)
    wide = _request(pushed, scope, widen_visibility)
    if pushed.residual:
        union = _try_union(conjuncts, pushed, prof, unions.refused)
        if union is not None:
            split, branches, share = union
            unions.kept.append((split, len(branches), share))  # worded only if the union is kept
            return [_request(b, scope, widen_visibility) for b in branches], wide
    return [wide], wide


class _Pushed:
    """The parameters a conjunction pushes, and what stays on the client."""

    def __init__(self) -> None:
        self.params: list[tuple[str, str]] = []
        self.single: set[str] = set()
        self.residual: list[Expr] = []
        # Why each residual conjunct stays, worded by `explain` when asked.
        self.reasons: list[str] = []
        # The parameters each residual conjunct still sent (a containing
        # range), which a union of its branches does without.
        self.sent: list[list[tuple[str, str]]] = []

    def keep(self, expr: Expr, reason: str, sent: list[tuple[str, str]] | None = None) -> None:
        self.residual.append(expr)
        self.reasons.append(reason)
        self.sent.append(sent or [])


def _push(conjuncts: Sequence[Expr], prof: Profile) -> _Pushed:
    out = _Pushed()
    for conjunct in conjuncts:
        translated = _translate(conjunct, prof)
        if isinstance(translated, str):
            out.keep(conjunct, translated)
            continue
        params, exact, repeatable = translated
        clash = [p for p, _ in params if p in out.single]
        if clash:
            out.keep(conjunct, f"the API takes one {clash[0]} per request, and it is already used")
            continue
        out.params.extend(params)
        if not repeatable:
            out.single.update(p for p, _ in params)
        if not exact:
            out.keep(conjunct, "only partly expressible as parameters; the rest is checked on the client", params)
    return out


def _try_union(
    conjuncts: list[Expr], pushed: _Pushed, prof: Profile, refused: list[tuple[Expr, int, float]]
) -> tuple[Expr, list[_Pushed], float] | None:
    """The disjunction in the residual whose branches, each with the other
    conjuncts answered exactly by the API, are expected to list the fewest
    images; None when none fits or none is expected to save enough
    (``Profile.union_share``): those are added to ``refused``, to be worded.

    A residual conjunct adds no parameter, so the other conjuncts push exactly
    what ``pushed`` holds; each branch is pushed on top of that. Candidates are
    checked against ``pushed`` alone, so a query with thousands of
    disjunctions is planned in linear time."""
    best: tuple[Expr, list[list[tuple[str, str]]], float, _Pushed] | None = None
    for candidate, sent in zip(pushed.residual, pushed.sent, strict=True):
        branches = _branches(candidate)
        if branches is None or len(branches) > prof.max_union:
            continue
        # A candidate that sent a containing range leaves its parameters to
        # the branches: the others are pushed again without it (rare, so the
        # linear plan of the usual query is kept).
        base = _push([c for c in conjuncts if c is not candidate], prof) if sent else pushed
        extra: list[list[tuple[str, str]]] = []
        for branch in branches:
            branch_parts = list(branch.operands) if isinstance(branch, And) else [branch]
            params = _push_exactly(branch_parts, base.single, prof)
            if params is None:
                break  # this branch needs client filtering of its own
            extra.append(params)
        else:
            # Branches are counted in full: Glance has no negated filter that
            # would keep overlapping ones (tags) apart, so overlaps are paid.
            share = sum(expected_share(b) for b in branches)
            if share > prof.union_share:
                refused.append((candidate, len(branches), share))
            elif best is None or (share, len(extra)) < (best[2], len(best[1])):
                best = (candidate, extra, share, base)
    if best is None:
        return None
    chosen, extras, share, base = best
    kept = [(r, why) for r, why in zip(base.residual, base.reasons, strict=True) if r is not chosen]
    results = []
    for params in extras:
        result = _Pushed()
        result.params = [*base.params, *params]
        result.residual = [r for r, _ in kept]
        result.reasons = [why for _, why in kept]
        result.sent = [[] for _ in kept]
        results.append(result)
    return chosen, results, share


def _push_exactly(parts: Sequence[Expr], used: set[str], prof: Profile) -> list[tuple[str, str]] | None:
    """The parameters that express every one of ``parts`` exactly, given the
    single-valued parameters already ``used``; None when one cannot be."""
    single = set(used)
    params: list[tuple[str, str]] = []
    for part in parts:
        translated = _translate(part, prof)
        if isinstance(translated, str):
            return None
        found, exact, repeatable = translated
        if not exact or any(p in single for p, _ in found):
            return None
        params.extend(found)
        if not repeatable:
            single.update(p for p, _ in found)
    return params


def _branches(expr: Expr) -> list[Expr] | None:
    if isinstance(expr, Or):
        return list(expr.operands)
    if isinstance(expr, InList) and not expr.negated:
        return [Compare(expr.field, "=", v) for v in expr.values]
    return None


def _request(pushed: _Pushed, scope: list[tuple[str, str]], widen_visibility: bool) -> Request:
    params = list(scope)
    if widen_visibility and not any(p == "visibility" for p, _ in pushed.params):
        params.append(("visibility", "all"))
    params.extend(pushed.params)
    residual: Expr
    if not pushed.residual:
        residual = TRUE
    elif len(pushed.residual) == 1:
        residual = pushed.residual[0]
    else:
        residual = And(tuple(pushed.residual))
    return Request(tuple(params), residual, tuple(zip(pushed.residual, pushed.reasons, strict=True)))


def _unique_requests(requests: list[Request]) -> list[Request]:
    seen: set[tuple[tuple[str, str], ...]] = set()
    out = []
    for request in requests:
        if request.params not in seen:
            seen.add(request.params)
            out.append(request)
    return out


# -- one conjunct -> parameters ---------------------------------------------------

# (parameters, exact, repeatable) or the reason it stays on the client.
_Translation = tuple[list[tuple[str, str]], bool, bool] | str


def _translate(expr: Expr, prof: Profile) -> _Translation:
    if isinstance(expr, Or):
        return "the API cannot express a disjunction in one request"
    if isinstance(expr, And):
        return "a nested conjunction"
    if isinstance(expr, Not):
        return "the API cannot negate a filter"
    if isinstance(expr, Const):
        return "constant"
    if isinstance(expr, Match):
        return f"the API has no {'pattern' if expr.op != 'contains' else 'substring'} matching"
    if isinstance(expr, Exists):
        return f"the API cannot filter on whether {expr.field} is set"
    field = F.lookup(expr.field)
    rule = prof.rules.get(expr.field)
    if rule is None:
        if expr.field in F.BOOKKEEPING_KEYS:
            # Measured: Glance reads `stores=fs` as a custom-property filter
            # and answers an empty list; these keys are computed, not stored.
            return f"{expr.field} is computed by the server for each record, which cannot filter by it"
        if _is_property_filter(expr.field, field, prof):
            return _translate_property(expr)
        if field.kind is F.Kind.PROPERTY or field.name in ("os_distro", "os_type"):
            return f"the {prof.name} profile sends no filters on custom properties"
        return f"the {prof.name} profile has no parameter for {expr.field}"
    if isinstance(expr, InList):
        if expr.negated:
            return f"the API has no 'not in' for {expr.field}"
        if "in" not in rule.ops:
            if rule.form in (Form.RANGE, Form.TIME):
                return _containing_range(rule, expr.values, STORED_MAX.get(expr.field))
            return f"the API has no list (in:) filter for {expr.field}"
        return _in_list(rule, expr.values)
    assert isinstance(expr, Compare)
    if expr.op not in rule.ops:
        return f"the API has no {expr.op} for {expr.field}"
    return _compare(rule, expr.op, expr.value, STORED_MAX.get(expr.field))


def _is_property_filter(name: str, field: F.Field, prof: Profile) -> bool:
    if not prof.custom_properties:
        return False
    if name in prof.property_fields:
        return True
    return (
        field.kind is F.Kind.PROPERTY
        and name not in RESERVED_PARAMS
        and name not in NOT_PROPERTY_PARAMS
        and not name.endswith(RANGE_SUFFIXES)
        # Glance tests filter names against its model's attributes, private
        # ones included: such a property would be read as something else.
        and not name.startswith("_")
    )


def _translate_property(expr: Expr) -> _Translation:
    if isinstance(expr, InList):
        return f"the API has no list filter for {expr.field}"
    assert isinstance(expr, Compare)
    if expr.op != "=":
        return f"the API has no {expr.op} for {expr.field} (custom properties filter by equality only)"
    largest = STORED_MAX.get(expr.field)
    if largest is not None and isinstance(expr.value, int) and expr.value > largest:
        # No stored value is this large; a filter beyond the column's range
        # is not something every database answers, so the client decides.
        return f"{expr.field} is never stored above {largest}: checked on the client"
    return [(expr.field, _text(expr.value))], True, False


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Param):  # pragma: no cover - bound before planning
        raise ParameterError(f"${value.name} is not bound")
    if isinstance(value, dt.datetime):
        return format_datetime(value.astimezone(dt.timezone.utc))
    return str(value)


def _compare(rule: Rule, op: str, value: Value, largest: int | None = None) -> _Translation:
    form = rule.form
    if form is Form.BOOLEAN:
        return [(rule.param, "true" if (value == (op == "=")) else "false")], True, False
    if form is Form.REPEATED:
        text = _text(value)
        if text != text.strip():
            # Glance strips each tag parameter, so ` lts` would find `lts`.
            return "the API strips spaces around a tag, so this tag cannot be sent"
        return [(rule.param, text)], True, True
    if form is Form.PLAIN:
        text = _text(value)
        if ":" in text:
            return "the API would read the ':' in this value as an operator"
        return [(rule.param, text)], True, False
    if form is Form.OPERATOR:
        text = _text(value)
        return [(rule.param, f"eq:{text}" if ":" in text else text)], True, False
    if form is Form.RANGE:
        assert isinstance(value, int)
        return _range_bound(rule, op, value, largest)
    if form is Form.TIME:
        assert isinstance(value, dt.datetime)
        return _time_bound(rule.param, op, value)
    raise AssertionError(form)  # pragma: no cover


def _range_bound(rule: Rule, op: str, value: int, largest: int | None) -> _Translation:
    """Inclusive whole bounds, clamped to what the server can compare: a bound
    beyond the largest stored value would fail the request (HTTP 500), so it
    is sent as that largest value. An upper bound clamped so selects every
    stored value, exactly; a lower bound clamped so selects at most the
    images at the largest value, which the client then rejects."""
    low, high = {
        "=": (value, value),
        "<": (None, value - 1),
        "<=": (None, value),
        ">": (value + 1, None),
        ">=": (value, None),
    }[op]
    if high is not None and high < 0:
        return f"no {rule.param} is below zero"
    exact = largest is None or low is None or low <= largest
    params: list[tuple[str, str]] = []
    if low is not None:
        params.append((rule.min_param, str(low if largest is None else min(low, largest))))
    if high is not None:
        params.append((rule.max_param, str(high if largest is None else min(high, largest))))
    return params, exact, False


def _time_bound(param: str, op: str, value: dt.datetime) -> _Translation:
    """Times are shown in whole seconds but may be stored with a fraction, so
    a bound on what the client sees is moved to a whole second the server can
    compare exactly: shown > 08:30:39 means stored >= 08:30:40."""
    moment = value.astimezone(dt.timezone.utc)
    floor = moment.replace(microsecond=0)
    if floor >= _LAST_SECOND:
        return "a bound at the end of year 9999 is checked on the client"
    ceil = floor if moment == floor else floor + _SECOND
    if op == ">":
        return [(param, f"gte:{format_datetime(floor + _SECOND)}")], True, False
    if op == ">=":
        return [(param, f"gte:{format_datetime(ceil)}")], True, False
    if op == "<":
        return [(param, f"lt:{format_datetime(ceil)}")], True, False
    if op == "<=":
        return [(param, f"lt:{format_datetime(floor + _SECOND)}")], True, False
    # `=`: one bound goes to the server, the other is checked on the client.
    if moment != floor:
        return "no time shown in whole seconds equals a time with a fraction"
    return [(param, f"gte:{format_datetime(floor)}")], False, False


def _in_list(rule: Rule, values: tuple[Value, ...]) -> _Translation:
    texts = [_text(v) for v in values]
    if any('"' in t or t.endswith("\\") for t in texts):
        # Glance keeps escapes inside quoted list items as written, so such
        # a value cannot be matched exactly in a list.
        return "a value with a double quote or a trailing backslash cannot be sent in an in: list"
    return [(rule.param, "in:" + ",".join(f'"{t}"' for t in texts))], True, False


def _containing_range(rule: Rule, values: tuple[Value, ...], largest: int | None) -> _Translation:
    """The range from the least to the greatest of ``values``, which contains
    every one of them: the API has no list filter on an ordered field, and
    the client keeps only the values listed (a union of exact ranges may
    replace it, see ``_try_union``)."""
    if rule.form is Form.TIME:
        times = [v for v in values if isinstance(v, dt.datetime)]
        # One bound per request: the lower one.
        found = _time_bound(rule.param, ">=", min(times))
    else:
        numbers = [v for v in values if isinstance(v, int)]
        found = _range_bound(rule, ">=", min(numbers), largest)
        upper = _range_bound(rule, "<=", max(numbers), largest)
        if not isinstance(found, str) and not isinstance(upper, str):
            found = ([*found[0], *upper[0]], False, False)
    if isinstance(found, str):
        return found
    return found[0], False, False
