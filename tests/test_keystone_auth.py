"""Credentials as OpenStack users have them, against a real Keystone and a Glance that validates its tokens.

imgql is run through its public API (``imgql.Client()`` reading the
environment) and its CLI (``python -m imgql.cli``); the `openstack` CLI from
Keystone's virtualenv is the reference where behaviour should match. Every
image endpoint has its own loopback address, so the address Glance saw the
listing at tells which catalog entry a client chose.

Each behaviour that once differed from the ``openstack`` CLI has its test here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import imgql
from tests.keystone import topology as t
from tests.keystone.clients import Run, imgql_cli, imgql_names, imgql_python, openstack_names
from tests.keystone.fixture import KeystoneCloud

pytestmark = pytest.mark.keystone

# Exit codes of `imgql --help`.
EXIT_AUTH = 4

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_AUTH_URL_HINT = re.compile(r"auth[ _-]?url", re.IGNORECASE)


def assert_no_secret(cloud: KeystoneCloud, text: str, *tokens: str) -> None:
    for secret in (*cloud.secrets(), *tokens):
        assert secret not in text, "a password, secret or token appears in the output"


def assert_no_html(text: str) -> None:
    assert not _HTML.search(text), f"HTML passed through: {text!r}"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def use_env(monkeypatch: pytest.MonkeyPatch, home: Path) -> Callable[[Mapping[str, str]], None]:
    """Make this process's environment exactly ``variables`` as far as OpenStack is concerned."""

    def apply(variables: Mapping[str, str]) -> None:
        for name in [n for n in os.environ if n.startswith("OS_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return apply


def names_of(images: Any) -> set[str]:
    return {image["name"] for image in images}


# --------------------------------------------------------------------------- logging in


def test_password_from_openrc_matches_the_openstack_cli(keystone: KeystoneCloud, home: Path) -> None:
    env = {**keystone.clean_env(home), **keystone.password_vars(t.ALICE)}
    run, names = imgql_names(env)
    assert run.returncode == 0, run.stderr
    reference, expected = openstack_names(env)
    assert reference.returncode == 0, reference.stderr
    assert names == expected == keystone.visible_names(t.DEMO)


def test_password_from_the_environment_with_the_library(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.BOB))
    with imgql.Client() as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.OTHER)


def test_the_user_and_project_domains_tell_same_named_projects_apart(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.CAROL))
    with imgql.Client() as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.OTHER_DEMO)


def test_an_unversioned_auth_url_works(keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]) -> None:
    use_env(keystone.password_vars(t.ALICE, OS_AUTH_URL=keystone.keystone_root))
    with imgql.Client() as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)


def test_application_credential_matches_the_openstack_cli(keystone: KeystoneCloud, home: Path) -> None:
    env = {**keystone.clean_env(home), **keystone.app_credential_vars()}
    run, names = imgql_names(env)
    assert run.returncode == 0, run.stderr
    reference, expected = openstack_names(env)
    assert reference.returncode == 0, reference.stderr
    assert names == expected == keystone.visible_names(t.DEMO)


def test_application_credential_without_auth_type(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    # The secret alone says which method it is.
    variables = keystone.app_credential_vars()
    del variables["OS_AUTH_TYPE"]
    use_env(variables)
    with imgql.Client() as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)


def test_os_token_with_auth_url_finds_the_catalog(keystone: KeystoneCloud, home: Path) -> None:
    token = keystone.token(t.ALICE)
    env = {
        **keystone.clean_env(home),
        "OS_AUTH_URL": keystone.auth_url,
        "OS_TOKEN": token,
        "OS_PROJECT_NAME": t.DEMO.name,
        "OS_PROJECT_DOMAIN_NAME": t.DEMO.domain,
    }
    run, names = imgql_names(env)
    assert run.returncode == 0, run.stderr
    assert names == keystone.visible_names(t.DEMO)
    assert_no_secret(keystone, run.stderr, token)


def test_os_token_with_image_url_goes_straight_to_glance(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env({"OS_TOKEN": keystone.token(t.BOB), "OS_IMAGE_URL": keystone.endpoint_url(t.REGION_TWO, "public")})
    mark = keystone.mark()
    with imgql.Client() as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.OTHER)
    assert set(keystone.listing_addresses(mark)) == {keystone.address_of(t.REGION_TWO, "public")}


def test_clouds_yaml_with_secure_yaml_matches_the_openstack_cli(keystone: KeystoneCloud, home: Path) -> None:
    files = keystone.write_clouds(
        home / "config",
        {"mycloud": {"auth": keystone.cloud_auth(t.ALICE, with_password=False), "identity_api_version": 3}},
        secure={"mycloud": {"auth": {"password": t.ALICE.password}}},
    )
    env = {**keystone.clean_env(home), **files, "OS_CLOUD": "mycloud"}
    run, names = imgql_names(env)
    assert run.returncode == 0, run.stderr
    reference, expected = openstack_names(env)
    assert reference.returncode == 0, reference.stderr
    assert names == expected == keystone.visible_names(t.DEMO)


def test_application_credential_in_clouds_yaml(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None], home: Path
) -> None:
    cloud = {
        "auth_type": "v3applicationcredential",
        "auth": {"auth_url": keystone.auth_url, "application_credential_id": keystone.app_credential_id},
    }
    secure = {"appcred": {"auth": {"application_credential_secret": keystone.app_credential_secret}}}
    use_env(keystone.write_clouds(home / "config", {"appcred": cloud}, secure=secure))
    with imgql.Client(cloud="appcred") as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)


# --------------------------------------------------------------------------- choosing the endpoint


@pytest.mark.parametrize("entry", t.IMAGE_ENDPOINTS, ids=lambda e: f"{e.region}-{e.interface}-{e.suffix or 'root'}")
def test_every_catalog_entry_is_reachable_by_region_and_interface(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None], entry: t.ImageEndpoint
) -> None:
    # The entries end in "", "/v2" and "/v2/": each must become the same API root.
    use_env(keystone.password_vars(t.ALICE))
    mark = keystone.mark()
    with imgql.Client(region=entry.region, interface=entry.interface) as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)
    assert set(keystone.listing_addresses(mark)) == {entry.address}


def _openrc(cloud: KeystoneCloud, home: Path, **extra: str) -> dict[str, str]:
    return {**cloud.clean_env(home), **cloud.password_vars(t.ALICE, **extra)}


def _clouds(cloud: KeystoneCloud, home: Path, settings: Mapping[str, Any], **extra: str) -> dict[str, str]:
    entry = {"auth": cloud.cloud_auth(t.ALICE), "identity_api_version": 3, **settings}
    files = cloud.write_clouds(home / "config", {"mycloud": entry})
    return {**cloud.clean_env(home), **files, "OS_CLOUD": "mycloud", **extra}


@dataclass(frozen=True)
class Choice:
    """A way users pick a region or interface, and the catalog entry it must lead to."""

    id: str
    env: Callable[[KeystoneCloud, Path], dict[str, str]]
    region: str
    interface: str
    # Set while imgql gets it wrong (the openstack CLI gets it right).
    # Whether `openstack image list` is run too. Each run costs seconds, so
    # only where the expected entry is a question of how OpenStack clients behave.
    ask_reference: bool = True


CHOICES: tuple[Choice, ...] = (
    Choice("openrc", lambda c, h: _openrc(c, h), t.REGION_ONE, "public", ask_reference=False),
    Choice("OS_REGION_NAME", lambda c, h: _openrc(c, h, OS_REGION_NAME=t.REGION_TWO), t.REGION_TWO, "public"),
    Choice(
        "OS_INTERFACE",
        lambda c, h: _openrc(c, h, OS_INTERFACE="internal"),
        t.REGION_ONE,
        "internal",
        ask_reference=False,
    ),
    Choice(
        "OS_REGION_NAME+OS_INTERFACE",
        lambda c, h: _openrc(c, h, OS_REGION_NAME=t.REGION_TWO, OS_INTERFACE="admin"),
        t.REGION_TWO,
        "admin",
        ask_reference=False,
    ),
    Choice(
        "OS_ENDPOINT_TYPE",
        lambda c, h: _openrc(c, h, OS_ENDPOINT_TYPE="internalURL"),
        t.REGION_ONE,
        "internal",
    ),
    Choice(
        "clouds region_name",
        lambda c, h: _clouds(c, h, {"region_name": t.REGION_TWO}),
        t.REGION_TWO,
        "public",
        ask_reference=False,
    ),
    Choice(
        "clouds interface",
        lambda c, h: _clouds(c, h, {"interface": "internal"}),
        t.REGION_ONE,
        "internal",
        ask_reference=False,
    ),
    Choice(
        "OS_CLOUD+OS_REGION_NAME",
        lambda c, h: _clouds(c, h, {}, OS_REGION_NAME=t.REGION_TWO),
        t.REGION_TWO,
        "public",
    ),
    Choice(
        "OS_CLOUD+OS_INTERFACE",
        lambda c, h: _clouds(c, h, {}, OS_INTERFACE="internal"),
        t.REGION_ONE,
        "internal",
    ),
    Choice(
        "clouds regions values",
        lambda c, h: _clouds(c, h, {"regions": [{"name": t.REGION_TWO, "values": {"interface": "internal"}}]}),
        t.REGION_TWO,
        "internal",
    ),
    Choice(
        "clouds image_interface",
        lambda c, h: _clouds(c, h, {"image_interface": "internal"}),
        t.REGION_ONE,
        "internal",
    ),
)


def _imgql_choice(choice: Choice) -> Any:
    return pytest.param(choice, id=choice.id)


@pytest.mark.parametrize("choice", [pytest.param(c, id=c.id) for c in CHOICES if c.ask_reference])
def test_the_openstack_cli_reaches(keystone: KeystoneCloud, home: Path, choice: Choice) -> None:
    """The reference: where `openstack image list` sends the listing for each way of choosing."""
    mark = keystone.mark()
    run, names = openstack_names(choice.env(keystone, home))
    assert run.returncode == 0, run.stderr
    assert names == keystone.visible_names(t.DEMO)
    assert set(keystone.listing_addresses(mark)) == {keystone.address_of(choice.region, choice.interface)}


@pytest.mark.parametrize("choice", [_imgql_choice(c) for c in CHOICES])
def test_imgql_reaches_the_same_endpoint(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None], home: Path, choice: Choice
) -> None:
    # In this process, as the CLI would (it passes no region or interface of its own): seconds fewer per case.
    use_env(choice.env(keystone, home))
    mark = keystone.mark()
    with imgql.Client() as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)
    assert set(keystone.listing_addresses(mark)) == {keystone.address_of(choice.region, choice.interface)}


def test_a_region_without_an_image_endpoint_is_named_in_the_error(keystone: KeystoneCloud, home: Path) -> None:
    run = imgql_cli(_openrc(keystone, home, OS_REGION_NAME=t.REGION_EMPTY), "query", "images")
    assert run.returncode != 0
    assert t.REGION_EMPTY in run.stderr
    assert "Traceback" not in run.stderr
    assert_no_secret(keystone, run.stderr)


# --------------------------------------------------------------------------- tokens that stop working


def test_a_revoked_token_is_replaced_once_after_a_401(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    issued: list[str] = []

    def keep_tokens(response: httpx.Response) -> None:
        if "X-Subject-Token" in response.headers:
            issued.append(response.headers["X-Subject-Token"])

    use_env(keystone.password_vars(t.ALICE))
    http = httpx.Client(event_hooks={"response": [keep_tokens]}, timeout=60)
    with http, imgql.Client(http=http) as client:
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)
        assert len(issued) == 1
        keystone.revoke(issued[0])
        mark = keystone.mark()
        assert names_of(client.query("images")) == keystone.visible_names(t.DEMO)
    assert len(issued) == 2, "one new token after the 401"
    statuses = [e["status"] for e in keystone.glance.recorded(mark) if str(e["path"]).endswith("/v2/images")]
    assert statuses == [401, 200]


def test_a_revoked_token_given_directly_is_an_authentication_error(keystone: KeystoneCloud, home: Path) -> None:
    token = keystone.token(t.ALICE)
    keystone.revoke(token)
    env = {**keystone.clean_env(home), "OS_TOKEN": token, "OS_IMAGE_URL": keystone.endpoint_url(t.REGION_ONE)}
    run = imgql_cli(env, "query", "images")
    assert run.returncode == EXIT_AUTH, run.stderr
    assert_no_secret(keystone, run.stderr, token)


def test_a_401_message_has_no_html(keystone: KeystoneCloud, home: Path) -> None:
    token = keystone.token(t.ALICE)
    keystone.revoke(token)
    env = {**keystone.clean_env(home), "OS_TOKEN": token, "OS_IMAGE_URL": keystone.endpoint_url(t.REGION_ONE)}
    run = imgql_cli(env, "query", "images")
    assert run.returncode == EXIT_AUTH
    assert_no_html(run.stderr)


def _bad_token_env(cloud: KeystoneCloud) -> dict[str, str]:
    return {
        "OS_AUTH_URL": cloud.auth_url,
        "OS_TOKEN": "gAAAAABWrongToken",
        "OS_PROJECT_NAME": t.DEMO.name,
        "OS_PROJECT_DOMAIN_NAME": t.DEMO.domain,
    }


def test_a_bad_token_is_an_authentication_error(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(_bad_token_env(keystone))
    with pytest.raises(imgql.AuthenticationError) as caught, imgql.Client() as client:
        list(client.query("images"))
    assert "gAAAAABWrongToken" not in str(caught.value)


def test_a_bad_token_exits_with_the_authentication_code(keystone: KeystoneCloud, home: Path) -> None:
    run = imgql_cli({**keystone.clean_env(home), **_bad_token_env(keystone)}, "query", "images")
    assert run.returncode == EXIT_AUTH, run.stderr
    assert "gAAAAABWrongToken" not in run.stderr


# --------------------------------------------------------------------------- refusals and their messages


def test_a_wrong_password_is_refused_without_showing_it(keystone: KeystoneCloud, home: Path) -> None:
    wrong = "wrong-Password-0c5e9a"
    run = imgql_cli(_openrc(keystone, home, OS_PASSWORD=wrong), "query", "images")
    assert run.returncode == EXIT_AUTH
    assert wrong not in run.stderr
    assert_no_secret(keystone, run.stderr)
    assert_no_html(run.stderr)


def test_a_wrong_application_credential_secret_is_refused_without_showing_it(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    wrong = "wrong-Secret-3b71d2"
    use_env(keystone.app_credential_vars(OS_APPLICATION_CREDENTIAL_SECRET=wrong))
    with pytest.raises(imgql.AuthenticationError) as caught, imgql.Client() as client:
        list(client.query("images"))
    assert wrong not in str(caught.value)
    assert_no_secret(keystone, str(caught.value))


def _dave_env(cloud: KeystoneCloud, home: Path) -> dict[str, str]:
    return {**cloud.clean_env(home), **cloud.password_vars(t.DAVE)}


def test_a_role_glance_does_not_know_is_forbidden(keystone: KeystoneCloud, home: Path) -> None:
    run = imgql_cli(_dave_env(keystone, home), "query", "images")
    assert run.returncode == EXIT_AUTH
    assert "403" in run.stderr
    assert_no_secret(keystone, run.stderr)


def test_a_403_message_has_no_html(keystone: KeystoneCloud, home: Path) -> None:
    run = imgql_cli(_dave_env(keystone, home), "query", "images")
    assert run.returncode == EXIT_AUTH
    assert_no_html(run.stderr)


def _wrong_auth_urls(cloud: KeystoneCloud) -> dict[str, str]:
    return {
        # Glance answers its version list (HTTP 300).
        "glance": cloud.endpoint_url(t.REGION_ONE, "public"),
        "glance-v3": f"{cloud.endpoint_url(t.REGION_ONE, 'public')}/v3",
        # Keystone itself, on a path it does not serve (HTTP 404).
        "wrong-path": f"{cloud.keystone_root}/identity/v3",
    }


@pytest.mark.parametrize("which", ["glance", "glance-v3", "wrong-path"])
def test_a_wrong_auth_url_fails_cleanly(keystone: KeystoneCloud, home: Path, which: str) -> None:
    url = _wrong_auth_urls(keystone)[which]
    run = imgql_cli(_openrc(keystone, home, OS_AUTH_URL=url), "query", "images")
    assert run.returncode != 0
    assert url in run.stderr
    assert "Traceback" not in run.stderr
    assert_no_secret(keystone, run.stderr)


@pytest.mark.parametrize("which", ["glance", "glance-v3", "wrong-path"])
def test_a_wrong_auth_url_says_to_check_it(keystone: KeystoneCloud, home: Path, which: str) -> None:
    run = imgql_cli(_openrc(keystone, home, OS_AUTH_URL=_wrong_auth_urls(keystone)[which]), "query", "images")
    assert _AUTH_URL_HINT.search(run.stderr), run.stderr
    assert_no_html(run.stderr)


# --------------------------------------------------------------------------- logs

_DEBUG_LOGGING_RUN = """\
import logging, sys
import imgql
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
with imgql.Client() as client:
    print(len(list(client.query("images"))))
"""


def _debug_run(cloud: KeystoneCloud, home: Path) -> Run:
    return imgql_python(_openrc(cloud, home), _DEBUG_LOGGING_RUN)


def test_debug_logging_shows_no_password(keystone: KeystoneCloud, home: Path) -> None:
    run = _debug_run(keystone, home)
    assert run.returncode == 0, run.stderr
    assert_no_secret(keystone, run.stderr)


def test_debug_logging_shows_no_token(keystone: KeystoneCloud, home: Path) -> None:
    run = _debug_run(keystone, home)
    assert run.returncode == 0, run.stderr
    # Every fernet token starts so; the logs may name the header, never its value.
    assert "gAAAAA" not in run.stderr
