"""Clients for a live Images API v2: :class:`Client` (sync) and :class:`AsyncClient`.

    client = imgql.Client("https://glance.example:9292", token)
    for image in client.query("images where tag = lts order by created_at desc"):
        ...
    image = client.one("images where os_distro = ubuntu order by created_at desc limit 1")

A query is planned (pure, no network), then each of the plan's requests is
paged by :func:`imgql.glance_source.listing`, and :func:`imgql.execute.answer`
turns the streams into the answer. This module only sends requests: it owns
the httpx client, credentials, headers, logging and threads or tasks.

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
import enum
import logging
import ssl
import threading
import time
import weakref
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
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import ConfigError, ConnectionError, Error
from ..lang.ast import Query
from ..lang.parser import parse
from ..plan.capabilities import Profile, get_profile
from ..plan.plan import Plan
from ..plan.planner import plan as make_plan
from ..run.answer import ONE_COUNT_BOUND, aanswer, answer, exactly_one, plan_predicate
from ..run.image import Image
from .auth import Auth, Credentials, normalize_endpoint, resolve_auth
from .paging import (
    LISTING_PATH,
    Fault,
    Page,
    Params,
    Reauthenticate,
    Reply,
    Send,
    Wait,
    describe,
    listing,
)
from .retry import DEFAULT_RETRIES, RetryPolicy

if TYPE_CHECKING:
    from ..run.results import ResultList

__all__ = ["AsyncClient", "Client", "connect"]

logger = logging.getLogger("imgql")

Record = Mapping[str, Any]
T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
# How many requests of a union run at once.
DEFAULT_CONCURRENCY = 4


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET

Timeout = float | httpx.Timeout | None


def _version() -> str:
    from ..version import __version__

    return __version__


class _Stopped(Error):
    """The client was closed, or the query stopped, while a request was due."""


# --------------------------------------------------------------------------- shared


class _ClientBase:
    """Configuration, planning and request bookkeeping shared by both clients."""

    def __init__(
        self,
        endpoint: str | None,
        token: str | None,
        *,
        http: Any,
        http_class: type[httpx.Client] | type[httpx.AsyncClient],
        sleep: Any,
        profile: str | Profile,
        page_size: int | None,
        cloud: str | None,
        verify: bool | str,
        timeout: Timeout | _Unset,
        retries: int,
        auth: Auth | None,
        region: str | None,
        interface: str | None,
        concurrency: int,
    ) -> None:
        if http is not None and not isinstance(http, http_class):
            raise ConfigError(f"http must be an httpx.{http_class.__name__}, not {type(http).__name__}")
        http_given = http is not None
        http_headers = http.headers if http is not None else None
        self._profile = get_profile(profile)
        if page_size is not None and (not isinstance(page_size, int) or page_size < 1):
            raise ConfigError(f"page_size must be a whole number of at least 1, not {page_size!r}")
        if not isinstance(retries, int) or retries < 0:
            raise ConfigError(f"retries must be a whole number of at least 0, not {retries!r}")
        if not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigError(f"concurrency must be a whole number of at least 1, not {concurrency!r}")
        self._page_size = page_size
        self._concurrency = concurrency
        self._policy = RetryPolicy(retries=retries)
        if auth is not None:
            if endpoint or token or cloud:
                raise ConfigError("give either auth= or endpoint, token and cloud, not both")
            resolved_verify: bool | str = True
        else:
            auth, resolved_verify = resolve_auth(endpoint, token, cloud=cloud, region=region, interface=interface)
        self._auth: Auth = auth
        # An explicit verify=False or CA bundle wins; the default defers to OS_CACERT / clouds.yaml.
        self._verify: bool | str = verify if verify is not True else resolved_verify
        # Seen tokens, to scrub them from anything a server echoes back.
        self._secrets: set[str] = set()
        static_token = getattr(auth, "token", None)
        if isinstance(static_token, str) and static_token:
            self._secrets.add(static_token)
        if timeout is UNSET:
            # A client we make gets our default; a caller's client keeps its own.
            self._timeout: Timeout | _Unset = UNSET if http_given else DEFAULT_TIMEOUT
        else:
            self._timeout = timeout
        existing_agent = http_headers.get("user-agent") if http_headers is not None else None
        agent = f"imgql/{_version()}"
        if existing_agent and not existing_agent.startswith("python-httpx/"):
            agent = f"{existing_agent} {agent}"
        self._user_agent = agent
        self._closed = False
        self._sleep: Any = sleep
        self._owns_http = not http_given
        # Each client narrows this to its own httpx class.
        self._http: Any = http if http_given else self._make_http()

    def _make_http(self) -> Any:
        raise NotImplementedError

    # -- planning ---------------------------------------------------------------

    def plan(self, query: str | Query, **params: Any) -> Plan:
        """The plan this client would run for ``query`` (no request is made)."""
        parsed = query if isinstance(query, Query) else parse(query)
        return make_plan(parsed.bind(**params) if (params or parsed.params) else parsed, self._profile)

    def _plan_of(self, query: str | Query | Plan, params: Mapping[str, Any]) -> Plan:
        if isinstance(query, Plan):
            if params:
                raise TypeError("parameters are bound when planning; a Plan takes none")
            return query
        return self.plan(query, **params)

    def _page_size_for(self, plan: Plan) -> int:
        size = self._page_size or get_profile(plan.profile).max_page_size
        if plan.page_size is not None:
            # The query's limit, when one request answers it exactly: a larger
            # page would only fetch images that are never returned.
            size = min(size, plan.page_size)
        return max(1, size)

    # -- requests ----------------------------------------------------------------

    @property
    def _can_refresh(self) -> bool:
        return bool(getattr(self._auth, "can_refresh", False))

    def _headers(self, credentials: Credentials) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": self._user_agent}
        if credentials.token:
            self._secrets.add(credentials.token)
            headers["X-Auth-Token"] = credentials.token
        return headers

    def _request_options(self) -> dict[str, Any]:
        return {} if self._timeout is UNSET else {"timeout": self._timeout}

    def _redact(self, text: str) -> str:
        for secret in tuple(self._secrets):  # a copy: worker threads may add to it
            # Very short secrets would mangle every message; they are not
            # secrets worth the name, and the server does not echo them.
            if len(secret) >= 6 and secret in text:
                text = text.replace(secret, "***")
        return text

    def _listing(self, params: Params, page_size: int) -> Generator[Any, Any, None]:
        return listing(params, page_size, self._policy, can_refresh=self._can_refresh, redact=self._redact)

    def _checkpoint(self, stop: threading.Event | None = None) -> None:
        if self._closed:
            raise _Stopped(f"the {type(self).__name__} is closed")
        if stop is not None and stop.is_set():
            raise _Stopped("the query was stopped")

    def _log(self, endpoint: str, params: Params, started: float, outcome: str) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.monotonic() - started) * 1000
            logger.debug("GET %s%s -> %s (%.0f ms)", endpoint, describe(params), outcome, elapsed)

    def _log_wait(self, effect: Wait) -> None:
        logger.debug("retrying in %.2f s after %s", effect.seconds, self._redact(effect.reason))

    def __repr__(self) -> str:
        endpoint = getattr(self._auth, "endpoint", None)
        where = f"endpoint={_display(endpoint)!r}" if isinstance(endpoint, str) else f"auth={type(self._auth).__name__}"
        state = " closed" if self._closed else ""
        return f"<imgql.{type(self).__name__} {where} profile={self._profile.name!r}{state}>"


def _display(endpoint: str) -> str:
    """An endpoint fit for messages: no user name or password in it."""
    parts = urlsplit(endpoint)
    if "@" not in parts.netloc:
        return endpoint
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    if isinstance(verify, str):
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot use the CA bundle {verify}: {exc}") from None
    return verify


def _fault(endpoint: str, exc: Exception) -> Fault:
    text = str(exc)
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc.__context__, ssl.SSLCertVerificationError):
        return Fault(
            endpoint,
            f"the server's TLS certificate was not accepted ({reason}); "
            "give the CA bundle (verify=PATH, OS_CACERT or cacert in clouds.yaml)",
            retryable=False,
        )
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.TooManyRedirects)):
        return Fault(endpoint, reason, retryable=False)
    return Fault(endpoint, reason)


def _endpoint_of(credentials: Credentials) -> tuple[str, str]:
    """The listing URL and the endpoint as shown in messages."""
    root = normalize_endpoint(credentials.endpoint)
    return root + LISTING_PATH, _display(root)


# --------------------------------------------------------------------------- sync


class Client(_ClientBase):
    """A synchronous client for an Images API v2 endpoint (Glance).

    ``endpoint`` is the API root, with or without ``/v2``; ``token`` is sent
    as ``X-Auth-Token``. Without them, credentials come from the usual
    OpenStack places (``OS_*`` variables, ``clouds.yaml`` via ``cloud=`` or
    ``OS_CLOUD``, Keystone); a Keystone token is renewed once on a 401.

    ``http`` is an ``httpx.Client`` to use (its headers, transport, event hooks
    and TLS settings are kept, and it is not closed here). ``page_size``
    bounds the page size (default: the largest the server serves, or the
    query's limit when one request answers it). ``verify`` is True, False or
    a CA bundle path; ``timeout`` is in seconds (default 30, or the given
    client's); ``retries`` is how many times a failed page is tried again.
    ``sleep`` replaces the wait between tries (for tests).
    """

    _http: httpx.Client

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        profile: str | Profile = "glance",
        page_size: int | None = None,
        cloud: str | None = None,
        verify: bool | str = True,
        timeout: Timeout | _Unset = UNSET,
        retries: int = DEFAULT_RETRIES,
        auth: Auth | None = None,
        region: str | None = None,
        interface: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        super().__init__(
            endpoint,
            token,
            http=http,
            http_class=httpx.Client,
            sleep=sleep,
            profile=profile,
            page_size=page_size,
            cloud=cloud,
            verify=verify,
            timeout=timeout,
            retries=retries,
            auth=auth,
            region=region,
            interface=interface,
            concurrency=concurrency,
        )
        self._lock = threading.Lock()
        self._runs: weakref.WeakSet[threading.Event] = weakref.WeakSet()

    def _make_http(self) -> httpx.Client:
        timeout = self._timeout if not isinstance(self._timeout, _Unset) else DEFAULT_TIMEOUT
        return httpx.Client(verify=_ssl_verify(self._verify), timeout=timeout, follow_redirects=False)

    # -- the surface --------------------------------------------------------------

    def query(self, query: str | Query | Plan, **params: Any) -> Iterator[Image]:
        """The images answering ``query``, streamed (planned now, fetched as iterated)."""
        return self._images(self._plan_of(query, params))

    def one(self, query: str | Query, **params: Any) -> Image:
        """The single image answering ``query``; NotFound or MultipleFound otherwise."""
        images = self._images(self._plan_of(query, params))
        try:
            found: Image = exactly_one(query if isinstance(query, str) else str(query), images)
        finally:
            images.close()
        return found

    def records(self, plan: Plan | str | Query, **params: Any) -> Iterator[Mapping[str, Any]]:
        """The raw image records (dicts, as the API sent them) answering ``plan``."""
        return self._run(self._plan_of(plan, params))

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
        self._closed = True
        with self._lock:
            runs = list(self._runs)
        for stop in runs:
            stop.set()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- running a plan -------------------------------------------------------------

    def _images(self, plan: Plan) -> Generator[Image, None, None]:
        records = self._run(plan)
        try:
            for record in records:
                yield Image.from_record(record)
        finally:
            records.close()

    def _run(self, plan: Plan) -> Generator[Record, None, None]:
        self._checkpoint()
        if plan.limit == 0 or not plan.requests:
            return
        page_size = self._page_size_for(plan)
        stop = threading.Event()
        with self._lock:
            self._runs.add(stop)
        drivers: list[Generator[tuple[Record, ...], None, None]] = []
        try:
            if plan.wider:
                probed = self._probe(plan, page_size, stop)
                if probed is not None:
                    yield from answer(plan, probed)
                    return
            drivers = [self._pages(request.params, page_size, stop) for request in plan.requests]
            streams: list[Iterable[Record]]
            if len(drivers) == 1:
                streams = [_flatten(drivers[0])]
            elif plan.client_sort:
                streams = list(self._concurrently(drivers, stop, _drainer(plan)))
            else:
                firsts = self._concurrently(drivers, stop, _first_page)
                streams = [_flatten(driver, first) for driver, first in zip(drivers, firsts, strict=True)]
            yield from answer(plan, streams)
        finally:
            stop.set()
            for driver in drivers:
                driver.close()
            with self._lock:
                self._runs.discard(stop)

    def _concurrently(
        self,
        drivers: list[Generator[tuple[Record, ...], None, None]],
        stop: threading.Event,
        work: Callable[[Iterator[tuple[Record, ...]]], T],
    ) -> list[T]:
        """``work`` applied to every driver in a thread pool; every thread has
        finished when this returns or raises."""
        workers = min(self._concurrency, len(drivers))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="imgql") as pool:
            futures: list[Future[T]] = [pool.submit(work, driver) for driver in drivers]
            try:
                return [future.result() for future in futures]
            except BaseException:
                # Siblings stop at their next request or wait; the pool's exit waits for them.
                stop.set()
                for future in futures:
                    future.cancel()
                raise

    def _probe(self, plan: Plan, page_size: int, stop: threading.Event) -> list[tuple[Record, ...]] | None:
        """The first page of each of the plan's wider requests when every one
        is its listing's last (they then answer the query); None otherwise."""
        drivers = [self._pages(request.params, page_size, stop, peek=True) for request in plan.wider]
        try:
            return _whole_listings(self._concurrently(drivers, stop, _only_page))
        finally:
            for driver in drivers:
                driver.close()

    def _pages(
        self, params: Params, page_size: int, stop: threading.Event, *, peek: bool = False
    ) -> Generator[tuple[Record, ...], None, None]:
        """One listing's pages: runs the paging algorithm, doing what it asks.
        With ``peek``, only the first page, then an empty one when another
        page would follow (that request is not sent)."""
        steps = self._listing(params, page_size)
        reply: Any = None
        try:
            while True:
                try:
                    effect = steps.send(reply)
                except StopIteration:
                    return
                reply = None
                if isinstance(effect, Page):
                    yield effect.records
                    if peek:
                        yield from _more_marker(steps)
                        return
                elif isinstance(effect, Send):
                    reply = self._send(effect.params, stop)
                elif isinstance(effect, Wait):
                    self._wait(effect, stop)
                elif isinstance(effect, Reauthenticate):
                    self._credentials(refresh=True)
        finally:
            steps.close()

    def _credentials(self, refresh: bool = False) -> Credentials:
        try:
            return self._auth.get(self._http, refresh=refresh)
        except httpx.HTTPError as exc:
            raise ConnectionError(f"cannot authenticate: {type(exc).__name__}: {self._redact(str(exc))}") from None

    def _send(self, params: Params, stop: threading.Event) -> Reply | Fault:
        self._checkpoint(stop)
        credentials = self._credentials()
        url, shown = _endpoint_of(credentials)
        started = time.monotonic()
        try:
            try:
                response = self._http.get(
                    url, params=list(params), headers=self._headers(credentials), **self._request_options()
                )
            except httpx.HTTPStatusError as exc:  # raised by an event hook of the caller's client
                response = exc.response
                response.read()
        except httpx.HTTPError as exc:
            fault = _fault(shown, exc)
            self._log(shown, params, started, type(exc).__name__)
            return fault
        except httpx.InvalidURL as exc:
            raise ConfigError(f"the Images API endpoint {shown} is not a valid URL: {exc}") from None
        self._log(shown, params, started, str(response.status_code))
        return Reply(response.status_code, response.headers, response.content, shown)

    def _wait(self, effect: Wait, stop: threading.Event) -> None:
        self._log_wait(effect)
        self._checkpoint(stop)
        if self._sleep is not None:
            self._sleep(effect.seconds)
        else:
            stop.wait(effect.seconds)  # wakes early when the query or the client stops
        self._checkpoint(stop)


def _flatten(pages: Iterator[tuple[Record, ...]], first: tuple[Record, ...] | None = None) -> Iterator[Record]:
    if first:
        yield from first
    for page in pages:
        yield from page


def _first_page(pages: Iterator[tuple[Record, ...]]) -> tuple[Record, ...] | None:
    return next(pages, None)


def _more_marker(steps: Generator[Any, Any, None]) -> Iterator[tuple[Record, ...]]:
    """After a listing's page: an empty page when the listing would ask for
    another, nothing when it has ended."""
    try:
        steps.send(None)
    except StopIteration:
        return
    yield ()


def _only_page(pages: Iterator[tuple[Record, ...]]) -> tuple[tuple[Record, ...], bool]:
    """A peeking listing's first page, and whether another follows."""
    first = next(pages, ())
    return first, next(pages, None) is not None


def _whole_listings(probes: list[tuple[tuple[Record, ...], bool]]) -> list[tuple[Record, ...]] | None:
    if any(more for _, more in probes):
        return None
    return [page for page, _ in probes]


def _drainer(plan: Plan) -> Callable[[Iterator[tuple[Record, ...]]], list[Record]]:
    # Only matches are kept while the whole listing is read for a client-side sort.
    matches = plan_predicate(plan)

    def drain(pages: Iterator[tuple[Record, ...]]) -> list[Record]:
        return [record for page in pages for record in page if matches(record)]

    return drain


def connect(endpoint: str | None = None, token: str | None = None, **options: Any) -> Client:
    """A :class:`Client`; the same arguments."""
    return Client(endpoint, token, **options)


# --------------------------------------------------------------------------- async


class AsyncClient(_ClientBase):
    """The asynchronous twin of :class:`Client`: the same arguments (``http``
    is an ``httpx.AsyncClient``; ``sleep`` an async function), the same
    answers. ``query`` and ``records`` return async iterators; ``one`` is
    awaited."""

    _http: httpx.AsyncClient

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        profile: str | Profile = "glance",
        page_size: int | None = None,
        cloud: str | None = None,
        verify: bool | str = True,
        timeout: Timeout | _Unset = UNSET,
        retries: int = DEFAULT_RETRIES,
        auth: Auth | None = None,
        region: str | None = None,
        interface: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        super().__init__(
            endpoint,
            token,
            http=http,
            http_class=httpx.AsyncClient,
            sleep=sleep,
            profile=profile,
            page_size=page_size,
            cloud=cloud,
            verify=verify,
            timeout=timeout,
            retries=retries,
            auth=auth,
            region=region,
            interface=interface,
            concurrency=concurrency,
        )

    def _make_http(self) -> httpx.AsyncClient:
        timeout = self._timeout if not isinstance(self._timeout, _Unset) else DEFAULT_TIMEOUT
        return httpx.AsyncClient(verify=_ssl_verify(self._verify), timeout=timeout, follow_redirects=False)

    # -- the surface --------------------------------------------------------------

    def query(self, query: str | Query | Plan, **params: Any) -> AsyncIterator[Image]:
        """The images answering ``query``, as an async iterator (planned now, fetched as iterated)."""
        return self._images(self._plan_of(query, params))

    async def one(self, query: str | Query, **params: Any) -> Image:
        """The single image answering ``query``; NotFound or MultipleFound otherwise."""
        images = self._images(self._plan_of(query, params))
        found: list[Image] = []
        try:
            async for image in images:
                found.append(image)
                if len(found) > ONE_COUNT_BOUND:
                    break
        finally:
            await images.aclose()
        result: Image = exactly_one(query if isinstance(query, str) else str(query), iter(found))
        return result

    def records(self, plan: Plan | str | Query, **params: Any) -> AsyncIterator[Mapping[str, Any]]:
        """The raw image records (dicts, as the API sent them) answering ``plan``."""
        return self._run(self._plan_of(plan, params))

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
        self._closed = True
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- running a plan -------------------------------------------------------------

    async def _images(self, plan: Plan) -> AsyncGenerator[Image, None]:
        records = self._run(plan)
        try:
            async for record in records:
                yield Image.from_record(record)
        finally:
            await records.aclose()

    async def _run(self, plan: Plan) -> AsyncGenerator[Record, None]:
        self._checkpoint()
        if plan.limit == 0 or not plan.requests:
            return
        page_size = self._page_size_for(plan)
        limiter = asyncio.Semaphore(self._concurrency)
        if plan.wider:
            probed = await self._probe(plan, page_size, limiter)
            if probed is not None:
                for record in answer(plan, probed):
                    yield record
                return
        drivers = [self._pages(request.params, page_size, limiter) for request in plan.requests]
        try:
            if plan.client_sort:
                matches = plan_predicate(plan)
                lists = await _all([_adrain(driver, matches) for driver in drivers])
                for record in answer(plan, lists):
                    yield record
                return
            if len(drivers) == 1:
                streams = [_aflatten(drivers[0], None)]
            else:
                firsts = await _all([_anext_page(driver) for driver in drivers])
                streams = [_aflatten(driver, first) for driver, first in zip(drivers, firsts, strict=True)]
            async for record in aanswer(plan, streams):
                yield record
        finally:
            for driver in drivers:
                await driver.aclose()

    async def _probe(self, plan: Plan, page_size: int, limiter: asyncio.Semaphore) -> list[tuple[Record, ...]] | None:
        """As the synchronous client's ``_probe``."""
        drivers = [self._pages(request.params, page_size, limiter, peek=True) for request in plan.wider]
        try:
            return _whole_listings(await _all([_aonly_page(driver) for driver in drivers]))
        finally:
            for driver in drivers:
                await driver.aclose()

    async def _pages(
        self, params: Params, page_size: int, limiter: asyncio.Semaphore, *, peek: bool = False
    ) -> AsyncGenerator[tuple[Record, ...], None]:
        steps = self._listing(params, page_size)
        reply: Any = None
        try:
            while True:
                try:
                    effect = steps.send(reply)
                except StopIteration:
                    return
                reply = None
                if isinstance(effect, Page):
                    yield effect.records
                    if peek:
                        for marker in _more_marker(steps):
                            yield marker
                        return
                elif isinstance(effect, Send):
                    async with limiter:
                        reply = await self._send(effect.params)
                elif isinstance(effect, Wait):
                    await self._wait(effect)
                elif isinstance(effect, Reauthenticate):
                    await self._credentials(refresh=True)
        finally:
            steps.close()

    async def _credentials(self, refresh: bool = False) -> Credentials:
        try:
            return await self._auth.aget(self._http, refresh=refresh)
        except httpx.HTTPError as exc:
            raise ConnectionError(f"cannot authenticate: {type(exc).__name__}: {self._redact(str(exc))}") from None

    async def _send(self, params: Params) -> Reply | Fault:
        self._checkpoint()
        credentials = await self._credentials()
        url, shown = _endpoint_of(credentials)
        started = time.monotonic()
        try:
            try:
                response = await self._http.get(
                    url, params=list(params), headers=self._headers(credentials), **self._request_options()
                )
            except httpx.HTTPStatusError as exc:  # raised by an event hook of the caller's client
                response = exc.response
                await response.aread()
        except httpx.HTTPError as exc:
            fault = _fault(shown, exc)
            self._log(shown, params, started, type(exc).__name__)
            return fault
        except httpx.InvalidURL as exc:
            raise ConfigError(f"the Images API endpoint {shown} is not a valid URL: {exc}") from None
        self._log(shown, params, started, str(response.status_code))
        return Reply(response.status_code, response.headers, response.content, shown)

    async def _wait(self, effect: Wait) -> None:
        self._log_wait(effect)
        self._checkpoint()
        await (self._sleep or asyncio.sleep)(effect.seconds)
        self._checkpoint()


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
