"""Tokens that expire: a second Keystone on the same database and keys issues tokens that live about a minute.

imgql renews a token in the last minute before it expires, so a long-lived
client keeps working; a token given directly cannot be renewed, and once
expired it is an authentication error.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import pytest

import imgql
from tests.keystone import topology as t
from tests.keystone.clients import imgql_cli
from tests.keystone.fixture import KeystoneCloud
from tests.keystone.populate import account_login
from tests.keystone.server import KeystoneServer

pytestmark = pytest.mark.keystone

EXIT_AUTH = 4
# imgql asks for a new token once the old one has less than this left.
RENEWAL_MARGIN = 60.0


def _sleep_until(moment: dt.datetime) -> None:
    time.sleep(max(0.0, (moment - dt.datetime.now(dt.timezone.utc)).total_seconds()))


@pytest.fixture
def use_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[Mapping[str, str]], None]:
    def apply(variables: Mapping[str, str]) -> None:
        for name in [n for n in os.environ if n.startswith("OS_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("HOME", str(tmp_path))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return apply


def test_a_token_about_to_expire_is_renewed_before_it_is_used(
    keystone: KeystoneCloud,
    short_token_keystone: KeystoneServer,
    use_env: Callable[[Mapping[str, str]], None],
) -> None:
    expiries: list[dt.datetime] = []

    def keep_expiry(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/auth/tokens") and response.status_code == 201:
            response.read()  # hooks see the response before its body is read
            expires_at = response.json()["token"]["expires_at"]
            expiries.append(dt.datetime.fromisoformat(expires_at.replace("Z", "+00:00")))

    use_env(keystone.password_vars(t.ALICE, OS_AUTH_URL=short_token_keystone.auth_url))
    http = httpx.Client(event_hooks={"response": [keep_expiry]}, timeout=60)
    with http, imgql.Client(http=http) as client:
        assert names(client) == keystone.visible_names(t.DEMO)
        assert len(expiries) == 1
        _sleep_until(expiries[0] - dt.timedelta(seconds=RENEWAL_MARGIN - 1))
        mark = keystone.mark()
        assert names(client) == keystone.visible_names(t.DEMO)
    assert len(expiries) == 2, "a new token for the second listing"
    statuses = [e["status"] for e in keystone.glance.recorded(mark) if str(e["path"]).endswith("/v2/images")]
    assert statuses == [200], "renewed before use, not after a refusal"


@pytest.mark.slow
def test_an_expired_token_given_directly_is_an_authentication_error(
    keystone: KeystoneCloud, short_token_keystone: KeystoneServer, tmp_path: Path
) -> None:
    token, expires_at = account_login(short_token_keystone.auth_url, t.BOB)
    env = {
        **keystone.clean_env(tmp_path),
        "OS_TOKEN": token,
        "OS_IMAGE_URL": keystone.endpoint_url(t.REGION_TWO, "internal"),
    }
    before = imgql_cli(env, "query", "-f", "json", "images")
    assert before.returncode == 0, before.stderr
    _sleep_until(expires_at + dt.timedelta(seconds=1))
    after = imgql_cli(env, "query", "images")
    assert after.returncode == EXIT_AUTH, after.stderr
    assert "expired" in after.stderr
    assert token not in after.stderr


def names(client: imgql.Client) -> set[str]:
    return {image["name"] for image in client.query("images")}
