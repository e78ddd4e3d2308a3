"""Auth types imgql does not implement itself: keystoneauth1 plugins, over a loopback stub."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import imgql
from imgql.errors import AuthenticationError, ConfigError
from imgql.http.plugin_auth import PluginAuth
from imgql.http.resolve import resolve_auth
from tests.stub_keystone import PASSWORD, StubCloud, stub_cloud

pytest.importorskip("keystoneauth1")

HOME = {"HOME": "/nonexistent-home-for-tests"}


@pytest.fixture
def cloud() -> Iterator[StubCloud]:
    with stub_cloud() as running:
        yield running


def password_options(cloud: StubCloud, password: str = PASSWORD) -> dict[str, str]:
    return {
        "auth_url": cloud.auth_url,
        "username": "alice",
        "password": password,
        "project_name": "demo",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
    }


@pytest.mark.parametrize("auth_type", ["v3password", "password"])
def test_keystoneauth_password_plugin_lists_images(cloud: StubCloud, auth_type: str) -> None:
    auth = PluginAuth(auth_type, password_options(cloud))
    with imgql.Client(auth=auth) as client:
        assert [image.name for image in client.query("images")] == ["image-1", "image-2"]
    assert cloud.listing_tokens == [cloud.issued[0]]
    user = cloud.token_bodies[0]["auth"]["identity"]["password"]["user"]
    assert user["name"] == "alice"
    assert PASSWORD not in repr(auth)


def test_keystoneauth_plugin_async(cloud: StubCloud) -> None:
    async def run() -> list[str]:
        async with imgql.AsyncClient(auth=PluginAuth("v3password", password_options(cloud))) as client:
            return [image.name async for image in client.query("images")]

    assert asyncio.run(run()) == ["image-1", "image-2"]


def test_a_refused_token_is_renewed_once(cloud: StubCloud) -> None:
    auth = PluginAuth("v3password", password_options(cloud))
    with imgql.Client(auth=auth) as client:
        list(client.query("images"))
        cloud.revoked.add(cloud.issued[0])
        assert len(list(client.query("images"))) == 2
    assert cloud.listing_tokens == [cloud.issued[0], cloud.issued[0], cloud.issued[1]]
    assert len(cloud.issued) == 2


def test_refused_credentials(cloud: StubCloud) -> None:
    auth = PluginAuth("v3password", password_options(cloud, "wrong-password-123"))
    with imgql.Client(auth=auth) as client, pytest.raises(AuthenticationError) as raised:
        list(client.query("images"))
    assert "HTTP 401" in str(raised.value)
    assert "wrong-password-123" not in str(raised.value)


def test_totp_from_the_environment(cloud: StubCloud) -> None:
    environ = {
        **HOME,
        "OS_AUTH_URL": cloud.auth_url,
        "OS_AUTH_TYPE": "v3totp",
        "OS_USERNAME": "alice",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PASSCODE": "123456",
        "OS_PROJECT_NAME": "demo",
        "OS_PROJECT_DOMAIN_NAME": "Default",
    }
    auth, _ = resolve_auth(environ=environ)
    assert isinstance(auth, PluginAuth)
    with imgql.Client(auth=auth) as client:
        assert len(list(client.query("images"))) == 2
    identity = cloud.token_bodies[0]["auth"]["identity"]
    assert identity["methods"] == ["totp"]
    assert identity["totp"]["user"]["passcode"] == "123456"


def test_plugin_from_clouds_yaml(cloud: StubCloud, tmp_path: Path) -> None:
    settings = {"auth_type": "v3totp", "auth": {**password_options(cloud), "passcode": "654321"}}
    del settings["auth"]["password"]  # type: ignore[attr-defined]
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"mfa": settings}}))
    auth, _ = resolve_auth(environ={**HOME, "OS_CLOUD": "mfa"}, config_files=[clouds])
    with imgql.Client(auth=auth) as client:
        assert len(list(client.query("images"))) == 2
    assert cloud.token_bodies[0]["auth"]["identity"]["totp"]["user"]["passcode"] == "654321"


def test_missing_plugin_options_are_named(tmp_path: Path) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"mfa": {"auth_type": "v3totp", "auth": {"user_id": "u-1"}}}}))
    with pytest.raises(ConfigError, match=r"cloud 'mfa' in .*: auth_type 'v3totp' needs auth_url"):
        resolve_auth(environ={**HOME, "OS_CLOUD": "mfa"}, config_files=[clouds])
    with pytest.raises(ConfigError, match="discovery-endpoint"):
        resolve_auth(environ={**HOME, "OS_AUTH_URL": "http://127.0.0.1:1/v3", "OS_AUTH_TYPE": "v3oidcpassword"})


def test_an_unknown_auth_type_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"'v3nonsense' is not a keystoneauth plugin; known: .*v3totp"):
        resolve_auth(environ={**HOME, "OS_AUTH_URL": "http://127.0.0.1:1/v3", "OS_AUTH_TYPE": "v3nonsense"})


@pytest.mark.parametrize("auth_type", ["v3oidcpassword", "v3totp", "v2password", "v3samlpassword", "v3multifactor"])
def test_without_keystoneauth_the_auth_type_is_refused_clearly(auth_type: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keystoneauth1", None)
    environ = {**HOME, "OS_AUTH_URL": "http://127.0.0.1:1/v3", "OS_AUTH_TYPE": auth_type}
    with pytest.raises(ConfigError) as raised:
        resolve_auth(environ=environ)
    message = str(raised.value)
    assert f"auth_type {auth_type!r}" in message
    assert "pip install 'imgql[openstack]'" in message


def test_the_built_in_methods_need_no_keystoneauth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keystoneauth1", None)
    environ = {**HOME, "OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "a", "OS_PASSWORD": "b"}
    environ["OS_AUTH_TYPE"] = "v3password"
    auth, _ = resolve_auth(environ=environ)
    assert type(auth).__name__ == "KeystoneAuth"


def test_importing_imgql_imports_no_keystoneauth() -> None:
    import subprocess

    heavy = "('keystoneauth1', 'openstack', 'requests')"
    code = f"import sys, imgql, imgql.http.client; print(any(m.split('.')[0] in {heavy} for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_keystoneauth_logs_no_token(cloud: StubCloud, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with imgql.Client(auth=PluginAuth("v3password", password_options(cloud))) as client:
        list(client.query("images"))
    for secret in (*cloud.issued, PASSWORD):
        assert secret not in caplog.text


def test_the_clients_verify_reaches_keystoneauth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {"auth_type": "v3totp", "auth": {"auth_url": "https://k.example/v3", "user_id": "u", "passcode": "1"}}
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"mfa": settings}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    with imgql.Client(cloud="mfa") as client:
        assert client._auth._session.verify is True  # type: ignore[attr-defined]
    with imgql.Client(cloud="mfa", verify=False) as client:
        assert client._auth._session.verify is False  # type: ignore[attr-defined]


def test_a_token_keystone_cannot_validate(cloud: StubCloud) -> None:
    options = {"auth_url": cloud.auth_url, "token": "gAAAAABWrongToken", "project_name": "demo"}
    options["project_domain_name"] = "Default"
    with imgql.Client(auth=PluginAuth("v3token", options)) as client, pytest.raises(AuthenticationError) as raised:
        list(client.query("images"))
    message = str(raised.value)
    assert message.endswith("(v3token, HTTP 404): Could not recognize Fernet token")
    assert "gAAAAABWrongToken" not in message


def test_an_auth_url_that_is_not_keystone(cloud: StubCloud) -> None:
    options = {**password_options(cloud), "auth_url": f"{cloud.url}/identity/v3"}
    with imgql.Client(auth=PluginAuth("v3password", options)) as client, pytest.raises(ConfigError) as raised:
        list(client.query("images"))
    assert "is not a Keystone identity endpoint for auth_type 'v3password' (HTTP 404)" in str(raised.value)
