"""clouds.yaml (with secure.yaml laid over it) read as openstacksdk finds and reads it.

:func:`read_cloud` gives one cloud's settings, its profile laid under them,
as a :class:`Cloud` that reads each setting as the OpenStack tools do; what
the environment and the caller's arguments add to a cloud is merged in
:mod:`imgql.http.auth_settings`, not here.

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
from .credentials import Auth, CredentialFields
from .environment import FALSE_WORDS, TRUE_WORDS, ca_bundle, env_value
from .vendors import vendor_profile

__all__ = ["ENVVARS_CLOUD", "Cloud", "CloudsFiles", "from_cloud", "load_clouds", "read_cloud", "with_profile"]


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


@attrs.frozen
class Cloud:
    """One cloud's settings as clouds.yaml (with secure.yaml and its profile) gives them,
    read as the OpenStack tools read them; ``where`` names it in every error."""

    settings: Mapping[str, Any] = attrs.field(repr=False)
    where: str
    # openstacksdk's `cache: {auth: true}` in the file it came from.
    keep_tokens: bool = False

    def text(self, key: str) -> str | None:
        """A setting as text (None when unset); a ConfigError when it is not a scalar."""
        return _text(self.settings.get(key), self.where, key)

    def auth(self) -> Mapping[str, Any]:
        """The ``auth:`` section."""
        return _auth_section(self.settings, self.where)

    def auth_text(self, key: str) -> str | None:
        return _text(self.auth().get(key), self.where, f"auth.{key}")

    def fields(self) -> CredentialFields:
        """The credential fields under ``auth:``."""
        return _cloud_fields(self.auth(), self.where)

    def plugin_options(self) -> dict[str, str]:
        """Every key under ``auth:``, as a keystoneauth plugin's options."""
        return _plugin_options(self.auth(), self.where)

    def verify(self) -> bool | str:
        """The TLS setting: ``insecure``, ``verify``, ``cacert``."""
        return _cloud_verify(self.settings, self.where)

    def default_region(self) -> str | None:
        """``region_name``, else the first of ``regions``."""
        return self.text("region_name") or _first_region(self.settings.get("regions"))

    def in_region(self, region: str | None) -> Cloud:
        """The cloud with the ``values`` of its ``regions:`` entry for ``region`` laid over it."""
        return attrs.evolve(self, settings=_with_region_values(self.settings, region, self.where))


def read_cloud(name: str, source: str, env: Mapping[str, str], config_files: Sequence[str | Path] | None) -> Cloud:
    """Cloud ``name`` (named by ``source``, for messages), laid over its profile."""
    files = load_clouds(env, config_files)
    cloud = files.clouds.get(name)
    if cloud is None:
        raise ConfigError(_unknown_cloud(name, source, files))
    where = f"cloud {name!r} in {', '.join(map(str, files.read))}"
    if not isinstance(cloud, dict):
        raise ConfigError(f"{where}: expected a mapping of settings")
    return Cloud(with_profile(cloud, files, where), where, files.cache_auth)


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
    """The Auth and TLS setting of cloud ``name``, as
    :func:`imgql.http.auth_settings.cloud_settings` merges it with the
    environment and the arguments."""
    # The merge reads this module's clouds; imported here, where it is asked for.
    from .auth_settings import build_auth, cloud_settings

    settings = cloud_settings(name, source, env, config_files, token, region, interface, environment_wins)
    return build_auth(settings), settings.verify


def _unknown_cloud(name: str, source: str, files: CloudsFiles) -> str:
    searched = ", ".join(map(str, files.searched))
    if not files.read:
        return f"cloud {name!r} (from {source}) is not defined: no clouds.yaml found (searched: {searched})"
    known = ", ".join(sorted(files.clouds)) or "none"
    read = ", ".join(map(str, files.read))
    return f"cloud {name!r} (from {source}) is not defined; known clouds: {known} (read: {read}; searched: {searched})"


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
