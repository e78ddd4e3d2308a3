"""Hostile or careless clouds: each cloud's own TLS settings, credentials that never
follow a redirect, passwords in URLs never shown. Stub servers on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import imgql
from imgql.http.keystone import KeystoneAuth
from tests.stub_keystone import PASSWORD, StubCloud, self_signed, stub_cloud


@pytest.fixture
def tls_pair(tmp_path: Path) -> Iterator[tuple[StubCloud, StubCloud, Path]]:
    """Two clouds over HTTPS, each with a self-signed certificate, and the certificate's file."""
    context, cert = self_signed(tmp_path)
    with stub_cloud(context) as lax, stub_cloud(context) as strict:
        yield lax, strict, cert


def _auth(cloud: StubCloud) -> dict[str, str]:
    return {"auth_url": cloud.auth_url, "username": "alice", "password": PASSWORD, "project_name": "demo"}


def _use_clouds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clouds: dict[str, Any]) -> None:
    for name in [name for name in os.environ if name.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": clouds}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))


def test_each_cloud_keeps_its_own_tls_settings(
    tls_pair: tuple[StubCloud, StubCloud, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lax, strict, _ = tls_pair
    _use_clouds(
        monkeypatch, tmp_path, {"lax": {"insecure": True, "auth": _auth(lax)}, "strict": {"auth": _auth(strict)}}
    )
    with imgql.Client(cloud="lax", retries=0) as client:
        assert len(list(client.query("images"))) == 2
        with pytest.raises(imgql.RegionError) as raised:
            list(client.query("images where cloud in (lax, strict)"))
    assert "certificate" in str(raised.value) and "strict" in str(raised.value)
    # strict's password was never sent over a connection its settings do not trust.
    assert strict.token_bodies == []
    with imgql.Client(cloud="lax", retries=0, partial=True) as client, warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert {image.cloud for image in client.query("images where cloud in (lax, strict)")} == {"lax"}
    assert strict.token_bodies == []


def test_a_second_cloud_uses_its_own_ca_bundle(
    tls_pair: tuple[StubCloud, StubCloud, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lax, strict, cert = tls_pair
    clouds = {"lax": {"insecure": True, "auth": _auth(lax)}, "strict": {"cacert": str(cert), "auth": _auth(strict)}}
    _use_clouds(monkeypatch, tmp_path, clouds)
    with imgql.Client(cloud="lax", retries=0) as client:
        images = list(client.query("images where cloud in (lax, strict)"))
    assert {image.cloud for image in images} == {"lax", "strict"}
    # And the other way round: the first cloud's bundle is its own, the second insecure.
    with imgql.Client(cloud="strict", retries=0) as client:
        assert {image.cloud for image in client.query("images where cloud in (strict, lax)")} == {"lax", "strict"}


def test_an_explicit_verify_wins_over_the_environment(
    tls_pair: tuple[StubCloud, StubCloud, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    lax, _, _ = tls_pair
    monkeypatch.setenv("OS_INSECURE", "true")
    strict = imgql.Client(f"{lax.url}", "token-not-sent-anywhere", verify=True, retries=0)
    with strict, pytest.raises(imgql.ConnectionError, match="certificate"):
        list(strict.query("images"))
    assert lax.listing_tokens == []
    # Not given: the environment decides (and the stub refuses the unknown token).
    lenient = imgql.Client(f"{lax.url}", "token-not-sent-anywhere", retries=0)
    with lenient, pytest.raises(imgql.AuthenticationError):
        list(lenient.query("images"))


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_token_never_follows_a_redirect_even_with_a_callers_client(asynchronous: bool) -> None:
    with stub_cloud() as glance, stub_cloud() as elsewhere:
        glance.redirect_to = elsewhere.url
        token = glance.issue()
        if asynchronous:
            import asyncio

            async def run() -> None:
                async with httpx.AsyncClient(follow_redirects=True) as http:
                    client = imgql.AsyncClient(glance.url, token, http=http, retries=0)
                    with pytest.raises(imgql.Error, match="redirects"):
                        await client.collect("images")

            asyncio.run(run())
        else:
            with httpx.Client(follow_redirects=True) as http:
                client = imgql.Client(glance.url, token, http=http, retries=0)
                with pytest.raises(imgql.Error, match="redirects"):
                    list(client.query("images"))
        assert elsewhere.listing_tokens == []


def test_a_password_never_follows_a_keystone_redirect() -> None:
    with stub_cloud() as keystone, stub_cloud() as elsewhere:
        keystone.redirect_to = elsewhere.url
        with httpx.Client(follow_redirects=True) as http:
            client = imgql.Client(
                http=http,
                auth=KeystoneAuth(keystone.auth_url, username="alice", password=PASSWORD, project_name="demo"),
            )
            with pytest.raises(imgql.ConfigError, match="redirects"):
                list(client.query("images"))
        assert elsewhere.token_bodies == []


def test_a_password_never_follows_a_redirect_through_keystoneauth() -> None:
    pytest.importorskip("keystoneauth1")
    from imgql.http.plugin_auth import PluginAuth

    with stub_cloud() as keystone, stub_cloud() as elsewhere:
        keystone.redirect_to = elsewhere.url
        auth = PluginAuth(
            "v2password",
            {"auth_url": f"{keystone.url}/v2.0", "username": "alice", "password": PASSWORD, "tenant_name": "demo"},
        )
        with imgql.Client(auth=auth, retries=0) as client, pytest.raises(imgql.ConfigError) as raised:
            list(client.query("images"))
        assert "redirects" in str(raised.value) and PASSWORD not in str(raised.value)
        assert elsewhere.token_bodies == []


def test_a_password_in_a_url_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    secret = "url-Secret-7Hq"
    with stub_cloud() as keystone:
        url = keystone.auth_url.replace("://", f"://alice:{secret}@")
        auth = KeystoneAuth(url, username="alice", password="wrong-password", project_name="demo")
        assert secret not in repr(auth)
        client = imgql.Client(auth=auth, retries=0)
        with caplog.at_level(logging.DEBUG), client, pytest.raises(imgql.AuthenticationError) as raised:
            list(client.query("images"))
        assert secret not in str(raised.value)
        token = keystone.issue()
        glance = keystone.url.replace("://", f"://alice:{secret}@")
        with caplog.at_level(logging.DEBUG), imgql.Client(glance, token, retries=0) as client:
            assert secret not in repr(client)
            list(client.query("images"))
    assert caplog.records
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_each_cloud_keeps_its_own_tls_settings_async(
    tls_pair: tuple[StubCloud, StubCloud, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    lax, strict, _ = tls_pair
    _use_clouds(
        monkeypatch, tmp_path, {"lax": {"insecure": True, "auth": _auth(lax)}, "strict": {"auth": _auth(strict)}}
    )

    async def run() -> None:
        async with imgql.AsyncClient(cloud="lax", retries=0) as client:
            with pytest.raises(imgql.RegionError, match="certificate"):
                await client.collect("images where cloud in (lax, strict)")

    asyncio.run(run())
    assert strict.token_bodies == []
