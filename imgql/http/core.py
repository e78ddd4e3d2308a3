"""What the sync and async clients share: everything but sending, waiting and concurrency.

:class:`ClientCore` plans queries, sizes pages, builds each request (URL,
headers, timeout) and reads each answer into a :class:`~imgql.http.paging.Reply`
or :class:`~imgql.http.paging.Fault`, keeps the tokens it has seen to scrub
them from messages, logs, and keeps the register of running queries that
closing the client stops. The shells (:mod:`imgql.http.sync_client`,
:mod:`imgql.http.async_client`) add only the
calls that block or await: ``send``, ``sleep``, the credentials' ``get`` or
``aget``, and running a union's requests at once (threads or tasks).
"""

from __future__ import annotations

import enum
import logging
import ssl
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from typing import Any, Protocol

import attrs
import httpx

from ..errors import ConfigError, ConnectionError, Error, PlanError, ServiceError
from ..lang.ast import Query
from ..lang.parser import parse
from ..plan.plan import Plan
from ..plan.planner import plan as make_plan
from ..records import Record
from .bounded import Limits, TooLarge, TooLong, total_seconds
from .credentials import Auth, Credentials, display_endpoint, normalize_endpoint
from .interrupt import Sockets, interruptible_transport
from .log_redaction import install_log_redaction
from .long_lists import split_long_lists
from .options import DEFAULT_TIMEOUT, UNSET, ClientOptions
from .paging import LISTING_PATH, Effect, Fault, Listing, Page, Params, Reply, describe, listing
from .places import Partners
from .resolve import resolve_auth

__all__ = [
    "ClientCore",
    "Exchange",
    "Run",
    "Stop",
    "Stopped",
    "Strategy",
    "advance",
    "connection_arguments",
    "display_endpoint",
    "first_page_only",
    "session_arguments",
    "whole_listings",
]

logger = logging.getLogger("imgql")


class Stopped(Error):
    """The client was closed, or the query stopped, while a request was due."""


class Stop(Protocol):
    """A query's stop signal: a ``threading.Event`` or an ``asyncio.Event``."""

    def set(self) -> None: ...

    def is_set(self) -> bool: ...


class Strategy(enum.Enum):
    """How a plan's requests are read."""

    # One request: its pages are read as the caller iterates.
    ONE = "one"
    # The client sorts: every listing is read to the end, at once, keeping matches.
    DRAIN = "drain"
    # A union the server sorts: first pages at once, later pages as the merge needs them.
    MERGE = "merge"


@attrs.frozen
class Run:
    """One running query: its plan, the page size for its requests, its stop signal."""

    plan: Plan
    page_size: int
    stop: Stop = attrs.field(eq=False)

    @property
    def strategy(self) -> Strategy:
        if self.plan.client_sort and len(self.plan.requests) > 1:
            return Strategy.DRAIN
        return Strategy.ONE if len(self.plan.requests) == 1 else Strategy.MERGE

    @property
    def requests(self) -> list[Params]:
        return [request.params for request in self.plan.requests]


class ClientCore:
    """Configuration, planning and request bookkeeping shared by both clients."""

    # The httpx class the shell sends with; a caller's ``http`` must be one.
    _http_class: type[httpx.Client] | type[httpx.AsyncClient]

    def __init__(self, endpoint: str | None, token: str | None, http: Any, sleep: Any, options: ClientOptions) -> None:
        if http is not None and not isinstance(http, self._http_class):
            raise ConfigError(f"http must be an httpx.{self._http_class.__name__}, not {type(http).__name__}")
        # httpcore logs response headers at DEBUG, Keystone's X-Subject-Token among them.
        install_log_redaction()
        self._options = options
        self._policy = options.retry_policy
        self._auth, self._verify = _credentials_source(endpoint, token, options)
        # Seen tokens, to scrub them from anything a server echoes back.
        self._secrets: set[str] = set()
        static_token = getattr(self._auth, "token", None)
        if isinstance(static_token, str) and static_token:
            self._secrets.add(static_token)
        # A client we make gets our default timeout; a caller's client keeps its own.
        self._request_options: dict[str, Any] = {} if options.timeout is UNSET else {"timeout": options.timeout}
        if options.timeout is not UNSET:
            timeout: Any = options.timeout
        else:
            timeout = http.timeout if http is not None else DEFAULT_TIMEOUT
        # The whole of one request (connect, wait, read) gets this long, not each read.
        self._limits = Limits(total_seconds(timeout), options.max_response_bytes)
        caller_agent = http.headers.get("user-agent") if http is not None else None
        self._user_agent = _user_agent(options.user_agent or caller_agent)
        self._sleep: Any = sleep
        self._closed = False
        # Running queries' stop signals, set by close(); threads add and remove them.
        self._runs_lock = threading.Lock()
        self._runs: weakref.WeakSet[Any] = weakref.WeakSet()
        # When each running query must end (query_timeout).
        self._deadlines: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._owns_http = http is None
        # The clients of the other regions and clouds a query names.
        self._partners = Partners(self)
        # The sockets of the HTTP clients made here, shut down to stop blocked requests.
        self._sockets = Sockets()
        # Each shell narrows this to its own httpx class.
        self._http: Any = http if http is not None else self._http_class(**self._http_settings(self._verify))

    def _http_settings(self, verify: bool | str) -> dict[str, Any]:
        """How to make our own httpx client, with the TLS setting ``verify``."""
        timeout = self._options.timeout
        settings: dict[str, Any] = {
            "verify": _ssl_verify(verify),
            "timeout": DEFAULT_TIMEOUT if timeout is UNSET else timeout,
            "follow_redirects": False,
        }
        if self._http_class is httpx.Client:
            # Blocking reads can then be stopped at once (close(), Ctrl-C on a union).
            settings["transport"] = interruptible_transport(self._sockets, settings["verify"])
        return settings

    @property
    def options(self) -> ClientOptions:
        """The settings this client was made with."""
        return self._options

    # -- planning ---------------------------------------------------------------

    def plan(self, query: str | Query, **params: Any) -> Plan:
        """The plan this client would run for ``query`` (no request is made)."""
        parsed = query if isinstance(query, Query) else parse(query)
        return make_plan(parsed.bind(**params) if (params or parsed.params) else parsed, self._options.profile)

    def _plan_of(self, query: str | Query | Plan, params: Mapping[str, Any]) -> Plan:
        if isinstance(query, Plan):
            if params:
                raise TypeError("parameters are bound when planning; a Plan takes none")
            return query
        return self.plan(query, **params)

    def _page_size_for(self, plan: Plan) -> int:
        size = self._options.page_size or self._options.profile.max_page_size
        if plan.page_size is not None:
            # The query's limit, when one request answers it exactly: a larger
            # page would only fetch images that are never returned.
            size = min(size, plan.page_size)
        return max(1, size)

    # -- running queries ---------------------------------------------------------

    @contextmanager
    def _running(self, plan: Plan, stop: Stop) -> Iterator[Run | None]:
        """The run of ``plan`` (None when no request is needed), registered so
        that closing the client stops it, and stopped when the block ends."""
        self._checkpoint()
        if plan.limit == 0 or not plan.requests:
            yield None
            return
        # A list too long for one URL is sent as several requests (same answer).
        run = Run(split_long_lists(plan, self._options.max_url_length), self._page_size_for(plan), stop)
        with self._runs_lock:
            self._runs.add(stop)
            if self._options.query_timeout is not None:
                self._deadlines[stop] = time.monotonic() + self._options.query_timeout
        try:
            yield run
        finally:
            stop.set()
            with self._runs_lock:
                self._runs.discard(stop)
                self._deadlines.pop(stop, None)

    def _stop_runs(self) -> bool:
        """Mark the client closed and stop its running queries; True when the
        HTTP client is ours to close."""
        self._closed = True
        self._partners.stop()
        self._stop_queries()
        return self._owns_http

    def _stop_queries(self) -> None:
        """Stop every running query (and the partners'), and wake the requests
        blocked on the sockets of the HTTP clients made here; the client stays open."""
        self._partners.stop_queries()
        with self._runs_lock:
            stops = list(self._runs)
        for stop in stops:
            stop.set()
        self._sockets.interrupt()

    def _checkpoint(self, stop: Stop | None = None, wait: float = 0.0) -> None:
        """Stopped when the client is closed or the query stopped; a
        ConnectionError when the query's time limit passes (or would, during
        a wait of ``wait`` seconds)."""
        if self._closed:
            raise Stopped(f"the {type(self).__name__} is closed")
        if stop is not None and stop.is_set():
            raise Stopped("the query was stopped")
        deadline = self._deadlines.get(stop) if stop is not None else None
        if deadline is not None and time.monotonic() + wait > deadline:
            raise ConnectionError(
                f"the query did not finish within its time limit of {self._options.query_timeout:g} s (query_timeout)"
            )

    def _limits_for(self, stop: Stop) -> Limits:
        """The bounds of one request of the query ``stop`` belongs to: the
        request's own total time, cut to what is left of the query's."""
        deadline = self._deadlines.get(stop)
        if deadline is None:
            return self._limits
        left = max(deadline - time.monotonic(), 0.001)
        seconds = left if self._limits.seconds is None else min(left, self._limits.seconds)
        return attrs.evolve(self._limits, seconds=seconds)

    def _listing(self, params: Params, page_size: int, *, peek: bool = False) -> Listing:
        can_refresh = bool(getattr(self._auth, "can_refresh", False))
        steps = listing(
            params,
            page_size,
            self._policy,
            can_refresh=can_refresh,
            redact=self._redact,
            on_page=self._options.on_page,
        )
        return first_page_only(steps) if peek else steps

    # -- requests ----------------------------------------------------------------

    def _request(self, credentials: Credentials, params: Params) -> Exchange:
        """The GET for one page, ready for the shell to send."""
        root = normalize_endpoint(credentials.endpoint)
        shown = display_endpoint(root)
        headers = {"Accept": "application/json", "User-Agent": self._user_agent}
        if credentials.token:
            self._secrets.add(credentials.token)
            headers["X-Auth-Token"] = credentials.token
        try:
            request = self._http.build_request(
                "GET", root + LISTING_PATH, params=list(params), headers=headers, **self._request_options
            )
        except httpx.InvalidURL as exc:
            if "too long" in str(exc).lower():
                raise PlanError(
                    f"a request to {shown} would be too long to send ({exc}): a value or list the query "
                    "sends to the server is too long; shorten it"
                ) from None
            raise ConfigError(f"the Images API endpoint {shown} is not a valid URL: {exc}") from None
        return Exchange(request, shown, params)

    def _auth_failed(self, exc: httpx.HTTPError) -> ConnectionError:
        return ConnectionError(f"cannot authenticate: {type(exc).__name__}: {self._redact(str(exc))}")

    def _redact(self, text: str) -> str:
        for secret in tuple(self._secrets):  # a copy: worker threads may add to it
            # Very short secrets would mangle every message; they are not
            # secrets worth the name, and the server does not echo them.
            if len(secret) >= 6 and secret in text:
                text = text.replace(secret, "***")
        return text

    def _waiting(self, seconds: float, reason: str, stop: Stop) -> None:
        logger.debug("retrying in %.2f s after %s", seconds, self._redact(reason))
        # A wait that would outlast the query's time limit ends the query now.
        self._checkpoint(stop, seconds)

    def __repr__(self) -> str:
        endpoint = getattr(self._auth, "endpoint", None)
        if isinstance(endpoint, str):
            where = f"endpoint={display_endpoint(endpoint)!r}"
        else:
            where = f"auth={type(self._auth).__name__}"
        state = " closed" if self._closed else ""
        return f"<imgql.{type(self).__name__} {where} profile={self._options.profile.name!r}{state}>"


@attrs.frozen
class Exchange:
    """One page request on its way: sent by a shell, then read here."""

    request: httpx.Request
    # The endpoint as shown in messages and logs.
    shown: str
    params: Params
    started: float = attrs.field(factory=time.monotonic)

    def received(self, response: httpx.Response, content: bytes) -> Reply:
        self._log(str(response.status_code))
        return Reply(response.status_code, response.headers, content, self.shown)

    def too_long(self, exc: TooLong) -> Fault:
        self._log("over its time limit")
        return Fault(self.shown, str(exc))

    def too_large(self, exc: TooLarge) -> ServiceError:
        self._log("too large")
        return ServiceError(f"the Images API at {self.shown} sent {exc}; the listing is stopped")

    def failed(self, exc: httpx.HTTPError) -> Fault:
        self._log(type(exc).__name__)
        return _fault(self.shown, exc)

    def _log(self, outcome: str) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.monotonic() - self.started) * 1000
            logger.debug("GET %s%s -> %s (%.0f ms)", self.shown, describe(self.params), outcome, elapsed)


def whole_listings(probes: Sequence[tuple[tuple[Record, ...], bool]]) -> list[tuple[Record, ...]] | None:
    """The first pages of a plan's wider requests when each was its listing's
    last (they then answer the query alone); None when any listing goes on."""
    if any(more for _, more in probes):
        return None
    return [page for page, _ in probes]


def first_page_only(steps: Listing) -> Listing:
    """``steps`` cut after its first page, then an empty page when the
    listing would go on (the request for it is never sent): what a probe
    needs to know whether one page was the whole listing."""
    with closing(steps):
        reply: Reply | Fault | None = None
        while (effect := advance(steps, reply)) is not None:
            if isinstance(effect, Page):
                yield effect
                if advance(steps, None) is not None:
                    yield Page(())
                return
            reply = yield effect


def advance(steps: Listing, reply: Reply | Fault | None) -> Effect | None:
    """The paging algorithm's next request of its driver; None when the listing is over."""
    try:
        return steps.send(reply)
    except StopIteration:
        return None


def _credentials_source(endpoint: str | None, token: str | None, options: ClientOptions) -> tuple[Auth, bool | str]:
    """The Auth to ask for credentials, and the TLS setting to use."""
    if options.auth is not None:
        if endpoint or token or options.cloud:
            raise ConfigError("give either auth= or endpoint, token and cloud, not both")
        auth: Auth = options.auth
        found_verify: bool | str = True
    else:
        auth, found_verify = resolve_auth(
            endpoint, token, cloud=options.cloud, region=options.region, interface=options.interface
        )
    # An explicit verify (True included) wins over OS_INSECURE, OS_CACERT and
    # clouds.yaml; None defers to them.
    if options.verify is not None:
        # A keystoneauth plugin reaches Keystone itself, not through our httpx client.
        use_verify = getattr(auth, "use_verify", None) if options.auth is None else None
        if use_verify is not None:
            use_verify(options.verify)
        return auth, options.verify
    return auth, found_verify


def session_arguments(
    session: Any, endpoint: str | None, token: str | None, options: ClientOptions
) -> tuple[str | None, str | None, ClientOptions]:
    """A client's arguments once a keystoneauth1 ``session`` is its credentials."""
    if session is None:
        return endpoint, token, options
    from .session_auth import session_options

    return None, None, session_options(session, endpoint, token, options)


def connection_arguments(connection: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    """A client's keyword arguments for an openstacksdk ``connection``."""
    from .session_auth import connection_settings

    # The caller's settings (region=, interface=, ...) win over the connection's.
    return {**connection_settings(connection), **settings}


def _user_agent(existing: str | None) -> str:
    from ..version import __version__

    agent = f"imgql/{__version__}"
    # A caller's own agent is kept in front; httpx's default says nothing worth keeping.
    if existing and not existing.startswith("python-httpx/"):
        agent = f"{existing} {agent}"
    return agent


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
