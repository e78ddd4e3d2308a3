"""Credentials for the Images API: where they come from and how they become a token.

:func:`resolve_auth` looks where OpenStack users keep their credentials
(explicit arguments, ``OS_*`` environment variables, ``clouds.yaml``) and
returns an :class:`Auth`. An Auth hands the client :class:`Credentials`: the
Images API root and a token. :class:`StaticAuth` is given both;
:class:`KeystoneAuth` gets them from Keystone v3 and caches them until the
token is about to expire or a 401 asks for a new one.

The request to Keystone is built, and its answer read, by pure functions; only
the send differs between :meth:`KeystoneAuth.get` and :meth:`KeystoneAuth.aget`,
so the two cannot drift apart.

Passwords, application credential secrets and tokens never appear in a repr,
an error message or a log line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Protocol

import attrs
import httpx

from ..errors import AuthenticationError, ConfigError, ConnectionError, ServiceError
from ..optional import optional_module

logger = logging.getLogger("imgql")

Method = Literal["password", "application_credential", "token"]

# Renew a little before Keystone's expiry, so a token cannot expire between
# get() and the request it is used for.
_EXPIRY_MARGIN = 60.0

_INTERFACES = ("public", "internal", "admin")

# Keystone error texts are shown to the user; a long HTML error page is not useful.
_MAX_SERVER_MESSAGE = 300

_KEYSTONE_HEADERS = {"Accept": "application/json"}


# --------------------------------------------------------------------------- public types


@attrs.frozen
class Credentials:
    """Where the Images API is and the token to send it (None: send none)."""

    endpoint: str
    token: str | None = attrs.field(repr=False)


class Auth(Protocol):
    """A source of credentials for the Images API client."""

    # True when asking again can produce a different token, so retrying a
    # request after a 401 is worth it.
    can_refresh: bool

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials: ...

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials: ...


def normalize_endpoint(url: str) -> str:
    """The Images API root of ``url``: no trailing slash and no trailing ``/v2``.

    Catalogs register Glance both with and without the version, and the client
    adds ``/v2/images`` itself, so the root must be version-free.
    """
    root = url.strip().rstrip("/")
    if root.endswith("/v2"):
        root = root[: -len("/v2")].rstrip("/")
    return root


@attrs.frozen
class StaticAuth:
    """An endpoint and a token given directly; the token may be None (no auth)."""

    endpoint: str = attrs.field(converter=normalize_endpoint)
    token: str | None = attrs.field(default=None, repr=False)

    # A fixed token cannot be renewed: after a 401 there is nothing to retry with.
    can_refresh = False

    def __attrs_post_init__(self) -> None:
        _check_http_url(self.endpoint, "the Images API endpoint")

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        return Credentials(self.endpoint, self.token)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        return Credentials(self.endpoint, self.token)


# --------------------------------------------------------------------------- Keystone


@attrs.frozen
class _KeystoneSettings:
    """Everything needed to ask Keystone for a token; secrets hidden from repr."""

    auth_url: str
    method: Method
    interface: str
    region: str | None = None
    endpoint_override: str | None = None
    username: str | None = None
    user_id: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    domain_name: str | None = None
    domain_id: str | None = None
    application_credential_id: str | None = None
    application_credential_name: str | None = None
    application_credential_secret: str | None = attrs.field(default=None, repr=False)
    token: str | None = attrs.field(default=None, repr=False)

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.application_credential_secret, self.token) if s]


@attrs.frozen
class _Session:
    credentials: Credentials
    expires_at: float | None  # POSIX time; None when Keystone did not say

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at - _EXPIRY_MARGIN


class KeystoneAuth:
    """Keystone v3 authentication by password, application credential or token.

    The token and the image endpoint from the catalog are cached; ``get`` asks
    Keystone again when the token is about to expire, or when ``refresh=True``
    (the client does that once after a 401). ``method`` is guessed from the
    arguments when not given: a secret means an application credential, a
    token without a password means token auth, else password auth.
    """

    # Keystone can always issue a new token from the same credentials.
    can_refresh = True

    def __init__(
        self,
        auth_url: str,
        *,
        method: Method | None = None,
        username: str | None = None,
        user_id: str | None = None,
        password: str | None = None,
        user_domain_name: str | None = None,
        user_domain_id: str | None = None,
        project_name: str | None = None,
        project_id: str | None = None,
        project_domain_name: str | None = None,
        project_domain_id: str | None = None,
        domain_name: str | None = None,
        domain_id: str | None = None,
        application_credential_id: str | None = None,
        application_credential_name: str | None = None,
        application_credential_secret: str | None = None,
        token: str | None = None,
        region: str | None = None,
        interface: str | None = None,
        endpoint_override: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        _check_http_url(auth_url, "auth_url")
        if endpoint_override:
            _check_http_url(endpoint_override, "the image endpoint override")
        self._settings = _KeystoneSettings(
            auth_url=auth_url.strip(),
            method=method or _guess_method(password, application_credential_secret, token),
            interface=_interface(interface),
            region=region or None,
            endpoint_override=endpoint_override or None,
            username=username or None,
            user_id=user_id or None,
            password=password or None,
            user_domain_name=user_domain_name or None,
            user_domain_id=user_domain_id or None,
            project_name=project_name or None,
            project_id=project_id or None,
            project_domain_name=project_domain_name or None,
            project_domain_id=project_domain_id or None,
            domain_name=domain_name or None,
            domain_id=domain_id or None,
            application_credential_id=application_credential_id or None,
            application_credential_name=application_credential_name or None,
            application_credential_secret=application_credential_secret or None,
            token=token or None,
        )
        _check_settings(self._settings)
        self._clock = clock
        self._session: _Session | None = None
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
        shown = [
            f"{field.name}={getattr(self._settings, field.name)!r}"
            for field in attrs.fields(_KeystoneSettings)
            if field.repr is not False and getattr(self._settings, field.name) is not None
        ]
        return f"KeystoneAuth({', '.join(shown)})"

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        seen = self._session
        with self._lock:
            ready = self._reusable(seen, refresh)
            if ready is not None:
                return ready
            url, body = _token_request(self._settings)
            response = _post(http, url, body)
            return self._keep(response)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        seen = self._session
        async with self._async_lock():
            ready = self._reusable(seen, refresh)
            if ready is not None:
                return ready
            url, body = _token_request(self._settings)
            response = await _apost(http, url, body)
            return self._keep(response)

    def _reusable(self, seen: _Session | None, refresh: bool) -> Credentials | None:
        """The cached credentials, if they may be used instead of asking Keystone."""
        session = self._session
        if session is None:
            return None
        # Someone renewed the token while this caller waited for the lock: a
        # burst of 401s must cause one new token, not one each.
        if session is not seen:
            return session.credentials
        if refresh or session.expired(self._clock()):
            return None
        return session.credentials

    def _keep(self, response: httpx.Response) -> Credentials:
        session = _read_token_response(self._settings, response)
        self._session = session
        return session.credentials

    def _async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._async_locks_guard:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
            return lock


def _guess_method(password: str | None, secret: str | None, token: str | None) -> Method:
    # Password is the fallback: when nothing fits, its error names what is missing.
    if secret:
        return "application_credential"
    if token and not password:
        return "token"
    return "password"


def _interface(value: str | None) -> str:
    # Keystone v2 catalogs said "publicURL"; people still write it.
    name = (value or "public").strip().lower().removesuffix("url")
    if name not in _INTERFACES:
        raise ConfigError(f"interface {value!r} is not one of: {', '.join(_INTERFACES)}")
    return name


def _check_settings(s: _KeystoneSettings) -> None:
    """Fail before any request when the chosen method lacks what it needs."""
    has_user = bool(s.username or s.user_id)
    if s.method == "password" and not (has_user and s.password):
        raise ConfigError("password auth needs a user (username or user_id) and a password")
    if s.method == "application_credential":
        if not s.application_credential_secret:
            raise ConfigError("application credential auth needs application_credential_secret")
        if not s.application_credential_id and not (s.application_credential_name and has_user):
            raise ConfigError(
                "application credential auth needs application_credential_id, "
                "or application_credential_name with a user (username or user_id)"
            )
    if s.method == "token" and not s.token:
        raise ConfigError("token auth needs a token")


def _check_http_url(url: str, what: str) -> None:
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"{what} {url!r} is not an http(s) URL")


# Request and response: pure functions shared by get() and aget().


def _tokens_url(auth_url: str) -> str:
    """``<identity root>/v3/auth/tokens``, whether auth_url names a version or not."""
    root = auth_url.rstrip("/")
    for suffix in ("/v3", "/v2.0"):
        if root.endswith(suffix):
            root = root[: -len(suffix)].rstrip("/")
            break
    return f"{root}/v3/auth/tokens"


def _domain_ref(domain_id: str | None, domain_name: str | None, s: _KeystoneSettings) -> dict[str, str]:
    # The specific domain wins, then the general domain_id/domain_name, then
    # "Default", which is what a single-domain cloud uses and what the
    # OpenStack CLI assumes.
    if domain_id or domain_name:
        return {"id": domain_id} if domain_id else {"name": str(domain_name)}
    if s.domain_id:
        return {"id": s.domain_id}
    return {"name": s.domain_name or "Default"}


def _user_ref(s: _KeystoneSettings) -> dict[str, Any]:
    # A user id is unique across domains; a user name is unique only in its domain.
    if s.user_id:
        return {"id": s.user_id}
    return {"name": s.username, "domain": _domain_ref(s.user_domain_id, s.user_domain_name, s)}


def _identity(s: _KeystoneSettings) -> dict[str, Any]:
    if s.method == "password":
        return {"methods": ["password"], "password": {"user": {**_user_ref(s), "password": s.password}}}
    if s.method == "application_credential":
        credential: dict[str, Any] = (
            {"id": s.application_credential_id}
            if s.application_credential_id
            else {"name": s.application_credential_name, "user": _user_ref(s)}
        )
        credential["secret"] = s.application_credential_secret
        return {"methods": ["application_credential"], "application_credential": credential}
    return {"methods": ["token"], "token": {"id": s.token}}


def _scope(s: _KeystoneSettings) -> dict[str, Any] | None:
    # An application credential is bound to its project and Keystone refuses
    # an explicit scope with it. Glance needs a project, so a domain alone is
    # not used as a scope: it only names the user's and project's domain.
    # Without a scope Keystone scopes to the user's default project, if any.
    if s.method == "application_credential":
        return None
    if s.project_id:
        return {"project": {"id": s.project_id}}
    if s.project_name:
        domain = _domain_ref(s.project_domain_id, s.project_domain_name, s)
        return {"project": {"name": s.project_name, "domain": domain}}
    return None


def _token_request(s: _KeystoneSettings) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body of ``POST /v3/auth/tokens``."""
    auth: dict[str, Any] = {"identity": _identity(s)}
    scope = _scope(s)
    if scope is not None:
        auth["scope"] = scope
    return _tokens_url(s.auth_url), {"auth": auth}


def _read_token_response(s: _KeystoneSettings, response: httpx.Response) -> _Session:
    """The token and image endpoint from Keystone's answer, or the matching error."""
    status = response.status_code
    if status == 401:
        raise AuthenticationError(f"Keystone refused the credentials for {_who(s)} at {s.auth_url}", status_code=401)
    if not 200 <= status < 300:
        detail = _server_message(response, s.secrets())
        raise ServiceError(f"Keystone at {s.auth_url} answered HTTP {status}{detail}", status_code=status)
    token = response.headers.get("X-Subject-Token")
    if not token:
        raise ServiceError(f"Keystone at {s.auth_url} answered without an X-Subject-Token header", status_code=status)
    body = _json_object(response, s)
    if s.endpoint_override:
        endpoint = s.endpoint_override
    else:
        endpoint = _image_endpoint(body.get("catalog"), s)
        logger.debug("image endpoint from the catalog: %s", endpoint)
    return _Session(Credentials(normalize_endpoint(endpoint), token), _expiry(body.get("expires_at")))


def _who(s: _KeystoneSettings) -> str:
    if s.method == "application_credential":
        return f"application credential {s.application_credential_id or s.application_credential_name}"
    if s.method == "token":
        return "the given token"
    return f"user {s.username or s.user_id}"


def _server_message(response: httpx.Response, secrets: Sequence[str]) -> str:
    """Keystone's own explanation, if any, with any echoed secret masked."""
    try:
        data = response.json()
        message = data["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return ""
    if not isinstance(message, str) or not message.strip():
        return ""
    for secret in secrets:
        message = message.replace(secret, "***")
    return f": {message.strip()[:_MAX_SERVER_MESSAGE]}"


def _json_object(response: httpx.Response, s: _KeystoneSettings) -> dict[str, Any]:
    """The ``token`` object of Keystone's JSON answer."""
    try:
        data = response.json()
    except ValueError:
        data = None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, dict):
        raise ServiceError(
            f"Keystone at {s.auth_url} answered without a token object in its JSON body",
            status_code=response.status_code,
        )
    return token


def _image_endpoint(catalog: object, s: _KeystoneSettings) -> str:
    """The URL of the first image endpoint matching the interface and region."""
    if not isinstance(catalog, list):
        raise ConfigError(
            f"the token from {s.auth_url} has no service catalog; scope it to a project "
            "(project_name or project_id) or give the image endpoint directly"
        )
    services = [service for service in catalog if isinstance(service, dict)]
    for service in services:
        if service.get("type") != "image":
            continue
        for entry in _endpoints(service):
            url = entry.get("url")
            if _matches(entry, s) and isinstance(url, str) and url:
                return url
    wanted = f"interface {s.interface}" + (f", region {s.region}" if s.region else "")
    raise ConfigError(
        f"no image endpoint ({wanted}) in the catalog from {s.auth_url}; the catalog has: {_describe_catalog(services)}"
    )


def _endpoints(service: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries = service.get("endpoints")
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _matches(entry: Mapping[str, Any], s: _KeystoneSettings) -> bool:
    if entry.get("interface") != s.interface:
        return False
    # Keystone sends both "region_id" and the older "region"; either may be set.
    return s.region is None or s.region in (entry.get("region_id"), entry.get("region"))


def _describe_catalog(services: Sequence[Mapping[str, Any]]) -> str:
    """``image: RegionOne/public, RegionOne/internal; compute: ...`` for error messages."""
    if not services:
        return "no services"
    parts = []
    for service in services:
        places = [
            f"{entry.get('region_id') or entry.get('region') or '(no region)'}/{entry.get('interface')}"
            for entry in _endpoints(service)
        ]
        parts.append(f"{service.get('type')}: {', '.join(places) or 'no endpoints'}")
    return "; ".join(parts)


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


# Sending: the only part that differs between sync and async.


def _post(http: httpx.Client, url: str, body: dict[str, Any]) -> httpx.Response:
    try:
        response = http.post(url, json=body, headers=_KEYSTONE_HEADERS)
    except httpx.TransportError as exc:
        raise _unreachable(url, exc) from exc
    logger.debug("POST %s -> %d", url, response.status_code)
    return response


async def _apost(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> httpx.Response:
    try:
        response = await http.post(url, json=body, headers=_KEYSTONE_HEADERS)
    except httpx.TransportError as exc:
        raise _unreachable(url, exc) from exc
    logger.debug("POST %s -> %d", url, response.status_code)
    return response


def _unreachable(url: str, exc: httpx.TransportError) -> ConnectionError:
    logger.debug("POST %s failed: %s", url, type(exc).__name__)
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ConnectionError(f"cannot reach Keystone at {url} ({reason})")


# --------------------------------------------------------------------------- resolution

# clouds.yaml ``auth`` keys and the environment variables that set them.
_ENV_FIELDS: dict[str, tuple[str, ...]] = {
    "auth_url": ("OS_AUTH_URL",),
    "username": ("OS_USERNAME",),
    "user_id": ("OS_USER_ID",),
    "password": ("OS_PASSWORD",),
    "project_name": ("OS_PROJECT_NAME", "OS_TENANT_NAME"),
    "project_id": ("OS_PROJECT_ID", "OS_TENANT_ID"),
    "user_domain_name": ("OS_USER_DOMAIN_NAME",),
    "user_domain_id": ("OS_USER_DOMAIN_ID",),
    "project_domain_name": ("OS_PROJECT_DOMAIN_NAME",),
    "project_domain_id": ("OS_PROJECT_DOMAIN_ID",),
    "domain_name": ("OS_DOMAIN_NAME",),
    "domain_id": ("OS_DOMAIN_ID",),
    "application_credential_id": ("OS_APPLICATION_CREDENTIAL_ID",),
    "application_credential_name": ("OS_APPLICATION_CREDENTIAL_NAME",),
    "application_credential_secret": ("OS_APPLICATION_CREDENTIAL_SECRET",),
    "token": ("OS_TOKEN", "OS_AUTH_TOKEN"),
}
_CLOUD_AUTH_KEYS = (*_ENV_FIELDS, "tenant_name", "tenant_id", "endpoint")

# keystoneauth plugin names; "static" means no Keystone: a fixed endpoint.
_AUTH_TYPES: dict[str, Method | Literal["static"]] = {
    "password": "password",
    "v3password": "password",
    "v3applicationcredential": "application_credential",
    "applicationcredential": "application_credential",
    "token": "token",
    "v3token": "token",
    "admin_token": "static",
    "none": "static",
    "noauth": "static",
}

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

_NOTHING_FOUND = (
    "no OpenStack credentials found. Give one of: an Images API endpoint and token "
    "(--endpoint/--token, or OS_IMAGE_URL and OS_TOKEN); a cloud from clouds.yaml "
    "(--cloud or OS_CLOUD); or OS_AUTH_URL with OS_USERNAME, OS_PASSWORD and "
    "OS_PROJECT_NAME (or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET)"
)

_Fields = dict[str, str | None]


def resolve_auth(
    endpoint: str | None = None,
    token: str | None = None,
    *,
    cloud: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_files: Sequence[str | Path] | None = None,
    region: str | None = None,
    interface: str | None = None,
) -> tuple[Auth, bool | str]:
    """The Auth to use and the TLS ``verify`` setting (True, False or a CA bundle path).

    Explicit arguments win over the environment: an ``endpoint`` gives a
    StaticAuth (with ``token``, or else OS_TOKEN); a ``cloud`` is read from
    clouds.yaml. Then, as the OpenStack CLI does: OS_TOKEN with OS_IMAGE_URL
    (or with OS_AUTH_URL to find the endpoint), OS_CLOUD, and OS_AUTH_URL with
    a user or an application credential. Nothing is sent over the network here.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    if endpoint:
        return StaticAuth(endpoint, token or _env(env, "OS_TOKEN", "OS_AUTH_TOKEN")), _env_verify(env)
    if cloud:
        return _from_cloud(cloud, "the cloud argument", env, config_files, token, region, interface)
    by_token = _from_env_token(env, token, region, interface)
    if by_token is not None:
        return by_token, _env_verify(env)
    env_cloud = _env(env, "OS_CLOUD")
    if env_cloud:
        return _from_cloud(env_cloud, "OS_CLOUD", env, config_files, token, region, interface)
    if token:
        raise ConfigError("a token needs an endpoint: pass the Images API endpoint, or set OS_IMAGE_URL or OS_AUTH_URL")
    if _env(env, "OS_AUTH_URL"):
        return _from_env_keystone(env, region, interface), _env_verify(env)
    image_url = _env(env, "OS_IMAGE_URL", "OS_ENDPOINT")
    if image_url:
        # An endpoint with no credentials at all: a trusted, unauthenticated Glance.
        return StaticAuth(image_url, None), _env_verify(env)
    if _env(env, "OS_TOKEN", "OS_AUTH_TOKEN"):
        raise ConfigError(
            f"{_NOTHING_FOUND} (OS_TOKEN is set, but neither OS_IMAGE_URL nor OS_AUTH_URL says where to use it)"
        )
    raise ConfigError(_NOTHING_FOUND)


def _env(env: Mapping[str, str], *names: str) -> str | None:
    """The first of ``names`` set to a non-blank value; a blank variable counts as unset."""
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def _env_verify(env: Mapping[str, str]) -> bool | str:
    # --insecure beats a CA bundle in the OpenStack CLI too.
    if (_env(env, "OS_INSECURE") or "").lower() in _TRUE:
        return False
    cacert = _env(env, "OS_CACERT")
    return _ca_bundle(cacert, "OS_CACERT") if cacert else True


def _ca_bundle(path: str, source: str) -> str:
    # httpx would fail later with an obscure SSL error; say which setting is wrong.
    bundle = Path(path).expanduser()
    if not bundle.is_file():
        raise ConfigError(f"the CA bundle {path} (from {source}) does not exist")
    return str(bundle)


def _env_fields(env: Mapping[str, str]) -> _Fields:
    return {name: _env(env, *names) for name, names in _ENV_FIELDS.items()}


def _from_env_token(
    env: Mapping[str, str], token: str | None, region: str | None, interface: str | None
) -> Auth | None:
    """OS_TOKEN (or the explicit token) with OS_IMAGE_URL, or with OS_AUTH_URL for the catalog."""
    token = token or _env(env, "OS_TOKEN", "OS_AUTH_TOKEN")
    if not token:
        return None
    image_url = _env(env, "OS_IMAGE_URL", "OS_ENDPOINT")
    if image_url:
        return StaticAuth(image_url, token)
    if not _env(env, "OS_AUTH_URL"):
        return None
    fields = _env_fields(env)
    fields["token"] = token
    return _keystone(
        fields,
        "token",
        "OS_* environment variables",
        region or _env(env, "OS_REGION_NAME"),
        interface or _env(env, "OS_INTERFACE"),
        None,
    )


def _from_env_keystone(env: Mapping[str, str], region: str | None, interface: str | None) -> Auth:
    where = "OS_* environment variables"
    fields = _env_fields(env)
    method = _auth_method(_env(env, "OS_AUTH_TYPE"), fields, where)
    image_url = _env(env, "OS_IMAGE_URL", "OS_ENDPOINT")
    if method == "static":
        if not image_url:
            raise ConfigError(f"{where}: OS_AUTH_TYPE {_env(env, 'OS_AUTH_TYPE')} needs OS_IMAGE_URL or OS_ENDPOINT")
        return StaticAuth(image_url, fields["token"])
    return _keystone(
        fields, method, where, region or _env(env, "OS_REGION_NAME"), interface or _env(env, "OS_INTERFACE"), image_url
    )


def _auth_method(auth_type: str | None, fields: _Fields, where: str) -> Method | Literal["static"]:
    if auth_type is None:
        return _guess_method(fields.get("password"), fields.get("application_credential_secret"), fields.get("token"))
    method = _AUTH_TYPES.get(auth_type.strip().lower().replace("-", "_"))
    if method is None:
        raise ConfigError(f"{where}: auth_type {auth_type!r} is not supported; use one of: {', '.join(_AUTH_TYPES)}")
    return method


def _keystone(
    fields: _Fields,
    method: Method,
    where: str,
    region: str | None,
    interface: str | None,
    endpoint_override: str | None,
) -> KeystoneAuth:
    auth_url = fields.get("auth_url")
    if not auth_url:
        raise ConfigError(f"{where}: auth_url is missing (the Keystone URL, e.g. https://keystone.example:5000/v3)")
    try:
        return KeystoneAuth(
            auth_url,
            method=method,
            username=fields.get("username"),
            user_id=fields.get("user_id"),
            password=fields.get("password"),
            user_domain_name=fields.get("user_domain_name"),
            user_domain_id=fields.get("user_domain_id"),
            project_name=fields.get("project_name"),
            project_id=fields.get("project_id"),
            project_domain_name=fields.get("project_domain_name"),
            project_domain_id=fields.get("project_domain_id"),
            domain_name=fields.get("domain_name"),
            domain_id=fields.get("domain_id"),
            application_credential_id=fields.get("application_credential_id"),
            application_credential_name=fields.get("application_credential_name"),
            application_credential_secret=fields.get("application_credential_secret"),
            token=fields.get("token"),
            region=region,
            interface=interface,
            endpoint_override=endpoint_override,
        )
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc.message}") from None


# clouds.yaml


@attrs.frozen
class _CloudsFiles:
    clouds: dict[str, Any]
    searched: list[Path]  # clouds.yaml candidates, in search order
    read: list[Path]  # the files actually read (clouds.yaml, secure.yaml)


def _from_cloud(
    name: str,
    source: str,
    env: Mapping[str, str],
    config_files: Sequence[str | Path] | None,
    token: str | None,
    region: str | None,
    interface: str | None,
) -> tuple[Auth, bool | str]:
    files = _load_clouds(env, config_files)
    cloud = files.clouds.get(name)
    if cloud is None:
        raise ConfigError(_unknown_cloud(name, source, files))
    where = f"cloud {name!r} in {', '.join(map(str, files.read))}"
    if not isinstance(cloud, dict):
        raise ConfigError(f"{where}: expected a mapping of settings")
    return _cloud_auth(cloud, where, token, region, interface), _cloud_verify(cloud, where)


def _unknown_cloud(name: str, source: str, files: _CloudsFiles) -> str:
    searched = ", ".join(map(str, files.searched))
    if not files.read:
        return f"cloud {name!r} (from {source}) is not defined: no clouds.yaml found (searched: {searched})"
    known = ", ".join(sorted(files.clouds)) or "none"
    read = ", ".join(map(str, files.read))
    return f"cloud {name!r} (from {source}) is not defined; known clouds: {known} (read: {read}; searched: {searched})"


def _cloud_auth(
    cloud: Mapping[str, Any], where: str, token: str | None, region: str | None, interface: str | None
) -> Auth:
    fields = _cloud_fields(cloud, where)
    auth_type = _text(cloud.get("auth_type"), where, "auth_type")
    method = _auth_method(auth_type, fields, where)
    # An explicit token replaces the cloud's own credentials but keeps its
    # Keystone, project and region, as `openstack --os-token` does.
    if token:
        fields["token"] = token
        method = "static" if method == "static" else "token"
    endpoint_override = _text(cloud.get("image_endpoint_override"), where, "image_endpoint_override") or _text(
        cloud.get("endpoint_override"), where, "endpoint_override"
    )
    if method == "static":
        endpoint = endpoint_override or fields.get("endpoint")
        if not endpoint:
            raise ConfigError(f"{where}: auth_type {auth_type} needs image_endpoint_override or endpoint_override")
        return StaticAuth(endpoint, fields.get("token"))
    region = region or _text(cloud.get("region_name"), where, "region_name") or _first_region(cloud.get("regions"))
    interface = interface or _text(cloud.get("interface"), where, "interface")
    return _keystone(fields, method, where, region, interface, endpoint_override)


def _cloud_fields(cloud: Mapping[str, Any], where: str) -> _Fields:
    auth = cloud.get("auth", {})
    if not isinstance(auth, dict):
        raise ConfigError(f"{where}: auth must be a mapping")
    fields = {key: _text(auth.get(key), where, f"auth.{key}") for key in _CLOUD_AUTH_KEYS}
    # tenant_* are the Keystone v2 names for projects.
    tenant_name, tenant_id = fields.pop("tenant_name"), fields.pop("tenant_id")
    fields["project_name"] = fields["project_name"] or tenant_name
    fields["project_id"] = fields["project_id"] or tenant_id
    return fields


def _text(value: object, where: str, key: str) -> str | None:
    """A YAML scalar as text: YAML reads ``project_id: 1234`` as a number."""
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float):
        return str(value)
    raise ConfigError(f"{where}: {key} must be a string")


def _first_region(regions: object) -> str | None:
    # openstacksdk allows a list of regions, as names or as {name: ...}; the first is the default.
    if not isinstance(regions, list) or not regions:
        return None
    first = regions[0]
    name = first.get("name") if isinstance(first, dict) else first
    return str(name) if name else None


def _cloud_verify(cloud: Mapping[str, Any], where: str) -> bool | str:
    verify = cloud.get("verify", True)
    if _as_bool(cloud.get("insecure", False)) is True:
        return False
    flag = _as_bool(verify)
    if flag is False:
        return False
    cacert = _text(cloud.get("cacert"), where, "cacert")
    if cacert:
        return _ca_bundle(cacert, where)
    if flag is None:
        # Not a yes/no: keystoneauth also takes a CA bundle path in verify.
        return _ca_bundle(str(verify), where)
    return True


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _load_clouds(env: Mapping[str, str], config_files: Sequence[str | Path] | None) -> _CloudsFiles:
    """clouds.yaml merged with secure.yaml, each the first found in the search order."""
    clouds_paths, secure_paths = _search_paths(env, config_files)
    clouds_file = _first_file(clouds_paths)
    secure_file = _first_file(secure_paths)
    read = [path for path in (clouds_file, secure_file) if path is not None]
    clouds = _clouds_section(clouds_file) if clouds_file else {}
    if secure_file:
        clouds = _merged(clouds, _clouds_section(secure_file))
    return _CloudsFiles(clouds=clouds, searched=clouds_paths, read=read)


def _search_paths(env: Mapping[str, str], config_files: Sequence[str | Path] | None) -> tuple[list[Path], list[Path]]:
    """Where clouds.yaml and secure.yaml may be, as openstacksdk looks for them."""
    if config_files is not None:
        clouds = [Path(path).expanduser() for path in config_files]
    else:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
        config_home = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
        folders = [Path.cwd(), config_home / "openstack", Path("/etc/openstack")]
        clouds = [folder / name for folder in folders for name in ("clouds.yaml", "clouds.yml")]
        explicit = _env(env, "OS_CLIENT_CONFIG_FILE")
        if explicit:
            clouds.insert(0, Path(explicit).expanduser())
    # Secrets live next to the configuration, in the same folders.
    folders = list(dict.fromkeys(path.parent for path in clouds))
    secure = [folder / name for folder in folders for name in ("secure.yaml", "secure.yml")]
    explicit_secure = _env(env, "OS_CLIENT_SECURE_FILE")
    if explicit_secure:
        secure.insert(0, Path(explicit_secure).expanduser())
    return clouds, secure


def _first_file(paths: Sequence[Path]) -> Path | None:
    return next((path for path in paths if path.is_file()), None)


def _clouds_section(path: Path) -> dict[str, Any]:
    data = _read_yaml(path)
    if data is None:
        return {}
    clouds = data.get("clouds", {}) if isinstance(data, dict) else None
    if not isinstance(clouds, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'clouds' mapping in it")
    return {str(name): cloud for name, cloud in clouds.items()}


def _read_yaml(path: Path) -> object:
    yaml = _yaml_module()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # PyYAML's message quotes the offending line, which may hold a
        # password: keep only the position and the problem.
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(f"{path} is not valid YAML{line}: {problem}") from None


def _yaml_module() -> ModuleType:
    # PyYAML is optional: only clouds.yaml needs it, and only when one exists.
    return optional_module("yaml", needed_for="reading clouds.yaml", extra="openstack", error=ConfigError)


def _merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it, mappings merged key by key."""
    result = dict(base)
    for key, value in override.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = _merged(current, value)
        else:
            result[key] = value
    return result
