"""imgql inside an OpenStack application: a keystoneauth1 Session, an openstacksdk Connection.

Against the real Keystone and the Glance behind it (tests/keystone): the
application logs in once, and imgql uses that login. Keystone records every
request it receives, so "no second token request" is counted, not assumed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

import imgql
from tests.keystone import topology as t
from tests.keystone.fixture import KeystoneCloud

pytestmark = pytest.mark.keystone


def token_requests(keystone: KeystoneCloud, since: int) -> int:
    """How many tokens were asked for (``POST /v3/auth/tokens``) since ``since``."""
    return sum(
        1
        for entry in keystone.keystone.recorded(since)
        if entry["method"] == "POST" and str(entry["path"]).rstrip("/").endswith("/auth/tokens")
    )


def keystone_mark(keystone: KeystoneCloud) -> int:
    return len(keystone.keystone.recorded())


@pytest.fixture
def no_os_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OS_* variable and no clouds.yaml of the person running the tests."""
    import os

    for name in [n for n in os.environ if n.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    return tmp_path


@pytest.fixture
def connection(keystone: KeystoneCloud, no_os_env: Path) -> Iterator[object]:
    import openstack

    auth = keystone.cloud_auth(t.ALICE)
    conn = openstack.connect(auth=auth, identity_api_version="3", region_name=t.REGION_ONE)
    try:
        yield conn
    finally:
        conn.close()


def test_from_connection_lists_what_the_sdk_lists_without_a_second_token(
    keystone: KeystoneCloud, connection: object
) -> None:
    expected = {image.id for image in connection.image.images()}  # type: ignore[attr-defined]
    mark, glance_mark = keystone_mark(keystone), keystone.mark()
    with imgql.Client.from_connection(connection) as client:
        found = {image.id for image in client.query("images")}
        names = {image.name for image in client.query("images where name like '*'")}
    assert found == expected and len(found) == len(keystone.visible_names(t.DEMO))
    assert names == keystone.visible_names(t.DEMO)
    assert token_requests(keystone, mark) == 0
    assert set(keystone.listing_addresses(glance_mark)) == {keystone.address_of(t.REGION_ONE, "public")}


def test_a_session_gives_token_and_endpoint_with_region_and_interface(
    keystone: KeystoneCloud, no_os_env: Path
) -> None:
    from keystoneauth1 import session
    from keystoneauth1.identity import v3

    account = t.ALICE
    plugin = v3.Password(
        auth_url=keystone.auth_url,
        username=account.username,
        password=account.password,
        user_domain_name=account.domain,
        project_name=account.project.name,
        project_domain_name=account.project.domain,
    )
    sess = session.Session(auth=plugin)
    mark, glance_mark = keystone_mark(keystone), keystone.mark()
    with imgql.Client(session=sess, region=t.REGION_TWO, interface="internal") as client:
        names = {image.name for image in client.query("images")}
        regions = {image.region for image in client.query("images where region = * and name = $n", n=t.PUBLIC_IMAGE)}
        assert account.password not in repr(client)

    async def listed() -> set[str]:
        async with imgql.AsyncClient(session=sess, region=t.REGION_ONE) as client:
            return {image.name async for image in client.query("images")}

    assert names == asyncio.run(listed()) == keystone.visible_names(t.DEMO)
    assert regions == {t.REGION_ONE, t.REGION_TWO}
    # One login for the session, shared by both clients and every region.
    assert token_requests(keystone, mark) == 1
    addresses = set(keystone.listing_addresses(glance_mark))
    assert keystone.address_of(t.REGION_TWO, "internal") in addresses
    assert keystone.address_of(t.REGION_ONE, "public") in addresses


def test_image_endpoint_override_of_clouds_yaml_is_used(
    keystone: KeystoneCloud, no_os_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openstack

    override = keystone.endpoint_url(t.REGION_TWO, "admin")
    files = keystone.write_clouds(
        no_os_env / "config",
        {"mycloud": {"auth": keystone.cloud_auth(t.ALICE), "image_endpoint_override": override}},
    )
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", files["OS_CLIENT_CONFIG_FILE"])
    conn = openstack.connect(cloud="mycloud")
    try:
        glance_mark = keystone.mark()
        with imgql.Client.from_connection(conn) as client:
            names = {image.name for image in client.query("images")}
    finally:
        conn.close()
    assert names == keystone.visible_names(t.DEMO)
    assert set(keystone.listing_addresses(glance_mark)) == {keystone.address_of(t.REGION_TWO, "admin")}
