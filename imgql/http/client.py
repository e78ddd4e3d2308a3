"""Clients for a live Images API v2: :class:`Client` (sync) and :class:`AsyncClient`.

    client = imgql.Client("https://glance.example:9292", token)
    for image in client.query("images where tag = lts order by created_at desc"):
        ...
    image = client.one("images where os_distro = ubuntu order by created_at desc limit 1")

A query is planned (pure, no network), then each of the plan's requests is
paged by :func:`imgql.http.paging.listing`, and :func:`imgql.run.answer.answer`
turns the streams into the answer. Both clients are thin shells over
:class:`imgql.http.core.ClientCore`, which plans, builds and reads every
request, logs and keeps credentials; a shell only sends, sleeps and runs a
union's requests at once (threads or tasks). Both take the same settings
(:class:`imgql.http.options.ClientOptions`, or the same keyword arguments).

Results stream: the first image is yielded after the first page, at most one
page per request is held (unless the plan sorts on the client), and no request
is made once the limit is met or the caller stops iterating. A union plan's
first pages are fetched concurrently (a small thread pool, or tasks); later
pages are fetched when the merge needs them, so a union makes exactly the
requests a sequential run would, only sooner. When the client must sort, it
needs every match anyway, so each request's listing is fetched to the end
concurrently.

Tokens are sent as ``X-Auth-Token`` and never appear in an error, a repr or
a log record; requests are logged at DEBUG on the ``imgql`` logger without
headers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterable,
    Iterator,
    Mapping,
)
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, suppress
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import httpx

from ..errors import Error
from ..lang.ast import Query
from ..plan.locations import Location
from ..plan.plan import Plan
from ..records import Record
from ..run.answer import ONE_COUNT_BOUND, aanswer, answer, exactly_one, plan_predicate
from ..run.fallbacks import first_answering, tier_plans
from ..run.image import Image
from ..run.locations import merge_endpoints
from .bounded import TooLarge, TooLong, areceive, receive
from .core import ClientCore, Run, Stop, Strategy, advance, whole_listings
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

__all__ = ["AsyncClient", "Client", "ClientOptions", "connect"]

Pages = Iterator[tuple[Record, ...]]
T = TypeVar("T")


# --------------------------------------------------------------------------- sync


class Client(ClientCore):
    """A synchronous client for an Images API v2 endpoint (Glance).

    ``endpoint`` is the API root, with or without ``/v2``; ``token`` is sent
    as ``X-Auth-Token``. Without them, credentials come from the usual
    OpenStack places (``OS_*`` variables, ``clouds.yaml`` via ``cloud=`` or
    ``OS_CLOUD``, Keystone); a Keystone token is renewed once on a 401.
    ``session`` is a keystoneauth1 ``Session`` to take the token and the image
    endpoint from (with ``region``, ``interface``; ``endpoint`` then overrides
    the catalog), so an application that has logged in does not log in again;
    :meth:`from_connection` does the same for an openstacksdk ``Connection``.

    ``http`` is an ``httpx.Client`` to use (its headers, transport, event hooks
    and TLS settings are kept, and it is not closed here). ``sleep`` replaces
    the wait between tries (for tests). Every other setting (``profile``,
    ``page_size``, ``cloud``, ``region``, ``interface``, ``auth``, ``verify``,
    ``timeout``, ``retries``, ``concurrency``) is a field of
    :class:`~imgql.http.options.ClientOptions`, given as a keyword argument,
    or all at once as ``options=``; keyword arguments win.
    """

    _http_class = httpx.Client
    _http: httpx.Client

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], object] | None = None,
        options: ClientOptions | None = None,
        session: Any = None,
        **settings: Any,
    ) -> None:
        endpoint, token, built = _with_session(session, endpoint, token, ClientOptions.build(options, settings))
        super().__init__(endpoint, token, http, sleep, built)

    @classmethod
    def from_connection(cls, connection: Any, **settings: Any) -> Client:
        """A client that uses an openstacksdk ``Connection``: its session (and
        token), its region, interface and image endpoint (``image_endpoint_override``)."""
        return cls(**_from_connection(connection, settings))

    # -- the surface --------------------------------------------------------------

    def query(self, query: str | Query | Plan, **params: Any) -> Iterator[Image]:
        """The images answering ``query``, streamed (planned now, fetched as iterated)."""
        return self._images(self._plan_of(query, params))

    @overload
    def one(self, query: str | Query, *, per: None = None, **params: Any) -> Image: ...

    @overload
    def one(self, query: str | Query, *, per: Literal["region"], **params: Any) -> dict[str, Image]: ...

    def one(self, query: str | Query, *, per: str | None = None, **params: Any) -> Image | dict[str, Image]:
        """The single image answering ``query``; NotFound or MultipleFound otherwise.
        With ``per="region"``: a dict of region name -> that region's single image,
        over the regions the query names (every region when it names none)."""
        plan = self._plan_of(query, params)
        if per is not None:
            return one_per_region(str(query), self._outcomes(per_region_plan(plan, per)), self._options.partial)
        with closing(self._images(plan)) as images:
            found: Image = exactly_one(str(query), images, params)
        return found

    def records(self, plan: Plan | str | Query, **params: Any) -> Iterator[Mapping[str, Any]]:
        """The raw image records (dicts, as the API sent them) answering ``plan``."""
        planned = self._plan_of(plan, params)
        if planned.places.named or planned.fallbacks:
            return (image.raw for image in self._images(planned))
        return self._run(planned)

    def collect(self, query: str | Query | Plan, **params: Any) -> ResultList:
        """Every image answering ``query``, as a list that renders as a table
        at a REPL or in a notebook (``.to_dicts()``, ``.to_dataframe()``)."""
        from ..run.results import ResultList

        return ResultList(list(self.query(query, **params)))

    @property
    def http(self) -> httpx.Client:
        """The HTTP client in use (the caller's, when one was given)."""
        return self._http

    def close(self) -> None:
        """Stop running queries and close the HTTP client, if this client made it."""
        if self._stop_runs():
            self._http.close()
        for http in self._partners.made_http():
            http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- running a plan -------------------------------------------------------------

    def _images(self, plan: Plan) -> Generator[Image, None, None]:
        if plan.fallbacks:
            yield from first_answering(tier_plans(plan), self._images)
            return
        if plan.places.named:
            answers = settle(self._outcomes(plan), self._options.partial)
            yield from merge_endpoints(plan.query, answers)
            return
        own = self._partners.own()
        with closing(self._run(plan)) as records:
            for record in records:
                yield Image.from_record(record, own.region, own.cloud)

    def _outcomes(self, plan: Plan) -> list[Outcome]:
        """Each endpoint's images (or error), run at once, in endpoint order."""
        places = plan.places
        every: dict[str | None, tuple[str, ...] | Error] = {}
        if places.every_region and not places.empty:
            for cloud in clouds_of(places):
                try:
                    every[cloud] = region_lister(self._partners.auth(cloud)).regions(self._partners.http(cloud))
                except Error as exc:
                    every[cloud] = exc
        each = each_plan(plan)

        def run(todo: tuple[Location, Error | None]) -> Outcome:
            location, ruled_out = todo
            label = self._partners.label(location)
            if ruled_out is not None:
                return label, ruled_out
            try:
                with closing(self._partners.client(location, each_place)._run(each)) as records:
                    return label, [Image.from_record(r, label.region, label.cloud) for r in records]
            except Error as exc:
                return label, exc

        todos = [] if places.empty else locations(places, every)
        if not todos:
            return []
        # `concurrency` bounds the requests in flight across every place, not per place.
        at_once, each_place = shares(self._options.concurrency, len(todos))
        with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="imgql-place") as pool:
            try:
                return list(pool.map(run, todos))
            except KeyboardInterrupt:
                # Every place stops now, not when its request in flight ends.
                self._stop_queries()
                raise

    def _run(self, plan: Plan) -> Generator[Record, None, None]:
        with self._running(plan, threading.Event()) as run:
            if run is None:
                return
            probed = self._probe(run) if plan.wider else None
            if probed is not None:
                yield from answer(plan, probed, distinct=True)
                return
            drivers = [self._pages(params, run) for params in run.requests]
            try:
                yield from answer(plan, self._streams(run, drivers), distinct=True)
            finally:
                for driver in drivers:
                    driver.close()

    def _streams(self, run: Run, drivers: list[Generator[tuple[Record, ...], None, None]]) -> list[Iterable[Record]]:
        if run.strategy is Strategy.ONE:
            return [_flatten(drivers[0])]
        if run.strategy is Strategy.DRAIN:
            return list(self._concurrently(drivers, run.stop, _drainer(run.plan)))
        firsts = self._concurrently(drivers, run.stop, _first_page)
        return [_flatten(driver, first) for driver, first in zip(drivers, firsts, strict=True)]

    def _probe(self, run: Run) -> list[tuple[Record, ...]] | None:
        """Before a union: the first page of each wider request, when that
        answers the query (see ``Plan.wider``)."""
        drivers = [self._pages(request.params, run, peek=True) for request in run.plan.wider]
        try:
            return whole_listings(self._concurrently(drivers, run.stop, _only_page))
        finally:
            for driver in drivers:
                driver.close()

    def _concurrently(
        self, drivers: list[Generator[tuple[Record, ...], None, None]], stop: Stop, work: Callable[[Pages], T]
    ) -> list[T]:
        """``work`` applied to every driver in a thread pool; every thread has
        finished when this returns or raises."""
        workers = min(self._options.concurrency, len(drivers))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="imgql") as pool:
            futures: list[Future[T]] = [pool.submit(work, driver) for driver in drivers]
            try:
                return [future.result() for future in futures]
            except BaseException as exc:
                # Siblings stop at their next request or wait; the pool's exit waits for them.
                stop.set()
                for future in futures:
                    future.cancel()
                if isinstance(exc, KeyboardInterrupt):
                    # Ctrl-C: the requests in flight are cut now, so the pool's exit is immediate.
                    self._stop_queries()
                raise

    def _pages(self, params: Params, run: Run, *, peek: bool = False) -> Generator[tuple[Record, ...], None, None]:
        """One listing's pages: runs the paging algorithm, doing what it asks.
        With ``peek``, the first page only, then an empty page if the listing
        would go on (that request is not sent)."""
        with closing(self._listing(params, run.page_size, peek=peek)) as steps:
            reply: Reply | Fault | None = None
            while (effect := advance(steps, reply)) is not None:
                reply = None
                if isinstance(effect, Page):
                    yield effect.records
                else:
                    reply = self._perform(effect, run.stop)

    def _perform(self, effect: Effect, stop: Stop) -> Reply | Fault | None:
        if isinstance(effect, Send):
            return self._send(effect.params, stop)
        if isinstance(effect, Wait):
            self._wait(effect, stop)
        elif isinstance(effect, Reauthenticate):
            self._credentials(refresh=True)
        return None

    def _credentials(self, refresh: bool = False) -> Credentials:
        try:
            return self._auth.get(self._http, refresh=refresh)
        except httpx.HTTPError as exc:
            raise self._auth_failed(exc) from None

    def _send(self, params: Params, stop: Stop) -> Reply | Fault:
        self._checkpoint(stop)
        exchange = self._request(self._credentials(), params)
        try:
            # Redirects are never followed: the token must not go to another origin.
            response, content = receive(self._http, exchange.request, self._limits_for(stop), self._sockets)
        except httpx.HTTPError as exc:
            return exchange.failed(exc)
        except TooLong as exc:
            return exchange.too_long(exc)
        except TooLarge as exc:
            raise exchange.too_large(exc) from None
        return exchange.received(response, content)

    def _wait(self, effect: Wait, stop: Stop) -> None:
        self._waiting(effect.seconds, effect.reason, stop)
        if self._sleep is not None:
            self._sleep(effect.seconds)
        elif isinstance(stop, threading.Event):
            stop.wait(effect.seconds)  # wakes early when the query or the client stops
        self._checkpoint(stop)


def _flatten(pages: Pages, first: tuple[Record, ...] | None = None) -> Iterator[Record]:
    if first:
        yield from first
    for page in pages:
        yield from page


def _first_page(pages: Pages) -> tuple[Record, ...] | None:
    return next(pages, None)


def _only_page(pages: Pages) -> tuple[tuple[Record, ...], bool]:
    """A peeking listing's first page, and whether another would follow."""
    return next(pages, ()), next(pages, None) is not None


def _drainer(plan: Plan) -> Callable[[Pages], list[Record]]:
    # Only matches are kept while the whole listing is read for a client-side sort.
    matches = plan_predicate(plan)

    def drain(pages: Pages) -> list[Record]:
        return [record for page in pages for record in page if matches(record)]

    return drain


def _with_session(
    session: Any, endpoint: str | None, token: str | None, options: ClientOptions
) -> tuple[str | None, str | None, ClientOptions]:
    """The client's arguments once a keystoneauth1 ``session`` is its credentials."""
    if session is None:
        return endpoint, token, options
    from .session_auth import session_options

    return None, None, session_options(session, endpoint, token, options)


def _from_connection(connection: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    from .session_auth import connection_settings

    # The caller's settings (region=, interface=, ...) win over the connection's.
    return {**connection_settings(connection), **settings}


def connect(endpoint: str | None = None, token: str | None = None, **options: Any) -> Client:
    """A :class:`Client`; the same arguments."""
    return Client(endpoint, token, **options)


# --------------------------------------------------------------------------- async


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
        endpoint, token, built = _with_session(session, endpoint, token, ClientOptions.build(options, settings))
        super().__init__(endpoint, token, http, sleep, built)

    @classmethod
    def from_connection(cls, connection: Any, **settings: Any) -> AsyncClient:
        """As :meth:`Client.from_connection`."""
        return cls(**_from_connection(connection, settings))

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
        return self._run(planned)

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
        records = self._run(plan)
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
                    records = self._partners.client(location, each_place)._run(each)
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

    async def _run(self, plan: Plan) -> AsyncGenerator[Record, None]:
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
                async for record in await self._answer(run, drivers):
                    yield record
            finally:
                for driver in drivers:
                    await driver.aclose()

    async def _answer(self, run: Run, drivers: list[AsyncGenerator[tuple[Record, ...], None]]) -> AsyncIterator[Record]:
        if run.strategy is Strategy.ONE:
            return aanswer(run.plan, [_aflatten(drivers[0], None)], distinct=True)
        if run.strategy is Strategy.DRAIN:
            matches = plan_predicate(run.plan)
            lists = await _all([_adrain(driver, matches) for driver in drivers])
            return _aiter(answer(run.plan, lists, distinct=True))
        firsts = await _all([_anext_page(driver) for driver in drivers])
        return aanswer(
            run.plan, [_aflatten(driver, first) for driver, first in zip(drivers, firsts, strict=True)], distinct=True
        )

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


async def _aiter(items: Iterable[T]) -> AsyncIterator[T]:
    for item in items:
        yield item


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
