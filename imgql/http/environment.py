"""Credentials from ``OS_*`` environment variables, as the OpenStack CLI reads them.

The variables for each credential field come from the one table,
:class:`~imgql.http.credentials.CredentialFields`; this module adds the
variables that are not credentials (``OS_IMAGE_URL``, ``OS_REGION_NAME``,
``OS_INTERFACE`` and its legacy ``OS_ENDPOINT_TYPE``, ``OS_AUTH_TYPE``,
``OS_CACERT``, ``OS_INSECURE``). A blank variable counts as unset everywhere.
``OS_IMAGE_API_VERSION`` is accepted and not read: imgql speaks v2 only.

An ``OS_AUTH_TYPE`` imgql does not implement is a keystoneauth plugin
(:mod:`imgql.http.plugin_auth`), whose options are read from the variables
named after them (``passcode`` from ``OS_PASSCODE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from ..errors import ConfigError
from .credentials import Auth, CredentialFields, StaticAuth, auth_method
from .keystone import keystone_auth
from .plugin_auth import PluginAuth, plugin_option_names

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "ca_bundle",
    "env_fields",
    "env_token",
    "env_value",
    "env_verify",
    "from_env_keystone",
    "from_env_token",
    "image_url",
    "interface_from_env",
    "plugin_options_from_env",
]

WHERE = "OS_* environment variables"

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_value(env: Mapping[str, str], *names: str) -> str | None:
    """The first of ``names`` set to a non-blank value; a blank variable counts as unset."""
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def env_fields(env: Mapping[str, str]) -> CredentialFields:
    return CredentialFields(**{name: env_value(env, *names) for name, names in CredentialFields.env_names().items()})


def env_token(env: Mapping[str, str]) -> str | None:
    return env_value(env, *CredentialFields.env_names()["token"])


def image_url(env: Mapping[str, str]) -> str | None:
    """The Images API endpoint the environment names, if any."""
    return env_value(env, "OS_IMAGE_URL", "OS_ENDPOINT", "OS_IMAGE_ENDPOINT_OVERRIDE")


def env_verify(env: Mapping[str, str]) -> bool | str:
    """The TLS setting: False for OS_INSECURE, the OS_CACERT bundle, or True."""
    # --insecure beats a CA bundle in the OpenStack CLI too.
    if (env_value(env, "OS_INSECURE") or "").lower() in TRUE_WORDS:
        return False
    cacert = env_value(env, "OS_CACERT")
    return ca_bundle(cacert, "OS_CACERT") if cacert else True


def ca_bundle(path: str, source: str) -> str:
    # httpx would fail later with an obscure SSL error; say which setting is wrong.
    bundle = Path(path).expanduser()
    if not bundle.is_file():
        raise ConfigError(f"the CA bundle {path} (from {source}) does not exist")
    return str(bundle)


def from_env_token(env: Mapping[str, str], token: str | None, region: str | None, interface: str | None) -> Auth | None:
    """OS_TOKEN (or the explicit token) with OS_IMAGE_URL, or with OS_AUTH_URL for the catalog."""
    token = token or env_token(env)
    if not token:
        return None
    endpoint = image_url(env)
    if endpoint:
        return StaticAuth(endpoint, token)
    if not env_value(env, "OS_AUTH_URL"):
        return None
    fields = attrs.evolve(env_fields(env), token=token)
    region, interface = _endpoint_choice(env, region, interface)
    return keystone_auth(fields, "token", WHERE, region, interface, None)


def from_env_keystone(env: Mapping[str, str], region: str | None, interface: str | None) -> Auth:
    """OS_AUTH_URL with a user, an application credential, a token, or another OS_AUTH_TYPE."""
    fields = env_fields(env)
    auth_type = env_value(env, "OS_AUTH_TYPE")
    method = auth_method(auth_type, fields)
    endpoint = image_url(env)
    if method == "static":
        if not endpoint:
            raise ConfigError(f"{WHERE}: OS_AUTH_TYPE {auth_type} needs OS_IMAGE_URL or OS_ENDPOINT")
        return StaticAuth(endpoint, fields.token)
    region, interface = _endpoint_choice(env, region, interface)
    if method == "plugin":
        assert auth_type is not None
        options = plugin_options_from_env(env, auth_type, WHERE)
        return PluginAuth(
            auth_type,
            options,
            region=region,
            interface=interface,
            endpoint_override=endpoint,
            verify=env_verify(env),
            where=WHERE,
        )
    return keystone_auth(fields, method, WHERE, region, interface, endpoint)


def plugin_options_from_env(env: Mapping[str, str], auth_type: str, where: str) -> dict[str, str]:
    """The options of keystoneauth plugin ``auth_type`` from ``OS_<OPTION>`` variables."""
    options: dict[str, str] = {}
    for names in plugin_option_names(auth_type, where):
        value = env_value(env, *(f"OS_{name.upper()}" for name in names))
        if value is not None:
            options[names[0]] = value
    # The OpenStack CLI's OS_DEFAULT_DOMAIN is keystoneauth's default_domain_id.
    default_domain = env_value(env, "OS_DEFAULT_DOMAIN")
    if default_domain and "default_domain_id" not in options:
        options["default_domain_id"] = default_domain
    return options


def interface_from_env(env: Mapping[str, str]) -> str | None:
    """OS_INTERFACE, or its legacy name OS_ENDPOINT_TYPE (``internalURL`` reads as ``internal``)."""
    return env_value(env, "OS_INTERFACE", "OS_ENDPOINT_TYPE")


def _endpoint_choice(
    env: Mapping[str, str], region: str | None, interface: str | None
) -> tuple[str | None, str | None]:
    # Arguments win over the environment; the image service's own interface
    # over the general one, as in openstacksdk.
    interface = interface or env_value(env, "OS_IMAGE_INTERFACE") or interface_from_env(env)
    return region or env_value(env, "OS_REGION_NAME"), interface
