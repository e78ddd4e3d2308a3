"""The plan: what to ask the API, and what the client does with the answers.

A :class:`Plan` is an immutable value; printing it with :meth:`Plan.explain`
shows every request as a ``GET /v2/images?...`` line and everything left to
the client, in the spirit of ``terraform plan`` or SQL ``EXPLAIN``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

import attrs

from ..lang.ast import Const, Expr, Query, SortKey
from ..lang.format import format_expr, format_sort_key
from .places import Places, describe_places

__all__ = ["Params", "Plan", "Request", "UnionChoice", "describe_order", "total_order"]

Params = tuple[tuple[str, str], ...]


def total_order(order_by: tuple[SortKey, ...]) -> tuple[SortKey, ...]:
    """``order_by`` made total: ties are broken by id, in the direction of the
    last key, so that a limit over ties picks the same images whoever sorts
    (the server or the client) and whatever the page size. No order stays
    none: the server's own order is kept."""
    if not order_by or any(key.field == "id" for key in order_by):
        return order_by
    return (*order_by, SortKey("id", order_by[-1].descending))


@attrs.frozen
class Request:
    """One listing, paged by the source: its filter and scope parameters in
    the order they are sent (``limit`` and ``marker`` are added per page)."""

    params: Params
    # What this request cannot filter and the client must (besides re-checking
    # everything the request did filter).
    residual: Expr
    # Each condition left to the client and why; worded only when explained.
    kept: tuple[tuple[Expr, str], ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why each condition is left to the client, as ``explain`` shows it."""
        return tuple(f"{format_expr(expr)}: {why}" for expr, why in self.kept)

    def url(self, page_size: int | None = None) -> str:
        params = list(self.params)
        if page_size is not None:
            params.append(("limit", str(page_size)))
        if not params:
            return "/v2/images"
        return "/v2/images?" + urlencode(params, quote_via=quote, safe=":,")

    @property
    def fully_pushed(self) -> bool:
        return isinstance(self.residual, Const) and self.residual.value


@attrs.frozen
class UnionChoice:
    """A disjunction the planner weighed as a union of requests (one per
    branch) against one wider request; worded only when explained."""

    split: Expr
    branches: int
    # The share of the wider request's images its branches are expected to list.
    share: float
    # "union": made a union; "wider": filtered on the client, the branches
    # being expected to list too much; "limit": filtered on the client, a
    # limit in the server's order stopping the wider request early.
    outcome: str

    def words(self) -> str:
        split = format_expr(self.split)
        share = f"about {self.share:.0%}" if self.share >= 0.01 else "under 1%"
        if self.outcome == "union":
            return (
                f"{split}: one request per branch ({self.branches}), merged by id, unless the wider "
                f"request's first page is its last; the branches are expected to list {share} of what "
                "the wider request lists"
            )
        refused = f"{split}: filtered on the client over one wider request, not a union of {self.branches}: "
        if self.outcome == "limit":
            return refused + "with a limit in the server's order it stops once the limit is met"
        return refused + f"the branches are expected to list {share} of what it lists"


@attrs.frozen(repr=False)
class Plan:
    """What to ask the API for a query, and what the client does with the
    answers: the ``requests`` (with a union's ``wider`` alternative), the
    whole normalized ``predicate`` every image is re-checked against, the
    order and who sorts, the limit and the page size sent, and the notes and
    union choices :meth:`explain` words. Made by
    :func:`imgql.plan.planner.plan`; immutable, and equal for one query,
    profile and ``now``.
    """

    query: Query
    profile: str
    requests: tuple[Request, ...]
    # The whole normalized predicate, checked on the client against every
    # image (re-checking pushed filters costs little and keeps answers exact
    # where a deployment's database compares differently).
    predicate: Expr
    order_by: tuple[SortKey, ...]
    # True when the server returns each request's images in `order_by` order;
    # otherwise the client sorts after fetching every match.
    server_sorts: bool
    limit: int | None
    # The page size to ask for, when the query's limit can be sent as the page
    # size (one request, nothing filtered on the client, server-side order).
    page_size: int | None
    # The os_hidden partitions the listing covers (scope, for offline catalogs).
    hidden: tuple[bool, ...]
    now: dt.datetime = attrs.field(eq=False, repr=False)
    notes: tuple[str, ...] = ()
    # When `requests` include a union: the requests that answer without one
    # (one wider request per partition). The executor first lists their first
    # pages; when each is its listing's last, they answer the query and the
    # union is never sent.
    wider: tuple[Request, ...] = ()
    # Where the query runs, when it names regions or clouds: the requests
    # above are made at each endpoint (see imgql/plan/places.py).
    places: Places = attrs.field(factory=Places)
    # `A else B`: the plans of the fallbacks, tried in order when the plan
    # before answers no image (this plan is the first query's).
    fallbacks: tuple[Plan, ...] = ()
    # The disjunctions weighed as unions, and what became of each (explain words them).
    unions: tuple[UnionChoice, ...] = ()

    @property
    def client_sort(self) -> tuple[SortKey, ...]:
        return () if self.server_sorts else total_order(self.order_by)

    def explain(self) -> str:
        """The plan as text a person reads before running the query: each
        request as a ``GET /v2/images?...`` line, what the client filters,
        sorts and limits, and why each choice was made."""
        from .explain import describe_fallbacks, describe_plan

        if self.fallbacks:
            return describe_fallbacks(self)
        if self.places.named:
            text = describe_plan(self).split("\n", 2)
            return "\n".join([*text[:2], *describe_places(self.places, self.query), *text[2:]])
        return describe_plan(self)

    def __str__(self) -> str:
        return self.explain()

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(self.explain())  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        # Readable at a plain REPL too: the query, the profile and what is sent.
        sent = ", ".join(f"GET {r.url(self.page_size)}" for r in self.requests) or "no request (nothing can match)"
        return f"<imgql.Plan {self.query} [{self.profile}]: {sent}>"


def describe_order(keys: tuple[SortKey, ...]) -> str:
    return ", ".join(format_sort_key(k) for k in keys)
