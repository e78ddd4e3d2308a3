"""The token request Keystone v3 is sent (``POST /v3/auth/tokens``): pure functions, no I/O.

:class:`TokenSettings` is everything needed to ask for a token;
:func:`check_settings` refuses, before any request, a method that lacks what
it needs; :func:`token_request` is the URL and JSON body to send.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..errors import ConfigError
from .credentials import CredentialFields, Method, display_endpoint
from .service_catalog import EndpointChoice

__all__ = ["TokenSettings", "check_settings", "token_request", "tokens_url"]


@attrs.frozen
class TokenSettings:
    """Everything needed to ask Keystone for a token; secrets hidden from repr."""

    auth_url: str
    method: Method
    choice: EndpointChoice
    fields: CredentialFields

    @property
    def shown(self) -> str:
        """The auth URL fit for messages: no user name or password in it."""
        return display_endpoint(self.auth_url)


def check_settings(s: TokenSettings) -> None:
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


def tokens_url(auth_url: str) -> str:
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


def _identity(s: TokenSettings) -> dict[str, Any]:
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


def _scope(s: TokenSettings) -> dict[str, Any] | None:
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


def token_request(s: TokenSettings) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body of ``POST /v3/auth/tokens``."""
    auth: dict[str, Any] = {"identity": _identity(s)}
    scope = _scope(s)
    if scope is not None:
        auth["scope"] = scope
    return tokens_url(s.auth_url), {"auth": auth}
