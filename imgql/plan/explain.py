"""Plan -> text a person reads before running a query (what :meth:`Plan.explain` shows)."""

from __future__ import annotations

from ..lang.ast import Const
from ..lang.format import format_expr
from .plan import Plan, describe_order

__all__ = ["describe_fallbacks", "describe_plan"]


def describe_fallbacks(plan: Plan) -> str:
    """Each query of ``A else B else ...`` explained in the order they are tried."""
    import attrs

    tiers = (attrs.evolve(plan, query=plan.query.tiers[0], fallbacks=()), *plan.fallbacks)
    count = len(tiers)
    lines = [
        f"query:   {plan.query}",
        f"{count} queries tried in order: the first that answers at least one image wins, and the later ones "
        "are not sent; with exactly-one semantics, several images from that query are an error",
    ]
    for number, tier in enumerate(tiers, 1):
        earlier = "query 1 answers" if number == 2 else f"queries 1 to {number - 1} answer"
        when = "first" if number == 1 else f"only if {earlier} no image"
        lines.append("")
        lines.append(f"query {number} of {count} ({when}):")
        if not tier.requests:
            lines.append("  it can answer nothing, so it passes to the next:")
        lines.extend("  " + line if line else "" for line in tier.explain().splitlines())
    return "\n".join(lines)


def describe_plan(plan: Plan) -> str:
    """One plan (without its fallbacks and places) as text: the requests,
    what the client does, and why each choice was made."""
    lines = [f"query:   {plan.query}", f"profile: {plan.profile}"]
    if not plan.requests:
        reason = next((n for n in plan.notes if n.startswith(("no request", "limit 0"))), "no request")
        lines.append(reason if reason.startswith("no request") else f"no request: {reason}")
        return "\n".join(lines)
    lines.append("")
    if plan.wider:
        lines.append("first, the first page of the wider request (it answers alone when it is the last page):")
        lines.extend(f"  GET {request.url(plan.page_size)}" for request in plan.wider)
        lines.append("and only if it is not:")
    count = len(plan.requests)
    lines.append("1 request:" if count == 1 else f"{count} requests, run concurrently, merged and de-duplicated by id:")
    for request in plan.requests:
        lines.append(f"  GET {request.url(plan.page_size)}")
        lines.extend(f"      on the client: {reason}" for reason in request.reasons)
    lines.append("")
    lines.append("on the client:")
    if all(isinstance(r.residual, Const) and r.residual.value for r in plan.requests):
        lines.append("  nothing left to filter; every image is re-checked against the whole predicate")
    else:
        lines.append("  filter: " + format_expr(plan.predicate))
        lines.append("  (the whole predicate, so pushed-down filters are re-checked too)")
    lines.extend(f"  {note}" for note in plan.notes)
    lines.extend(f"  {choice.words()}" for choice in plan.unions)
    if plan.order_by:
        lines.append(f"  order: {_order(plan)}")
    if plan.limit is not None:
        lines.append(f"  limit: {_limit(plan, plan.limit)}")
    return "\n".join(lines)


def _order(plan: Plan) -> str:
    order = describe_order(plan.order_by)
    if plan.client_sort:
        # Nulls sort first ascending and last descending (docs/language.md).
        nulls = "nulls last" if plan.order_by[0].descending else "nulls first"
        return f"{order}, sorted on the client after every match is fetched ({nulls})"
    if len(plan.requests) > 1:
        return f"{order}, sorted by the server, streams merged in order"
    return f"{order}, sorted by the server"


def _limit(plan: Plan, limit: int) -> str:
    if plan.page_size is not None and plan.page_size >= limit:
        return f"{limit}, sent as the page size; no further page is fetched"
    if plan.page_size is not None:
        return (
            f"{limit}, in pages of {plan.page_size} (the server's largest); "
            f"paging stops once {_images(limit)} {'is' if limit == 1 else 'are'} listed"
        )
    if plan.client_sort:
        # Every match must be seen before the first `limit` of the order are known.
        return f"{limit}, applied on the client after sorting"
    return f"{limit}, applied on the client; paging stops once {_images(limit)} match{'es' if limit == 1 else ''}"


# The name this function had; Plan.explain() is the public way to it.
explain = describe_plan


def _images(count: int) -> str:
    return f"{count} image{'' if count == 1 else 's'}"
