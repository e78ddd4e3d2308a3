"""Keystone tokens kept between commands (imgql/http/token_cache.py).

The files on their own, then commands against the real Keystone: a second
command makes no token request, a revoked token is replaced by one login,
the file is 0600 and holds no password or secret, `imgql logout` forgets it.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from imgql.http.token_cache import CachedToken, TokenCache, default_cache_dir
from tests.keystone import topology as t
from tests.keystone.clients import Run, _run
from tests.keystone.fixture import KeystoneCloud

LOGIN = {"auth_url": "http://keystone.example/v3", "method": "password", "username": "u", "password": "pw-1"}


def test_the_cache_lives_in_the_users_cache_directory() -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"}) == Path("/x/cache/imgql")
    assert default_cache_dir({"HOME": "/home/u"}) == Path("/home/u/.cache/imgql")
    # A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
    assert default_cache_dir({"XDG_CACHE_HOME": "rel", "HOME": "/home/u"}) == Path("/home/u/.cache/imgql")


def test_a_token_round_trips_in_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "tokens")
    key = cache.key(LOGIN)
    assert key is not None
    cache.store(key, CachedToken("tok-1", [{"type": "image"}], 1234.5))
    assert cache.load(key) == CachedToken("tok-1", [{"type": "image"}], 1234.5)
    path = cache.directory / f"{key}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache.directory / "key").stat().st_mode) == 0o600
    assert "pw-1" not in path.read_text() and "pw-1" not in key
    assert "tok-1" not in repr(cache.load(key))


def test_the_key_changes_with_anything_that_identifies_the_login(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "tokens")
    key = cache.key(LOGIN)
    assert cache.key(dict(LOGIN)) == key
    assert cache.key({**LOGIN, "password": "pw-2"}) != key  # a changed or mistyped password never reuses a token
    assert cache.key({**LOGIN, "project_name": "other"}) != key
    # Keyed by this cache's own random key: another cache names the same login otherwise.
    assert TokenCache(tmp_path / "elsewhere").key(LOGIN) != key


def test_a_damaged_or_shared_file_is_ignored_and_removed(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "tokens")
    key = cache.key(LOGIN)
    assert key is not None
    path = cache.directory / f"{key}.json"
    path.write_text("{not json")
    path.chmod(0o600)
    assert cache.load(key) is None and not path.exists()
    cache.store(key, CachedToken("tok", None, None))
    path.chmod(0o644)  # readable by others: not trusted
    assert cache.load(key) is None and not path.exists()
    assert cache.load("0" * 64) is None


def test_clear_removes_every_token(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "tokens")
    for name in ("a", "b"):
        key = cache.key({**LOGIN, "username": name})
        assert key is not None
        cache.store(key, CachedToken("tok", None, None))
    assert cache.clear() == 2
    assert cache.clear() == 0


# --------------------------------------------------------------------------- the real Keystone


def imgql(env: dict[str, str], *args: str) -> Run:
    """The installed command line, as a user runs it."""
    return _run([str(Path(sys.executable).parent / "imgql"), *args], env, 60)


def token_requests(keystone: KeystoneCloud, since: int) -> int:
    return sum(
        1
        for entry in keystone.keystone.recorded(since)
        if entry["method"] == "POST" and str(entry["path"]).rstrip("/").endswith("/auth/tokens")
    )


def cached_files(home: Path) -> list[Path]:
    return sorted((home / "cache" / "imgql" / "tokens").glob("*.json"))


@pytest.fixture
def cached_env(keystone: KeystoneCloud, tmp_path: Path) -> dict[str, str]:
    return {
        **keystone.clean_env(tmp_path),
        **keystone.password_vars(t.ALICE),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OS_AUTH_CACHE": "1",
    }


QUERY = ("query", "-f", "value", "-c", "name", "images")


@pytest.mark.keystone
def test_a_second_command_makes_no_token_request(
    keystone: KeystoneCloud, cached_env: dict[str, str], tmp_path: Path
) -> None:
    mark = len(keystone.keystone.recorded())
    first = imgql(cached_env, *QUERY)
    assert first.returncode == 0, first.stderr
    assert token_requests(keystone, mark) >= 1
    (path,) = cached_files(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for secret in keystone.secrets():
        assert secret not in text, "a password or secret is in the token cache"
    mark = len(keystone.keystone.recorded())
    second = imgql(cached_env, *QUERY)
    assert second.returncode == 0, second.stderr
    assert token_requests(keystone, mark) == 0
    assert sorted(second.stdout.split()) == sorted(first.stdout.split())
    token = json.loads(text)["token"]
    assert token not in first.stderr + second.stderr


@pytest.mark.keystone
def test_a_revoked_token_falls_back_to_one_login(
    keystone: KeystoneCloud, cached_env: dict[str, str], tmp_path: Path
) -> None:
    assert imgql(cached_env, *QUERY).returncode == 0
    (path,) = cached_files(tmp_path)
    revoked = json.loads(path.read_text())["token"]
    keystone.revoke(revoked)
    mark = len(keystone.keystone.recorded())
    again = imgql(cached_env, *QUERY)
    assert again.returncode == 0, again.stderr
    assert token_requests(keystone, mark) == 1
    (path,) = cached_files(tmp_path)
    assert json.loads(path.read_text())["token"] != revoked


@pytest.mark.keystone
def test_clouds_yaml_cache_auth_turns_it_on_and_logout_forgets(keystone: KeystoneCloud, tmp_path: Path) -> None:
    import yaml

    clouds = tmp_path / "clouds.yaml"
    auth = keystone.cloud_auth(t.ALICE)
    clouds.write_text(yaml.safe_dump({"cache": {"auth": True}, "clouds": {"mine": {"auth": auth}}}))
    env = {
        **keystone.clean_env(tmp_path),
        "OS_CLIENT_CONFIG_FILE": str(clouds),
        "OS_CLOUD": "mine",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    assert imgql(env, *QUERY).returncode == 0
    assert len(cached_files(tmp_path)) == 1
    # The option wins over clouds.yaml.
    assert imgql({**env, "XDG_CACHE_HOME": str(tmp_path / "other")}, "--no-os-auth-cache", *QUERY).returncode == 0
    assert not (tmp_path / "other" / "imgql" / "tokens").exists() or not list(
        (tmp_path / "other" / "imgql" / "tokens").glob("*.json")
    )
    out = imgql(env, "logout")
    assert out.returncode == 0, out.stderr
    assert "logged out" in out.stderr
    assert cached_files(tmp_path) == []
    assert "no cached token" in imgql(env, "logout").stderr
    assert imgql(env, *QUERY).returncode == 0
    cleared = imgql(env, "logout", "--all")
    assert cleared.returncode == 0 and "removed 1 cached token" in cleared.stderr


@pytest.mark.keystone
def test_an_application_credential_secret_is_never_in_the_cache(keystone: KeystoneCloud, tmp_path: Path) -> None:
    env = {
        **keystone.clean_env(tmp_path),
        **keystone.app_credential_vars(),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    run = imgql(env, "--os-auth-cache", *QUERY)
    assert run.returncode == 0, run.stderr
    (path,) = cached_files(tmp_path)
    assert keystone.app_credential_secret not in path.read_text()
    assert keystone.app_credential_secret not in path.name
