"""``on_page``: the client tells its caller of each listing page it receives, with the page's record count.

Run through both clients against the fake Images API (one request, a union, fallbacks, retries,
regions from a Keystone catalog), and once against the real Glance."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import imgql
from imgql.http.keystone import KeystoneAuth
from tests.glance.fixture import SeededGlance

from .fakeglance import TOKEN, FakeGlance, make_image

KINDS = ("sync", "async")


def _fake(count: int = 9) -> FakeGlance:
    return FakeGlance([make_image(n, tags=["lts"] if n % 2 else ["old"]) for n in range(count)])


def _served(fake: FakeGlance) -> list[int]:
    """The record count of every listing page the fake answers, in order."""
    counts: list[int] = []
    fake.after_page = lambda _, page: counts.append(len(page))
    return counts


def _ids(kind: str, transport: httpx.BaseTransport, query: str, **options: Any) -> list[str]:
    """The ids ``query`` answers through the ``kind`` client, over ``transport``."""
    if kind == "sync":
        with (
            httpx.Client(transport=transport) as http,
            imgql.Client(http=http, sleep=lambda _: None, **options) as client,
        ):
            return [image.id for image in client.query(query)]

    async def main() -> list[str]:
        async def sleep(_: float) -> None:
            return None

        assert isinstance(transport, httpx.MockTransport)
        async with (
            httpx.AsyncClient(transport=transport) as http,
            imgql.AsyncClient(http=http, sleep=sleep, **options) as client,
        ):
            return [image.id async for image in client.query(query)]

    return asyncio.run(main())


def _at(fake: FakeGlance, kind: str, query: str, **options: Any) -> list[str]:
    return _ids(kind, fake.transport(), query, endpoint="https://glance.test", token=TOKEN, **options)


@pytest.mark.parametrize("kind", KINDS)
def test_each_page_received_is_told_with_its_record_count(kind: str) -> None:
    fake = _fake()
    served = _served(fake)
    told: list[int] = []
    ids = _at(fake, kind, "images", page_size=4, on_page=told.append)
    assert len(ids) == 9
    assert told == served == [4, 4, 1]


@pytest.mark.parametrize("kind", KINDS)
def test_every_request_of_a_union_and_every_fallback_is_told(kind: str) -> None:
    fake = _fake()
    served = _served(fake)
    told: list[int] = []
    union = "images where tag = lts or name = 'image-002' order by created_at desc"
    _at(fake, kind, union, page_size=2, on_page=told.append)
    assert len(fake.listings) > 1 and sorted(told) == sorted(served) and sum(told) == sum(served)
    fake = _fake()
    served = _served(fake)
    told.clear()
    ids = _at(fake, kind, "images where name = nothing else images where tag = old", on_page=told.append)
    assert len(ids) == 5 and len(fake.listings) == 2
    assert told == served == [0, 5]


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_that_is_tried_again_is_not_a_page(kind: str) -> None:
    fake = _fake()
    fake.respond(503, "busy")
    told: list[int] = []
    _at(fake, kind, "images", on_page=told.append)
    assert len(fake.listings) == 2 and told == [9]


@pytest.mark.parametrize("kind", KINDS)
def test_what_on_page_raises_ends_the_query(kind: str) -> None:
    class Enough(Exception):
        pass

    def stop(count: int) -> None:
        raise Enough(count)

    fake = _fake()
    with pytest.raises(Enough):
        _at(fake, kind, "images", page_size=4, on_page=stop)
    assert len(fake.listings) == 1


def test_on_page_must_be_a_function() -> None:
    with pytest.raises(imgql.ConfigError, match="on_page must be a function"):
        imgql.Client("https://glance.test", TOKEN, on_page=5)
    assert imgql.http.options.ClientOptions(on_page=print).on_page is print


def _keystone_and_glance(fake: FakeGlance) -> httpx.MockTransport:
    """Keystone whose catalog has the image service in two regions, both served by ``fake``."""
    endpoints = [
        {"interface": "public", "region_id": region, "region": region, "url": f"https://{region.lower()}.test"}
        for region in ("R1", "R2")
    ]
    token = {"expires_at": "2999-01-01T00:00:00Z", "catalog": [{"type": "image", "endpoints": endpoints}]}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/tokens"):
            return httpx.Response(201, json={"token": token}, headers={"X-Subject-Token": TOKEN})
        return fake.handler(request)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("kind", KINDS)
def test_every_region_is_told(kind: str) -> None:
    fake = _fake()
    served = _served(fake)
    told: list[int] = []
    auth = KeystoneAuth("https://keystone.test/v3", username="u", password="pw-on-page", project_name="p")
    ids = _ids(kind, _keystone_and_glance(fake), "images where region = *", auth=auth, on_page=told.append)
    hosts = {request.url.host for request in fake.listings}
    assert len(ids) == 18 and hosts == {"r1.test", "r2.test"}
    assert told == served == [9, 9]


@pytest.mark.glance
def test_on_page_counts_the_real_glances_pages(glance: SeededGlance) -> None:
    told: list[int] = []
    with glance.client() as http, imgql.Client(glance.url, http=http, page_size=3, on_page=told.append) as client:
        images = list(client.query("images"))
    assert len(images) > 3
    # Full pages of three while more follow, then the rest (an empty page when the last was full).
    assert sum(told) == len(images) and all(count == 3 for count in told[:-1]) and told[-1] <= 3
