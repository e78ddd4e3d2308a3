"""Keystone v3: a token and the image endpoint, by password, application credential or token.

:class:`KeystoneAuth` asks Keystone for a token (``POST /v3/auth/tokens``),
picks the image endpoint from the catalog that comes with it
(:func:`imgql.http.service_catalog.select_endpoint`), and keeps both until the
token is about to expire or a 401 asks for a new one.

The request is built, and the answer read, by pure functions and by methods
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import attrs
import httpx

from ..errors import AuthenticationError, ConfigError, ConnectionError, Error, Forbidden, ServiceError
from ..untrusted import load_json, shortened, visible
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
from .server_text import server_message
from .service_catalog import EndpointChoice, image_regions, select_endpoint
from .token_cache import CachedToken, TokenCache

__all__ = ["KeystoneAuth", "RegionalAuth", "keystone_auth"]

logger = logging.getLogger("imgql")

# Renew a little before Keystone's expiry, so a token cannot expire between
# get() and the request it is used for.
_EXPIRY_MARGIN = 60.0

# Keystone error texts are shown to the user; a long HTML error page is not useful.
_MAX_SERVER_MESSAGE = 300

_KEYSTONE_HEADERS = {"Accept": "application/json"}


@attrs.frozen
class _Settings:
    """Everything needed to ask Keystone for a token; secrets hidden from repr."""

    auth_url: str
    method: Method
    choice: EndpointChoice
    fields: CredentialFields

    @property
    def shown(self) -> str:
        """The auth URL fit for messages: no user name or password in it."""
        return display_endpoint(self.auth_url)


@attrs.frozen
class _Session:
    token: str = attrs.field(repr=False)
    # The service catalog, kept: one token serves the image endpoint of every region.
    catalog: object = attrs.field(repr=False)
    expires_at: float | None  # POSIX time; None when Keystone did not say

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at - _EXPIRY_MARGIN


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
        self._settings = _Settings(auth_url.strip(), method or guess_method(fields), choice, fields)
        _check_settings(self._settings)
        self._clock = clock
        self._session: _Session | None = None
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

    def _session_from(self, http: httpx.Client, refresh: bool) -> _Session:
        seen = self._session
        with self._lock:
            request = self._due(http, seen, refresh)
            return self._current() if request is None else self._keep(request, _send(http, request))

    async def _asession_from(self, http: httpx.AsyncClient, refresh: bool) -> _Session:
        seen = self._session
        async with self._async_lock():
            request = self._due(http, seen, refresh)
            return self._current() if request is None else self._keep(request, await _asend(http, request))

    def _credentials(self, session: _Session, choice: EndpointChoice) -> Credentials:
        endpoint = select_endpoint(session.catalog, choice, self._settings.shown)
        return Credentials(normalize_endpoint(endpoint), session.token)

    # -- everything else ----------------------------------------------------------

    def _due(
        self, http: httpx.Client | httpx.AsyncClient, seen: _Session | None, refresh: bool
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
        url, body = _token_request(self._settings)
        return http.build_request("POST", url, json=body, headers=_KEYSTONE_HEADERS)

    def _current(self) -> _Session:
        assert self._session is not None
        return self._session

    def _keep(self, request: httpx.Request, response: httpx.Response) -> _Session:
        logger.debug("POST %s -> %d", display_endpoint(str(request.url)), response.status_code)
        session = _read_token_response(self._settings, response)
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
        session = _Session(cached.token, cached.catalog, cached.expires_at)
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


def _check_settings(s: _Settings) -> None:
    """Fail before any request when the chosen method lacks what it needs."""
    f = s.fields
    has_user = bool(f.username or f.user_id)
    if s.method == "password" and not (has_user and f.password):
        raise ConfigError("password auth needs a user (username or user_id) and a password")
    if s.method == "application_credential":
        if not f.application_credential_secret:
            raise ConfigError("application credential auth needs application_credential_secret")
        if not f.application_credential_id and not (f.application_credential_name and has_user):
            raise ConfigError(
                "application credential auth needs application_credential_id, "
                "or application_credential_name with a user (username or user_id)"
            )
    if s.method == "token" and not f.token:
        raise ConfigError("token auth needs a token")
    if f.system_scope and (f.project_id or f.project_name):
        raise ConfigError(
            f"system_scope {f.system_scope!r} and a project ({f.project_id or f.project_name}) cannot both be set: "
            "a token has one scope"
        )
    if f.system_scope and f.system_scope.lower() != "all":
        raise ConfigError(f"system_scope must be 'all', not {f.system_scope!r}")


# The request and the answer: pure functions.


def _tokens_url(auth_url: str) -> str:
    """``<identity root>/v3/auth/tokens``, whether auth_url names a version or not."""
    root = auth_url.rstrip("/")
    for suffix in ("/v3", "/v2.0"):
        if root.endswith(suffix):
            root = root[: -len(suffix)].rstrip("/")
            break
    return f"{root}/v3/auth/tokens"


def _domain_ref(domain_id: str | None, domain_name: str | None, f: CredentialFields) -> dict[str, str]:
    # The specific domain wins, then the general domain_id/domain_name, then
    # the default domain (OS_DEFAULT_DOMAIN, default_domain_id/_name), then
    # "Default", which is what a single-domain cloud uses and what the
    # OpenStack CLI assumes.
    for by_id, by_name in ((domain_id, domain_name), (f.domain_id, f.domain_name)):
        if by_id or by_name:
            return {"id": by_id} if by_id else {"name": str(by_name)}
    if f.default_domain_id:
        return {"id": f.default_domain_id}
    return {"name": f.default_domain_name or "Default"}


def _user_ref(f: CredentialFields) -> dict[str, Any]:
    # A user id is unique across domains; a user name is unique only in its domain.
    if f.user_id:
        return {"id": f.user_id}
    return {"name": f.username, "domain": _domain_ref(f.user_domain_id, f.user_domain_name, f)}


def _identity(s: _Settings) -> dict[str, Any]:
    f = s.fields
    if s.method == "password":
        return {"methods": ["password"], "password": {"user": {**_user_ref(f), "password": f.password}}}
    if s.method == "application_credential":
        credential: dict[str, Any] = (
            {"id": f.application_credential_id}
            if f.application_credential_id
            else {"name": f.application_credential_name, "user": _user_ref(f)}
        )
        credential["secret"] = f.application_credential_secret
        return {"methods": ["application_credential"], "application_credential": credential}
    return {"methods": ["token"], "token": {"id": f.token}}


def _scope(s: _Settings) -> dict[str, Any] | None:
    # An application credential is bound to its project and Keystone refuses
    # an explicit scope with it. Glance needs a project, so a domain alone is
    # not used as a scope: it only names the user's and project's domain.
    # Without a scope Keystone scopes to the user's default project, if any.
    f = s.fields
    if s.method == "application_credential":
        return None
    if f.system_scope:
        # keystoneauth knows one system scope, "all"; so does Keystone.
        return {"system": {f.system_scope.lower(): True}}
    if f.project_id:
        return {"project": {"id": f.project_id}}
    if f.project_name:
        domain = _domain_ref(f.project_domain_id, f.project_domain_name, f)
        return {"project": {"name": f.project_name, "domain": domain}}
    return None


def _token_request(s: _Settings) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body of ``POST /v3/auth/tokens``."""
    auth: dict[str, Any] = {"identity": _identity(s)}
    scope = _scope(s)
    if scope is not None:
        auth["scope"] = scope
    return _tokens_url(s.auth_url), {"auth": auth}


def _read_token_response(s: _Settings, response: httpx.Response) -> _Session:
    """The token and image endpoint from Keystone's answer, or the matching error."""
    status = response.status_code
    if not 200 <= status < 300:
        raise _refusal(s, response)
    token = response.headers.get("X-Subject-Token")
    if not token:
        raise ServiceError(f"Keystone at {s.shown} answered without an X-Subject-Token header", status_code=status)
    body = _json_object(response, s)
    return _Session(token, body.get("catalog"), _expiry(body.get("expires_at")))


# Keystone's answer when no route matches: the auth URL is wrong, not the credentials.
_NO_ROUTE = "the resource could not be found"


def _refusal(s: _Settings, response: httpx.Response) -> Error:
    """The error for a token request Keystone did not grant."""
    status = response.status_code
    message = _server_message(response, s.fields.secrets())
    detail = f": {message}" if message else ""
    if status == 401:
        return AuthenticationError(
            f"Keystone refused the credentials for {_who(s)} at {s.shown} (HTTP 401){detail}", status_code=401
        )
    if status == 404 and _keystone_json(response) and _NO_ROUTE not in message.lower():
        # Keystone answers 404 for a token it cannot validate (malformed,
        # expired, revoked: "Could not recognize Fernet token") and for an
        # unknown user or application credential. The route was found, so
        # these are refused credentials, not a wrong URL.
        hint = "; the token may be expired, revoked or mistyped" if s.method == "token" else ""
        return AuthenticationError(
            f"Keystone refused the credentials for {_who(s)} at {s.shown} (HTTP 404){detail}{hint}",
            status_code=404,
        )
    if 300 < status < 400:
        location = response.headers.get("Location")
        where = f" to {visible(shortened(display_endpoint(location)))}" if location else ""
        return ConfigError(
            f"Keystone at {s.shown} redirects{where} (HTTP {status}); use that URL as the auth URL "
            "(OS_AUTH_URL / auth.auth_url)"
        )
    if status in (300, 404):
        # Glance answers its version list (300) at any unknown path; a web
        # server or a wrong path prefix answers 404.
        return ConfigError(
            f"{s.shown} is not a Keystone identity endpoint (POST {_tokens_path(s)} answered HTTP {status}); "
            "check the auth URL (OS_AUTH_URL / auth.auth_url)"
        )
    if status == 403:
        return Forbidden(
            f"Keystone at {s.shown} refused to issue a token for {_who(s)} (HTTP 403){detail}", status_code=403
        )
    return ServiceError(f"Keystone at {s.shown} answered HTTP {status}{detail}", status_code=status)


def _tokens_path(s: _Settings) -> str:
    return httpx.URL(_tokens_url(s.auth_url)).path


def _keystone_json(response: httpx.Response) -> bool:
    """Whether the answer is Keystone's own JSON error (``{"error": {"code": ..., "message": ...}}``)."""
    try:
        data = load_json(response.content)
    except ValueError:
        return False
    error = data.get("error") if isinstance(data, dict) else None
    return isinstance(error, dict) and isinstance(error.get("message"), str)


def _who(s: _Settings) -> str:
    f = s.fields
    if s.method == "application_credential":
        return f"application credential {f.application_credential_id or f.application_credential_name}"
    if s.method == "token":
        return "the given token"
    return f"user {f.username or f.user_id}"


def _server_message(response: httpx.Response, secrets: Sequence[str]) -> str:
    """Keystone's own explanation in plain words, if any, with any echoed secret masked."""
    message = server_message(response.content, response.status_code)
    for secret in secrets:
        message = message.replace(secret, "***")
    return message[:_MAX_SERVER_MESSAGE]


def _json_object(response: httpx.Response, s: _Settings) -> dict[str, Any]:
    """The ``token`` object of Keystone's JSON answer."""
    try:
        data = load_json(response.content)
    except ValueError:
        data = None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, dict):
        raise ServiceError(
            f"Keystone at {s.shown} answered without a token object in its JSON body",
            status_code=response.status_code,
        )
    return token


def _expiry(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        # fromisoformat accepts "Z" only from Python 3.11 on.
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
