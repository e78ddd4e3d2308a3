"""What Keystone's and Glance's refusals turn into: the error class and plain words."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest

import imgql
from imgql.errors import AuthenticationError, ConfigError, Error, Forbidden, ServiceError
from imgql.http.keystone import KeystoneAuth
from imgql.http.server_text import plain_words, server_message
from tests.test_auth import AUTH_URL, PASSWORD, USER_TOKEN, Fetch, assert_no_secret, fetch_async, fetch_sync

# What Keystone 30 answers, as measured against a real one (docs/credentials.md).
FERNET_404 = {"error": {"code": 404, "message": "Could not recognize Fernet token", "title": "Not Found"}}
VALIDATE_404 = {"error": {"code": 404, "message": "Failed to validate token", "title": "Not Found"}}
NO_ROUTE_404 = {"error": {"code": 404, "message": "The resource could not be found.", "title": "Not Found"}}
GLANCE_VERSIONS_300 = {"versions": [{"id": "v2.16", "status": "CURRENT", "links": []}]}
WEBOB_401 = (
    "401 Unauthorized\n\nThis server could not verify that you are authorized to access the document you requested. "
    "Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to "
    "supply the credentials required.<br /><br />\n\n\n"
)
HTML_403 = (
    "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1>"
    "You are not authorized to complete get_images action.<br /><br />\n</body></html>"
)


@pytest.fixture(params=["sync", "async"])
def fetch(request: pytest.FixtureRequest) -> Fetch:
    return fetch_sync if request.param == "sync" else fetch_async


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handler)


def fetch_from(auth: KeystoneAuth, transport: httpx.MockTransport, fetch: Fetch) -> Any:
    class Stub:
        def transport(self) -> httpx.MockTransport:
            return transport

    return fetch(auth, Stub())


def token_auth() -> KeystoneAuth:
    return KeystoneAuth(AUTH_URL, token=USER_TOKEN, project_name="demo")


def password_auth() -> KeystoneAuth:
    return KeystoneAuth(AUTH_URL, username="alice", password=PASSWORD, project_name="demo")


@pytest.mark.parametrize("body", [FERNET_404, VALIDATE_404])
def test_a_token_keystone_cannot_validate_is_refused_credentials(fetch: Fetch, body: dict[str, Any]) -> None:
    with pytest.raises(AuthenticationError) as raised:
        fetch_from(token_auth(), answer(404, body), fetch)
    message = str(raised.value)
    assert body["error"]["message"] in message
    assert "expired" in message and "HTTP 404" in message
    assert raised.value.status_code == 404
    assert_no_secret(message)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, NO_ROUTE_404),
        (404, "<html><body><h1>Not Found</h1><p>nginx</p></body></html>"),
        (300, GLANCE_VERSIONS_300),
    ],
)
def test_an_auth_url_that_is_not_keystone(fetch: Fetch, status: int, body: object) -> None:
    with pytest.raises(ConfigError) as raised:
        fetch_from(password_auth(), answer(status, body), fetch)
    message = str(raised.value)
    assert f"{AUTH_URL} is not a Keystone identity endpoint" in message
    assert f"HTTP {status}" in message
    assert "OS_AUTH_URL / auth.auth_url" in message
    assert_no_secret(message)


def test_a_redirecting_auth_url_names_where(fetch: Fetch) -> None:
    moved = answer(301, "", {"Location": "https://keystone.example/v3/auth/tokens"})
    with pytest.raises(ConfigError, match=r"redirects to https://keystone\.example/v3/auth/tokens \(HTTP 301\)"):
        fetch_from(password_auth(), moved, fetch)


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (401, WEBOB_401, AuthenticationError, "HTTP 401"),
        (401, {"error": {"code": 401, "message": "The request you have made requires authentication."}},
         AuthenticationError, "requires authentication."),
        (403, HTML_403, Forbidden, "not authorized to complete get_images action"),
    ],
)  # fmt: skip
def test_keystone_refusals_are_plain_words(
    fetch: Fetch, status: int, body: object, error: type[Error], words: str
) -> None:
    with pytest.raises(error) as raised:
        fetch_from(password_auth(), answer(status, body), fetch)
    message = str(raised.value)
    assert words in message
    for markup in ("<br", "<html", "<h1", "browser", "Unauthorized\n"):
        assert markup not in message


@pytest.mark.parametrize(
    ("content", "status", "expected"),
    [
        (WEBOB_401, 401, ""),
        (HTML_403, 403, "You are not authorized to complete get_images action."),
        (json.dumps({"error": {"message": "Denied.<br /><br />\nTry &quot;reader&quot;."}}), 403,
         'Denied. Try "reader".'),
        (json.dumps({"forbidden": {"message": "403 Forbidden\n\nAccess was denied to this resource.<br /><br />"}}),
         403, ""),
        (json.dumps({"title": "Unauthorized", "code": 401}), 401, "Unauthorized"),
        ("plain text", 500, "plain text"),
        ("", 500, ""),
    ],
)  # fmt: skip
def test_server_message(content: str, status: int, expected: str) -> None:
    assert server_message(content.encode(), status) == expected


def test_plain_words_keeps_comparisons() -> None:
    # Comparisons are not markup; entities are decoded only in markup.
    assert plain_words("size<5 and size>3") == "size<5 and size>3"
    assert plain_words("<p>a &amp; b</p>") == "a & b"
    assert plain_words("a &amp; b") == "a &amp; b"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [(401, WEBOB_401, imgql.AuthenticationError), (403, HTML_403, imgql.Forbidden)],
)
def test_glance_refusals_are_plain_words(status: int, body: str, error: type[ServiceError]) -> None:
    transport = answer(status, body)
    with (
        imgql.Client("https://glance.example", USER_TOKEN, http=httpx.Client(transport=transport)) as client,
        pytest.raises(error) as raised,
    ):
        list(client.query("images"))
    message = str(raised.value)
    assert f"HTTP {status}" in message
    for markup in ("<br", "<html", "browser", "<h1"):
        assert markup not in message
    assert_no_secret(message)


def test_the_command_line_exits_4_for_a_token_keystone_cannot_validate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from imgql.cli.commands import run
    from tests.stub_keystone import stub_cloud

    with stub_cloud() as cloud:
        for name in [name for name in os.environ if name.startswith("OS_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("HOME", "/nonexistent-home-for-tests")
        monkeypatch.setenv("OS_AUTH_URL", cloud.auth_url)
        monkeypatch.setenv("OS_TOKEN", "gAAAAABWrongToken")
        monkeypatch.setenv("OS_PROJECT_NAME", "demo")
        assert run(["query", "images"]) == 4
    error = capsys.readouterr().err
    assert "Could not recognize Fernet token" in error
    assert "gAAAAABWrongToken" not in error
