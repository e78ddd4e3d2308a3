"""Turning the answers to a plan's requests into the query's answer.

Sources fetch; this module decides. Given one stream of image records per
request, in the plan's order, it filters each record with the plan's
compiled predicate, drops images already seen (unions overlap; within one
stream only when the source cannot promise that it never repeats an image),
merges ordered streams in order, sorts on the client when the server could
not, and stops as soon as the limit is met, so that a lazy source makes no
further request.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..lang import fields as F
from ..lang.ast import Expr, SortKey
from ..plan.plan import Plan, total_order
from ..records import Record
from .predicate import CompiledPredicate, compile_predicate
from .sorting import sort_images, sort_key_function

__all__ = [
    "ONE_COUNT_BOUND",
    "aanswer",
    "answer",
    "exactly_one",
    "merge_key",
    "needs_tie_sort",
    "plan_predicate",
    "ties_sorted",
]



def plan_predicate(plan: Plan) -> CompiledPredicate:
    """The plan's client-side check, compiled once per (predicate, time)."""
    return _compiled(plan.predicate, plan.now)


@functools.lru_cache(maxsize=128)
def _compiled(predicate: Expr, now: dt.datetime) -> CompiledPredicate:
    return compile_predicate(predicate, now=now)


# The sync and async answers are the same pipeline, step for step: each
# stream keeps its own first sight of each matching image; several streams
# are merged in the server's order (or any order, when the client sorts) and
# deduplicated across; the client sorts if it must; the limit ends it all.
# What a step decides is written once below; only the iteration differs.


def answer(
    plan: Plan,
    streams: Sequence[Iterable[Record]],
    *,
    checks: Sequence[CompiledPredicate] | None = None,
    distinct: bool = False,
) -> Iterator[Record]:
    """The records that answer ``plan``, from one stream per request.

    ``checks`` replace the plan's predicate stream by stream (each must
    imply it: the plan's predicate compiled with the stream's scope);
    ``distinct`` says that no stream repeats an image, so that only a
    union's streams are de-duplicated (across one another)."""
    if plan.limit == 0 or not streams:
        return iter(())
    filtered = [
        filter(check, stream) for check, stream in zip(_checks(plan, streams, checks, distinct), streams, strict=True)
    ]
    merged: Iterable[Record] = filtered[0]
    if len(filtered) > 1:
        merged = filter(_FirstSeen(), heapq.merge(*filtered, key=_merge_key(plan)))
    if plan.client_sort:
        merged = sort_images(list(merged), plan.client_sort)
    elif needs_tie_sort(plan):
        merged = ties_sorted(merged, plan.order_by)
    return itertools.islice(merged, plan.limit)


async def aanswer(
    plan: Plan,
    streams: Sequence[AsyncIterator[Record]],
    *,
    checks: Sequence[CompiledPredicate] | None = None,
    distinct: bool = False,
) -> AsyncIterator[Record]:
    """The async counterpart of :func:`answer`: the same records, from async streams."""
    if plan.limit == 0 or not streams:
        return
    filtered = [
        _afilter(check, stream) for check, stream in zip(_checks(plan, streams, checks, distinct), streams, strict=True)
    ]
    merged = filtered[0]
    if len(filtered) > 1:
        merged = _afilter(_FirstSeen(), _amerge(filtered, _merge_key(plan)))
    if plan.client_sort:
        merged = _aiter(sort_images([record async for record in merged], plan.client_sort))
    elif needs_tie_sort(plan):
        merged = _aties_sorted(merged, plan.order_by)
    async for record in _aislice(merged, plan.limit):
        yield record


def _checks(
    plan: Plan, streams: Sequence[object], checks: Sequence[CompiledPredicate] | None, distinct: bool
) -> list[Callable[[Record], bool]]:
    """Each stream's filter: its check, and its first sight of each image
    unless the source says no stream repeats one."""
    if checks is None:
        checks = [plan_predicate(plan)] * len(streams)
    elif len(checks) != len(streams):
        raise ValueError(f"{len(checks)} checks for {len(streams)} streams")
    if distinct:
        return list(checks)
    return [_admission(check) for check in checks]


class _FirstSeen:
    """Admits each image id once; a record without an id is always admitted."""

    def __init__(self) -> None:
        self.seen: set[Any] = set()

    def __call__(self, record: Record) -> bool:
        image_id = record.get("id")
        if image_id is None:
            return True
        if image_id in self.seen:
            return False
        self.seen.add(image_id)
        return True


def _admission(matches: CompiledPredicate) -> Callable[[Record], bool]:
    """An image the first time it is seen in the stream, if it matches."""
    first = _FirstSeen()
    return lambda record: first(record) and matches(record)


def _merge_key(plan: Plan) -> Any:
    # When the client sorts, the server's order means nothing; any stable merge will do.
    return merge_key(plan.order_by if plan.server_sorts else ())


async def _afilter(keep: Callable[[Record], bool], stream: AsyncIterator[Record]) -> AsyncIterator[Record]:
    async for record in stream:
        if keep(record):
            yield record


async def _aislice(stream: AsyncIterator[Record], limit: int | None) -> AsyncIterator[Record]:
    # Stops right after the last record wanted: pulling one more could cost a request.
    count = 0
    async for record in stream:
        yield record
        count += 1
        if limit is not None and count >= limit:
            return


async def _aiter(records: Iterable[Record]) -> AsyncIterator[Record]:
    for record in records:
        yield record


async def _amerge(streams: list[AsyncIterator[Record]], key: Any) -> AsyncIterator[Record]:
    """Merge ordered streams as heapq.merge does: stable across streams, and a
    stream is advanced only after its current record has been taken."""
    heap: list[tuple[Any, int, Record]] = []
    for index, stream in enumerate(streams):
        first = await anext(stream, None)
        if first is not None:
            heap.append((key(first), index, first))
    heapq.heapify(heap)
    while heap:
        _, index, record = heap[0]
        yield record
        following = await anext(streams[index], None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (key(following), index, following))


def needs_tie_sort(plan: Plan) -> bool:
    """Whether the server's order needs its ties re-sorted on the client: the
    server orders times by what it stores, fractions of a second included,
    and breaks ties by id only after that, while records show whole seconds."""
    return (
        plan.server_sorts
        and bool(plan.order_by)
        and any(F.lookup(key.field).kind is F.Kind.DATETIME for key in plan.order_by)
    )


def _tie_groups(order_by: tuple[SortKey, ...]) -> Any:
    functions = [sort_key_function(key.field, key.version) for key in order_by]
    return lambda record: tuple(function(record) for function in functions)


def ties_sorted(records: Iterable[Record], order_by: tuple[SortKey, ...]) -> Iterator[Record]:
    """Records in ``order_by``'s order (as shown) re-sorted by the total order
    within each run of equal keys; a run is yielded once the next one starts."""
    keys = total_order(order_by)
    for _, run in itertools.groupby(records, key=_tie_groups(order_by)):
        yield from sort_images(list(run), keys)


async def _aties_sorted(records: AsyncIterator[Record], order_by: tuple[SortKey, ...]) -> AsyncIterator[Record]:
    keys = total_order(order_by)
    group_of = _tie_groups(order_by)
    run: list[Record] = []
    async for record in records:
        if run and group_of(record) != group_of(run[0]):
            for ordered in sort_images(run, keys):
                yield ordered
            run = []
        run.append(record)
    for ordered in sort_images(run, keys):
        yield ordered


def merge_key(order_by: tuple[SortKey, ...]) -> Any:
    """A key ordering records as the server orders them: by ``order_by``
    and then id (`total_order`); without an order, newest first, then id."""
    keys = total_order(order_by) or (SortKey("created_at", True), SortKey("id", True))
    functions = [(sort_key_function(k.field, k.version), k.descending) for k in keys]

    def compare(a: Record, b: Record) -> int:
        for function, descending in functions:
            ka, kb = function(a), function(b)
            if ka != kb:
                result = -1 if ka < kb else 1
                return -result if descending else result
        return 0

    return functools.cmp_to_key(compare)


# How many matches `one()` counts before it stops asking for more.
ONE_COUNT_BOUND = 20


def exactly_one(query_text: str, images: Iterator[Any], params: Mapping[str, Any] | None = None) -> Any:
    """The single image ``images`` yields, or NotFound / MultipleFound with
    what a person fixing a configuration file needs to know (the values bound
    to the query's ``$names`` among it)."""
    from ..errors import MultipleFound, NotFound

    if params:
        bound = ", ".join(f"${name} = {_shown(value)}" for name, value in sorted(params.items()))
        query_text = f"{query_text} (with {bound})"

    found = list(itertools.islice(images, ONE_COUNT_BOUND + 1))
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no image matches: {query_text}")
    count = f"more than {ONE_COUNT_BOUND}" if len(found) > ONE_COUNT_BOUND else str(len(found))
    names = ", ".join(repr(getattr(i, "name", None) or i.get("name")) for i in found[:5])
    more = ", ..." if len(found) > 5 else ""
    raise MultipleFound(
        f"{count} images match, expected exactly one: {query_text}\n"
        f"  matches: {names}{more}\n"
        "  to pick one, add an order and a limit, e.g. `order by created_at desc limit 1`"
    )


def _shown(value: Any) -> str:
    """A bound value as a message quotes it, bounded in length."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
