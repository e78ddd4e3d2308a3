"""Every source of a login merged into one value, :class:`AuthSettings`, and the Auth built from it.

The sources are read by their own modules, which read and do not merge:
``OS_*`` variables by :mod:`imgql.http.environment`, clouds.yaml (with
secure.yaml and the cloud's profile) by :mod:`imgql.http.clouds`. Here they
are laid over one another with the caller's arguments, once, by the rules of
docs/credentials.md: :func:`environment_settings` for a login from the
environment alone, :func:`cloud_settings` for a cloud. :func:`build_auth`
then makes the one Auth the settings describe; nothing is sent over the
network here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import attrs

from ..errors import ConfigError
from .clouds import ENVVARS_CLOUD, Cloud, read_cloud
from .credentials import Auth, CredentialFields, Method, StaticAuth, auth_method
from .environment import (
    WHERE,
    env_fields,
    env_token,
    env_value,
    env_verify,
    image_url,
    interface_from_env,
    plugin_options_from_env,
)
from .keystone import keystone_auth
from .plugin_auth import PluginAuth
from .token_cache import TokenCache

__all__ = [
    "AuthSettings",
    "build_auth",
    "cloud_settings",
    "environment_settings",
    "fixed_endpoint",
    "token_settings",
]


@attrs.frozen
class AuthSettings:
    """A login as every source said it, merged: what :func:`build_auth` makes the Auth from.

    ``method`` is how to log in: a Keystone method, ``static`` (a fixed
    endpoint, no Keystone) or ``plugin`` (keystoneauth1's ``auth_type``).
    ``endpoint`` is the fixed Images API endpoint of a static login, else the
    override of the catalog's. ``where`` names the source in every error.
    """

    where: str
    method: Method | Literal["static", "plugin"]
    fields: CredentialFields = attrs.field(factory=CredentialFields)
    auth_type: str | None = None
    endpoint: str | None = None
    region: str | None = None
    interface: str | None = None
    # A keystoneauth plugin's options by name; they may hold secrets.
    plugin_options: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    verify: bool | str = True
    # Where Keystone tokens are kept between processes (None: in memory only).
    token_cache: TokenCache | None = None


def build_auth(settings: AuthSettings) -> Auth:
    """The Auth ``settings`` describe."""
    s = settings
    if s.method == "static":
        assert s.endpoint is not None
        return StaticAuth(s.endpoint, s.fields.token)
    if s.method == "plugin":
        assert s.auth_type is not None
        return PluginAuth(
            s.auth_type,
            dict(s.plugin_options),
            region=s.region,
            interface=s.interface,
            endpoint_override=s.endpoint,
            verify=s.verify,
            where=s.where,
        )
    auth = keystone_auth(s.fields, s.method, s.where, s.region, s.interface, s.endpoint)
    if s.token_cache is not None:
        auth.use_token_cache(s.token_cache)
    return auth


def fixed_endpoint(endpoint: str, token: str | None, env: Mapping[str, str]) -> AuthSettings:
    """An Images API endpoint given with its token (or none): no Keystone."""
    return AuthSettings(
        "the endpoint", "static", CredentialFields(token=token), endpoint=endpoint, verify=env_verify(env)
    )


# --------------------------------------------------------------------------- the environment


def environment_settings(env: Mapping[str, str], region: str | None, interface: str | None) -> AuthSettings:
    """OS_AUTH_URL with a user, an application credential, a token, or another OS_AUTH_TYPE."""
    fields = env_fields(env)
    auth_type = env_value(env, "OS_AUTH_TYPE")
    method = auth_method(auth_type, fields)
    endpoint = image_url(env)
    if method == "static":
        if not endpoint:
            raise ConfigError(f"{WHERE}: OS_AUTH_TYPE {auth_type} needs OS_IMAGE_URL or OS_ENDPOINT")
        return AuthSettings(WHERE, "static", fields, auth_type, endpoint, verify=env_verify(env))
    region, interface = _endpoint_choice(env, region, interface)
    options = plugin_options_from_env(env, auth_type, WHERE) if method == "plugin" and auth_type else {}
    return AuthSettings(
        WHERE,
        method,
        fields,
        auth_type,
        endpoint,
        region,
        interface,
        plugin_options=tuple(options.items()),
        verify=env_verify(env),
    )


def token_settings(
    env: Mapping[str, str], token: str | None, region: str | None, interface: str | None
) -> AuthSettings | None:
    """OS_TOKEN (or the explicit token) with OS_IMAGE_URL, or with OS_AUTH_URL for the catalog."""
    token = token or env_token(env)
    if not token:
        return None
    endpoint = image_url(env)
    if endpoint:
        return AuthSettings(WHERE, "static", CredentialFields(token=token), endpoint=endpoint, verify=env_verify(env))
    if not env_value(env, "OS_AUTH_URL"):
        return None
    fields = attrs.evolve(env_fields(env), token=token)
    region, interface = _endpoint_choice(env, region, interface)
    return AuthSettings(WHERE, "token", fields, region=region, interface=interface, verify=env_verify(env))


def _endpoint_choice(
    env: Mapping[str, str], region: str | None, interface: str | None
) -> tuple[str | None, str | None]:
    # Arguments win over the environment; the image service's own interface
    # over the general one, as in openstacksdk.
    interface = interface or env_value(env, "OS_IMAGE_INTERFACE") or interface_from_env(env)
    return region or env_value(env, "OS_REGION_NAME"), interface


# --------------------------------------------------------------------------- a cloud


def cloud_settings(
    name: str,
    source: str,
    env: Mapping[str, str],
    config_files: Sequence[str | Path] | None,
    token: str | None,
    region: str | None,
    interface: str | None,
    environment_wins: bool = False,
) -> AuthSettings:
    """Cloud ``name`` (named by ``source``, for messages) with the environment and the arguments.

    ``OS_REGION_NAME`` and ``OS_INTERFACE`` win over the cloud's settings,
    and ``OS_*`` credential variables fill the fields the cloud leaves unset;
    ``region`` and ``interface`` win over both. With ``environment_wins``
    (the command line, as the openstack CLI), every ``OS_*`` credential
    variable and ``OS_AUTH_TYPE`` that is set replaces the cloud's own value.
    ``envvars`` is the cloud made from the ``OS_*`` variables.
    """
    if name == ENVVARS_CLOUD:
        if not env_value(env, "OS_AUTH_URL"):
            raise ConfigError(
                f"cloud {name!r} (from {source}) is the one made from OS_* variables, but OS_AUTH_URL is not set"
            )
        return environment_settings(env, region, interface)
    cloud = read_cloud(name, source, env, config_files)
    verify = cloud.verify()
    region = region or env_value(env, "OS_REGION_NAME") or cloud.default_region()
    cloud = cloud.in_region(region)
    auth_type, method, fields = _cloud_login(cloud, env, token, environment_wins)
    endpoint = cloud.text("image_endpoint_override") or cloud.text("endpoint_override")
    cache = TokenCache.default(env) if cloud.keep_tokens else None
    if method == "static":
        fixed = endpoint or cloud.auth_text("endpoint")
        if not fixed:
            raise ConfigError(
                f"{cloud.where}: auth_type {auth_type} needs image_endpoint_override or endpoint_override"
            )
        return AuthSettings(cloud.where, "static", fields, auth_type, fixed, verify=verify, token_cache=cache)
    interface = interface or _cloud_interface(cloud, env)
    options = _cloud_plugin_options(cloud, env, auth_type, environment_wins) if method == "plugin" else {}
    return AuthSettings(
        cloud.where,
        method,
        fields,
        auth_type,
        endpoint,
        region,
        interface,
        plugin_options=tuple(options.items()),
        verify=verify,
        token_cache=cache,
    )


def _cloud_interface(cloud: Cloud, env: Mapping[str, str]) -> str | None:
    # The image service's own interface wins over the general one, as in
    # openstacksdk; the environment's general one over the cloud's, as in the CLI.
    return (
        cloud.text("image_interface")
        or interface_from_env(env)
        or cloud.text("interface")
        or cloud.text("endpoint_type")
    )


def _cloud_login(
    cloud: Cloud, env: Mapping[str, str], token: str | None, environment_wins: bool
) -> tuple[str | None, Method | Literal["static", "plugin"], CredentialFields]:
    """The cloud's auth type, method and credential fields, the environment and ``token`` laid over."""
    own = cloud.fields()
    auth_type = cloud.text("auth_type")
    if environment_wins:
        auth_type = env_value(env, "OS_AUTH_TYPE") or auth_type
        # A password or a user given beside the cloud is that login, not the cloud's.
        own = _overridden_by_env(own, env)
    # The method is the cloud's own (or the one OS_AUTH_TYPE names): a stray
    # OS_APPLICATION_CREDENTIAL_SECRET must not turn a password cloud into something else.
    method = auth_method(auth_type, own)
    # A cloud without Keystone takes nothing from the environment.
    fields = own if method == "static" else _filled_from_env(own, env)
    # An explicit token replaces the cloud's own credentials but keeps its
    # Keystone, project and region, as `openstack --os-token` does.
    if token:
        fields = attrs.evolve(fields, token=token)
        method = "static" if method == "static" else "token"
    return auth_type, method, fields


def _cloud_plugin_options(
    cloud: Cloud, env: Mapping[str, str], auth_type: str | None, environment_wins: bool
) -> dict[str, str]:
    assert auth_type is not None
    from_env = plugin_options_from_env(env, auth_type, cloud.where)
    own = cloud.plugin_options()
    return {**own, **from_env} if environment_wins else {**from_env, **own}


def _overridden_by_env(fields: CredentialFields, env: Mapping[str, str]) -> CredentialFields:
    """``fields`` with every one an ``OS_*`` variable sets taken from it (the
    openstack CLI's rule: its options default to the variables and beat the cloud).
    A token is not among them: it comes as the explicit ``token``."""
    from_env = env_fields(env)
    given = {
        field.name: getattr(from_env, field.name)
        for field in attrs.fields(CredentialFields)
        if field.name != "token" and getattr(from_env, field.name) is not None
    }
    return attrs.evolve(fields, **given) if given else fields


def _filled_from_env(fields: CredentialFields, env: Mapping[str, str]) -> CredentialFields:
    """``fields`` with the ones left unset taken from ``OS_*`` variables (the CLI's merge)."""
    from_env = env_fields(env)
    unset = {
        field.name: getattr(from_env, field.name)
        for field in attrs.fields(CredentialFields)
        if getattr(fields, field.name) is None and getattr(from_env, field.name) is not None
    }
    return attrs.evolve(fields, **unset) if unset else fields
