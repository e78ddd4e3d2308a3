"""The synchronous client for a live Images API v2: :class:`Client`.

The shell over :class:`~imgql.http.core.ClientCore` that sends with an
``httpx.Client``, sleeps between tries, and runs a union's requests (and a
query's places) at once in small thread pools. See :mod:`imgql.http.client`
for what both clients promise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import httpx

from ..errors import Error
from ..lang.ast import Query
from ..plan.locations import Location
from ..plan.plan import Plan
from ..records import Record
from ..run.answer import answer, exactly_one, plan_predicate
from ..run.fallbacks import first_answering, tier_plans
from ..run.image import Image
from ..run.locations import merge_endpoints
from .bounded import TooLarge, TooLong, receive
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

__all__ = ["Client", "connect"]

Pages = Iterator[tuple[Record, ...]]
T = TypeVar("T")


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
    ``timeout``, ``retries``, ``concurrency``, ``on_page``, ...) is a field of
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
        endpoint, token, built = session_arguments(session, endpoint, token, ClientOptions.build(options, settings))
        super().__init__(endpoint, token, http, sleep, built)

    @classmethod
    def from_connection(cls, connection: Any, **settings: Any) -> Client:
        """A client that uses an openstacksdk ``Connection``: its session (and
        token), its region, interface and image endpoint (``image_endpoint_override``)."""
        return cls(**connection_arguments(connection, settings))

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
        return self.endpoint_records(planned)

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
        with closing(self.endpoint_records(plan)) as records:
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
                with closing(self._partners.client(location, each_place).endpoint_records(each)) as records:
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

    def endpoint_records(self, plan: Plan) -> Generator[Record, None, None]:
        """The records answering ``plan`` at this client's own endpoint, its
        places and fallbacks not read: what a query over several places runs
        at each place's client."""
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


def connect(endpoint: str | None = None, token: str | None = None, **options: Any) -> Client:
    """A :class:`Client`; the same arguments."""
    return Client(endpoint, token, **options)
