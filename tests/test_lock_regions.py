"""`imgql lock` over two places, through a real Keystone's catalog and the Glance behind it.

The images made here are deleted at the end, so the other tests' listings of
the demo project are as the harness seeded them.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.keystone import topology as t
from tests.keystone.clients import imgql_cli
from tests.keystone.fixture import KeystoneCloud

pytestmark = pytest.mark.keystone


@pytest.fixture
def glance_as_alice(keystone: KeystoneCloud) -> Iterator[tuple[httpx.Client, list[str]]]:
    made: list[str] = []
    headers = {"X-Auth-Token": keystone.token(t.ALICE)}
    with httpx.Client(base_url=keystone.endpoint_url(t.REGION_ONE), headers=headers, timeout=60) as glance:
        yield glance, made
        for image_id in made:
            glance.delete(f"/v2/images/{image_id}")


def _active_image(glance: httpx.Client, made: list[str], name: str, tag: str) -> str:
    time.sleep(1.05)  # created_at has whole seconds: the next image is strictly newer
    body = {"name": name, "visibility": "private", "disk_format": "raw", "container_format": "bare", "tags": [tag]}
    created = glance.post("/v2/images", json=body)
    assert created.status_code == 201, created.text
    image_id = str(created.json()["id"])
    made.append(image_id)
    upload = glance.put(
        f"/v2/images/{image_id}/file", content=name.encode(), headers={"Content-Type": "application/octet-stream"}
    )
    assert upload.status_code == 204, upload.text
    return image_id


def test_a_query_over_two_regions_is_pinned_in_each(
    keystone: KeystoneCloud, glance_as_alice: tuple[httpx.Client, list[str]], tmp_path: Path
) -> None:
    glance, made = glance_as_alice
    tag = f"lock-{uuid.uuid4().hex[:10]}"
    first = _active_image(glance, made, "golden-1", tag)
    config = tmp_path / "deploy.yaml"
    both = f"region in ({t.REGION_ONE}, {t.REGION_TWO})"
    config.write_text(
        f"web: \"images where {both} and tag = '{tag}' order by created_at desc limit 1\"\n"
        f"db: \"images where tag = '{tag}' order by created_at desc limit 1\"\n",
        encoding="utf-8",
    )
    env = {**keystone.clean_env(tmp_path), **keystone.password_vars(t.ALICE, OS_REGION_NAME=t.REGION_ONE)}
    lock = tmp_path / "imgql.lock"
    locked = imgql_cli(env, "lock", str(config), "--lock", str(lock))
    assert locked.returncode == 0, locked.stderr
    entries = json.loads(lock.read_text())["files"]["deploy.yaml"]
    assert [(p["region"], p["id"]) for p in entries["web"]["images"]] == [(t.REGION_ONE, first), (t.REGION_TWO, first)]
    assert [p["id"] for p in entries["db"]["images"]] == [first] and "region" not in entries["db"]["images"][0]

    newer = _active_image(glance, made, "golden-2", tag)
    check = imgql_cli(env, "lock", str(config), "--lock", str(lock), "--check", "-f", "json")
    assert check.returncode == 10, check.stderr
    rows = {(row["key"], row["place"]): row for row in json.loads(check.stdout)}
    for place in (t.REGION_ONE, t.REGION_TWO):
        row = rows[("web", place)]
        assert (row["status"], row["old"]["id"], row["new"]["id"]) == ("changed", first, newer)
    assert rows[("db", None)]["status"] == "changed"

    resolved = imgql_cli(env, "check", "--resolve", "--lock", str(lock), str(config))
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    assert resolved.stdout.splitlines() == [
        f"web: {t.REGION_ONE}: {first} golden-1",
        f"web: {t.REGION_TWO}: {first} golden-1",
        f"db: {first} golden-1",
    ]


def test_resolve_keeps_one_shape(
    keystone: KeystoneCloud,
    glance_as_alice: tuple[httpx.Client, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import imgql
    from imgql.cli.queryfiles import ConfigQueryError, resolve

    glance, made = glance_as_alice
    tag = f"shape-{uuid.uuid4().hex[:10]}"
    image = _active_image(glance, made, "shape-1", tag)
    for name in [n for n in os.environ if n.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name, value in keystone.password_vars(t.ALICE, OS_REGION_NAME=t.REGION_ONE).items():
        monkeypatch.setenv(name, value)
    data = {
        "one": f"images where region = {t.REGION_TWO} and tag = '{tag}'",
        "here": f"images where tag = '{tag}'",
        "both": f"images where region in ({t.REGION_ONE}, {t.REGION_TWO}) and tag = '{tag}'",
    }
    with imgql.Client() as client:
        # A query naming one region is one place: a string, as any other query.
        assert resolve(data, ["one", "here"], client) == {**data, "one": image, "here": image}
        with pytest.raises(ConfigQueryError) as caught:
            resolve(data, ["both"], client)
        assert "per_place=True" in caught.value.problems[0].message
        mapped = resolve(data, None, client, per_place=True)
    assert mapped["both"] == {t.REGION_ONE: image, t.REGION_TWO: image}
    assert mapped["one"] == {t.REGION_TWO: image} and mapped["here"] == {"": image}
