"""The cloud-scale benchmark's two ways of seeding give a real Glance the same images.

benchmarks/cloud_data.py creates its first images through the API and writes
the rest straight into Glance's SQLite database (thousands through the API take
too long). Here images of every kind are made both ways in one real Glance, and
the API's answers for them are held to one shape: the same fields, the values
the create request asked for, the checksums of the uploaded bytes, the bytes
themselves, and the same visibility to the member the benchmark reads as.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.cloud_data import (
    CALLER_HEADERS,
    CloudImage,
    cloud_image,
    create_image,
    ensure_seeded,
    headers,
    image_bytes,
    write_rows,
)
from tests.glance.server import GlanceServer

pytestmark = pytest.mark.glance

# Stamps, links, owners and contents differ by nature between any two images.
_OWN = {
    "id",
    "name",
    "owner",
    "created_at",
    "updated_at",
    "self",
    "file",
    "checksum",
    "os_hash_value",
    "size",
    "virtual_size",
}


def _kind(image: CloudImage) -> tuple[object, ...]:
    body = image.body
    return (body["visibility"], image.size is not None, bool(body.get("os_hidden")), "hw_firmware_type" in body)


def _two_of_each_kind(wanted: int = 12) -> tuple[list[int], list[int]]:
    """Image numbers for the API and for the rows: one of each kind in each."""
    first: dict[tuple[object, ...], int] = {}
    second: dict[tuple[object, ...], int] = {}
    for index in range(4000):
        kind = _kind(cloud_image(index))
        if kind not in first:
            first[kind] = index
        elif kind not in second:
            second[kind] = index
        if len(second) >= wanted:
            break
    kinds = [k for k in first if k in second]
    assert {k[0] for k in kinds} == {"public", "community", "private", "shared"}
    return sorted(first[k] for k in kinds), sorted(second[k] for k in kinds)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[CloudImage], list[CloudImage]]]:
    through_api, as_rows = _two_of_each_kind()
    directory = tmp_path_factory.mktemp("cloud-seed")
    # Not ensure_seeded, which creates 0..n-1: exactly the API's numbers here.
    with GlanceServer.start(directory=directory) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        for index in through_api:
            create_image(client, cloud_image(index))
    assert write_rows(Path(directory), (cloud_image(i) for i in as_rows)) == len(as_rows)
    assert write_rows(Path(directory), (cloud_image(i) for i in as_rows)) == 0  # a second run adds nothing
    with GlanceServer.start(directory=directory) as server:
        yield server.url, [cloud_image(i) for i in through_api], [cloud_image(i) for i in as_rows]


def _record(url: str, image: CloudImage) -> dict[str, Any]:
    answer = httpx.get(f"{url}/v2/images/{image.id}", headers=headers(image.owner, admin=True), timeout=60)
    assert answer.status_code == 200, answer.text
    record: dict[str, Any] = answer.json()
    return record


def _expected(image: CloudImage) -> dict[str, Any]:
    body = dict(image.body)
    body["tags"] = sorted(body["tags"])  # type: ignore[call-overload]
    body["owner"] = image.owner
    body["os_hidden"] = bool(body.get("os_hidden"))
    if image.size is None:
        body.update(status="queued", size=None, checksum=None, os_hash_value=None)
    else:
        data = image_bytes(image)
        body.update(
            status="active",
            size=image.size,
            checksum=hashlib.md5(data).hexdigest(),
            os_hash_value=hashlib.sha512(data).hexdigest(),
        )
    return body


def test_each_way_answers_what_was_asked(seeded: tuple[str, list[CloudImage], list[CloudImage]]) -> None:
    url, through_api, as_rows = seeded
    for image in through_api + as_rows:
        record = _record(url, image)
        record["tags"] = sorted(record["tags"])
        wanted = _expected(image)
        assert {k: record.get(k) for k in wanted} == wanted, image.index


def test_both_ways_have_the_same_fields(seeded: tuple[str, list[CloudImage], list[CloudImage]]) -> None:
    url, through_api, as_rows = seeded
    by_kind = {_kind(image): _record(url, image) for image in through_api}
    for image in as_rows:
        api_made = by_kind[_kind(image)]
        row_made = _record(url, image)
        assert sorted(row_made) == sorted(api_made), image.index
        same = {k for k in api_made if k not in _OWN and k not in image.body and k != "tags"}
        assert {k: row_made[k] for k in same} == {k: api_made[k] for k in same}, image.index


def test_uploaded_bytes_download(seeded: tuple[str, list[CloudImage], list[CloudImage]]) -> None:
    url, _, as_rows = seeded
    image = next(i for i in as_rows if i.size is not None)
    answer = httpx.get(f"{url}/v2/images/{image.id}/file", headers=headers(image.owner, admin=True), timeout=60)
    assert answer.status_code == 200
    assert answer.content == image_bytes(image)


def test_the_member_sees_the_same_images(seeded: tuple[str, list[CloudImage], list[CloudImage]]) -> None:
    url, through_api, as_rows = seeded
    params = {"limit": "1000", "os_hidden": "false"}
    listed = httpx.get(f"{url}/v2/images", params=params, headers=CALLER_HEADERS, timeout=60).json()["images"]
    seen = {record["id"] for record in listed}
    for image in through_api + as_rows:
        visible = image.body["visibility"] in ("public", "community") or image.owner == "proj-mine"
        visible = (visible or image.shared_with_caller) and not image.body.get("os_hidden")
        # The default listing leaves community images out unless one is the owner.
        if image.body["visibility"] == "community":
            visible = False
        assert (image.id in seen) == visible, (image.index, image.body["visibility"])


def test_ensure_seeded_counts_what_is_there(seeded: tuple[str, list[CloudImage], list[CloudImage]]) -> None:
    url, through_api, as_rows = seeded
    # Everything is present already when asking for fewer than there are.
    facts = ensure_seeded(url, len(through_api) + len(as_rows), progress=False)
    assert facts == {"created": 0, "seconds": 0.0, "present": len(through_api) + len(as_rows)}
