"""``OS_*`` environment variables, read as the OpenStack CLI reads them (read only: what they
add to a cloud or make a login of is merged in :mod:`imgql.http.auth_settings`).

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

from ..errors import ConfigError
from .credentials import CredentialFields
from .plugin_auth import plugin_option_names

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "WHERE",
    "ca_bundle",
    "env_fields",
    "env_token",
    "env_value",
    "env_verify",
    "image_url",
    "interface_from_env",
    "plugin_options_from_env",
]

# The source named in messages about a login read from the environment.
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
