"""Plan -> text a person reads before running a query."""

from __future__ import annotations

from ..lang.ast import Const
from ..lang.format import format_expr
from .plan import Plan, describe_order

__all__ = ["explain"]


def explain(plan: Plan) -> str:
    lines = [f"query:   {plan.query}", f"profile: {plan.profile}"]
    if not plan.requests:
        reason = next((n for n in plan.notes if n.startswith(("no request", "limit 0"))), "no request")
        lines.append(reason if reason.startswith("no request") else f"no request: {reason}")
        return "\n".join(lines)

    count = len(plan.requests)
    lines.append("")
    if plan.wider:
        lines.append("first, the first page of the wider request (it answers alone when it is the last page):")
        for request in plan.wider:
            lines.append(f"  GET {request.url(plan.page_size)}")
        lines.append("and only if it is not:")
    if count == 1:
        lines.append("1 request:")
    else:
        lines.append(f"{count} requests, run concurrently, merged and de-duplicated by id:")
    for request in plan.requests:
        lines.append(f"  GET {request.url(plan.page_size)}")
        for reason in request.reasons:
            lines.append(f"      on the client: {reason}")

    lines.append("")
    lines.append("on the client:")
    if all(isinstance(r.residual, Const) and r.residual.value for r in plan.requests):
        lines.append("  nothing left to filter; every image is re-checked against the whole predicate")
    else:
        lines.append("  filter: " + format_expr(plan.predicate))
        lines.append("  (the whole predicate, so pushed-down filters are re-checked too)")
    for note in plan.notes:
        lines.append(f"  {note}")
    for choice in plan.unions:
        lines.append(f"  {choice.words()}")
    if plan.order_by:
        order = describe_order(plan.order_by)
        if plan.client_sort:
            lines.append(f"  order: {order}, sorted on the client after every match is fetched (nulls first ascending)")
        elif count > 1:
            lines.append(f"  order: {order}, sorted by the server, streams merged in order")
        else:
            lines.append(f"  order: {order}, sorted by the server")
    if plan.limit is not None:
        if plan.page_size is not None and plan.page_size >= plan.limit:
            lines.append(f"  limit: {plan.limit}, sent as the page size; no further page is fetched")
        elif plan.page_size is not None:
            lines.append(
                f"  limit: {plan.limit}, in pages of {plan.page_size} (the server's largest); "
                f"paging stops once {_images(plan.limit)} {'is' if plan.limit == 1 else 'are'} listed"
            )
        else:
            lines.append(
                f"  limit: {plan.limit}, applied on the client; paging stops once "
                f"{_images(plan.limit)} match{'es' if plan.limit == 1 else ''}"
            )
    return "\n".join(lines)


def _images(count: int) -> str:
    return f"{count} image{'' if count == 1 else 's'}"
