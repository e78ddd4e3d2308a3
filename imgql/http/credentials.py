"""What every source of credentials shares: the values, and the one table of fields.

An :class:`Auth` hands the client :class:`Credentials` (the Images API root
and a token). :class:`StaticAuth` is given both; Keystone's lives in
:mod:`imgql.http.keystone`.

:class:`CredentialFields` is the single declaration of the Keystone
credential fields: for each, the ``OS_*`` variables that set it, its keys
under ``auth:`` in clouds.yaml, and whether it is a secret. The environment
reader, the clouds.yaml reader, the Keystone request and every repr read
this table; a new field is one line here.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import attrs
import httpx

from ..errors import ConfigError
from .log_redaction import without_userinfo

__all__ = [
    "AUTH_TYPES",
    "Auth",
    "CredentialFields",
    "Credentials",
    "Method",
    "StaticAuth",
    "auth_method",
    "auth_type_key",
    "check_http_url",
    "display_endpoint",
    "guess_method",
    "normalize_endpoint",
]

Method = Literal["password", "application_credential", "token"]


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


def display_endpoint(endpoint: str) -> str:
    """A URL fit for messages, reprs and logs: no user name or password in it."""
    return without_userinfo(endpoint)


def check_http_url(url: str, what: str) -> None:
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"{what} {display_endpoint(url)!r} is not an http(s) URL")


@attrs.frozen
class StaticAuth:
    """An endpoint and a token given directly; the token may be None (no auth)."""

    endpoint: str = attrs.field(converter=normalize_endpoint)
    token: str | None = attrs.field(default=None, repr=False)

    # A fixed token cannot be renewed: after a 401 there is nothing to retry with.
    can_refresh = False

    def __attrs_post_init__(self) -> None:
        check_http_url(self.endpoint, "the Images API endpoint")

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        return Credentials(self.endpoint, self.token)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        return Credentials(self.endpoint, self.token)


# --------------------------------------------------------------------------- the fields


def _blank_is_none(value: str | None) -> str | None:
    return value or None


def _field(env: tuple[str, ...], cloud: tuple[str, ...] = (), secret: bool = False) -> Any:
    """A credential field: set by the first of ``env`` that is set, or the first
    of ``cloud`` (keys under ``auth:``; default: the field's own name)."""
    return attrs.field(
        default=None,
        converter=_blank_is_none,
        repr=not secret,
        metadata={"env": env, "cloud": cloud, "secret": secret},
    )


@attrs.frozen
class CredentialFields:
    """Keystone credentials, as the OpenStack tools name them; blanks are None."""

    auth_url: str | None = _field(("OS_AUTH_URL",))
    username: str | None = _field(("OS_USERNAME",))
    user_id: str | None = _field(("OS_USER_ID",))
    password: str | None = _field(("OS_PASSWORD",), secret=True)
    # tenant_* are the Keystone v2 names for projects.
    project_name: str | None = _field(("OS_PROJECT_NAME", "OS_TENANT_NAME"), ("project_name", "tenant_name"))
    project_id: str | None = _field(("OS_PROJECT_ID", "OS_TENANT_ID"), ("project_id", "tenant_id"))
    user_domain_name: str | None = _field(("OS_USER_DOMAIN_NAME",))
    user_domain_id: str | None = _field(("OS_USER_DOMAIN_ID",))
    project_domain_name: str | None = _field(("OS_PROJECT_DOMAIN_NAME",))
    project_domain_id: str | None = _field(("OS_PROJECT_DOMAIN_ID",))
    domain_name: str | None = _field(("OS_DOMAIN_NAME",))
    domain_id: str | None = _field(("OS_DOMAIN_ID",))
    # The domain of the user and the project when neither names its own; the
    # openstack CLI's OS_DEFAULT_DOMAIN is an id.
    default_domain_id: str | None = _field(("OS_DEFAULT_DOMAIN_ID", "OS_DEFAULT_DOMAIN"))
    default_domain_name: str | None = _field(("OS_DEFAULT_DOMAIN_NAME",))
    # A system-scoped token ("all"), instead of a project-scoped one.
    system_scope: str | None = _field(("OS_SYSTEM_SCOPE",))
    application_credential_id: str | None = _field(("OS_APPLICATION_CREDENTIAL_ID",))
    application_credential_name: str | None = _field(("OS_APPLICATION_CREDENTIAL_NAME",))
    application_credential_secret: str | None = _field(("OS_APPLICATION_CREDENTIAL_SECRET",), secret=True)
    token: str | None = _field(("OS_TOKEN", "OS_AUTH_TOKEN"), secret=True)

    @classmethod
    def env_names(cls) -> dict[str, tuple[str, ...]]:
        """Each field's ``OS_*`` variables, the first set one winning."""
        return {field.name: field.metadata["env"] for field in attrs.fields(cls)}

    @classmethod
    def cloud_keys(cls) -> dict[str, tuple[str, ...]]:
        """Each field's keys under ``auth:`` in clouds.yaml, the first set one winning."""
        return {field.name: field.metadata["cloud"] or (field.name,) for field in attrs.fields(cls)}

    def secrets(self) -> list[str]:
        """The values that must never be shown."""
        values = (getattr(self, field.name) for field in attrs.fields(type(self)) if field.metadata["secret"])
        return [value for value in values if value]

    def shown(self) -> list[tuple[str, str]]:
        """The fields fit for a repr: set, and not secret."""
        return [
            (field.name, getattr(self, field.name))
            for field in attrs.fields(type(self))
            if not field.metadata["secret"] and getattr(self, field.name) is not None
        ]


# The keystoneauth plugin names imgql implements itself; "static" means no
# Keystone: a fixed endpoint. Any other name is a keystoneauth plugin
# ("plugin"), loaded by imgql.http.plugin_auth when keystoneauth1 is installed.
AUTH_TYPES: dict[str, Method | Literal["static"]] = {
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


def guess_method(fields: CredentialFields) -> Method:
    """The method the fields call for when none is named."""
    # Password is the fallback: when nothing fits, its error names what is missing.
    if fields.application_credential_secret:
        return "application_credential"
    if fields.token and not fields.password:
        return "token"
    return "password"


def auth_type_key(auth_type: str) -> str:
    """An auth type as keystoneauth looks it up: ``v3-password`` and ``v3password`` alike."""
    return auth_type.strip().lower().replace("-", "_")


def auth_method(auth_type: str | None, fields: CredentialFields) -> Method | Literal["static", "plugin"]:
    """The method an ``auth_type`` (OS_AUTH_TYPE, clouds.yaml) names, or the guess without one.

    "plugin": a keystoneauth plugin imgql does not implement itself.
    """
    if auth_type is None:
        return guess_method(fields)
    return AUTH_TYPES.get(auth_type_key(auth_type), "plugin")
