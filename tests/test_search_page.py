"""examples/search_server.py: its JSON endpoint, and its page in a real headless Chromium that a
test types into (Debian's chromium; skipped where it is missing, a failure in CI)."""

from __future__ import annotations

import contextlib
import http.server
import importlib.util
import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest

import imgql
from tests.headless import chromium_path, headless_chromium

ROOT = Path(__file__).resolve().parent.parent
CATALOG = imgql.Catalog(ROOT / "examples" / "catalog.json")


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("search_server", ROOT / "examples" / "search_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _example()


@contextlib.contextmanager
def serving(source: Any) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), example.make_handler(source))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving(CATALOG) as url:
        yield url


def get(url: str) -> tuple[int, str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read().decode()
            status, kind = response.status, response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        body, status, kind = error.read().decode(), error.code, error.headers["Content-Type"]
    return status, kind, json.loads(body) if kind == "application/json" else body


def search(site: str, **params: object) -> Any:
    status, kind, body = get(f"{site}/api/search?{urlencode(params)}")
    assert (status, kind) == (200, "application/json"), body
    return body


# --------------------------------------------------------------------------- the JSON endpoint


def test_the_endpoint_says_how_it_understood_the_search(site: str) -> None:
    body = search(site, q="tag:LTS size<5xb", limit=10)
    expected = [image.id for image in CATALOG.query("images where tag like 'lts'")]
    assert body["query"] == "images where tag like 'LTS'"
    assert [i["term"] for i in body["ignored"]] == ["size<5xb"]
    assert "unknown size unit" in body["ignored"][0]["reason"]
    assert body["total"] == len(expected) > 10
    assert [i["id"] for i in body["images"]] == expected[:10]
    assert body["next"] == expected[9]
    assert set(body["images"][0]) >= {"id", "name", "status", "os_distro", "os_version", "size", "created_at", "tags"}


def test_pages_follow_the_marker_to_the_end(site: str) -> None:
    seen: list[str] = []
    marker = None
    while True:
        body = search(site, q="ubuntu", limit=20, **({"marker": marker} if marker else {}))
        seen.extend(i["id"] for i in body["images"])
        marker = body["next"]
        if marker is None:
            break
    assert seen == [image.id for image in CATALOG.query(imgql.search_box("ubuntu"))]
    assert len(seen) == body["total"] > 20


def test_format_json_on_the_page_address_is_the_endpoint(site: str) -> None:
    status, kind, body = get(f"{site}/?format=json&q=debian&limit=1")
    assert (status, kind) == (200, "application/json")
    assert body["query"] == "images where name contains 'debian'"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api", 404, "not found"),
        ("/api/search?limit=lots", 400, "limit must be a whole number"),
        (f"/api/search?{urlencode({'q': 'x' * 20_001})}", 400, "at most 20000"),
    ],
)
def test_what_the_endpoint_refuses(site: str, path: str, status: int, message: str) -> None:
    got, kind, body = get(site + path)
    assert (got, kind) == (status, "application/json")
    assert message in body["error"]


def test_a_failing_cloud_is_a_generic_message(caplog: pytest.LogCaptureFixture) -> None:
    class Down:
        def query(self, query: object) -> Any:
            raise imgql.ConnectionError("cannot reach http://glance.internal.example:9292 (refused)")

    with serving(Down()) as url:
        status, _kind, body = get(f"{url}/api/search?q=x")
    assert status == 502
    assert "internal" not in body["error"] and "not available" in body["error"]
    assert "glance.internal.example" in caplog.text  # the detail is logged for the operator


def test_the_page_is_made_for_small_screens(site: str) -> None:
    _status, kind, page = get(site + "/")
    assert kind.startswith("text/html")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "/api/search" in page


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if chromium_path() is None:
        message = "chromium is not installed (apt-get install -y chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI installs it in .ci/run", pytrace=False)
        pytest.skip(message)
    with headless_chromium() as page:
        yield page


def test_typing_into_the_box_shows_the_results(site: str, browser: Any) -> None:
    browser.open(site + "/")
    browser.evaluate("document.getElementById('q').focus()")
    browser.type("tag:LTS size<5xb")
    browser.wait_for("document.body.dataset.state === 'done' && document.querySelectorAll('tr.image').length > 0")
    total = len(list(CATALOG.query("images where tag like 'lts'")))
    assert browser.evaluate("document.getElementById('query').textContent") == "images where tag like 'LTS'"
    assert "size<5xb (unknown size unit" in browser.evaluate("document.getElementById('ignored').textContent")
    assert browser.evaluate("document.getElementById('total').textContent") == f"25 of {total} images"
    assert browser.evaluate("location.search") == "?q=tag%3ALTS+size%3C5xb"  # the search is a link
    rows = browser.evaluate("[...document.querySelectorAll('tr.image .id')].map(e => e.textContent)")
    assert len(rows) == 25 and len(set(rows)) == 25  # images of the same name are told apart by id
    browser.evaluate("document.getElementById('more').click()")
    browser.wait_for(f"document.querySelectorAll('tr.image').length === {total}")
    assert browser.evaluate("document.getElementById('more').hidden") is True


def test_a_link_runs_its_search_and_fits_a_narrow_screen(site: str, browser: Any) -> None:
    browser.set_width(360)
    browser.open(site + "/?" + urlencode({"q": "debian sort:name"}))
    browser.wait_for("document.body.dataset.state === 'done'")
    names = browser.evaluate("[...document.querySelectorAll('tr.image td.name')].map(e => e.firstChild.textContent)")
    assert names and all("debian" in name.lower() for name in names)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 360
    box = browser.evaluate("document.getElementById('q').getBoundingClientRect().right")
    assert box <= 360
