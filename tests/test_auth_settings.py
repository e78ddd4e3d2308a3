"""The merged login, :class:`imgql.http.auth_settings.AuthSettings`: one immutable value per
resolution, made from the files, the environment and the arguments, from which the Auth is built.

The rules themselves are tested through ``resolve_auth`` (tests/test_auth.py,
tests/test_credentials_*.py) and against the real Keystone; here, the value."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from imgql.http.auth_settings import AuthSettings, build_auth, cloud_settings, environment_settings
from imgql.http.keystone import KeystoneAuth
from imgql.http.token_cache import TokenCache

AUTH_URL = "https://keystone.example:5000/v3"


def _clouds(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "clouds.yaml"
    path.write_text(
        f"{extra}clouds:\n  c:\n    region_name: R1\n"
        f"    auth: {{auth_url: '{AUTH_URL}', username: u, project_name: p}}\n"
    )
    return path


def test_a_cloud_filled_from_the_environment_is_one_value(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "OS_PASSWORD": "pw-from-env-123", "OS_INTERFACE": "internal"}
    settings = cloud_settings("c", "test", env, [_clouds(tmp_path)], None, None, None)
    assert settings == cloud_settings("c", "test", env, [_clouds(tmp_path)], None, None, None)
    assert (settings.method, settings.region, settings.interface) == ("password", "R1", "internal")
    assert settings.fields.username == "u" and settings.fields.password == "pw-from-env-123"
    assert "pw-from-env-123" not in repr(settings)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        settings.region = "R2"  # type: ignore[misc]
    auth = build_auth(settings)
    assert isinstance(auth, KeystoneAuth) and auth.region == "R1" and auth.token_cache is None


def test_the_files_cache_setting_is_part_of_the_value(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "OS_PASSWORD": "pw-from-env-123"}
    settings = cloud_settings("c", "test", env, [_clouds(tmp_path, "cache: {auth: true}\n")], None, None, None)
    assert settings.token_cache == TokenCache.default(env)
    auth = build_auth(settings)
    assert isinstance(auth, KeystoneAuth) and auth.token_cache == TokenCache.default(env)


def test_the_environment_alone_and_the_arguments_over_it() -> None:
    env = {"OS_AUTH_URL": AUTH_URL, "OS_USERNAME": "u", "OS_PASSWORD": "pw-123456", "OS_REGION_NAME": "R1"}
    settings = environment_settings(env, "R2", None)
    assert settings == AuthSettings("OS_* environment variables", "password", settings.fields, region="R2", verify=True)
    assert (settings.fields.auth_url, settings.fields.username) == (AUTH_URL, "u")
