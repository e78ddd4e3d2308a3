"""Requests too long for a URL, split into several that each fit.

``name in (...)`` with thousands of names is planned as one request whose
``in:`` list makes a URL of tens of kilobytes. Front ends refuse long request
lines (Apache's ``LimitRequestLine`` and nginx's header buffers are 8 KiB by
default: 414), the Glance test server (waitress) refuses a request head past
256 KiB (431), and httpx refuses a URL past 64 KiB before sending it. So
before a plan runs, each request whose URL would pass
:data:`DEFAULT_MAX_URL_LENGTH` has its longest ``in:`` list cut into pieces,
one request per piece with the same other parameters. The pieces' union is
the request's answer (a list filter is a disjunction of its values), and the
answer path already merges, orders and de-duplicates the streams of several
requests, so the answer is unchanged; only the number of requests grows.

A request that cannot be cut to fit (no list, or one value longer than the
budget) is sent as it is.
"""

from __future__ import annotations

from urllib.parse import quote

import attrs

from ..plan.plan import Plan, Request

__all__ = ["DEFAULT_MAX_URL_LENGTH", "split_long_lists"]

# Path and query string of one request, in characters: under the 8 KiB a
# common front end accepts, with room for the host, limit and marker.
DEFAULT_MAX_URL_LENGTH = 7000

_PREFIX = 'in:"'
_SEPARATOR = '","'


def split_long_lists(plan: Plan, budget: int = DEFAULT_MAX_URL_LENGTH) -> Plan:
    """``plan`` with every request longer than ``budget`` split on its longest ``in:`` list."""
    if all(len(request.url()) <= budget for request in plan.requests):
        return plan
    requests: list[Request] = []
    for request in plan.requests:
        requests.extend(_split(request, budget))
    return attrs.evolve(plan, requests=tuple(requests))


def _split(request: Request, budget: int) -> list[Request]:
    length = len(request.url())
    if length <= budget:
        return [request]
    lists = [(n, value) for n, (_, value) in enumerate(request.params) if _is_list(value)]
    if not lists:
        return [request]
    at, value = max(lists, key=lambda item: len(item[1]))
    items = value[len(_PREFIX) : -1].split(_SEPARATOR)
    # Room for this list's items: the budget less the rest of the URL.
    room = budget - (length - _list_length([_quoted(item) for item in items]))
    pieces = _pieces(items, room)
    if pieces is None or len(pieces) < 2:
        return [request]
    name = request.params[at][0]
    out = []
    for piece in pieces:
        cut = (name, _PREFIX + _SEPARATOR.join(piece) + '"')
        out.append(attrs.evolve(request, params=(*request.params[:at], cut, *request.params[at + 1 :])))
    return out


def _is_list(value: str) -> bool:
    return value.startswith(_PREFIX) and value.endswith('"') and len(value) > len(_PREFIX)


def _quoted(item: str) -> int:
    """How long an item is in the URL, as ``Request.url`` encodes it."""
    return len(quote(item, safe=":,"))


def _list_length(lengths: list[int]) -> int:
    # `in:` then each item as %22item%22, joined with commas.
    return len("in:") + sum(length + 6 for length in lengths) + max(len(lengths) - 1, 0)


def _pieces(items: list[str], room: int) -> list[list[str]] | None:
    """``items`` in runs whose encoded ``in:`` list fits in ``room``; None when one item alone does not."""
    pieces: list[list[str]] = []
    current: list[str] = []
    used = len("in:")
    for item in items:
        cost = _quoted(item) + 6 + (1 if current else 0)
        if used + cost <= room:
            current.append(item)
            used += cost
            continue
        if not current or len("in:") + _quoted(item) + 6 > room:
            return None
        pieces.append(current)
        current = [item]
        used = len("in:") + _quoted(item) + 6
    if current:
        pieces.append(current)
    return pieces
