"""Credentials from clouds.yaml (with secure.yaml laid over it), as openstacksdk finds them.

The keys under a cloud's ``auth:`` come from the one table,
:class:`~imgql.http.credentials.CredentialFields`; this module adds the
cloud's own settings (``auth_type``, ``profile``, ``region_name`` or
``regions`` with per-region ``values``, ``interface``, ``image_interface``,
``image_endpoint_override``, ``verify``, ``cacert``, ``insecure``). PyYAML is
imported only when a file is read; keystoneauth1 only for an ``auth_type``
imgql does not implement (:mod:`imgql.http.plugin_auth`), openstacksdk only
for a vendor ``profile`` (:mod:`imgql.http.vendors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from ..errors import ConfigError
from ..optional import optional_module
from ..untrusted import TooManyValues, load_yaml
from .credentials import Auth, CredentialFields, StaticAuth, auth_method
from .environment import (
    FALSE_WORDS,
    TRUE_WORDS,
    ca_bundle,
    env_fields,
    env_value,
    env_verify,
    from_env_keystone,
    interface_from_env,
    plugin_options_from_env,
)
from .keystone import KeystoneAuth, keystone_auth
from .plugin_auth import PluginAuth
from .token_cache import TokenCache
from .vendors import vendor_profile

__all__ = ["ENVVARS_CLOUD", "CloudsFiles", "from_cloud", "load_clouds", "with_profile"]


@attrs.frozen
class CloudsFiles:
    clouds: dict[str, Any]
    searched: list[Path]  # clouds.yaml candidates, in search order
    read: list[Path]  # the files actually read (clouds.yaml, secure.yaml)
    public: list[Path] = attrs.field(factory=list)  # the clouds-public.yaml files found, for profiles
    # openstacksdk's `cache: {auth: true}` at the top of clouds.yaml: keep tokens between commands.
    cache_auth: bool = False


# openstacksdk's name for "the cloud made from the OS_* variables".
ENVVARS_CLOUD = "envvars"


def from_cloud(
    name: str,
    source: str,
    env: Mapping[str, str],
    config_files: Sequence[str | Path] | None,
    token: str | None,
    region: str | None,
    interface: str | None,
    environment_wins: bool = False,
) -> tuple[Auth, bool | str]:
    """The Auth and TLS setting of cloud ``name`` (named by ``source``, for messages).

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
        return from_env_keystone(env, region, interface), env_verify(env)
    files = load_clouds(env, config_files)
    cloud = files.clouds.get(name)
    if cloud is None:
        raise ConfigError(_unknown_cloud(name, source, files))
    where = f"cloud {name!r} in {', '.join(map(str, files.read))}"
    if not isinstance(cloud, dict):
        raise ConfigError(f"{where}: expected a mapping of settings")
    cloud = with_profile(cloud, files, where)
    verify = _cloud_verify(cloud, where)
    auth = _cloud_auth(cloud, where, env, verify, token, region, interface, environment_wins)
    if files.cache_auth and isinstance(auth, KeystoneAuth):
        auth.use_token_cache(TokenCache.default(env))
    return auth, verify


def _unknown_cloud(name: str, source: str, files: CloudsFiles) -> str:
    searched = ", ".join(map(str, files.searched))
    if not files.read:
        return f"cloud {name!r} (from {source}) is not defined: no clouds.yaml found (searched: {searched})"
    known = ", ".join(sorted(files.clouds)) or "none"
    read = ", ".join(map(str, files.read))
    return f"cloud {name!r} (from {source}) is not defined; known clouds: {known} (read: {read}; searched: {searched})"


def _cloud_auth(
    cloud: Mapping[str, Any],
    where: str,
    env: Mapping[str, str],
    verify: bool | str,
    token: str | None,
    region: str | None,
    interface: str | None,
    environment_wins: bool = False,
) -> Auth:
    region = (
        region
        or env_value(env, "OS_REGION_NAME")
        or _text(cloud.get("region_name"), where, "region_name")
        or _first_region(cloud.get("regions"))
    )
    cloud = _with_region_values(cloud, region, where)
    auth = _auth_section(cloud, where)
    own = _cloud_fields(auth, where)
    auth_type = _text(cloud.get("auth_type"), where, "auth_type")
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
    endpoint_override = _text(cloud.get("image_endpoint_override"), where, "image_endpoint_override") or _text(
        cloud.get("endpoint_override"), where, "endpoint_override"
    )
    if method == "static":
        endpoint = endpoint_override or _text(auth.get("endpoint"), where, "auth.endpoint")
        if not endpoint:
            raise ConfigError(f"{where}: auth_type {auth_type} needs image_endpoint_override or endpoint_override")
        return StaticAuth(endpoint, fields.token)
    # The image service's own interface wins over the general one, as in
    # openstacksdk; the environment's general one over the cloud's, as in the CLI.
    interface = (
        interface
        or _text(cloud.get("image_interface"), where, "image_interface")
        or interface_from_env(env)
        or _text(cloud.get("interface"), where, "interface")
        or _text(cloud.get("endpoint_type"), where, "endpoint_type")
    )
    if method == "plugin":
        assert auth_type is not None
        from_env = plugin_options_from_env(env, auth_type, where)
        own_options = _plugin_options(auth, where)
        options = {**own_options, **from_env} if environment_wins else {**from_env, **own_options}
        return PluginAuth(
            auth_type,
            options,
            region=region,
            interface=interface,
            endpoint_override=endpoint_override,
            verify=verify,
            where=where,
        )
    return keystone_auth(fields, method, where, region, interface, endpoint_override)


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


def _plugin_options(auth: Mapping[str, Any], where: str) -> dict[str, str]:
    values = {str(key): _text(value, where, f"auth.{key}") for key, value in auth.items()}
    return {key: value for key, value in values.items() if value is not None}


def _with_region_values(cloud: Mapping[str, Any], region: str | None, where: str) -> Mapping[str, Any]:
    """The cloud with the ``values`` of its ``regions:`` entry for ``region`` laid over it."""
    regions = cloud.get("regions")
    if not region or not isinstance(regions, list):
        return cloud
    for entry in regions:
        if isinstance(entry, dict) and str(entry.get("name")) == region:
            values = entry.get("values") or {}
            if not isinstance(values, dict):
                raise ConfigError(f"{where}: the values of region {region} must be a mapping")
            return _merged(cloud, values)
    return cloud


def with_profile(cloud: Mapping[str, Any], files: CloudsFiles, where: str) -> dict[str, Any]:
    """The cloud laid over its ``profile:`` (clouds-public.yaml, or openstacksdk's vendor profiles)."""
    # "cloud" is the old name of "profile".
    name = _text(cloud.get("profile", cloud.get("cloud")), where, "profile")
    if not name:
        return dict(cloud)
    profile = _public_cloud(name, files) or vendor_profile(name, where)
    return _merged(profile, cloud)


def _public_cloud(name: str, files: CloudsFiles) -> dict[str, Any] | None:
    for path in files.public:
        data = _read_yaml(path)
        clouds = data.get("public-clouds") if isinstance(data, dict) else None
        if isinstance(clouds, dict) and isinstance(clouds.get(name), dict):
            return dict(clouds[name])
    return None


def _auth_section(cloud: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    auth = cloud.get("auth", {})
    if not isinstance(auth, dict):
        raise ConfigError(f"{where}: auth must be a mapping")
    return auth


def _cloud_fields(auth: Mapping[str, Any], where: str) -> CredentialFields:
    values = {}
    for name, keys in CredentialFields.cloud_keys().items():
        found = (_text(auth.get(key), where, f"auth.{key}") for key in keys)
        values[name] = next((value for value in found if value), None)
    return CredentialFields(**values)


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
        return ca_bundle(cacert, where)
    if flag is None:
        # Not a yes/no: keystoneauth also takes a CA bundle path in verify.
        return ca_bundle(str(verify), where)
    return True


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def load_clouds(env: Mapping[str, str], config_files: Sequence[str | Path] | None) -> CloudsFiles:
    """clouds.yaml merged with secure.yaml, each the first found in the search order."""
    clouds_paths, secure_paths = _search_paths(env, config_files)
    clouds_file = _first_file(clouds_paths)
    secure_file = _first_file(secure_paths)
    read = [path for path in (clouds_file, secure_file) if path is not None]
    clouds, cache_auth = _clouds_section(clouds_file) if clouds_file else ({}, False)
    if secure_file:
        clouds = _merged(clouds, _clouds_section(secure_file)[0])
    public = [path for path in _public_paths(clouds_paths) if path.is_file()]
    return CloudsFiles(clouds=clouds, searched=clouds_paths, read=read, public=public, cache_auth=cache_auth)


def _public_paths(clouds_paths: Sequence[Path]) -> list[Path]:
    # Profiles of public clouds live next to clouds.yaml, as openstacksdk looks for them.
    folders = list(dict.fromkeys(path.parent for path in clouds_paths))
    return [folder / name for folder in folders for name in ("clouds-public.yaml", "clouds-public.yml")]


def _search_paths(env: Mapping[str, str], config_files: Sequence[str | Path] | None) -> tuple[list[Path], list[Path]]:
    """Where clouds.yaml and secure.yaml may be, as openstacksdk looks for them."""
    if config_files is not None:
        clouds = [Path(path).expanduser() for path in config_files]
    else:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
        config_home = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
        folders = [Path.cwd(), config_home / "openstack", Path("/etc/openstack")]
        clouds = [folder / name for folder in folders for name in ("clouds.yaml", "clouds.yml")]
        explicit = env_value(env, "OS_CLIENT_CONFIG_FILE")
        if explicit:
            clouds.insert(0, Path(explicit).expanduser())
    # Secrets live next to the configuration, in the same folders.
    folders = list(dict.fromkeys(path.parent for path in clouds))
    secure = [folder / name for folder in folders for name in ("secure.yaml", "secure.yml")]
    explicit_secure = env_value(env, "OS_CLIENT_SECURE_FILE")
    if explicit_secure:
        secure.insert(0, Path(explicit_secure).expanduser())
    return clouds, secure


def _first_file(paths: Sequence[Path]) -> Path | None:
    return next((path for path in paths if path.is_file()), None)


def _clouds_section(path: Path) -> tuple[dict[str, Any], bool]:
    """The file's clouds, and whether its ``cache: {auth: ...}`` asks to keep tokens."""
    data = _read_yaml(path)
    if data is None:
        return {}, False
    clouds = data.get("clouds", {}) if isinstance(data, dict) else None
    if not isinstance(clouds, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'clouds' mapping in it")
    assert isinstance(data, dict)
    cache = data.get("cache")
    cache_auth = isinstance(cache, dict) and _as_bool(cache.get("auth")) is True
    return {str(name): cloud for name, cloud in clouds.items()}, cache_auth


def _read_yaml(path: Path) -> object:
    yaml = _yaml_module()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    try:
        return load_yaml(yaml, text)
    except TooManyValues as exc:
        raise ConfigError(f"{path} is refused: {exc}") from None
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
