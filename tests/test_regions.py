"""One query over several regions and clouds, against a real Keystone and the Glance behind it.

The harness registers RegionOne and RegionTwo image endpoints (each on its own
loopback address) and RegionThree without one. One Glance serves both
regions, so the regions are told apart by the address each listing reached
and by the labels imgql puts on each image; the reference is what
``openstack --os-region-name R image list`` lists in each region.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import imgql
from tests.keystone import topology as t
from tests.keystone.clients import imgql_cli, openstack_cli
from tests.keystone.fixture import KeystoneCloud

pytestmark = pytest.mark.keystone

BOTH = f"region in ({t.REGION_ONE}, {t.REGION_TWO})"


@pytest.fixture
def use_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[Mapping[str, str]], None]:
    def apply(variables: Mapping[str, str]) -> None:
        for name in [n for n in os.environ if n.startswith("OS_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return apply


def reference(keystone: KeystoneCloud, home: Path, region: str) -> dict[str, str]:
    """id -> name of what the openstack CLI lists in ``region``."""
    env = {**keystone.clean_env(home), **keystone.password_vars(t.ALICE, OS_REGION_NAME=region)}
    run = openstack_cli(env, "image", "list", "-f", "json")
    assert run.returncode == 0, run.stderr
    return {image["ID"]: image["Name"] for image in run.json()}


def by_region(images: Any) -> dict[str | None, dict[str, str]]:
    found: dict[str | None, dict[str, str]] = {}
    for image in images:
        found.setdefault(image.region, {})[image.id] = image.name
    return found


def test_the_union_is_what_each_region_lists(
    keystone: KeystoneCloud, tmp_path: Path, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.ALICE))
    mark = keystone.mark()
    with imgql.Client() as client:
        images = list(client.query(f"images where {BOTH} order by region, name"))
    expected = {region: reference(keystone, tmp_path, region) for region in (t.REGION_ONE, t.REGION_TWO)}
    assert by_region(images) == expected
    # The same image ids in both regions are two results each, one per region.
    assert len(images) == sum(len(listed) for listed in expected.values())
    assert [image.region for image in images] == sorted(image.region or "" for image in images)
    reached = set(keystone.listing_addresses(mark))
    assert reached == {keystone.address_of(t.REGION_ONE), keystone.address_of(t.REGION_TWO)}


def test_every_region_is_the_regions_with_an_image_endpoint(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.ALICE))
    with imgql.Client() as client:
        every = by_region(client.query("images where region = *"))
        named = by_region(client.query(f"images where {BOTH}"))
    assert every == named
    assert set(every) == {t.REGION_ONE, t.REGION_TWO}


def test_the_async_client_gives_the_same_union(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.ALICE))

    async def collect() -> list[imgql.Image]:
        async with imgql.AsyncClient() as client:
            return [image async for image in client.query(f"images where {BOTH} order by region desc")]

    images = asyncio.run(collect())
    with imgql.Client() as client:
        expected = list(client.query(f"images where {BOTH} order by region desc"))
    assert [(i.region, i.id) for i in images] == [(i.region, i.id) for i in expected]
    assert images[0].region == t.REGION_TWO


def test_one_token_serves_every_region(keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]) -> None:
    import httpx

    tokens: list[str] = []

    def keep_tokens(response: httpx.Response) -> None:
        if "X-Subject-Token" in response.headers:
            tokens.append(response.headers["X-Subject-Token"])

    use_env(keystone.password_vars(t.ALICE))
    http = httpx.Client(event_hooks={"response": [keep_tokens]}, timeout=60)
    with http, imgql.Client(http=http) as client:
        list(client.query("images where region = *"))
        list(client.query(f"images where {BOTH} and name = x"))
    assert len(tokens) == 1


def test_one_per_region_gives_each_regions_id(
    keystone: KeystoneCloud, tmp_path: Path, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.ALICE))
    with imgql.Client() as client:
        found = client.one(f"images where name = '{t.PUBLIC_IMAGE}'", per="region")
    assert set(found) == {t.REGION_ONE, t.REGION_TWO}
    for region, image in found.items():
        listed = reference(keystone, tmp_path, region)
        assert image.region == region
        assert listed[image.id] == t.PUBLIC_IMAGE


def test_one_per_region_names_the_region_with_no_match(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.ALICE))
    with imgql.Client() as client, pytest.raises(imgql.MultipleFound) as caught:
        client.one(f"images where {BOTH}", per="region")
    assert t.REGION_ONE in str(caught.value) and t.REGION_TWO in str(caught.value)


def test_a_region_without_an_image_endpoint_fails_the_query_by_name(
    keystone: KeystoneCloud, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(keystone.password_vars(t.ALICE))
    query = f"images where region in ({t.REGION_ONE}, {t.REGION_EMPTY})"
    with imgql.Client() as client, pytest.raises(imgql.RegionError) as caught:
        list(client.query(query))
    assert t.REGION_EMPTY in str(caught.value)
    assert t.REGION_ONE not in str(caught.value).split(":")[0]
    with imgql.Client(partial=True) as client, warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        images = list(client.query(query))
    assert {image.region for image in images} == {t.REGION_ONE}
    partial = [w.message for w in caught_warnings if isinstance(w.message, imgql.PartialAnswerWarning)]
    assert len(partial) == 1 and t.REGION_EMPTY in str(partial[0])


def _clouds(keystone: KeystoneCloud, home: Path) -> dict[str, str]:
    """Two clouds: `prod` (RegionOne) and `dead`, whose Glance address answers nothing."""
    auth = keystone.cloud_auth(t.ALICE)
    clouds = {
        "prod": {"auth": auth, "region_name": t.REGION_ONE},
        "staging": {"auth": auth, "region_name": t.REGION_TWO},
        "dead": {"auth": auth, "region_name": t.REGION_ONE, "image_endpoint_override": "http://127.0.0.1:9"},
    }
    return keystone.write_clouds(home / "config", clouds)


def test_clouds_each_answer_and_a_dead_one_is_named(
    keystone: KeystoneCloud, tmp_path: Path, use_env: Callable[[Mapping[str, str]], None]
) -> None:
    use_env(_clouds(keystone, tmp_path))
    with imgql.Client(cloud="prod", retries=0) as client:
        images = list(client.query("images where cloud in (prod, staging) order by cloud desc"))
        assert {(i.cloud, i.region) for i in images} == {("prod", t.REGION_ONE), ("staging", t.REGION_TWO)}
        assert images[0].cloud == "staging"
        with pytest.raises(imgql.RegionError) as caught:
            list(client.query("images where cloud in (prod, dead)"))
    assert "dead" in str(caught.value)
    with imgql.Client(cloud="prod", retries=0, partial=True) as client, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        images = list(client.query("images where cloud in (prod, dead)"))
    assert {i.cloud for i in images} == {"prod"}
    assert any("dead" in str(w.message) for w in seen if isinstance(w.message, imgql.PartialAnswerWarning))


def test_cli_all_regions_and_several_clouds(keystone: KeystoneCloud, tmp_path: Path) -> None:
    env = {**keystone.clean_env(tmp_path), **keystone.password_vars(t.ALICE)}
    run = imgql_cli(env, "query", "--all-regions", "-f", "json", "images order by region")
    assert run.returncode == 0, run.stderr
    assert {row["region"] for row in run.json()} == {t.REGION_ONE, t.REGION_TWO}
    table = imgql_cli(env, "query", "--all-regions", f"images where name = '{t.PUBLIC_IMAGE}'")
    assert "Region" in table.stdout, table.stdout
    clouds_env = {**keystone.clean_env(tmp_path), **_clouds(keystone, tmp_path)}
    run = imgql_cli(clouds_env, "query", "--os-cloud", "prod", "--os-cloud", "dead", "images")
    assert run.returncode != 0
    assert "dead" in run.stderr and "Traceback" not in run.stderr
    partial = imgql_cli(
        clouds_env, "query", "--os-cloud", "prod", "--os-cloud", "dead", "--partial", "-f", "json", "images"
    )
    assert partial.returncode != 0
    assert {row["cloud"] for row in partial.json()} == {"prod"}
    assert "dead" in partial.stderr
    config = tmp_path / "deploy.yaml"
    config.write_text(f'image: "images where region = * and name = {t.PUBLIC_IMAGE}"\n')
    resolved = imgql_cli(env, "check", "--resolve", str(config))
    assert resolved.returncode == 0, resolved.stderr
    assert t.REGION_ONE in resolved.stdout and t.REGION_TWO in resolved.stdout


def test_cli_keeps_the_region_and_cloud_of_a_single_place_query(keystone: KeystoneCloud, tmp_path: Path) -> None:
    env = {**keystone.clean_env(tmp_path), **_clouds(keystone, tmp_path)}
    one = f"images where name = '{t.PUBLIC_IMAGE}'"
    run = imgql_cli(
        env, "--os-cloud", "prod", "--os-region-name", t.REGION_TWO, "query", "-f", "json", "-c", "region", "-c",
        "cloud", "--one", one,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.json() == {"region": t.REGION_TWO, "cloud": "prod"}
    table = imgql_cli(env, "--os-cloud", "prod", "query", "-c", "name", "-c", "region", one)
    assert t.REGION_ONE in table.stdout, table.stdout


def test_cli_chosen_columns_over_several_regions_keep_the_region(keystone: KeystoneCloud, tmp_path: Path) -> None:
    env = {**keystone.clean_env(tmp_path), **keystone.password_vars(t.ALICE)}
    one = f"images where name = '{t.PUBLIC_IMAGE}'"
    run = imgql_cli(env, "query", "--all-regions", "-f", "json", "-c", "name", one)
    assert run.returncode == 0, run.stderr
    assert sorted((row["name"], row["region"]) for row in run.json()) == [
        (t.PUBLIC_IMAGE, t.REGION_ONE),
        (t.PUBLIC_IMAGE, t.REGION_TWO),
    ]
    table = imgql_cli(env, "query", "--all-regions", "-c", "name", "-c", "size", "-c", "tags", one)
    assert "Region" in table.stdout and t.REGION_TWO in table.stdout, table.stdout
