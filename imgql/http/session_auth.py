"""Credentials from an application's own login: a keystoneauth1 ``Session``, or an openstacksdk ``Connection``.

    client = imgql.Client(session=sess, region="RegionOne")
    client = imgql.Client.from_connection(conn)

An OpenStack application already holds a session (or a connection, whose
``session`` it is): its auth plugin, its token, its TLS settings. imgql asks
that session for the token and the image endpoint instead of logging in a
second time, so the application's token serves both, is renewed once for
both, and the plugin it chose (password, OIDC, TOTP, ...) is the one used.
httpx still does the listing, with the session's ``verify``.

Neither keystoneauth1 nor openstacksdk is imported here: the objects come
from the caller, who has them already.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from ..errors import ConfigError
from .options import ClientOptions
from .plugin_auth import PluginAuth
from .service_catalog import EndpointChoice, image_regions

__all__ = ["SessionAuth", "connection_settings", "session_options"]


class SessionAuth(PluginAuth):
    """The token and image endpoint of a keystoneauth1 ``Session`` (its auth plugin).

    ``region`` and ``interface`` choose the image endpoint in the session's
    catalog; ``endpoint_override`` skips the catalog. The token is the
    session's own: keystoneauth keeps it and renews it before it expires; a
    401 makes the plugin forget it, once for every caller.
    """

    can_refresh = True

    # PluginAuth's __init__ loads a plugin by name; here the plugin is the session's.
    def __init__(
        self,
        session: Any,
        *,
        region: str | None = None,
        interface: str | None = None,
        endpoint_override: str | None = None,
    ) -> None:
        plugin = getattr(session, "auth", None)
        if not callable(getattr(session, "get_token", None)):
            raise ConfigError(f"session must be a keystoneauth1 Session, not {type(session).__name__}")
        if plugin is None:
            raise ConfigError("the keystoneauth1 Session has no auth plugin: give it one (Session(auth=...))")
        self._auth_type = type(plugin).__name__
        self._where = "the keystoneauth1 session"
        self._choice = EndpointChoice(interface or "public", region, endpoint_override)
        self._auth_url = str(getattr(plugin, "auth_url", "") or "")
        self._secrets = []
        self._plugin = plugin
        self._session = session
        self._lock = threading.Lock()
        self._token = None

    def __repr__(self) -> str:
        shown = [("plugin", self._auth_type), ("interface", self._choice.interface)]
        shown += [(name, value) for name, value in (("region", self._choice.region),) if value]
        return f"SessionAuth({', '.join(f'{name}={value!r}' for name, value in shown)})"

    def use_verify(self, verify: bool | str) -> None:
        # The session is the caller's: imgql never changes its TLS settings.
        return None

    @property
    def region(self) -> str | None:
        """The region whose image endpoint is used (None: the catalog's first)."""
        return self._choice.region

    def in_region(self, region: str) -> SessionAuth:
        """The same session and token, with the image endpoint of ``region``."""
        return SessionAuth(self._session, region=region, interface=self._choice.interface)

    def regions(self, http: httpx.Client) -> tuple[str, ...]:
        """Every region with an image endpoint on this interface, from the session's catalog."""
        return self._regions()

    async def aregions(self, http: httpx.AsyncClient) -> tuple[str, ...]:
        # keystoneauth blocks (it may have to log in): keep the event loop free.
        return await asyncio.to_thread(self._regions)

    def _regions(self) -> tuple[str, ...]:
        with self._lock, self._translated():
            access = self._plugin.get_access(self._session)
            return image_regions(getattr(access.service_catalog, "catalog", None), self._choice)


def session_options(
    session: Any, endpoint: str | None, token: str | None, options: ClientOptions
) -> ClientOptions:
    """``options`` with the session as the client's credentials; ``endpoint``
    (the client's first argument) overrides the catalog's image endpoint."""
    if token is not None or options.auth is not None or options.cloud is not None:
        raise ConfigError("give either session= or a token, auth= or cloud=, not both")
    if getattr(session, "cert", None):
        raise ConfigError(
            "the session has a client certificate (cert), which imgql cannot send yet; "
            "give imgql an httpx client with it (http=) and the token and endpoint directly"
        )
    auth = SessionAuth(session, region=options.region, interface=options.interface, endpoint_override=endpoint)
    verify = options.verify
    session_verify = getattr(session, "verify", True)
    # An explicit verify= wins; otherwise the session's own setting holds for the listing too.
    if verify is True and isinstance(session_verify, (bool, str)):
        verify = session_verify
    return attrs.evolve(options, auth=auth, verify=verify)


def connection_settings(connection: Any) -> Mapping[str, Any]:
    """What an openstacksdk ``Connection`` says about the image service: its
    session, region, interface and endpoint override, as client arguments."""
    config = getattr(connection, "config", None)
    session = getattr(connection, "session", None)
    if config is None or session is None:
        raise ConfigError(f"expected an openstacksdk Connection, not {type(connection).__name__}")
    interface = config.get_interface("image")
    if isinstance(interface, (list, tuple)):
        # openstacksdk allows a list of interfaces to try in order; the first is the preferred one.
        interface = next((item for item in interface if item), None)
    return {
        "session": session,
        "region": config.get_region_name("image") or None,
        "interface": interface or None,
        "endpoint": config.get_endpoint("image"),
    }
