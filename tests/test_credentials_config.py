"""clouds.yaml and OS_* settings as the openstack CLI reads them (docs/credentials.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from imgql.errors import ConfigError
from imgql.http.keystone import KeystoneAuth
from imgql.http.resolve import resolve_auth
from tests.test_auth import (
    AUTH_URL,
    PASSWORD,
    PASSWORD_ENV,
    Fetch,
    Keystone,
    assert_no_secret,
    env,
    fetch_async,
    fetch_sync,
    write_clouds,
)

REGION_ONE_PUBLIC = "https://image-one.example:9292"
REGION_ONE_INTERNAL = "http://glance.internal:9292"
REGION_TWO_PUBLIC = "https://cloud.example/image"
REGION_TWO_ADMIN = "http://admin.two:9292"


@pytest.fixture(params=["sync", "async"])
def fetch(request: pytest.FixtureRequest) -> Fetch:
    return fetch_sync if request.param == "sync" else fetch_async


def cloud(**settings: Any) -> dict[str, Any]:
    auth = {"auth_url": AUTH_URL, "username": "alice", "password": PASSWORD, "project_name": "demo"}
    auth.update(settings.pop("auth", {}))
    return {"auth": auth, **settings}


def endpoint_of(tmp_path: Path, fetch: Fetch, settings: dict[str, Any], **environ: str) -> str:
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": settings}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud", **environ), config_files=[clouds])
    endpoint: str = fetch(auth, Keystone()).endpoint
    return endpoint


# --------------------------------------------------------------------------- region and interface


def test_os_region_name_overrides_the_cloud_chosen_by_os_cloud(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(regions=["RegionOne", "RegionTwo"])
    assert endpoint_of(tmp_path, fetch, settings) == REGION_ONE_PUBLIC
    assert endpoint_of(tmp_path, fetch, settings, OS_REGION_NAME="RegionTwo") == REGION_TWO_PUBLIC
    assert endpoint_of(tmp_path, fetch, cloud(region_name="RegionOne"), OS_REGION_NAME="RegionTwo") == (
        REGION_TWO_PUBLIC
    )


def test_os_interface_overrides_the_cloud(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(region_name="RegionTwo", interface="public")
    assert endpoint_of(tmp_path, fetch, settings, OS_INTERFACE="admin") == REGION_TWO_ADMIN
    # The legacy name, in the legacy spelling.
    assert endpoint_of(tmp_path, fetch, settings, OS_ENDPOINT_TYPE="adminURL") == REGION_TWO_ADMIN
    assert endpoint_of(tmp_path, fetch, settings, OS_INTERFACE="admin", OS_ENDPOINT_TYPE="publicURL") == (
        REGION_TWO_ADMIN
    )


def test_explicit_region_and_interface_win_over_the_environment(tmp_path: Path, fetch: Fetch) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud(image_interface="admin")}})
    environ = env(OS_CLOUD="mycloud", OS_REGION_NAME="RegionTwo", OS_INTERFACE="admin")
    auth, _ = resolve_auth(environ=environ, config_files=[clouds], region="RegionOne", interface="internal")
    assert fetch(auth, Keystone()).endpoint == REGION_ONE_INTERNAL


def test_per_region_values_are_laid_over_the_cloud(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(regions=[{"name": "RegionTwo", "values": {"interface": "admin"}}, "RegionOne"])
    assert endpoint_of(tmp_path, fetch, settings) == REGION_TWO_ADMIN
    # The values of the region chosen, not of the first one.
    settings = cloud(regions=["RegionTwo", {"name": "RegionOne", "values": {"interface": "internal"}}])
    assert endpoint_of(tmp_path, fetch, settings) == REGION_TWO_PUBLIC
    assert endpoint_of(tmp_path, fetch, settings, OS_REGION_NAME="RegionOne") == REGION_ONE_INTERNAL
    # OS_INTERFACE wins over a region's values, as in the CLI.
    assert endpoint_of(tmp_path, fetch, settings, OS_REGION_NAME="RegionOne", OS_INTERFACE="public") == (
        REGION_ONE_PUBLIC
    )


def test_region_values_may_hold_auth_settings(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(regions=[{"name": "RegionTwo", "values": {"auth": {"project_name": "two"}}}])
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": settings}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["scope"]["project"]["name"] == "two"


def test_image_interface_wins_over_the_general_one(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(region_name="RegionOne", interface="public", image_interface="internal")
    assert endpoint_of(tmp_path, fetch, settings) == REGION_ONE_INTERNAL
    assert endpoint_of(tmp_path, fetch, settings, OS_INTERFACE="public") == REGION_ONE_INTERNAL


def test_image_interface_and_endpoint_type_from_the_environment(fetch: Fetch) -> None:
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_ENDPOINT_TYPE="internalURL"))
    assert fetch(auth, Keystone()).endpoint == REGION_ONE_INTERNAL
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_INTERFACE="public", OS_IMAGE_INTERFACE="internal"))
    assert fetch(auth, Keystone()).endpoint == REGION_ONE_INTERNAL


def test_image_endpoint_override(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(image_endpoint_override="https://mine.example/v2/")
    assert endpoint_of(tmp_path, fetch, settings) == "https://mine.example"
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_IMAGE_ENDPOINT_OVERRIDE="https://env.example"))
    assert fetch(auth, Keystone()).endpoint == "https://env.example"


def test_image_api_version_is_accepted(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(image_api_version="2")
    assert endpoint_of(tmp_path, fetch, settings, OS_IMAGE_API_VERSION="2") == REGION_ONE_PUBLIC
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_IMAGE_API_VERSION="2"))
    assert fetch(auth, Keystone()).endpoint == REGION_ONE_PUBLIC


# --------------------------------------------------------------------------- OS_* merged into a cloud


def test_os_password_fills_a_cloud_without_one(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud()
    del settings["auth"]["password"]
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": settings}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud", OS_PASSWORD=PASSWORD), config_files=[clouds])
    assert_no_secret(repr(auth))
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["identity"]["password"]["user"]["password"] == PASSWORD


def test_the_cloud_keeps_what_it_sets(tmp_path: Path, fetch: Fetch) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud()}})
    environ = env(OS_CLOUD="mycloud", OS_USERNAME="bob", OS_PASSWORD="other-password", OS_USER_DOMAIN_NAME="corp")
    auth, _ = resolve_auth(environ=environ, config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    user = keystone.last_body["auth"]["identity"]["password"]["user"]
    assert user == {"name": "alice", "password": PASSWORD, "domain": {"name": "corp"}}


def test_a_stray_variable_does_not_change_the_clouds_method(tmp_path: Path, fetch: Fetch) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud()}})
    environ = env(OS_CLOUD="mycloud", OS_APPLICATION_CREDENTIAL_SECRET="stray-secret")
    auth, _ = resolve_auth(environ=environ, config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["identity"]["methods"] == ["password"]


def test_the_cloud_argument_reads_the_environment_too(tmp_path: Path, fetch: Fetch) -> None:
    # As `openstack --os-cloud mycloud` with OS_REGION_NAME set.
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud(regions=["RegionOne", "RegionTwo"])}})
    auth, _ = resolve_auth(cloud="mycloud", environ=env(OS_REGION_NAME="RegionTwo"), config_files=[clouds])
    assert fetch(auth, Keystone()).endpoint == REGION_TWO_PUBLIC


# --------------------------------------------------------------------------- envvars, domains, system scope


def test_envvars_is_the_cloud_made_from_os_variables(fetch: Fetch) -> None:
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, OS_CLOUD="envvars"), config_files=[])
    assert isinstance(auth, KeystoneAuth)
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == REGION_ONE_PUBLIC
    auth, _ = resolve_auth(cloud="envvars", environ=env(**PASSWORD_ENV, OS_REGION_NAME="RegionTwo"))
    assert fetch(auth, keystone).endpoint == REGION_TWO_PUBLIC


def test_envvars_without_os_auth_url() -> None:
    with pytest.raises(ConfigError, match=r"'envvars'.*OS_AUTH_URL is not set"):
        resolve_auth(environ=env(OS_CLOUD="envvars"), config_files=[])


@pytest.mark.parametrize(
    ("extra", "user_domain", "project_domain"),
    [
        ({"OS_DEFAULT_DOMAIN": "dd-1"}, {"id": "dd-1"}, {"id": "dd-1"}),
        ({"OS_DEFAULT_DOMAIN_NAME": "Corp"}, {"name": "Corp"}, {"name": "Corp"}),
        ({"OS_DEFAULT_DOMAIN": "dd-1", "OS_USER_DOMAIN_NAME": "people"}, {"name": "people"}, {"id": "dd-1"}),
        ({"OS_DEFAULT_DOMAIN": "dd-1", "OS_DOMAIN_NAME": "corp"}, {"name": "corp"}, {"name": "corp"}),
    ],
)
def test_default_domain_from_the_environment(
    fetch: Fetch, extra: dict[str, str], user_domain: dict[str, str], project_domain: dict[str, str]
) -> None:
    auth, _ = resolve_auth(environ=env(**PASSWORD_ENV, **extra))
    keystone = Keystone()
    fetch(auth, keystone)
    body = keystone.last_body["auth"]
    assert body["identity"]["password"]["user"]["domain"] == user_domain
    assert body["scope"]["project"]["domain"] == project_domain


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [("default_domain_id", "dd-2", {"id": "dd-2"}), ("default_domain_name", "Corp", {"name": "Corp"})],
)
def test_default_domain_in_clouds_yaml(
    tmp_path: Path, fetch: Fetch, key: str, value: str, expected: dict[str, str]
) -> None:
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud(auth={key: value})}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    body = keystone.last_body["auth"]
    assert body["identity"]["password"]["user"]["domain"] == expected
    assert body["scope"]["project"]["domain"] == expected


def test_system_scope(tmp_path: Path, fetch: Fetch) -> None:
    settings = cloud(auth={"system_scope": "all"})
    del settings["auth"]["project_name"]
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": settings}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    keystone = Keystone()
    fetch(auth, keystone)
    assert keystone.last_body["auth"]["scope"] == {"system": {"all": True}}


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"OS_SYSTEM_SCOPE": "all"}, "cannot both be set"), ({"OS_SYSTEM_SCOPE": "nova"}, "must be 'all'")],
)
def test_system_scope_mistakes(extra: dict[str, str], message: str) -> None:
    environ = env(**PASSWORD_ENV, **extra)
    if "nova" in extra.values():
        del environ["OS_PROJECT_NAME"]
    with pytest.raises(ConfigError, match=message):
        resolve_auth(environ=environ)


# --------------------------------------------------------------------------- profiles


def test_profile_from_clouds_public_yaml(tmp_path: Path, fetch: Fetch) -> None:
    public = {"public-clouds": {"acme": {"auth": {"auth_url": AUTH_URL}, "regions": ["RegionTwo"]}}}
    write_clouds(tmp_path, public, "clouds-public.yaml")
    settings: dict[str, Any] = {"profile": "acme", "auth": {"username": "alice", "password": PASSWORD}}
    settings["auth"]["project_name"] = "demo"
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": settings}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    keystone = Keystone()
    assert fetch(auth, keystone).endpoint == REGION_TWO_PUBLIC
    assert str(keystone.requests[0].url).startswith(AUTH_URL)


def test_the_cloud_wins_over_its_profile(tmp_path: Path, fetch: Fetch) -> None:
    public = {"public-clouds": {"acme": {"auth": {"auth_url": "https://elsewhere.example/v3"}, "region_name": "X"}}}
    write_clouds(tmp_path, public, "clouds-public.yaml")
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud(profile="acme", region_name="RegionTwo")}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    assert fetch(auth, Keystone()).endpoint == REGION_TWO_PUBLIC


def test_vendor_profile_shipped_with_openstacksdk(tmp_path: Path) -> None:
    pytest.importorskip("openstack")
    settings = {"profile": "limestonenetworks", "auth": {"username": "alice", "password": PASSWORD}}
    clouds = write_clouds(tmp_path, {"clouds": {"lstn": settings}})
    auth, _ = resolve_auth(environ=env(OS_CLOUD="lstn"), config_files=[clouds])
    assert "auth_url='https://auth.cloud.lstn.net:5000/v3'" in repr(auth)
    assert "region='us-dfw-1'" in repr(auth)


def test_unknown_profile(tmp_path: Path) -> None:
    pytest.importorskip("openstack")
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud(profile="no-such-vendor")}})
    with pytest.raises(ConfigError, match=r"profile 'no-such-vendor' is neither in a clouds-public\.yaml") as raised:
        resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    # The profiles there are, on every openstacksdk from the floor up.
    assert "ovh" in str(raised.value)


def test_vendor_profile_without_openstacksdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openstack", None)
    clouds = write_clouds(tmp_path, {"clouds": {"mycloud": cloud(profile="ovh")}})
    with pytest.raises(ConfigError, match=r"profile 'ovh'.*pip install 'imgql\[openstack\]'") as raised:
        resolve_auth(environ=env(OS_CLOUD="mycloud"), config_files=[clouds])
    assert "auth_url is missing" not in str(raised.value)
