"""Keystone's answer to a token request, read: the token and its catalog, or the error it means.

Pure functions over a response whose body was read in full; a password, a
secret or a token echoed by the server is masked in every message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import attrs
import httpx

from ..errors import AuthenticationError, ConfigError, Error, Forbidden, ServiceError
from ..untrusted import load_json, shortened, visible
from .credentials import display_endpoint
from .keystone_request import TokenSettings, tokens_url
from .server_text import server_message

__all__ = ["EXPIRY_MARGIN", "TokenSession", "read_token_response"]

# Renew a little before Keystone's expiry, so a token cannot expire between
# get() and the request it is used for.
EXPIRY_MARGIN = 60.0

# Keystone error texts are shown to the user; a long HTML error page is not useful.
_MAX_SERVER_MESSAGE = 300


@attrs.frozen
class TokenSession:
    """A token Keystone issued, with its catalog and expiry."""

    token: str = attrs.field(repr=False)
    # The service catalog, kept: one token serves the image endpoint of every region.
    catalog: object = attrs.field(repr=False)
    expires_at: float | None  # POSIX time; None when Keystone did not say

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at - EXPIRY_MARGIN


def read_token_response(s: TokenSettings, response: httpx.Response) -> TokenSession:
    """The token and image endpoint from Keystone's answer, or the matching error."""
    status = response.status_code
    if not 200 <= status < 300:
        raise _refusal(s, response)
    token = response.headers.get("X-Subject-Token")
    if not token:
        raise ServiceError(f"Keystone at {s.shown} answered without an X-Subject-Token header", status_code=status)
    body = _json_object(response, s)
    return TokenSession(token, body.get("catalog"), _expiry(body.get("expires_at")))


# Keystone's answer when no route matches: the auth URL is wrong, not the credentials.
_NO_ROUTE = "the resource could not be found"


def _refusal(s: TokenSettings, response: httpx.Response) -> Error:
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


def _tokens_path(s: TokenSettings) -> str:
    return httpx.URL(tokens_url(s.auth_url)).path


def _keystone_json(response: httpx.Response) -> bool:
    """Whether the answer is Keystone's own JSON error (``{"error": {"code": ..., "message": ...}}``)."""
    try:
        data = load_json(response.content)
    except ValueError:
        return False
    error = data.get("error") if isinstance(data, dict) else None
    return isinstance(error, dict) and isinstance(error.get("message"), str)


def _who(s: TokenSettings) -> str:
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


def _json_object(response: httpx.Response, s: TokenSettings) -> dict[str, Any]:
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
