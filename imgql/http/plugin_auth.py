"""Every other way to authenticate: a keystoneauth1 plugin (the ``openstack`` extra).

imgql implements the common Keystone methods itself (:mod:`imgql.http.keystone`:
password, application credential, token), with no import beyond httpx. Any
other ``auth_type`` of clouds.yaml or ``OS_AUTH_TYPE`` (``v3totp``,
``v3multifactor``, the ``v3oidc*`` flows, ``v3samlpassword``, ``v2password``,
``v3oauth1``, ``kerberos``, ...) is loaded here as the OpenStack tools load
it: keystoneauth1's plugin of that name, given the options of the cloud's
``auth:`` section or the ``OS_*`` variables named after them.

keystoneauth1 gets the token and the image endpoint from the catalog; httpx
still does the listing. On a 401 the client asks again with ``refresh=True``,
and the plugin is told to forget its token. keystoneauth1 is imported only
when such a configuration is used; without it, the configuration is refused
with a :class:`~imgql.errors.ConfigError` naming the auth type and the extra.
"""

from __future__ import annotations

import asyncio
import importlib
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import httpx

from ..errors import AuthenticationError, ConfigError, ConnectionError, Error, ServiceError
from ..untrusted import shortened, visible
from .credentials import Credentials, display_endpoint, normalize_endpoint
from .server_text import plain_words
from .service_catalog import EndpointChoice

__all__ = ["EXTRA_HINT", "PluginAuth", "keystoneauth_loading", "missing_package", "plugin_option_names"]

EXTRA_HINT = "pip install 'imgql[openstack]'"

_KEYSTONEAUTH_SUFFIX = re.compile(r"\s*\(HTTP \d+\)(\s*\(Request-ID: [^)]*\))?\s*$")

# How long keystoneauth waits for Keystone, as imgql's own clients do by default.
_TIMEOUT = 30.0


def keystoneauth_loading(needed_for: str) -> ModuleType:
    """``keystoneauth1.loading``, or a ConfigError saying what needs it and how to get it."""
    try:
        from keystoneauth1 import loading
    except ImportError as exc:
        raise ConfigError(missing_package(exc, "keystoneauth1", needed_for)) from None
    return loading


def missing_package(exc: ImportError, package: str, needed_for: str, module: str | None = None) -> str:
    """What to say when ``package`` (imported as ``module``) cannot be imported:
    not installed, or installed without what it needs."""
    if exc.name is None or exc.name.split(".")[0] == (module or package):
        return f"{needed_for} needs {package}: {EXTRA_HINT}"
    return f"{needed_for} needs {package}, which cannot be imported here ({exc}); reinstall it: {EXTRA_HINT}"


def plugin_option_names(auth_type: str, where: str) -> list[list[str]]:
    """For each option of plugin ``auth_type``: its names, the current one first
    (``project_name``, then deprecated ones such as ``tenant_name``)."""
    return [_names(option) for option in _loader(auth_type, where).get_options()]


def _names(option: Any) -> list[str]:
    return [option.dest, *(old.dest for old in getattr(option, "deprecated", ()) or ())]


def _loader(auth_type: str, where: str) -> Any:
    loading = keystoneauth_loading(f"{where}: auth_type {auth_type!r}")
    from keystoneauth1 import exceptions

    try:
        loader = loading.get_plugin_loader(auth_type)
    except exceptions.NoMatchingPlugin:
        known = ", ".join(sorted(loading.get_available_plugin_names()))
        raise ConfigError(f"{where}: auth_type {auth_type!r} is not a keystoneauth plugin; known: {known}") from None
    if not loader.available:
        raise ConfigError(
            f"{where}: auth_type {auth_type!r} needs packages keystoneauth1 does not have here "
            f"(for kerberos: pip install 'keystoneauth1[kerberos]'; for v3oauth1: 'keystoneauth1[oauth1]')"
        )
    return loader


class PluginAuth:
    """A token and the image endpoint from keystoneauth1's plugin ``auth_type``.

    ``options`` are the plugin's options by name (``auth_url``, ``username``,
    ``passcode``, ``identity_provider``, ...), as under ``auth:`` in
    clouds.yaml; other names are ignored. ``verify`` is the TLS setting for
    Keystone (True, False or a CA bundle path).
    """

    can_refresh = True

    def __init__(
        self,
        auth_type: str,
        options: Mapping[str, str],
        *,
        region: str | None = None,
        interface: str | None = None,
        endpoint_override: str | None = None,
        verify: bool | str = True,
        where: str = "keystoneauth",
    ) -> None:
        loader = _loader(auth_type, where)
        from keystoneauth1 import exceptions, session

        self._auth_type = auth_type
        self._where = where
        self._choice = EndpointChoice(interface or "public", region, endpoint_override)
        self._auth_url = str(options.get("auth_url") or "")
        # For messages and the repr: a password written into the URL is never shown.
        self._shown_url = display_endpoint(self._auth_url)
        self._secrets = [str(value) for key, value in options.items() if _secret_name(key) and value]

        def value_of(option: Any) -> Any:
            return next((options[name] for name in _names(option) if options.get(name) not in (None, "")), None)

        try:
            self._plugin = loader.load_from_options_getter(value_of)
        except exceptions.MissingRequiredOptions as exc:
            missing = ", ".join(option.dest for option in exc.options)
            raise ConfigError(f"{where}: auth_type {auth_type!r} needs {missing}") from None
        except (exceptions.ClientException, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: auth_type {auth_type!r}: {self._redact(str(exc))}") from None
        # keystoneauth follows redirects itself, re-sending the credentials to
        # wherever they point: a redirect is refused before it is followed.
        self._session = session.Session(
            auth=self._plugin, verify=verify, timeout=_TIMEOUT, redirect=False, session=_no_redirects(self._auth_url)
        )
        self._lock = threading.Lock()
        self._token: str | None = None

    def use_verify(self, verify: bool | str) -> None:
        """Reach Keystone with this TLS setting (the client's explicit ``verify=``)."""
        self._session.verify = verify

    def __repr__(self) -> str:
        shown = [("auth_type", self._auth_type), ("auth_url", self._shown_url), ("interface", self._choice.interface)]
        shown += [(name, value) for name, value in (("region", self._choice.region),) if value]
        return f"PluginAuth({', '.join(f'{name}={value!r}' for name, value in shown)})"

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        return self._obtain(self._token, refresh)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        # keystoneauth blocks; keep the event loop free while it works.
        return await asyncio.to_thread(self._obtain, self._token, refresh)

    def _obtain(self, seen: str | None, refresh: bool) -> Credentials:
        with self._lock, self._translated():
            # A burst of 401s with the same token causes one new token, not one each.
            if refresh and self._token is not None and self._token == seen:
                self._plugin.invalidate()
            # keystoneauth keeps the token and renews it before it expires.
            token = self._session.get_token()
            endpoint = self._choice.override or self._session.get_endpoint(
                service_type="image", interface=self._choice.interface, region_name=self._choice.region
            )
            if not token:
                raise ServiceError(f"{self._where}: keystoneauth plugin {self._auth_type!r} gave no token")
            if not endpoint:
                wanted = f"interface {self._choice.interface}" + (
                    f", region {self._choice.region}" if self._choice.region else ""
                )
                raise ConfigError(f"{self._where}: no image endpoint ({wanted}) in the catalog from {self._shown_url}")
            self._token = token
            return Credentials(normalize_endpoint(endpoint), token)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """keystoneauth's exceptions as imgql errors, with no secret in them."""
        from keystoneauth1 import exceptions

        try:
            yield
        except Error:
            raise
        except RecursionError:
            raise ServiceError(f"Keystone at {self._shown_url} answered JSON nested too deeply to read") from None
        except exceptions.HttpError as exc:
            raise self._http_error(exc) from None
        except exceptions.EndpointNotFound as exc:
            raise ConfigError(f"{self._where}: {self._redact(str(exc))}") from None
        except exceptions.ConnectionError as exc:
            raise ConnectionError(f"cannot reach Keystone at {self._shown_url}: {self._redact(str(exc))}") from None
        except exceptions.ClientException as exc:
            raise ConfigError(f"{self._where}: {type(exc).__name__}: {self._redact(str(exc))}") from None

    def _http_error(self, exc: Any) -> Error:
        status = int(getattr(exc, "http_status", 0) or 0)
        message = self._redact(plain_words(str(getattr(exc, "details", None) or exc.message or "")))
        # keystoneauth's own text ends with the status and request id, which imgql's message says already.
        message = _KEYSTONEAUTH_SUFFIX.sub("", message)
        detail = f": {message}" if message else ""
        if status == 401 or (status == 404 and _keystone_refusal(getattr(exc, "response", None))):
            return AuthenticationError(
                f"Keystone at {self._shown_url} refused the credentials ({self._auth_type}, HTTP {status}){detail}",
                status_code=status,
            )
        if status in (300, 404):
            return ConfigError(
                f"{self._shown_url} is not a Keystone identity endpoint for auth_type {self._auth_type!r} "
                f"(HTTP {status}); "
                "check the auth URL (OS_AUTH_URL / auth.auth_url)"
            )
        return ServiceError(f"Keystone at {self._shown_url} answered HTTP {status}{detail}", status_code=status)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text


def _no_redirects(auth_url: str) -> Any:
    """A requests session that fails on any redirect, before anything is sent to its target."""
    requests = importlib.import_module("requests")  # keystoneauth1's own dependency

    def refuse(response: Any, *args: Any, **kwargs: Any) -> Any:
        status = int(response.status_code)
        if 300 <= status < 400 and status != 304:
            raise ConfigError(
                f"Keystone at {display_endpoint(auth_url)} redirects (HTTP {status}) to "
                f"{visible(shortened(display_endpoint(str(response.headers.get('Location') or 'another address'))))}; "
                "credentials are never sent to another address: use the URL Keystone names "
                "as the auth URL (OS_AUTH_URL / auth.auth_url)"
            )
        return response

    http = requests.Session()
    http.hooks["response"].append(refuse)
    return http


def _keystone_refusal(response: Any) -> bool:
    """Whether a 404 is Keystone's own JSON error about the request (an unknown token,
    user or credential), rather than a path no route matches."""
    try:
        error = response.json().get("error")
        message = error["message"]
    except Exception:  # no response, not JSON, not Keystone's shape
        return False
    return isinstance(message, str) and "could not be found" not in message.lower()


def _secret_name(name: str) -> bool:
    # keystoneauth marks options secret; these are the names they have.
    return any(word in name for word in ("password", "secret", "token", "passcode", "key"))
