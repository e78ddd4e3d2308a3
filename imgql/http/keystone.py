"""Keystone v3: a token and the image endpoint, by password, application credential or token.

:class:`KeystoneAuth` asks Keystone for a token (``POST /v3/auth/tokens``),
picks the image endpoint from the catalog that comes with it
(:func:`imgql.http.service_catalog.select_endpoint`), and keeps both until the
token is about to expire or a 401 asks for a new one.

The request is built (:mod:`imgql.http.keystone_request`), and the answer
read (:mod:`imgql.http.keystone_answer`), by pure functions and by methods
that do no I/O; :meth:`KeystoneAuth.get` and :meth:`KeystoneAuth.aget` differ
only in the lock they hold and the one call that sends.

Passwords, application credential secrets and tokens never appear in a repr,
an error message or a log line.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs
import httpx

from ..errors import ConfigError, ConnectionError, ServiceError
from .bounded import Limits, TooLarge, TooLong, areceive, receive, total_seconds
from .credentials import (
    CredentialFields,
    Credentials,
    Method,
    check_http_url,
    display_endpoint,
    guess_method,
    normalize_endpoint,
)
from .keystone_answer import TokenSession, read_token_response
from .keystone_request import TokenSettings, check_settings, token_request
from .service_catalog import EndpointChoice, image_regions, select_endpoint
from .token_cache import CachedToken, TokenCache

__all__ = ["KeystoneAuth", "RegionalAuth", "keystone_auth"]

logger = logging.getLogger("imgql")

_KEYSTONE_HEADERS = {"Accept": "application/json"}


class KeystoneAuth:
    """Keystone v3 authentication by password, application credential or token.

    ``credentials`` are the fields of
    :class:`~imgql.http.credentials.CredentialFields` (``username``,
    ``password``, ``project_name``, ``application_credential_id``, ``token``,
    ...). ``method`` is guessed from them when not given: a secret means an
    application credential, a token without a password means token auth, else
    password auth. ``region``, ``interface`` and ``endpoint_override`` choose
    the image endpoint. The token and endpoint are cached; ``get`` asks
    Keystone again when the token is about to expire, or when ``refresh=True``
    (the client does that once after a 401).
    """

    # Keystone can always issue a new token from the same credentials.
    can_refresh = True

    def __init__(
        self,
        auth_url: str,
        *,
        method: Method | None = None,
        region: str | None = None,
        interface: str | None = None,
        endpoint_override: str | None = None,
        clock: Callable[[], float] = time.time,
        **credentials: str | None,
    ) -> None:
        check_http_url(auth_url, "auth_url")
        choice = EndpointChoice(interface or "public", region, endpoint_override)
        fields = CredentialFields(auth_url=auth_url.strip(), **credentials)
        self._settings = TokenSettings(auth_url.strip(), method or guess_method(fields), choice, fields)
        check_settings(self._settings)
        self._clock = clock
        self._session: TokenSession | None = None
        # Tokens kept between processes (see token_cache.py), when enabled.
        self._token_cache: TokenCache | None = None
        self._cache_key: str | None = None
        # One Keystone request at a time, so concurrent callers share a token.
        self._lock = threading.Lock()
        # An asyncio.Lock belongs to one event loop; keep one per loop. The
        # guard is separate from _lock so that a thread blocked in get() never
        # stalls an event loop.
        self._async_locks_guard = threading.Lock()
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        s = self._settings
        shown = [("auth_url", s.shown), ("method", s.method), ("interface", s.choice.interface)]
        shown += [
            (name, value)
            for name, value in (("region", s.choice.region), ("endpoint_override", s.choice.override))
            if value
        ]
        shown += [(name, value) for name, value in s.fields.shown() if name != "auth_url"]
        return f"KeystoneAuth({', '.join(f'{name}={value!r}' for name, value in shown)})"

    def use_token_cache(self, cache: TokenCache | None) -> None:
        """Keep tokens in ``cache`` between processes (None: only in memory).
        A given token is never cached: there is no login to save."""
        self._token_cache = cache if self._settings.method != "token" else None
        self._cache_key = None

    @property
    def token_cache(self) -> TokenCache | None:
        return self._token_cache

    def forget_cached_token(self) -> bool:
        """Remove this login's token from the cache (``imgql logout``); whether there was one."""
        key = self._key()
        return key is not None and self._token_cache is not None and self._token_cache.drop(key)

    # -- the two ways to ask: the same steps, one blocking send or one awaited send

    @property
    def region(self) -> str | None:
        """The region whose image endpoint is used (None: the catalog's first)."""
        return self._settings.choice.region

    def in_region(self, region: str) -> RegionalAuth:
        """The same credentials and token, with the image endpoint of ``region``."""
        # An endpoint override names one endpoint; another region's comes from the catalog.
        return RegionalAuth(self, attrs.evolve(self._settings.choice, region=region, override=None))

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        return self._credentials(self._session_from(http, refresh), self._settings.choice)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        return self._credentials(await self._asession_from(http, refresh), self._settings.choice)

    def regions(self, http: httpx.Client) -> tuple[str, ...]:
        """Every region with an image endpoint on this interface, from the catalog."""
        return image_regions(self._session_from(http, False).catalog, self._settings.choice)

    async def aregions(self, http: httpx.AsyncClient) -> tuple[str, ...]:
        return image_regions((await self._asession_from(http, False)).catalog, self._settings.choice)

    # -- the two ways to ask: the same steps, one blocking send or one awaited send

    def _session_from(self, http: httpx.Client, refresh: bool) -> TokenSession:
        seen = self._session
        with self._lock:
            request = self._due(http, seen, refresh)
            return self._current() if request is None else self._keep(request, _send(http, request))

    async def _asession_from(self, http: httpx.AsyncClient, refresh: bool) -> TokenSession:
        seen = self._session
        async with self._async_lock():
            request = self._due(http, seen, refresh)
            return self._current() if request is None else self._keep(request, await _asend(http, request))

    def _credentials(self, session: TokenSession, choice: EndpointChoice) -> Credentials:
        endpoint = select_endpoint(session.catalog, choice, self._settings.shown)
        return Credentials(normalize_endpoint(endpoint), session.token)

    # -- everything else ----------------------------------------------------------

    def _due(
        self, http: httpx.Client | httpx.AsyncClient, seen: TokenSession | None, refresh: bool
    ) -> httpx.Request | None:
        """The token request to send, or None when the cached credentials will do."""
        session = self._session
        # Someone renewed the token while this caller waited for the lock: a
        # burst of 401s must cause one new token, not one each.
        if session is not None and (session is not seen or not (refresh or session.expired(self._clock()))):
            return None
        if session is None and not refresh and self._from_cache():
            return None
        if self._token_cache is not None and (refresh or session is not None):
            # Refused (a 401) or about to expire: no later command may use it.
            self._drop_cached()
        url, body = token_request(self._settings)
        return http.build_request("POST", url, json=body, headers=_KEYSTONE_HEADERS)

    def _current(self) -> TokenSession:
        assert self._session is not None
        return self._session

    def _keep(self, request: httpx.Request, response: httpx.Response) -> TokenSession:
        logger.debug("POST %s -> %d", display_endpoint(str(request.url)), response.status_code)
        session = read_token_response(self._settings, response)
        self._session = session
        key = self._key()
        if key is not None and self._token_cache is not None:
            self._token_cache.store(key, CachedToken(session.token, session.catalog, session.expires_at))
        return session

    def _key(self) -> str | None:
        if self._token_cache is None:
            return None
        if self._cache_key is None:
            s = self._settings
            identity = {"auth_url": s.auth_url, "method": s.method, **attrs.asdict(s.fields)}
            self._cache_key = self._token_cache.key(identity)
        return self._cache_key

    def _from_cache(self) -> bool:
        """Whether a token kept by an earlier process will do (then it is the session)."""
        key = self._key()
        if key is None or self._token_cache is None:
            return False
        cached = self._token_cache.load(key)
        if cached is None:
            return False
        session = TokenSession(cached.token, cached.catalog, cached.expires_at)
        if session.expires_at is None or session.expired(self._clock()):
            self._token_cache.drop(key)
            return False
        logger.debug("Keystone token for %s from the token cache", self._settings.auth_url)
        self._session = session
        return True

    def _drop_cached(self) -> None:
        key = self._key()
        if key is not None and self._token_cache is not None:
            self._token_cache.drop(key)

    def _async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._async_locks_guard:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
            return lock


@attrs.frozen
class RegionalAuth:
    """A :class:`KeystoneAuth` seen from another region: its token (asked for
    once, renewed once for all regions), another region's image endpoint."""

    base: KeystoneAuth
    choice: EndpointChoice

    can_refresh = True

    @property
    def region(self) -> str | None:
        return self.choice.region

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        return self.base._credentials(self.base._session_from(http, refresh), self.choice)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        return self.base._credentials(await self.base._asession_from(http, refresh), self.choice)


def keystone_auth(
    fields: CredentialFields,
    method: Method,
    where: str,
    region: str | None = None,
    interface: str | None = None,
    endpoint_override: str | None = None,
) -> KeystoneAuth:
    """A KeystoneAuth from fields read from ``where`` (named in every error)."""
    if not fields.auth_url:
        raise ConfigError(f"{where}: auth_url is missing (the Keystone URL, e.g. https://keystone.example:5000/v3)")
    credentials = {name: value for name, value in attrs.asdict(fields).items() if name != "auth_url"}
    try:
        return KeystoneAuth(
            fields.auth_url,
            method=method,
            region=region,
            interface=interface,
            endpoint_override=endpoint_override,
            **credentials,
        )
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc.message}") from None


# Sending: the only part that differs between sync and async.


# Never followed, whoever made the HTTP client: a redirect would re-send the
# credentials to wherever it points. A 3xx is reported as a ConfigError.


def _send(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    with _reaching(request):
        return _settled(request, *receive(http, request, _limits(http)))


async def _asend(http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    with _reaching(request):
        return _settled(request, *await areceive(http, request, _limits(http)))


def _limits(http: httpx.Client | httpx.AsyncClient) -> Limits:
    return Limits(total_seconds(http.timeout))


def _settled(request: httpx.Request, response: httpx.Response, content: bytes) -> httpx.Response:
    """The answer with its body read (and decoded), as the rest of this module reads it."""
    headers = [
        (k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
    ]
    return httpx.Response(response.status_code, headers=headers, content=content, request=request)


@contextmanager
def _reaching(request: httpx.Request) -> Iterator[None]:
    """Turns a failure to reach Keystone into a ConnectionError that names it."""
    try:
        yield
    except (TooLong, TooLarge) as exc:
        raise ServiceError(f"Keystone at {display_endpoint(str(request.url))}: {exc}") from None
    except httpx.TransportError as exc:
        shown = display_endpoint(str(request.url))
        logger.debug("POST %s failed: %s", shown, type(exc).__name__)
        reason = f"{type(exc).__name__}: {display_endpoint(str(exc))}" if str(exc) else type(exc).__name__
        raise ConnectionError(f"cannot reach Keystone at {shown} ({reason})") from exc
