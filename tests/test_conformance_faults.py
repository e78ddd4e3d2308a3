"""Faults against the real Glance: the answers must equal the clean run.

A wrapping transport sits between the client and the real server and, on a
fixed schedule, answers with 5xx or 429, raises connection resets and
timeouts, or cuts a body short. An image deleted between two pages makes the
next marker unknown to Glance. In every case the answer is what a clean run
gives: no image lost, none twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import imgql
from tests.conformance_corpus import CASES

pytestmark = pytest.mark.glance

PAGE_SIZE = 7

# A sample of the corpus: unions, client sorts, scopes, traps.
QUERIES = [
    c.query
    for c in CASES
    if "$" not in c.query
    and any(
        word in c.query
        for word in ("hidden or", "visibility in", "tag in", "order by", "name in", "tag = lts and tag = gpu")
    )
][:24]


class FaultyTransport(httpx.BaseTransport):
    """Passes requests to the real server, injecting one fault every
    ``every`` listing requests, cycling through the kinds of fault."""

    KINDS = ("503", "429", "502", "500", "504", "reset", "timeout", "cut", "not-json", "no-images")

    def __init__(self, inner: httpx.BaseTransport, every: int = 3) -> None:
        self.inner = inner
        self.every = every
        self.count = 0
        self.injected: dict[str, int] = dict.fromkeys(self.KINDS, 0)
        self.kinds = itertools.cycle(self.KINDS)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        if self.count % self.every:
            return self.inner.handle_request(request)
        kind = next(self.kinds)
        self.injected[kind] += 1
        if kind.isdigit():
            headers = {"Retry-After": "0"} if kind == "429" else {}
            return httpx.Response(int(kind), headers=headers, text="injected fault", request=request)
        if kind == "reset":
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
        if kind == "timeout":
            raise httpx.ReadTimeout("injected read timeout", request=request)
        real = self.inner.handle_request(request)
        body = real.read()
        if kind == "cut":
            body = body[: len(body) // 2]
        elif kind == "not-json":
            body = b"<html><body>502 Proxy Error</body></html>"
        else:
            body = b'{"first": "/v2/images"}'
        return httpx.Response(200, headers={"Content-Type": "application/json"}, content=body, request=request)


def _client(glance: Any, profile: str, transport: httpx.BaseTransport | None = None) -> imgql.Client:
    http = httpx.Client(headers=glance.caller_headers, transport=transport, timeout=60)
    return imgql.Client(glance.url, http=http, profile=profile, page_size=PAGE_SIZE, retries=6, sleep=lambda s: None)


@pytest.fixture(scope="module")
def clean(glance: Any) -> Iterator[dict[tuple[str, str], list[str]]]:
    answers: dict[tuple[str, str], list[str]] = {}
    for profile in ("glance", "none"):
        with _client(glance, profile) as client:
            for query in QUERIES:
                answers[(query, profile)] = [image.id for image in client.query(query)]
    yield answers


@pytest.mark.parametrize("profile", ["glance", "none"])
def test_every_fault_kind_leaves_the_answers_unchanged(glance: Any, clean: Any, profile: str) -> None:
    assert len(QUERIES) >= 15
    transport = FaultyTransport(httpx.HTTPTransport())
    with _client(glance, profile, transport) as client:
        for query in QUERIES:
            got = [image.id for image in client.query(query)]
            want = clean[(query, profile)]
            ordered = imgql.parse(query).order_by
            assert (got if ordered else sorted(got)) == (want if ordered else sorted(want)), query
    assert all(count > 0 for count in transport.injected.values()), transport.injected


def test_an_image_deleted_between_two_pages_is_not_the_end_of_the_listing(glance: Any) -> None:
    owner = glance.seeded.caller_project
    admin = httpx.Client(base_url=glance.url, headers=glance.admin_headers(owner), timeout=60)
    created = []
    for i in range(12):
        response = admin.post("/v2/images", json={"name": f"doomed-{i:02d}", "tags": ["doomed"]})
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])

    deleted: list[str] = []
    statuses: list[int] = []

    class DeleteMarkerAfterFirstPage(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = self.inner.handle_request(request)
            statuses.append(response.status_code)
            if not deleted and request.url.path.endswith("/v2/images"):
                response.read()
                images = response.json()["images"]
                if images:
                    # The image that will be the next page's marker goes away.
                    victim = images[-1]["id"]
                    assert admin.delete(f"/v2/images/{victim}").status_code == 204
                    deleted.append(victim)
            return response

    query = "images where tag = doomed order by created_at desc"
    try:
        http = httpx.Client(headers=glance.caller_headers, transport=DeleteMarkerAfterFirstPage(), timeout=60)
        with imgql.Client(glance.url, http=http, page_size=3, sleep=lambda s: None) as client:
            got = [image.id for image in client.query(query)]
    finally:
        for image_id in created:
            admin.delete(f"/v2/images/{image_id}")
        admin.close()
    assert deleted, "the listing never reached a second page"
    assert 400 in statuses, "Glance did not refuse the deleted marker"
    assert len(got) == len(set(got))
    # Every image but the deleted one; the deleted one may have come on the first page.
    assert set(created) - set(deleted) <= set(got) <= set(created)
