"""Where a client's credentials come from: :func:`resolve_auth`, the order of the places looked at.

Explicit arguments, then ``OS_*`` environment variables
(:mod:`imgql.http.environment`) and ``clouds.yaml``
(:mod:`imgql.http.clouds`), as the OpenStack CLI looks. The source that
applies is merged with the others into one
:class:`~imgql.http.auth_settings.AuthSettings`, from which the Auth is built
once. Nothing is sent over the network here: a Keystone token is asked for on
the first request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from ..errors import ConfigError
from .auth_settings import (
    AuthSettings,
    build_auth,
    cloud_settings,
    environment_settings,
    fixed_endpoint,
    token_settings,
)
from .credentials import Auth
from .environment import FALSE_WORDS, TRUE_WORDS, env_token, env_value, image_url
from .token_cache import TokenCache

__all__ = ["resolve_auth"]

_NOTHING_FOUND = (
    "no OpenStack credentials found. Give one of: an Images API endpoint and token "
    "(--endpoint/--token, or OS_IMAGE_URL and OS_TOKEN); a cloud from clouds.yaml "
    "(--cloud or OS_CLOUD); or OS_AUTH_URL with OS_USERNAME, OS_PASSWORD and "
    "OS_PROJECT_NAME (or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET)"
)


def resolve_auth(
    endpoint: str | None = None,
    token: str | None = None,
    *,
    cloud: str | None = None,
    environ: Mapping[str, str] | None = None,
    config_files: Sequence[str | Path] | None = None,
    region: str | None = None,
    interface: str | None = None,
    environment_wins: bool = False,
    auth_cache: bool | None = None,
) -> tuple[Auth, bool | str]:
    """The Auth to use and the TLS ``verify`` setting (True, False or a CA bundle path).

    Explicit arguments win over the environment: an ``endpoint`` gives a
    StaticAuth (with ``token``, or else OS_TOKEN); a ``cloud`` is read from
    clouds.yaml. Then, as the OpenStack CLI does: OS_TOKEN with OS_IMAGE_URL
    (or with OS_AUTH_URL to find the endpoint), OS_CLOUD, and OS_AUTH_URL with
    a user or an application credential.

    Beside a cloud, ``OS_*`` credential variables fill what the cloud leaves
    unset; with ``environment_wins`` (the command line's rule, the openstack
    CLI's) each one that is set replaces the cloud's own value.

    ``auth_cache`` keeps Keystone tokens between processes
    (:mod:`imgql.http.token_cache`); when not given, ``OS_AUTH_CACHE`` says,
    and then clouds.yaml's ``cache: {auth: true}``.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    settings = _settings(endpoint, token, cloud, env, config_files, region, interface, environment_wins)
    wanted = auth_cache if auth_cache is not None else _env_switch(env, "OS_AUTH_CACHE")
    if wanted is not None:
        settings = attrs.evolve(settings, token_cache=TokenCache.default(env) if wanted else None)
    return build_auth(settings), settings.verify


def _env_switch(env: Mapping[str, str], name: str) -> bool | None:
    value = (env_value(env, name) or "").lower()
    if not value:
        return None
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}, not {value!r}")


def _settings(
    endpoint: str | None,
    token: str | None,
    cloud: str | None,
    env: Mapping[str, str],
    config_files: Sequence[str | Path] | None,
    region: str | None,
    interface: str | None,
    environment_wins: bool,
) -> AuthSettings:
    """The login of the first source that applies, merged with the others."""
    if endpoint:
        return fixed_endpoint(endpoint, token or env_token(env), env)
    if cloud:
        return cloud_settings(
            cloud, "the cloud argument", env, config_files, token, region, interface, environment_wins
        )
    by_token = token_settings(env, token, region, interface)
    if by_token is not None:
        return by_token
    env_cloud = env_value(env, "OS_CLOUD")
    if env_cloud:
        return cloud_settings(env_cloud, "OS_CLOUD", env, config_files, token, region, interface, environment_wins)
    if token:
        raise ConfigError("a token needs an endpoint: pass the Images API endpoint, or set OS_IMAGE_URL or OS_AUTH_URL")
    if env_value(env, "OS_AUTH_URL"):
        return environment_settings(env, region, interface)
    unauthenticated = image_url(env)
    if unauthenticated:
        # An endpoint with no credentials at all: a trusted, unauthenticated Glance.
        return fixed_endpoint(unauthenticated, None, env)
    if env_token(env):
        raise ConfigError(
            f"{_NOTHING_FOUND} (OS_TOKEN is set, but neither OS_IMAGE_URL nor OS_AUTH_URL says where to use it)"
        )
    raise ConfigError(_NOTHING_FOUND)
