"""Query + profile -> Plan: what to ask the API, and what is left to the client.

1. Normalize the predicate (normalize.py).
2. Split the listing into the partitions the API can only list apart
   (partitions.py): hidden and non-hidden images (``os_hidden``), and each
   membership scope. A predicate on ``hidden`` is decided per partition.
3. In each partition, push every conjunct the profile can express as a
   parameter (written by the encoders of encoding.py, which the capability
   tables name); keep the rest as that request's residual.
4. A residual disjunction whose branches the API could each answer exactly
   becomes a union of requests (run concurrently, de-duplicated by id) when
   that is at most ``max_union`` requests and its branches are expected to
   list little (cost.py); otherwise one wider request is filtered on the
   client.
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
from ..lang.ast import TRUE, And, Compare, Const, Exists, Expr, InList, Match, Or, Param, Query
from ..lang.format import format_sort_key
from ..lang.visitor import walk
from .capabilities import (
    NULL_CONFLATED_SORT_KEYS,
    Profile,
    get_profile,
)
from .cost import expected_share
from .normalize import normalize
from .partitions import member_status_scope, partition
from .places import split_places
from .plan import Plan, Request, UnionChoice, total_order
from .translate import translate

__all__ = ["plan"]

_UNSATISFIABLE = "no request: the predicate is unsatisfiable"


def plan(query: Query, profile: str | Profile = "glance", *, now: dt.datetime | None = None) -> Plan:
    """The :class:`~imgql.plan.plan.Plan` of a checked query under a
    capability ``profile`` (a name from ``capabilities.PROFILES``, or a
    :class:`~imgql.plan.capabilities.Profile`): the requests to send, and
    what the client filters, sorts and limits. Pure: ``now`` (default: the
    clock, read once) resolves relative times, and two plans of one query
    and profile at one ``now`` are equal. Unbound ``$parameters`` are a
    :class:`~imgql.errors.ParameterError`.

    >>> import imgql
    >>> [r.url() for r in plan(imgql.parse("images where name = ubuntu and size < 1GB")).requests]
    ['/v2/images?name=ubuntu&size_max=999999999']
    >>> [r.url() for r in plan(imgql.parse("images where size < 1GB"), "none").requests]
    ['/v2/images']
    >>> unions = plan(imgql.parse("images where visibility in (private, shared)"))
    >>> [r.url() for r in unions.requests], [r.url() for r in unions.wider]
    (['/v2/images?visibility=private', '/v2/images?visibility=shared'], ['/v2/images?visibility=all'])
    >>> plan(imgql.parse("images where name ~ '^ub'")).requests[0].reasons
    ("name ~ '^ub': the API has no pattern matching",)
    """
    prof = get_profile(profile)
    now = now or dt.datetime.now(dt.timezone.utc)
    if query.fallbacks:
        tiers = tuple(plan(tier, prof, now=now) for tier in query.tiers)
        return attrs.evolve(tiers[0], query=query, fallbacks=tiers[1:])
    fields, unbound = _names(query)
    if unbound:
        names = ", ".join(f"${p}" for p in sorted(unbound))
        raise ParameterError(f"bind {names} before planning: query.plan(profile, name=value)")
    places, here = split_places(query)
    if places.named or here is not query:
        # Every endpoint runs the same plan; where it runs is not sent (see places.py).
        each = plan(here, prof, now=now)
        if places.empty:
            each = attrs.evolve(each, requests=(), wider=(), notes=("no request: no endpoint is left",), unions=())
        return attrs.evolve(each, query=query, places=places)
    return _plan_here(query, prof, now, fields)


def _plan_here(query: Query, prof: Profile, now: dt.datetime, fields: frozenset[str]) -> Plan:
    """The plan of a query that runs at one endpoint."""
    expr = normalize(query.where, now)
    hidden_parts = (False, True) if (query.all_images or "os_hidden" in fields) else (False,)
    listings = _Listings(query, prof, fields, hidden_parts)
    listings.plan(expr)
    requests, wider, notes = listings.requests, listings.wider, listings.notes
    server_sorts, sort_note = _server_sort(query, prof, requests)
    if server_sorts:
        sort_value = ",".join(f"{k.field}:{'desc' if k.descending else 'asc'}" for k in total_order(query.order_by))
        requests = [Request((*r.params, ("sort", sort_value)), r.residual, r.kept) for r in requests]
        wider = [Request((*r.params, ("sort", sort_value)), r.residual, r.kept) for r in wider]
    elif sort_note:
        notes.append(sort_note)
    return Plan(
        query=query,
        profile=prof.name,
        requests=tuple(requests),
        wider=tuple(wider),
        predicate=listings.predicate,
        order_by=query.order_by,
        server_sorts=server_sorts or not query.order_by,
        limit=query.limit,
        page_size=_page_size(query, prof, requests, server_sorts),
        hidden=hidden_parts,
        now=now,
        notes=tuple(notes),
        unions=listings.choices,
    )


class _Listings:
    """The requests of each partition (member status x hidden), with the
    wider ones a union replaces, the unions weighed, and notes."""

    def __init__(self, query: Query, prof: Profile, fields: frozenset[str], hidden_parts: tuple[bool, ...]) -> None:
        self.query, self.prof, self.fields, self.hidden_parts = query, prof, fields, hidden_parts
        self.requests: list[Request] = []
        self.wider: list[Request] = []
        self.notes: list[str] = []
        self.choices: tuple[UnionChoice, ...] = ()
        self.predicate: Expr = TRUE

    def plan(self, expr: Expr) -> None:
        expr, member_statuses = member_status_scope(expr, self.query)
        self.predicate = expr
        if self.query.limit == 0:
            self.notes.append("limit 0: no request is needed")
            return
        if isinstance(expr, Const) and not expr.value:
            self.notes.append(_UNSATISFIABLE)
            return
        unions = _Unions()
        for status in member_statuses:
            for hidden in self.hidden_parts:
                self._partition(expr, status, hidden, unions)
        requests, wider = _unique_requests(self.requests), _unique_requests(self.wider)
        outcome = "union"
        if wider == requests:
            requests, wider = wider, []
        elif self.query.limit is not None and _server_sort(self.query, self.prof, wider)[0]:
            # With a limit and the server's order, one wider request stops as
            # soon as the limit is met, as listing everything would, never
            # later: a union, which starts every branch, can only cost more.
            requests, wider, outcome = wider, [], "limit"
        self.requests, self.wider, self.choices = requests, wider, unions.choices(outcome)
        if not requests:
            self.notes.append(_UNSATISFIABLE)

    def _partition(self, expr: Expr, status: str | None, hidden: bool, unions: _Unions) -> None:
        part = partition(expr, hidden) if "os_hidden" in self.fields else expr
        if isinstance(part, Const) and not part.value:
            if len(self.hidden_parts) > 1:
                self.notes.append(f"no {'hidden' if hidden else 'non-hidden'} image can match")
            return
        scope: list[tuple[str, str]] = []
        if status is not None:
            scope.append(("member_status", status))
        if hidden:
            scope.append(("os_hidden", "true"))
        widen_visibility = self.query.all_images or "visibility" in self.fields
        parts, wide = _requests_for(part, self.prof, scope, widen_visibility, unions)
        self.requests.extend(parts)
        self.wider.append(wide)


def _page_size(query: Query, prof: Profile, requests: list[Request], server_sorts: bool) -> int | None:
    """The query's limit as the page size, when one request answers exactly."""
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
        return min(query.limit, prof.max_page_size)
    return None


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
        translated = translate(conjunct, prof)
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
    return chosen, _branch_pushes(base, chosen, extras), share


def _branch_pushes(base: _Pushed, chosen: Expr, extras: list[list[tuple[str, str]]]) -> list[_Pushed]:
    """What each branch of the union made of ``chosen`` pushes: the other
    conjuncts' parameters and the branch's own, with the others' residual."""
    kept = [(r, why) for r, why in zip(base.residual, base.reasons, strict=True) if r is not chosen]
    results = []
    for params in extras:
        result = _Pushed()
        result.params = [*base.params, *params]
        result.residual = [r for r, _ in kept]
        result.reasons = [why for _, why in kept]
        result.sent = [[] for _ in kept]
        results.append(result)
    return results


def _push_exactly(parts: Sequence[Expr], used: set[str], prof: Profile) -> list[tuple[str, str]] | None:
    """The parameters that express every one of ``parts`` exactly, given the
    single-valued parameters already ``used``; None when one cannot be."""
    single = set(used)
    params: list[tuple[str, str]] = []
    for part in parts:
        translated = translate(part, prof)
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
