"""The asynchronous client for a live Images API v2: :class:`AsyncClient`.

The twin of :mod:`imgql.http.sync_client` over an ``httpx.AsyncClient``: the
same plans and pages (:class:`~imgql.http.core.ClientCore`), with a union's
requests and a query's places run as tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import closing, suppress
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import httpx

from ..errors import Error
from ..lang.ast import Query
from ..plan.locations import Location
from ..plan.plan import Plan
from ..records import Record
from ..run.answer import ONE_COUNT_BOUND, aanswer, answer, exactly_one, plan_predicate
from ..run.fallbacks import tier_plans
from ..run.image import Image
from ..run.locations import merge_endpoints
from .bounded import TooLarge, TooLong, areceive
from .core import ClientCore, Run, Stop, Strategy, advance, connection_arguments, session_arguments, whole_listings
from .credentials import Credentials
from .options import ClientOptions
from .paging import Effect, Fault, Page, Params, Reauthenticate, Reply, Send, Wait
from .places import (
    Outcome,
    clouds_of,
    each_plan,
    locations,
    one_per_region,
    per_region_plan,
    region_lister,
    settle,
    shares,
)

if TYPE_CHECKING:
    from ..run.results import ResultList

__all__ = ["AsyncClient"]

T = TypeVar("T")


class AsyncClient(ClientCore):
    """The asynchronous twin of :class:`Client`: the same arguments (``http``
    is an ``httpx.AsyncClient``; ``sleep`` an async function), the same
    answers. ``query`` and ``records`` return async iterators; ``one`` and
    ``collect`` are awaited; ``aclose`` stops running queries as ``close`` does."""

    _http_class = httpx.AsyncClient
    _http: httpx.AsyncClient

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        options: ClientOptions | None = None,
        session: Any = None,
        **settings: Any,
    ) -> None:
        endpoint, token, built = session_arguments(session, endpoint, token, ClientOptions.build(options, settings))
        super().__init__(endpoint, token, http, sleep, built)

    @classmethod
    def from_connection(cls, connection: Any, **settings: Any) -> AsyncClient:
        """As :meth:`Client.from_connection`."""
        return cls(**connection_arguments(connection, settings))

    # -- the surface --------------------------------------------------------------

    def query(self, query: str | Query | Plan, **params: Any) -> AsyncIterator[Image]:
        """The images answering ``query``, as an async iterator (planned now, fetched as iterated)."""
        return self._images(self._plan_of(query, params))

    @overload
    async def one(self, query: str | Query, *, per: None = None, **params: Any) -> Image: ...

    @overload
    async def one(self, query: str | Query, *, per: Literal["region"], **params: Any) -> dict[str, Image]: ...

    async def one(self, query: str | Query, *, per: str | None = None, **params: Any) -> Image | dict[str, Image]:
        """The single image answering ``query``; NotFound or MultipleFound otherwise.
        With ``per="region"``, as the synchronous client's ``one``."""
        plan = self._plan_of(query, params)
        if per is not None:
            outcomes = await self._outcomes(per_region_plan(plan, per))
            return one_per_region(str(query), outcomes, self._options.partial)
        images = self._images(plan)
        found: list[Image] = []
        try:
            async for image in images:
                found.append(image)
                if len(found) > ONE_COUNT_BOUND:  # enough to tell one from several
                    break
        finally:
            await images.aclose()
        result: Image = exactly_one(str(query), iter(found), params)
        return result

    def records(self, plan: Plan | str | Query, **params: Any) -> AsyncIterator[Mapping[str, Any]]:
        """The raw image records (dicts, as the API sent them) answering ``plan``."""
        planned = self._plan_of(plan, params)
        if planned.places.named or planned.fallbacks:
            return _araw(self._images(planned))
        return self.endpoint_records(planned)

    async def collect(self, query: str | Query | Plan, **params: Any) -> ResultList:
        """Every image answering ``query``, as a list that renders as a table."""
        from ..run.results import ResultList

        return ResultList([image async for image in self.query(query, **params)])

    @property
    def http(self) -> httpx.AsyncClient:
        """The HTTP client in use (the caller's, when one was given)."""
        return self._http

    async def aclose(self) -> None:
        """Stop running queries and close the HTTP client, if this client made it."""
        if self._stop_runs():
            await self._http.aclose()
        for http in self._partners.made_http():
            await http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- running a plan -------------------------------------------------------------

    async def _images(self, plan: Plan) -> AsyncGenerator[Image, None]:
        if plan.fallbacks:
            for tier in tier_plans(plan):
                found = False
                async for image in self._images(tier):
                    found = True
                    yield image
                if found:
                    return
            return
        if plan.places.named:
            answers = settle(await self._outcomes(plan), self._options.partial)
            for image in merge_endpoints(plan.query, answers):
                yield image
            return
        own = self._partners.own()
        records = self.endpoint_records(plan)
        try:
            async for record in records:
                yield Image.from_record(record, own.region, own.cloud)
        finally:
            await records.aclose()

    async def _outcomes(self, plan: Plan) -> list[Outcome]:
        """As the synchronous client's ``_outcomes``, as tasks."""
        places = plan.places
        every: dict[str | None, tuple[str, ...] | Error] = {}
        if places.every_region and not places.empty:
            for cloud in clouds_of(places):
                try:
                    every[cloud] = await region_lister(self._partners.auth(cloud)).aregions(self._partners.http(cloud))
                except Error as exc:
                    every[cloud] = exc
        each = each_plan(plan)

        async def run(todo: tuple[Location, Error | None]) -> Outcome:
            location, ruled_out = todo
            label = self._partners.label(location)
            if ruled_out is not None:
                return label, ruled_out
            try:
                async with limiter:
                    records = self._partners.client(location, each_place).endpoint_records(each)
                    try:
                        return label, [Image.from_record(r, label.region, label.cloud) async for r in records]
                    finally:
                        await records.aclose()
            except Error as exc:
                return label, exc

        todos = [] if places.empty else locations(places, every)
        at_once, each_place = shares(self._options.concurrency, len(todos) or 1)
        limiter = asyncio.Semaphore(at_once)
        return await _all([run(todo) for todo in todos])

    async def endpoint_records(self, plan: Plan) -> AsyncGenerator[Record, None]:
        """As the synchronous client's ``endpoint_records``."""
        with self._running(plan, asyncio.Event()) as run:
            if run is None:
                return
            limiter = asyncio.Semaphore(self._options.concurrency)
            probed = await self._probe(run, limiter) if plan.wider else None
            if probed is not None:
                for record in answer(plan, probed, distinct=True):
                    yield record
                return
            drivers = [self._pages(params, run, limiter) for params in run.requests]
            try:
                async for record in self._answer(run, drivers):
                    yield record
            finally:
                for driver in drivers:
                    await driver.aclose()

    async def _answer(self, run: Run, drivers: list[AsyncGenerator[tuple[Record, ...], None]]) -> AsyncIterator[Record]:
        """The query's answer from its listings, read as the run's strategy says."""
        plan = run.plan
        if run.strategy is Strategy.DRAIN:
            matches = plan_predicate(plan)
            for record in answer(plan, await _all([_adrain(driver, matches) for driver in drivers]), distinct=True):
                yield record
            return
        if run.strategy is Strategy.ONE:
            streams = [_aflatten(drivers[0], None)]
        else:
            firsts = await _all([_anext_page(driver) for driver in drivers])
            streams = [_aflatten(driver, first) for driver, first in zip(drivers, firsts, strict=True)]
        async for record in aanswer(plan, streams, distinct=True):
            yield record

    async def _probe(self, run: Run, limiter: asyncio.Semaphore) -> list[tuple[Record, ...]] | None:
        """As the synchronous client's ``_probe``."""
        drivers = [self._pages(request.params, run, limiter, peek=True) for request in run.plan.wider]
        try:
            return whole_listings(await _all([_aonly_page(driver) for driver in drivers]))
        finally:
            for driver in drivers:
                await driver.aclose()

    async def _pages(
        self, params: Params, run: Run, limiter: asyncio.Semaphore, *, peek: bool = False
    ) -> AsyncGenerator[tuple[Record, ...], None]:
        """As the synchronous client's ``_pages``."""
        with closing(self._listing(params, run.page_size, peek=peek)) as steps:
            reply: Reply | Fault | None = None
            while (effect := advance(steps, reply)) is not None:
                reply = None
                if isinstance(effect, Page):
                    yield effect.records
                elif isinstance(effect, Send):
                    async with limiter:
                        reply = await self._send(effect.params, run.stop)
                else:
                    await self._perform(effect, run.stop)

    async def _perform(self, effect: Effect, stop: Stop) -> None:
        if isinstance(effect, Wait):
            await self._wait(effect, stop)
        elif isinstance(effect, Reauthenticate):
            await self._credentials(refresh=True)

    async def _credentials(self, refresh: bool = False) -> Credentials:
        try:
            return await self._auth.aget(self._http, refresh=refresh)
        except httpx.HTTPError as exc:
            raise self._auth_failed(exc) from None

    async def _send(self, params: Params, stop: Stop) -> Reply | Fault:
        self._checkpoint(stop)
        exchange = self._request(await self._credentials(), params)
        try:
            response, content = await areceive(self._http, exchange.request, self._limits_for(stop))
        except httpx.HTTPError as exc:
            return exchange.failed(exc)
        except TooLong as exc:
            return exchange.too_long(exc)
        except TooLarge as exc:
            raise exchange.too_large(exc) from None
        return exchange.received(response, content)

    async def _wait(self, effect: Wait, stop: Stop) -> None:
        self._waiting(effect.seconds, effect.reason, stop)
        if self._sleep is not None:
            await self._sleep(effect.seconds)
        elif isinstance(stop, asyncio.Event):
            # Wakes early when the query or the client stops.
            await _until(stop, effect.seconds)
        self._checkpoint(stop)


async def _araw(images: AsyncIterator[Image]) -> AsyncIterator[Mapping[str, Any]]:
    async for image in images:
        yield image.raw


async def _until(event: asyncio.Event, seconds: float) -> None:
    with suppress(asyncio.TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def _all(coroutines: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run concurrently; on the first failure cancel the rest, wait for them, and raise."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _anext_page(pages: AsyncIterator[tuple[Record, ...]]) -> tuple[Record, ...] | None:
    try:
        return await pages.__anext__()
    except StopAsyncIteration:
        return None


async def _aonly_page(pages: AsyncIterator[tuple[Record, ...]]) -> tuple[tuple[Record, ...], bool]:
    first = await _anext_page(pages)
    return first or (), await _anext_page(pages) is not None


async def _adrain(pages: AsyncIterator[tuple[Record, ...]], matches: Callable[[Record], bool]) -> list[Record]:
    return [record async for page in pages for record in page if matches(record)]


async def _aflatten(
    pages: AsyncIterator[tuple[Record, ...]], first: tuple[Record, ...] | None
) -> AsyncIterator[Record]:
    if first:
        for record in first:
            yield record
    async for page in pages:
        for record in page:
            yield record
