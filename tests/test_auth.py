"""Credential resolution and Keystone v3 authentication, against a Keystone stub."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from imgql.errors import AuthenticationError, ConfigError, ConnectionError, Error, ServiceError
from imgql.http.credentials import Credentials, StaticAuth, normalize_endpoint
from imgql.http.keystone import KeystoneAuth
from imgql.http.resolve import resolve_auth

PASSWORD = "pw-Zq81-do-not-show"
APP_SECRET = "appsecret-Xk2-do-not-show"
USER_TOKEN = "usertoken-Ja9-do-not-show"
ISSUED = "issued-token-Mv4-do-not-show"
SECRETS = (PASSWORD, APP_SECRET, USER_TOKEN, ISSUED)

AUTH_URL = "https://keystone.example:5000/v3"
TOKENS_URL = "https://keystone.example:5000/v3/auth/tokens"


def _endpoint(interface: str, region: str, url: str) -> dict[str, str]:
    return {"interface": interface, "region_id": region, "region": region, "url": url}


CATALOG: list[dict[str, Any]] = [
    {
        "type": "compute",
        "name": "nova",
        "endpoints": [_endpoint("public", "RegionOne", "https://nova.example/v2.1")],
    },
    {
        "type": "image",
        "name": "glance",
        "endpoints": [
            _endpoint("public", "RegionOne", "https://image-one.example:9292/v2/"),
            _endpoint("internal", "RegionOne", "http://glance.internal:9292"),
            _endpoint("public", "RegionTwo", "https://cloud.example/image/v2"),
            _endpoint("admin", "RegionTwo", "http://admin.two:9292/"),
        ],
    },
]


class Keystone:
    """A Keystone stub: answers POST /v3/auth/tokens and records what it was sent."""

    def __init__(
        self,
        *,
        catalog: list[dict[str, Any]] | None = None,
        status: int = 201,
        body: dict[str, Any] | None = None,
        subject_token: bool = True,
        expires_at: str = "2999-01-01T00:00:00.000000Z",
        fail: Exception | None = None,
    ) -> None:
        self.catalog = CATALOG if catalog is None else catalog
        self.status = status
        self.body = body
        self.subject_token = subject_token
        self.expires_at = expires_at
        self.fail = fail
        self.requests: list[httpx.Request] = []

    @property
    def posts(self) -> int:
        return len(self.requests)

    @property
    def last_body(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[-1].content)
        return body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.fail is not None:
            raise self.fail
        assert request.method == "POST"
        self.requests.append(request)
        if self.status != 201:
            return httpx.Response(self.status, json=self.body or {"error": {"message": "nope"}})
        token: dict[str, Any] = {"expires_at": self.expires_at, "methods": ["password"]}
        if self.catalog:
            token["catalog"] = self.catalog
        headers = {"X-Subject-Token": f"{ISSUED}-{self.posts}"} if self.subject_token else {}
        return httpx.Response(201, json=self.body or {"token": token}, headers=headers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


Fetch = Callable[..., Credentials]


def fetch_sync(auth: Any, keystone: Keystone, *, refresh: bool = False) -> Credentials:
    with httpx.Client(transport=keystone.transport()) as http:
        credentials: Credentials = auth.get(http, refresh=refresh)
        return credentials


def fetch_async(auth: Any, keystone: Keystone, *, refresh: bool = False) -> Credentials:
    async def run() -> Credentials:
        async with httpx.AsyncClient(transport=keystone.transport()) as http:
            credentials: Credentials = await auth.aget(http, refresh=refresh)
            return credentials

    return asyncio.run(run())


@pytest.fixture(params=["sync", "async"])
def fetch(request: pytest.FixtureRequest) -> Fetch:
    """Every test using this runs once through get() and once through aget()."""
    return fetch_sync if request.param == "sync" else fetch_async


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="imgql")
    yield caplog
    assert_no_secret(caplog.text)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def password_auth(**overrides: Any) -> KeystoneAuth:
    settings: dict[str, Any] = {"username": "alice", "password": PASSWORD, "project_name": "demo"}
    settings.update(overrides)
    return KeystoneAuth(AUTH_URL, **settings)


# --------------------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://img.example:9292", "https://img.example:9292"),
        ("https://img.example:9292/", "https://img.example:9292"),
        ("https://img.example:9292/v2", "https://img.example:9292"),
        ("https://img.example:9292/v2/", "https://img.example:9292"),
        ("https://img.example:9292//v2//", "https://img.example:9292"),
        ("https://cloud/image/v2", "https://cloud/image"),
        ("https://cloud/image/v2/", "https://cloud/image"),
        ("https://cloud/image", "https://cloud/image"),
        ("https://cloud/image/", "https://cloud/image"),
        ("https://cloud/v2x", "https://cloud/v2x"),
        ("https://cloud/apiv2", "https://cloud/apiv2"),
        ("  https://cloud/v2/  ", "https://cloud"),
    ],
)
def test_normalize_endpoint(url: str, root: str) -> None:
    assert normalize_endpoint(url) == root


def test_credentials_repr_hides_the_token() -> None:
    credentials = Credentials("https://img.example", USER_TOKEN)
    assert USER_TOKEN not in repr(credentials)
    assert "https://img.example" in repr(credentials)


def test_static_auth(fetch: Fetch) -> None:
    auth = StaticAuth("https://img.example:9292/v2/", USER_TOKEN)
    assert auth.can_refresh is False
    assert USER_TOKEN not in repr(auth)
    keystone = Keystone()
    credentials = fetch(auth, keystone)
    assert credentials == Credentials("https://img.example:9292", USER_TOKEN)
    assert fetch(auth, keystone, refresh=True) == credentials
    assert keystone.posts == 0


def test_static_auth_without_token(fetch: Fetch) -> None:
    assert fetch(StaticAuth("http://glance:9292"), Keystone()) == Credentials("http://glance:9292", None)


@pytest.mark.parametrize("endpoint", ["glance:9292", "ftp://glance", "", "https://"])
def test_static_auth_needs_an_http_url(endpoint: str) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        StaticAuth(endpoint)


# --------------------------------------------------------------------------- Keystone: one table, sync and async


def _password_body(body: dict[str, Any]) -> None:
    assert body == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "alice", "domain": {"name": "Default"}, "password": PASSWORD}},
            },
            "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
        }
    }


def _app_credential_by_id(body: dict[str, Any]) -> None:
    assert body == {
        "auth": {
            "identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": "ac-1", "secret": APP_SECRET},
            }
        }
    }


def _app_credential_by_name(body: dict[str, Any]) -> None:
    credential = body["auth"]["identity"]["application_credential"]
    assert credential == {
        "name": "ci",
        "user": {"name": "alice", "domain": {"id": "d-42"}},
        "secret": APP_SECRET,
    }
    assert "scope" not in body["auth"]


def _token_body(body: dict[str, Any]) -> None:
    assert body == {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": USER_TOKEN}},
            "scope": {"project": {"id": "p-1"}},
        }
    }


def _user_and_project_by_id(body: dict[str, Any]) -> None:
    auth = body["auth"]
    assert auth["identity"]["password"]["user"] == {"id": "u-1", "password": PASSWORD}
    assert auth["scope"] == {"project": {"id": "p-1"}}


def _general_domain_fallback(body: dict[str, Any]) -> None:
    auth = body["auth"]
    assert auth["identity"]["password"]["user"]["domain"] == {"name": "users"}
    assert auth["scope"]["project"]["domain"] == {"name": "Projects"}


OK_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, Callable[[dict[str, Any]], None] | None]] = [
    # id, KeystoneAuth arguments, Keystone stub arguments, expected endpoint, request body check
    ("password", {}, {}, "https://image-one.example:9292", _password_body),
    ("region", {"region": "RegionTwo"}, {}, "https://cloud.example/image", None),
    ("interface", {"interface": "internal"}, {}, "http://glance.internal:9292", None),
    ("v2-interface-name", {"interface": "internalURL"}, {}, "http://glance.internal:9292", None),
    ("region-and-interface", {"region": "RegionTwo", "interface": "admin"}, {}, "http://admin.two:9292", None),
    (
        "region-only-in-legacy-field",
        {"region": "Old"},
        {"catalog": [{"type": "image", "endpoints": [{"interface": "public", "region": "Old", "url": "https://o/"}]}]},
        "https://o",
        None,
    ),
    (
        "application-credential-id",
        {
            "username": None,
            "password": None,
            "project_name": None,
            "application_credential_id": "ac-1",
            "application_credential_secret": APP_SECRET,
        },
        {},
        "https://image-one.example:9292",
        _app_credential_by_id,
    ),
    (
        "application-credential-name",
        {
            "password": None,
            "project_name": None,
            "application_credential_name": "ci",
            "application_credential_secret": APP_SECRET,
            "user_domain_id": "d-42",
        },
        {},
        "https://image-one.example:9292",
        _app_credential_by_name,
    ),
    (
        "token",
        {"username": None, "password": None, "project_name": None, "project_id": "p-1", "token": USER_TOKEN},
        {},
        "https://image-one.example:9292",
        _token_body,
    ),
    (
        "ids",
        {"username": None, "user_id": "u-1", "project_name": None, "project_id": "p-1"},
        {},
        "https://image-one.example:9292",
        _user_and_project_by_id,
    ),
    (
        "domain-fallback",
        {"domain_name": "users", "project_domain_name": "Projects"},
        {},
        "https://image-one.example:9292",
        _general_domain_fallback,
    ),
    (
        "endpoint-override-needs-no-catalog",
        {"endpoint_override": "https://override.example/v2/"},
        {"catalog": []},
        "https://override.example",
        None,
    ),
]


@pytest.mark.parametrize(
    ("arguments", "stub", "endpoint", "check"), [c[1:] for c in OK_CASES], ids=[c[0] for c in OK_CASES]
)
def test_keystone_authentication(
    fetch: Fetch,
    debug_log: pytest.LogCaptureFixture,
    arguments: dict[str, Any],
    stub: dict[str, Any],
    endpoint: str,
    check: Callable[[dict[str, Any]], None] | None,
) -> None:
    keystone = Keystone(**stub)
    auth = password_auth(**arguments)
    credentials = fetch(auth, keystone)
    assert credentials == Credentials(endpoint, f"{ISSUED}-1")
    assert keystone.posts == 1
    assert str(keystone.requests[0].url) == TOKENS_URL
    if check is not None:
        check(keystone.last_body)
    assert_no_secret(repr(auth))
    assert_no_secret(repr(credentials))
    assert "POST https://keystone.example:5000/v3/auth/tokens -> 201" in debug_log.text


ERROR_CASES: list[tuple[str, dict[str, Any], dict[str, Any], type[Error], list[str]]] = [
    # id, KeystoneAuth arguments, Keystone stub arguments, error class, texts in the message
    (
        "refused",
        {},
        {"status": 401, "body": {"error": {"message": f"bad password {PASSWORD}"}}},
        AuthenticationError,
        ["Keystone refused the credentials for user alice at " + AUTH_URL],
    ),
    (
        "refused-application-credential",
        {"password": None, "application_credential_id": "ac-1", "application_credential_secret": APP_SECRET},
        {"status": 401},
        AuthenticationError,
        ["application credential ac-1"],
    ),
    (
        "refused-token",
        {"password": None, "token": USER_TOKEN},
        {"status": 401},
        AuthenticationError,
        ["the given token"],
    ),
    (
        "server-error-echoing-a-secret",
        {},
        {"status": 400, "body": {"error": {"message": f"Invalid input for field password: {PASSWORD}"}}},
        ServiceError,
        ["HTTP 400", "Invalid input for field password: ***"],
    ),
    ("server-error", {}, {"status": 503, "body": {"oops": 1}}, ServiceError, ["HTTP 503"]),
    ("no-subject-token", {}, {"subject_token": False}, ServiceError, ["X-Subject-Token"]),
    ("not-a-token", {}, {"body": {"nothing": True}}, ServiceError, ["token object"]),
    (
        "no-image-service",
        {},
        {"catalog": [CATALOG[0]]},
        ConfigError,
        ["no image endpoint (interface public)", "compute: RegionOne/public"],
    ),
    (
        "no-image-in-region",
        {"region": "RegionThree"},
        {},
        ConfigError,
        ["region RegionThree", "image: RegionOne/public, RegionOne/internal, RegionTwo/public, RegionTwo/admin"],
    ),
    ("no-image-for-interface", {"region": "RegionOne", "interface": "admin"}, {}, ConfigError, ["interface admin"]),
    ("unscoped", {}, {"catalog": []}, ConfigError, ["no service catalog", "project"]),
    ("unreachable", {}, {"fail": httpx.ConnectError("connection refused")}, ConnectionError, ["cannot reach Keystone"]),
    ("timeout", {}, {"fail": httpx.ReadTimeout("timed out")}, ConnectionError, [TOKENS_URL]),
]


@pytest.mark.parametrize(
    ("arguments", "stub", "error", "texts"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_keystone_errors(
    fetch: Fetch,
    debug_log: pytest.LogCaptureFixture,
    arguments: dict[str, Any],
    stub: dict[str, Any],
    error: type[Error],
    texts: list[str],
) -> None:
    keystone = Keystone(**stub)
    auth = password_auth(**arguments)
    with pytest.raises(error) as raised:
        fetch(auth, keystone)
    assert type(raised.value) is error
    for text in texts:
        assert text in str(raised.value)
    if isinstance(raised.value, ServiceError) and "status" in stub:
        assert raised.value.status_code == stub["status"]
    assert_no_secret(str(raised.value))
    assert_no_secret(repr(raised.value))
    assert_no_secret(repr(auth))


def test_token_is_cached_and_refreshed_on_demand(fetch: Fetch, debug_log: pytest.LogCaptureFixture) -> None:
    keystone = Keystone()
    auth = password_auth()
    assert auth.can_refresh is True
    first = fetch(auth, keystone)
    assert fetch(auth, keystone) == first
    assert keystone.posts == 1
    renewed = fetch(auth, keystone, refresh=True)
    assert keystone.posts == 2
    assert renewed.token == f"{ISSUED}-2"
    assert renewed.endpoint == first.endpoint
    assert fetch(auth, keystone) == renewed
    assert keystone.posts == 2


def test_a_failed_refresh_keeps_failing_cleanly(fetch: Fetch) -> None:
    keystone = Keystone()
    auth = password_auth()
    fetch(auth, keystone)
    keystone.status = 401
    with pytest.raises(AuthenticationError):
        fetch(auth, keystone, refresh=True)
    assert keystone.posts == 2


def test_token_is_renewed_before_it_expires(fetch: Fetch) -> None:
    now = [1_000_000.0]
    keystone = Keystone(expires_at="1970-01-12T13:50:00Z")  # 1_000_200 seconds after the epoch
    auth = password_auth(clock=lambda: now[0])
    fetch(auth, keystone)
    fetch(auth, keystone)
    assert keystone.posts == 1
    now[0] = 1_000_200.0 - 30  # inside the safety margin
    assert fetch(auth, keystone).token == f"{ISSUED}-2"
    assert keystone.posts == 2


def test_concurrent_async_callers_share_one_token() -> None:
    keystone = Keystone()

    async def slow_keystone(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # let the other callers queue up meanwhile
        return keystone(request)

    auth = password_auth()

    async def run() -> tuple[list[Credentials], list[Credentials]]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(slow_keystone)) as http:
            first = await asyncio.gather(*(auth.aget(http) for _ in range(5)))
            # A burst of 401s: every caller asks for a refresh, one new token is fetched.
            renewed = await asyncio.gather(*(auth.aget(http, refresh=True) for _ in range(5)))
            return first, renewed

    first, renewed = asyncio.run(run())
    assert {c.token for c in first} == {f"{ISSUED}-1"}
    assert {c.token for c in renewed} == {f"{ISSUED}-2"}
    assert keystone.posts == 2


def test_concurrent_threads_share_one_token() -> None:
    keystone = Keystone()
    auth = password_auth()
    with httpx.Client(transport=keystone.transport()) as http, ThreadPoolExecutor(4) as pool:
        tokens = set(pool.map(lambda _: auth.get(http).token, range(8)))
    assert tokens == {f"{ISSUED}-1"}
    assert keystone.posts == 1


@pytest.mark.parametrize(
    ("auth_url", "tokens_url"),
    [
        ("https://keystone.example:5000", "https://keystone.example:5000/v3/auth/tokens"),
        ("https://keystone.example:5000/", "https://keystone.example:5000/v3/auth/tokens"),
        ("https://keystone.example:5000/v3/", "https://keystone.example:5000/v3/auth/tokens"),
        ("https://cloud.example/identity", "https://cloud.example/identity/v3/auth/tokens"),
        ("https://cloud.example/identity/v3", "https://cloud.example/identity/v3/auth/tokens"),
        ("https://cloud.example/identity/v2.0", "https://cloud.example/identity/v3/auth/tokens"),
    ],
)
def test_auth_url_with_or_without_version(fetch: Fetch, auth_url: str, tokens_url: str) -> None:
    keystone = Keystone()
    fetch(KeystoneAuth(auth_url, username="alice", password=PASSWORD), keystone)
    assert str(keystone.requests[0].url) == tokens_url


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"username": "alice"}, "password auth needs"),
        ({"password": PASSWORD}, "password auth needs"),
        ({"application_credential_secret": APP_SECRET}, "application_credential_id"),
        ({"application_credential_id": "ac-1", "method": "application_credential"}, "secret"),
        ({"method": "token"}, "token auth needs a token"),
        ({"username": "alice", "password": PASSWORD, "interface": "external"}, "interface"),
    ],
)
def test_keystone_auth_checks_its_arguments(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        KeystoneAuth(AUTH_URL, **arguments)
    assert_no_secret(str(raised.value))


def test_keystone_auth_needs_an_http_auth_url() -> None:
    with pytest.raises(ConfigError, match="auth_url"):
        KeystoneAuth("keystone.example:5000", username="alice", password=PASSWORD)


def test_keystone_auth_repr_hides_secrets() -> None:
    auth = KeystoneAuth(
        AUTH_URL,
        username="alice",
        password=PASSWORD,
        application_credential_secret=APP_SECRET,
        application_credential_id="ac-1",
        token=USER_TOKEN,
    )
    text = repr(auth)
    assert "alice" in text and AUTH_URL in text
    assert_no_secret(text)


# --------------------------------------------------------------------------- environment variables

HOME_ENV = {"HOME": "/nonexistent-home-for-tests"}


def env(**values: str) -> dict[str, str]:
    return {**HOME_ENV, **values}


PASSWORD_ENV = {
    "OS_AUTH_URL": AUTH_URL,
    "OS_USERNAME": "alice",
    "OS_PASSWORD": PASSWORD,
    "OS_PROJECT_NAME": "demo",
}


def test_explicit_endpoint_wins() -> None:
    environ = env(**PASSWORD_ENV, OS_CLOUD="prod", OS_IMAGE_URL="https://other/")
    auth, verify = resolve_auth("https://img.example/v2/", USER_TOKEN, environ=environ)
    assert auth == StaticAuth("https://img.example", USER_TOKEN)
    assert verify is True


def test_explicit_endpoint_takes_the_token_from_the_environment() -> None:
    auth, _ = resolve_auth("https://img.example", environ=env(OS_AUTH_TOKEN=USER_TOKEN))
    assert auth == StaticAuth("https://img.example", USER_TOKEN)
    auth, _ = resolve_auth("https://img.example", environ=env())
    assert auth == StaticAuth("https://img.example", None)


@pytest.mark.parametrize(
    "environ",
    [
        {"OS_TOKEN": USER_TOKEN, "OS_IMAGE_URL": "https://img.example/v2"},
        {"OS_AUTH_TOKEN": USER_TOKEN, "OS_ENDPOINT": "https://img.example/"},
        # A token and an image URL beat a cloud and a password.
        {"OS_TOKEN": USER_TOKEN, "OS_IMAGE_URL": "https://img.example", "OS_CLOUD": "x", **PASSWORD_ENV},
    ],
)
def test_token_and_image_url_from_the_environment(environ: dict[str, str]) -> None:
    auth, _ = resolve_auth(environ=env(**environ))
    assert auth == StaticAuth("https://img.example", USER_TOKEN)


def test_token_with_auth_url_uses_the_catalog(fetch: Fetch) -> None:
    environ = env(**PASSWORD_ENV, OS_TOKEN=USER_TOKEN, OS_REGION_NAME="RegionTwo")
    auth, _ = resolve_auth(environ=environ)
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == "https://cloud.example/image"
    assert keystone.last_body["auth"]["identity"] == {"methods": ["token"], "token": {"id": USER_TOKEN}}
    assert keystone.last_body["auth"]["scope"]["project"]["name"] == "demo"


def test_explicit_token_with_auth_url(fetch: Fetch) -> None:
    auth, _ = resolve_auth(token=USER_TOKEN, environ=env(OS_AUTH_URL=AUTH_URL, OS_PROJECT_ID="p-1"))
    keystone = Keystone()
    fetch(auth, keystone)
    _token_body(keystone.last_body)


def test_explicit_token_needs_somewhere_to_go() -> None:
    with pytest.raises(ConfigError, match="a token needs an endpoint") as raised:
        resolve_auth(token=USER_TOKEN, environ=env())
    assert_no_secret(str(raised.value))


def test_password_from_the_environment(fetch: Fetch, debug_log: pytest.LogCaptureFixture) -> None:
    auth, verify = resolve_auth(environ=env(**PASSWORD_ENV))
    assert isinstance(auth, KeystoneAuth)
    assert verify is True
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == "https://image-one.example:9292"
    _password_body(keystone.last_body)
    assert_no_secret(repr(auth))


@pytest.mark.parametrize(
    ("extra", "user_domain", "project_domain"),
    [
        ({}, {"name": "Default"}, {"name": "Default"}),
        ({"OS_DOMAIN_NAME": "corp"}, {"name": "corp"}, {"name": "corp"}),
        ({"OS_DOMAIN_ID": "d-1"}, {"id": "d-1"}, {"id": "d-1"}),
        (
            {"OS_DOMAIN_NAME": "corp", "OS_USER_DOMAIN_NAME": "people", "OS_PROJECT_DOMAIN_ID": "pd-9"},
            {"name": "people"},
            {"id": "pd-9"},
        ),
        ({"OS_USER_DOMAIN_ID": "ud-1", "OS_PROJECT_DOMAIN_NAME": "Projects"}, {"id": "ud-1"}, {"name": "Projects"}),
    ],
)
def test_domains_from_the_environment(
    fetch: Fetch, extra: dict[str, str], user_domain: dict[str, str], project_domain: dict[str, str]
) -> None:
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, **extra))
    keystone = Keystone()
    fetch(auth, keystone)
    body = keystone.last_body["auth"]
    assert body["identity"]["password"]["user"]["domain"] == user_domain
    assert body["scope"]["project"]["domain"] == project_domain


def test_legacy_tenant_and_user_id_from_the_environment(fetch: Fetch) -> None:
    environ = env(OS_AUTH_URL=AUTH_URL, OS_USER_ID="u-1", OS_PASSWORD=PASSWORD, OS_TENANT_NAME="old")
    auth, _ = resolve_auth(environ=environ)
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["identity"]["password"]["user"] == {"id": "u-1", "password": PASSWORD}
    assert keystone.last_body["auth"]["scope"]["project"]["name"] == "old"


@pytest.mark.parametrize("auth_type", [None, "v3applicationcredential"])
def test_application_credential_from_the_environment(fetch: Fetch, auth_type: str | None) -> None:
    environ = env(
        OS_AUTH_URL=AUTH_URL,
        OS_APPLICATION_CREDENTIAL_ID="ac-1",
        OS_APPLICATION_CREDENTIAL_SECRET=APP_SECRET,
        **({"OS_AUTH_TYPE": auth_type} if auth_type else {}),
    )
    auth, _ = resolve_auth(environ=environ)
    keystone = Keystone()
    fetch(auth, keystone)
    _app_credential_by_id(keystone.last_body)


def test_region_and_interface_from_the_environment_and_arguments(fetch: Fetch) -> None:
    environ = env(**PASSWORD_ENV, OS_REGION_NAME="RegionTwo", OS_INTERFACE="admin")
    auth, _ = resolve_auth(environ=environ)
    assert fetch(auth, Keystone()).endpoint == "http://admin.two:9292"
    auth, _ = resolve_auth(environ=environ, region="RegionOne", interface="internal")
    assert fetch(auth, Keystone()).endpoint == "http://glance.internal:9292"


def test_image_url_overrides_the_catalog_for_password_auth(fetch: Fetch) -> None:
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_IMAGE_URL="https://mine.example/v2"))
    keystone = Keystone(catalog=[])
    assert fetch(auth, keystone) == Credentials("https://mine.example", f"{ISSUED}-1")


def test_image_url_alone_is_an_unauthenticated_endpoint() -> None:
    auth, _ = resolve_auth(environ=env(OS_IMAGE_URL="http://glance:9292"))
    assert auth == StaticAuth("http://glance:9292", None)


def test_os_cloud_beats_password_variables(tmp_path: Path) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"prod": {"auth_type": "none", "endpoint_override": "https://c/"}}})
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_CLOUD="prod"), config_files=[clouds])
    assert auth == StaticAuth("https://c", None)


def test_cloud_argument_beats_the_environment(tmp_path: Path) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"prod": {"auth_type": "none", "endpoint_override": "https://c/"}}})
    environ = env(OS_TOKEN=USER_TOKEN, OS_IMAGE_URL="https://img.example", OS_CLOUD="other")
    auth, _ = resolve_auth(cloud="prod", environ=environ, config_files=[clouds])
    assert auth == StaticAuth("https://c", None)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OS_AUTH_URL": AUTH_URL}, "password auth needs a user"),
        ({"OS_AUTH_URL": AUTH_URL, "OS_USERNAME": "alice"}, "password auth needs"),
        ({"OS_AUTH_URL": AUTH_URL, "OS_APPLICATION_CREDENTIAL_SECRET": APP_SECRET}, "application_credential_id"),
        # Another keystoneauth plugin, without the options it needs.
        ({"OS_AUTH_URL": AUTH_URL, "OS_AUTH_TYPE": "v3oidcpassword", "OS_PASSWORD": PASSWORD}, "v3oidcpassword"),
        ({"OS_AUTH_URL": AUTH_URL, "OS_AUTH_TYPE": "none"}, "needs OS_IMAGE_URL"),
        ({"OS_AUTH_URL": "keystone:5000", **{k: v for k, v in PASSWORD_ENV.items() if k != "OS_AUTH_URL"}}, "http"),
        ({**PASSWORD_ENV, "OS_INTERFACE": "private"}, "interface"),
    ],
)
def test_incomplete_environment(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        resolve_auth(environ=env(**environ))
    assert "OS_* environment variables" in str(raised.value)
    assert_no_secret(str(raised.value))


@pytest.mark.parametrize("environ", [{}, {"OS_REGION_NAME": "RegionOne", "OS_USERNAME": "alice"}])
def test_nothing_found(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_auth(environ=env(**environ), config_files=[])
    message = str(raised.value)
    for option in ("--endpoint", "--token", "OS_CLOUD", "OS_AUTH_URL", "OS_IMAGE_URL"):
        assert option in message


def test_a_stray_token_is_explained() -> None:
    with pytest.raises(ConfigError, match="OS_TOKEN is set") as raised:
        resolve_auth(environ=env(OS_TOKEN=USER_TOKEN))
    assert_no_secret(str(raised.value))


def test_blank_variables_count_as_unset() -> None:
    with pytest.raises(ConfigError, match="no OpenStack credentials"):
        resolve_auth(environ=env(OS_CLOUD="", OS_AUTH_URL=" ", OS_TOKEN=""))


# --------------------------------------------------------------------------- TLS verification


def test_verify_from_the_environment(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    token_env = {"OS_TOKEN": USER_TOKEN, "OS_IMAGE_URL": "https://img.example"}
    assert resolve_auth(environ=env(**token_env))[1] is True
    assert resolve_auth(environ=env(**token_env, OS_CACERT=str(bundle)))[1] == str(bundle)
    assert resolve_auth(environ=env(**token_env, OS_INSECURE="true"))[1] is False
    assert resolve_auth(environ=env(**token_env, OS_INSECURE="1"))[1] is False
    assert resolve_auth(environ=env(**token_env, OS_INSECURE="false"))[1] is True
    # --insecure wins over a CA bundle, as in the OpenStack CLI.
    assert resolve_auth(environ=env(**token_env, OS_INSECURE="True", OS_CACERT=str(bundle)))[1] is False
    assert resolve_auth("https://x", environ=env(OS_CACERT=str(bundle)))[1] == str(bundle)
    assert resolve_auth(environ=env(**PASSWORD_ENV, OS_INSECURE="yes"))[1] is False


def test_missing_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="OS_CACERT"):
        resolve_auth("https://x", environ=env(OS_CACERT=str(tmp_path / "missing.pem")))


# --------------------------------------------------------------------------- clouds.yaml


def write_clouds(folder: Path, data: dict[str, Any], name: str = "clouds.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    # JSON is YAML; writing it keeps the test free of YAML quoting questions.
    path.write_text(json.dumps(data))
    return path


PROD_CLOUD: dict[str, Any] = {
    "region_name": "RegionTwo",
    "interface": "public",
    "auth": {
        "auth_url": "https://keystone.example:5000",
        "username": "alice",
        "project_name": "demo",
        "user_domain_name": "people",
        "project_domain_id": "pd-1",
    },
}


def test_clouds_yaml_with_secure_yaml(tmp_path: Path, fetch: Fetch, debug_log: pytest.LogCaptureFixture) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"prod": PROD_CLOUD}})
    write_clouds(tmp_path, {"clouds": {"prod": {"auth": {"password": PASSWORD}}}}, "secure.yaml")
    auth, verify = resolve_auth(cloud="prod", environ=env(), config_files=[clouds])
    assert verify is True
    assert_no_secret(repr(auth))
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == "https://cloud.example/image"
    assert str(keystone.requests[0].url) == TOKENS_URL
    assert keystone.last_body == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "alice", "domain": {"name": "people"}, "password": PASSWORD}},
            },
            "scope": {"project": {"name": "demo", "domain": {"id": "pd-1"}}},
        }
    }


def test_clouds_yaml_is_real_yaml(tmp_path: Path, fetch: Fetch) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  lab:\n"
        "    auth_type: v3applicationcredential\n"
        "    regions: [RegionTwo, RegionOne]\n"
        "    auth:\n"
        "      auth_url: https://keystone.example:5000/v3/\n"
        "      application_credential_id: ac-1\n"
        f"      application_credential_secret: {APP_SECRET}\n"
    )
    auth, _ = resolve_auth(cloud="lab", environ=env(), config_files=[clouds])
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == "https://cloud.example/image"
    _app_credential_by_id(keystone.last_body)


def test_numbers_in_clouds_yaml_are_text(tmp_path: Path, fetch: Fetch) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n  lab:\n    auth:\n"
        f"      auth_url: {AUTH_URL}\n      user_id: 1234\n      password: {PASSWORD}\n      project_id: 5678\n"
    )
    auth, _ = resolve_auth(cloud="lab", environ=env(), config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["identity"]["password"]["user"]["id"] == "1234"
    assert keystone.last_body["auth"]["scope"] == {"project": {"id": "5678"}}


def test_first_clouds_yaml_found_wins(tmp_path: Path) -> None:
    first = tmp_path / "a" / "clouds.yaml"
    second = write_clouds(tmp_path / "b", {"clouds": {"prod": {"auth_type": "none", "endpoint_override": "https://b"}}})
    auth, _ = resolve_auth(cloud="prod", environ=env(), config_files=[first, second])
    assert auth == StaticAuth("https://b", None)
    write_clouds(tmp_path / "a", {"clouds": {"prod": {"auth_type": "none", "endpoint_override": "https://a"}}})
    auth, _ = resolve_auth(cloud="prod", environ=env(), config_files=[first, second])
    assert auth == StaticAuth("https://a", None)


def test_os_client_config_file_and_os_cloud(tmp_path: Path, fetch: Fetch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    clouds = write_clouds(tmp_path / "etc", {"clouds": {"prod": PROD_CLOUD}}, "my-clouds.yaml")
    write_clouds(tmp_path / "etc", {"clouds": {"prod": {"auth": {"password": PASSWORD}}}}, "secure.yaml")
    environ = {"HOME": str(tmp_path / "home"), "OS_CLIENT_CONFIG_FILE": str(clouds), "OS_CLOUD": "prod"}
    auth, _ = resolve_auth(environ=environ)
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == "https://cloud.example/image"
    assert keystone.last_body["auth"]["identity"]["password"]["user"]["password"] == PASSWORD


def test_clouds_yaml_in_the_user_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    write_clouds(
        home / ".config" / "openstack", {"clouds": {"home": {"auth_type": "none", "endpoint_override": "https://h"}}}
    )
    auth, _ = resolve_auth(environ={"HOME": str(home), "OS_CLOUD": "home"})
    assert auth == StaticAuth("https://h", None)
    # ./clouds.yaml comes first.
    write_clouds(tmp_path, {"clouds": {"home": {"auth_type": "none", "endpoint_override": "https://here"}}})
    auth, _ = resolve_auth(environ={"HOME": str(home), "OS_CLOUD": "home"})
    assert auth == StaticAuth("https://here", None)


def test_os_client_secure_file(tmp_path: Path, fetch: Fetch) -> None:
    clouds = write_clouds(tmp_path / "conf", {"clouds": {"prod": PROD_CLOUD}})
    secure = write_clouds(tmp_path / "secrets", {"clouds": {"prod": {"auth": {"password": PASSWORD}}}}, "s.yaml")
    auth, _ = resolve_auth(cloud="prod", environ=env(OS_CLIENT_SECURE_FILE=str(secure)), config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["identity"]["password"]["user"]["password"] == PASSWORD


def test_unknown_cloud(tmp_path: Path) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"prod": PROD_CLOUD, "lab": PROD_CLOUD}})
    write_clouds(tmp_path, {"clouds": {"staging": {"auth": {"password": PASSWORD}}}}, "secure.yaml")
    missing = tmp_path / "nowhere" / "clouds.yaml"
    with pytest.raises(ConfigError) as raised:
        resolve_auth(cloud="prd", environ=env(), config_files=[missing, clouds])
    message = str(raised.value)
    assert "'prd'" in message
    assert "known clouds: lab, prod, staging" in message
    assert str(missing) in message and str(clouds) in message
    assert_no_secret(message)


def test_unknown_cloud_without_any_clouds_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"no clouds\.yaml found") as raised:
        resolve_auth(environ={"HOME": str(tmp_path), "OS_CLOUD": "prod"})
    message = str(raised.value)
    assert "OS_CLOUD" in message
    assert str(tmp_path / "clouds.yaml") in message
    assert str(tmp_path / ".config" / "openstack" / "clouds.yaml") in message
    assert "/etc/openstack/clouds.yaml" in message


def test_cloud_with_explicit_token(tmp_path: Path, fetch: Fetch) -> None:
    cloud = {**PROD_CLOUD, "auth": {**PROD_CLOUD["auth"], "password": PASSWORD}}
    clouds = write_clouds(tmp_path, {"clouds": {"prod": cloud}})
    auth, _ = resolve_auth(token=USER_TOKEN, cloud="prod", environ=env(), config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    body = keystone.last_body["auth"]
    assert body["identity"] == {"methods": ["token"], "token": {"id": USER_TOKEN}}
    assert body["scope"]["project"]["name"] == "demo"


@pytest.mark.parametrize(
    "cloud",
    [
        {"auth_type": "admin_token", "auth": {"token": USER_TOKEN}, "image_endpoint_override": "https://i/v2"},
        {"auth_type": "admin_token", "auth": {"token": USER_TOKEN, "endpoint": "https://i"}},
        {"auth_type": "none", "endpoint_override": "https://i/", "auth": {"token": USER_TOKEN}},
        # image_endpoint_override is more specific than endpoint_override.
        {
            "auth_type": "admin_token",
            "auth": {"token": USER_TOKEN},
            "image_endpoint_override": "https://i",
            "endpoint_override": "https://general",
        },
    ],
)
def test_cloud_without_keystone(tmp_path: Path, cloud: dict[str, Any]) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"c": cloud}})
    auth, _ = resolve_auth(cloud="c", environ=env(), config_files=[clouds])
    assert auth == StaticAuth("https://i", USER_TOKEN)
    assert_no_secret(repr(auth))


def test_cloud_endpoint_override_with_keystone(tmp_path: Path, fetch: Fetch) -> None:
    cloud = {**PROD_CLOUD, "image_endpoint_override": "https://mine/v2/"}
    cloud["auth"] = {**PROD_CLOUD["auth"], "password": PASSWORD}
    clouds = write_clouds(tmp_path, {"clouds": {"prod": cloud}})
    auth, _ = resolve_auth(cloud="prod", environ=env(), config_files=[clouds])
    assert fetch(auth, Keystone(catalog=[])) == Credentials("https://mine", f"{ISSUED}-1")


def test_cloud_region_and_interface_arguments_win(tmp_path: Path, fetch: Fetch) -> None:
    cloud = {**PROD_CLOUD, "auth": {**PROD_CLOUD["auth"], "password": PASSWORD}}
    clouds = write_clouds(tmp_path, {"clouds": {"prod": cloud}})
    auth, _ = resolve_auth(cloud="prod", environ=env(), config_files=[clouds], region="RegionOne", interface="internal")
    assert fetch(auth, Keystone()).endpoint == "http://glance.internal:9292"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, True),
        ({"verify": False}, False),
        ({"verify": "false"}, False),
        ({"verify": True}, True),
        ({"insecure": True, "verify": True}, False),
        ({"cacert": "BUNDLE"}, "BUNDLE"),
        ({"verify": "BUNDLE"}, "BUNDLE"),
        ({"verify": False, "cacert": "BUNDLE"}, False),
    ],
)
def test_cloud_verify(tmp_path: Path, settings: dict[str, Any], expected: bool | str) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = {key: str(bundle) if value == "BUNDLE" else value for key, value in settings.items()}
    clouds = write_clouds(
        tmp_path, {"clouds": {"c": {"auth_type": "none", "endpoint_override": "https://i", **settings}}}
    )
    _, verify = resolve_auth(cloud="c", environ=env(OS_INSECURE="true"), config_files=[clouds])
    assert verify == (str(bundle) if expected == "BUNDLE" else expected)


def test_cloud_missing_ca_bundle(tmp_path: Path) -> None:
    cloud = {"auth_type": "none", "endpoint_override": "https://i", "cacert": str(tmp_path / "nope.pem")}
    clouds = write_clouds(tmp_path, {"clouds": {"c": cloud}})
    with pytest.raises(ConfigError, match="CA bundle"):
        resolve_auth(cloud="c", environ=env(), config_files=[clouds])


@pytest.mark.parametrize(
    ("cloud", "message"),
    [
        (
            {"auth_type": "v3oidcpassword", "auth": {"auth_url": AUTH_URL}},
            "auth_type 'v3oidcpassword'",
        ),
        ({"auth": {"username": "alice", "password": PASSWORD}}, "auth_url is missing"),
        ({"auth": {"auth_url": AUTH_URL, "username": "alice"}}, "password auth needs"),
        ({"auth_type": "none"}, "needs image_endpoint_override"),
        ({"auth": ["not", "a", "mapping"]}, "auth must be a mapping"),
        ({"auth": {"auth_url": AUTH_URL, "username": {"nested": 1}}}, "auth.username must be a string"),
    ],
)
def test_bad_cloud(tmp_path: Path, cloud: dict[str, Any], message: str) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"c": cloud}})
    with pytest.raises(ConfigError, match=message) as raised:
        resolve_auth(cloud="c", environ=env(), config_files=[clouds])
    assert "cloud 'c' in " + str(clouds) in str(raised.value)
    assert_no_secret(str(raised.value))


def test_cloud_that_is_not_a_mapping(tmp_path: Path) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"c": "oops"}})
    with pytest.raises(ConfigError, match="expected a mapping"):
        resolve_auth(cloud="c", environ=env(), config_files=[clouds])


@pytest.mark.parametrize(
    "text", [f"clouds:\n  c:\n    auth: {{password: '{PASSWORD}\n", f"- {PASSWORD}\n", "clouds: 3\n"]
)
def test_broken_clouds_yaml(tmp_path: Path, text: str) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(text)
    with pytest.raises(ConfigError) as raised:
        resolve_auth(cloud="c", environ=env(), config_files=[clouds])
    assert str(clouds) in str(raised.value)
    assert_no_secret(str(raised.value))


def test_clouds_yaml_needs_pyyaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"prod": PROD_CLOUD}})
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes "import yaml" fail
    with pytest.raises(ConfigError, match=r"pip install 'imgql\[openstack\]'"):
        resolve_auth(cloud="prod", environ=env(), config_files=[clouds])


def test_no_clouds_yaml_needs_no_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV))
    assert isinstance(auth, KeystoneAuth)


def test_importing_credentials_code_does_not_import_yaml() -> None:
    code = "import sys, imgql.http.resolve; print('yaml' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- the one table of fields


def test_every_credential_field_is_read_from_its_variables_and_clouds_keys(tmp_path: Path) -> None:
    import attrs

    from imgql.http.clouds import from_cloud
    from imgql.http.credentials import CredentialFields
    from imgql.http.environment import env_fields

    for field in attrs.fields(CredentialFields):
        for variable in field.metadata["env"]:
            assert getattr(env_fields({variable: f"v-{field.name}"}), field.name) == f"v-{field.name}"
        assert field.repr is not field.metadata["secret"]
    secrets = CredentialFields(password="p" * 8, token="t" * 8, application_credential_secret="s" * 8)
    assert sorted(secrets.secrets()) == ["p" * 8, "s" * 8, "t" * 8]
    assert "pppppppp" not in repr(secrets)
    # tenant_name is the Keystone v2 spelling of project_name, in clouds.yaml as in OS_TENANT_NAME.
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        f"clouds:\n  c:\n    auth: {{auth_url: '{AUTH_URL}', username: u, password: pw-123456, tenant_name: legacy}}\n"
    )
    auth, _ = from_cloud("c", "test", env(), [clouds], None, None, None)
    assert "project_name='legacy'" in repr(auth)
